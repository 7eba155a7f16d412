// Composition root of a send worker: the send loop and the document generator's thread beside it. Apart from
// main.ts, so that `utsend worker` loads only what sending and generating need, not the HTTP app (Fastify and every
// route): its process idles about 50 MB smaller (docs/documents.md, Speed and memory).
import type { DbHandle } from "./db/connect.ts";
import { type Keyring, keyringFromSecret } from "./deliveries/tokens.ts";
import { startDocumentThread } from "./documents/generator-thread.ts";
import { ensureSecret } from "./send/accounts.ts";
import { createSendWorker } from "./send/worker.ts";
import type { Config } from "./shared/config.ts";

export type Output = { info(line: string): void };

export type SendContext = { keys: Keyring; publicUrl: string };

/** Keys and the public address for tokens and links; the address defaults to where this server listens. */
export async function sendContext(
  handle: DbHandle,
  config: Config,
  listeningUrl?: string,
): Promise<SendContext> {
  const secret = await ensureSecret(handle.db, config.secret);
  const publicUrl = (config.publicUrl || listeningUrl || `http://${config.host}:${config.port}`).replace(
    /\/$/,
    "",
  );
  return { keys: keyringFromSecret(secret), publicUrl };
}

export function startWorker(handle: DbHandle, config: Config, send: SendContext, out: Output) {
  const worker = createSendWorker({
    db: handle.db,
    dialect: handle.dialect,
    publicUrl: send.publicUrl,
    keys: send.keys,
    leaseMs: config.leaseSeconds * 1000,
    smtpReplyTimeoutMs: config.smtpReplyTimeoutSeconds * 1000,
    log: (line) => out.info(line),
  });
  // Document mailings are generated, not sent: their own job beside the send loop, leased the same way, in a thread
  // whose heap has limits of its own (documents/generator-thread.ts).
  const documents = startDocumentThread(
    {
      database: {
        databaseUrl: config.databaseUrl,
        dataDir: config.dataDir,
        databaseSchema: config.databaseSchema,
      },
      dataDir: config.dataDir,
      owner: worker.owner,
      leaseMs: config.leaseSeconds * 1000,
    },
    (line) => out.info(line),
  );
  const controller = new AbortController();
  const running = worker
    .run(controller.signal)
    .catch((error: unknown) => out.info(`send worker stopped: ${(error as Error).message}`));
  return {
    worker,
    stop: async () => {
      controller.abort();
      await Promise.all([running, documents.stop()]);
      await worker.stop();
    },
  };
}
