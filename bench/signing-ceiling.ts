// The signing ceiling for `npm run bench -- send` (issue 17): RSA-2048 signatures per second with every core signing
// in a bare loop (a worker thread per core), what no DKIM-signing pipeline on this machine can exceed.
import { createPrivateKey, generateKeyPairSync, sign } from "node:crypto";
import { availableParallelism } from "node:os";
import { isMainThread, parentPort, Worker, workerData } from "node:worker_threads";

type Job = { pem: string; ms: number };

/** Signatures per second over all cores, and per core, in `ms` of signing. */
export async function signingCeiling(ms = 3_000): Promise<{ perSecond: number; cores: number }> {
  const { privateKey } = generateKeyPairSync("rsa", { modulusLength: 2048 });
  const pem = privateKey.export({ type: "pkcs8", format: "pem" }).toString();
  const cores = availableParallelism();
  const counts = await Promise.all(
    Array.from(
      { length: cores },
      () =>
        new Promise<number>((resolve, reject) => {
          const thread = new Worker(new URL(import.meta.url), { workerData: { pem, ms } satisfies Job });
          thread.once("message", (n: number) => resolve(n));
          thread.once("error", reject);
        }),
    ),
  );
  return { perSecond: counts.reduce((a, b) => a + b, 0) / (ms / 1000), cores };
}

if (!isMainThread) {
  const job = workerData as Job;
  // The key is parsed once, as the pipeline does (message.ts caches it per sending domain); what DKIM signs is the
  // canonical header block with the b= tag empty, a few hundred bytes.
  const key = createPrivateKey(job.pem);
  const data = Buffer.alloc(600, "h");
  let n = 0;
  const end = performance.now() + job.ms;
  while (performance.now() < end) {
    sign("sha256", data, key);
    n++;
  }
  parentPort!.postMessage(n);
}
