// The child process of `npm run bench -- documents`: runs one case (a producer named by module and export) and prints
// its time, peak RSS and live heap as one JSON line. A file of its own that imports nothing at the top but node:fs (bench/peak-rss.ts), so the
// process holds only what the case's own module loads: the peak RSS of the job in the generator's thread is then
// that of the thread and a process around it, not of pdfkit and the whole job also loaded in the main thread.
import type { LetterProducer, ProducerRef } from "./documents.ts";
import { peakRssMb } from "./peak-rss.ts";

type Job = { producer: ProducerRef; count: number; file: string };

async function caseMain(job: Job): Promise<void> {
  const module = (await import(job.producer.module)) as Record<string, LetterProducer>;
  const produce = module[job.producer.name];
  if (typeof produce !== "function")
    throw new Error(`${job.producer.module} exports no ${job.producer.name}`);
  if (job.producer.setup) await module[job.producer.setup]!(job.count, job.file);
  const start = performance.now();
  await produce(job.count, job.file);
  const seconds = (performance.now() - start) / 1000;
  global.gc?.();
  const run = {
    seconds,
    letters: job.count,
    peakRssMb: peakRssMb(),
    liveHeapMb: process.memoryUsage().heapUsed / 1048576,
  };
  console.log(JSON.stringify(run));
}

await caseMain(JSON.parse(process.env.BENCH_DOCUMENTS_CASE!) as Job);
