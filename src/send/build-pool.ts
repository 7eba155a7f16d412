// Builds messages on worker threads (MIME and the RSA signature are most of a message's CPU), or in this thread
// when the pool has no threads. Same input, same bytes either way.
import { Worker } from "node:worker_threads";
import { buildMessage, type OutgoingMessage } from "./message.ts";

export type BuildPool = { build(message: OutgoingMessage): Promise<Buffer>; close(): Promise<void> };

export function createBuildPool(threads: number): BuildPool {
  if (threads <= 0) return { build: buildMessage, close: async () => {} };
  const workers = Array.from(
    { length: threads },
    () => new Worker(new URL("./build-thread.ts", import.meta.url)),
  );
  const waiting = new Map<number, { resolve(raw: Buffer): void; reject(error: Error): void }>();
  let next = 0;
  for (const worker of workers) {
    worker.on("message", (reply: { id: number; raw?: Uint8Array; error?: string }) => {
      const entry = waiting.get(reply.id);
      if (!entry) return;
      waiting.delete(reply.id);
      if (reply.raw) entry.resolve(Buffer.from(reply.raw.buffer, reply.raw.byteOffset, reply.raw.byteLength));
      else entry.reject(new Error(reply.error ?? "building the message failed"));
    });
    worker.unref();
  }
  return {
    build(message) {
      const id = next++;
      const worker = workers[id % workers.length]!;
      return new Promise((resolve, reject) => {
        waiting.set(id, { resolve, reject });
        worker.postMessage({ id, message });
      });
    },
    async close() {
      await Promise.all(workers.map((w) => w.terminate()));
    },
  };
}
