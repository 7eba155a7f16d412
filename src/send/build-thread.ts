// A worker thread that builds and DKIM-signs messages, so signing uses another core than the send loop.
import { parentPort } from "node:worker_threads";
import { buildMessage, type OutgoingMessage } from "./message.ts";

parentPort?.on("message", async ({ id, message }: { id: number; message: OutgoingMessage }) => {
  try {
    const attachments = message.attachments?.map((a) => ({ ...a, content: Buffer.from(a.content) }));
    const raw = await buildMessage({ ...message, ...(attachments ? { attachments } : {}) });
    const bytes = new Uint8Array(raw.buffer, raw.byteOffset, raw.byteLength).slice();
    parentPort!.postMessage({ id, raw: bytes }, [bytes.buffer]);
  } catch (error) {
    parentPort!.postMessage({ id, error: (error as Error).message });
  }
});
