// `npm run bench -- documents-memory [--counts 1000,10000,50000]`: is the generator's memory flat in the number of
// letters? Generates each count once in the generator's thread, as the workers run it (bench/document-thread.ts),
// each in a process of its own, and prints the process's RSS and the thread's heap every tenth of the way, as a
// table and a bar chart, with the peak RSS at the end. Speed is bench/documents.ts's business.
import { spawn } from "node:child_process";
import { rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { prepareGenerationDatabase, removeGenerationDatabases } from "./document-generation.ts";
import type { MemorySample } from "./document-thread.ts";

const CASE_FILE = new URL("./document-case.ts", import.meta.url).pathname;
const THREAD_CASE = new URL("./document-thread.ts", import.meta.url).href;

function countsArgument(): number[] {
  const args = process.argv.slice(2);
  const at = args.findIndex((a) => a === "--counts" || a.startsWith("--counts="));
  const value = at < 0 ? "1000,10000,50000" : args[at]!.includes("=") ? args[at]!.slice(9) : args[at + 1];
  const counts = String(value)
    .split(",")
    .map((n) => Number(n.trim()));
  if (counts.some((n) => !Number.isInteger(n) || n < 10))
    throw new Error(`--counts: whole numbers of at least 10, comma-separated; got "${value}"`);
  return counts;
}

type Run = { samples: MemorySample[]; peakRssMb: number; seconds: number };

async function runThreadCase(count: number): Promise<Run> {
  const file = join(tmpdir(), `utsend-bench-memory-${process.pid}-${count}.pdf`);
  const child = spawn(process.execPath, ["--expose-gc", CASE_FILE], {
    env: {
      ...process.env,
      BENCH_MEMORY_EVERY: String(Math.max(1, Math.floor(count / 10))),
      BENCH_DOCUMENTS_CASE: JSON.stringify({
        producer: { module: THREAD_CASE, name: "generateLettersInThread", setup: "startGeneratorThread" },
        count,
        file,
      }),
    },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let out = "";
  let err = "";
  child.stdout!.on("data", (chunk: Buffer) => {
    out += chunk;
  });
  child.stderr!.on("data", (chunk: Buffer) => {
    err += chunk;
  });
  const code = await new Promise<number | null>((resolve) => child.on("exit", resolve));
  await rm(file, { force: true });
  if (code !== 0) throw new Error(`the generation process exited with ${code}: ${err.trim()}`);
  const traced = err
    .split("\n")
    .filter((line) => line.startsWith('{"samples"'))
    .at(-1);
  const result = JSON.parse(out.trim().split("\n").at(-1)!) as { peakRssMb: number; seconds: number };
  return { samples: traced ? (JSON.parse(traced) as { samples: MemorySample[] }).samples : [], ...result };
}

const bar = (mb: number, scale: number) => "█".repeat(Math.max(1, Math.round(mb / scale)));

export async function benchDocumentMemory(): Promise<void> {
  const counts = countsArgument();
  console.log(
    `composed one-page letters generated in the generator's thread (SQLite), counts ${counts.join(", ")}, each in a ` +
      "process of its own; RSS is the whole process's, heap the thread's (used / total, V8's statistics)",
  );
  for (const count of counts) await prepareGenerationDatabase(count);
  try {
    const peaks: string[] = [];
    for (const count of counts) {
      const run = await runThreadCase(count);
      console.log(
        `\n${count} letters in ${run.seconds.toFixed(1)} s; peak RSS ${run.peakRssMb.toFixed(0)} MB`,
      );
      console.log("  letters   RSS MB  thread heap MB");
      const scale = Math.max(...run.samples.map((s) => s.rssMb), run.peakRssMb) / 50;
      for (const s of run.samples)
        console.log(
          `  ${String(s.letters).padStart(7)}  ${s.rssMb.toFixed(0).padStart(6)}  ${s.threadHeapUsedMb.toFixed(0).padStart(4)} / ` +
            `${s.threadHeapTotalMb.toFixed(0).padEnd(4)} ${bar(s.rssMb, scale)}`,
        );
      peaks.push(`${count}: ${run.peakRssMb.toFixed(0)} MB`);
    }
    console.log(`\npeak RSS by letters: ${peaks.join(", ")}`);
  } finally {
    await removeGenerationDatabases(counts);
  }
}
