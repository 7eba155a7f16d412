// Timing helpers for benchmarks: repeat, report the median and the spread (the machine's noise).
export type Timing = { median: number; min: number; max: number; runs: number[] };

export async function timeRuns(runs: number, fn: () => Promise<unknown>): Promise<Timing> {
  const samples: number[] = [];
  for (let i = 0; i < runs; i++) {
    const start = performance.now();
    await fn();
    samples.push(performance.now() - start);
  }
  const sorted = [...samples].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  const median = sorted.length % 2 ? sorted[middle]! : (sorted[middle - 1]! + sorted[middle]!) / 2;
  return { median, min: sorted[0]!, max: sorted[sorted.length - 1]!, runs: samples };
}

export function formatMs(t: Timing): string {
  return `median ${t.median.toFixed(1)} ms (min ${t.min.toFixed(1)}, max ${t.max.toFixed(1)}, ${t.runs.length} runs)`;
}
