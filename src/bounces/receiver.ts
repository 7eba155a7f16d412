// The inbound SMTP server for the bounce domains: refuses every recipient that is not a verifying VERP or
// unsubscribe address (or the feedback-loop address) at RCPT, stores each accepted message before answering 250,
// then processes it in the background. Rows a crash left unprocessed are picked up at start.
import type { AddressInfo } from "node:net";
import { SMTPServer, type SMTPServerSession } from "smtp-server";
import type { Db } from "../db/connect.ts";
import type { Keyring } from "../deliveries/tokens.ts";
import { MAX_MESSAGE_BYTES } from "./classify.ts";
import {
  acceptRecipient,
  type InboundConfig,
  type InboundRoute,
  processInbound,
  processPending,
  readBounceSettings,
  storeInbound,
} from "./inbound.ts";

export type BounceReceiverOptions = {
  db: Db;
  keys: Keyring;
  host: string;
  port: number;
  /** Fixed list, or read on every RCPT (new sending domains are then accepted without a restart). */
  bounceDomains: string[] | (() => Promise<string[]>);
  feedbackLoopAddress?: string | null;
  maxMessageBytes?: number;
  /** How often rows left in `received` are retried (default a minute). */
  sweepMs?: number;
  log?: (line: string) => void;
};

export type BounceReceiver = {
  port: number;
  /** Resolves when the background processing started so far has finished (for tests and shutdown). */
  idle(): Promise<void>;
  close(): Promise<void>;
};

function smtpError(code: number, message: string): Error {
  return Object.assign(new Error(message), { responseCode: code });
}

export async function startBounceReceiver(options: BounceReceiverOptions): Promise<BounceReceiver> {
  const { db, keys } = options;
  const maxBytes = Math.min(options.maxMessageBytes ?? MAX_MESSAGE_BYTES, MAX_MESSAGE_BYTES);
  const log = options.log ?? (() => {});
  const pending = new Set<Promise<unknown>>();
  const routes = new WeakMap<SMTPServerSession, Map<string, InboundRoute>>();

  const config = async (): Promise<InboundConfig> => ({
    keys,
    bounceDomains:
      typeof options.bounceDomains === "function" ? await options.bounceDomains() : options.bounceDomains,
    feedbackLoopAddress: options.feedbackLoopAddress ?? null,
  });

  const track = (work: Promise<unknown>) => {
    const p = work.catch((err: unknown) => log(`bounce processing failed: ${(err as Error).message}`));
    pending.add(p);
    void p.finally(() => pending.delete(p));
  };

  const process = (ids: number[]) =>
    track(
      (async () => {
        const settings = await readBounceSettings(db);
        for (const id of ids) {
          const outcome = await processInbound(db, keys, id, settings);
          if (outcome)
            log(
              `inbound ${id}: ${outcome.status} ${outcome.kind ?? ""} delivery ${outcome.deliveryId ?? "-"}`,
            );
        }
      })(),
    );

  const server = new SMTPServer({
    authOptional: true,
    disabledCommands: ["AUTH", "STARTTLS"],
    hideSTARTTLS: true,
    size: maxBytes,
    logger: false,
    closeTimeout: 500,
    onRcptTo(address, session, callback) {
      config()
        .then((c) => {
          const route = acceptRecipient(address.address, c);
          if (!route) return callback(smtpError(550, "5.1.1 No such recipient here"));
          let accepted = routes.get(session);
          if (!accepted) {
            accepted = new Map();
            routes.set(session, accepted);
          }
          accepted.set(address.address, route);
          callback();
        })
        .catch((err: unknown) =>
          callback(smtpError(451, `4.3.0 Try again later (${(err as Error).message})`)),
        );
    },
    onData(stream, session, callback) {
      const chunks: Buffer[] = [];
      let size = 0;
      stream.on("data", (chunk: Buffer) => {
        size += chunk.length;
        if (size <= maxBytes) chunks.push(chunk);
      });
      stream.on("end", () => {
        if (stream.sizeExceeded || size > maxBytes) return callback(smtpError(552, "5.3.4 Message too big"));
        const raw = Buffer.concat(chunks);
        const from = session.envelope.mailFrom ? session.envelope.mailFrom.address : "";
        const accepted = routes.get(session) ?? new Map<string, InboundRoute>();
        const recipients = session.envelope.rcptTo
          .map((r) => ({ address: r.address, route: accepted.get(r.address) }))
          .filter((r): r is { address: string; route: InboundRoute } => r.route !== undefined);
        (async () => {
          const ids: number[] = [];
          for (const r of recipients)
            ids.push(
              await storeInbound(db, { envelopeFrom: from, recipient: r.address, route: r.route, raw }),
            );
          return ids;
        })()
          .then((ids) => {
            // Stored: the sender may forget the message; processing follows in the background.
            callback(null, "2.0.0 Received");
            process(ids);
          })
          .catch((err: unknown) => callback(smtpError(451, `4.3.0 Not stored (${(err as Error).message})`)));
      });
    },
  });

  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(options.port, options.host, () => {
      server.off("error", reject);
      resolve();
    });
  });
  server.on("error", (err) => log(`bounce receiver: ${err.message}`));

  // Whatever a crash left between the 250 and the outcome; then, now and then, whatever failed in between
  // (a database hiccup) and is older than a minute, so that no sweep races a message still being processed.
  track((async () => processPending(db, keys, await readBounceSettings(db)))());
  let sweeping = false;
  const sweep = setInterval(() => {
    if (sweeping) return;
    sweeping = true;
    track(
      (async () => {
        const before = new Date(Date.now() - 60_000).toISOString();
        await processPending(db, keys, await readBounceSettings(db), before);
      })().finally(() => {
        sweeping = false;
      }),
    );
  }, options.sweepMs ?? 60_000);
  sweep.unref();

  const idle = async () => {
    while (pending.size > 0) await Promise.all([...pending]);
  };
  return {
    port: (server.server.address() as AddressInfo).port,
    idle,
    close: async () => {
      clearInterval(sweep);
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await idle();
    },
  };
}
