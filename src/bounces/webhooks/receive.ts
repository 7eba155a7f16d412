// The shared apply step of every provider webhook: store the verified events (raw, in one transaction), then
// process them with the same code as mail to the bounce domains. Rows a crash left in `received` are redone by
// the sweep (here, and in `utsend bounces listen`, which processes every route).
import type { Db } from "../../db/connect.ts";
import type { Keyring } from "../../deliveries/tokens.ts";
import { processInbound, processPending, readBounceSettings, storeInboundOnce } from "../inbound.ts";
import type { StoredEvent, WebhookRoute } from "./provider-event.ts";

/**
 * Stores the events; a failure stores none (the provider retries the whole request). An event stored before (same
 * provider event id) is not stored again; its row id is returned with the new ones.
 */
export async function storeEvents(
  db: Db,
  route: WebhookRoute,
  source: string,
  events: StoredEvent[],
): Promise<number[]> {
  if (events.length === 0) return [];
  return db.transaction().execute(async (trx) => {
    const ids: number[] = [];
    for (const e of events)
      ids.push(
        (
          await storeInboundOnce(trx as unknown as Db, {
            envelopeFrom: source.slice(0, 500),
            recipient: e.recipient.slice(0, 500),
            route,
            raw: Buffer.from(e.raw, "utf8"),
            ...(e.key ? { sourceKey: e.key.slice(0, 500) } : {}),
          })
        ).id,
      );
    return ids;
  });
}

/** Processes stored rows now; a failure leaves them for the sweep, so it is logged, not thrown. */
export async function processStored(
  db: Db,
  keys: Keyring,
  ids: number[],
  log: (line: string) => void,
): Promise<void> {
  if (ids.length === 0) return;
  try {
    const settings = await readBounceSettings(db);
    for (const id of ids) await processInbound(db, keys, id, settings);
  } catch (err) {
    log(`webhook processing failed (left for the sweep): ${(err as Error).message}`);
  }
}

/** Every `intervalMs`, processes rows older than a minute still in `received`; returns a stop function. */
export function startPendingSweep(
  db: Db,
  keys: () => Keyring,
  log: (line: string) => void,
  intervalMs = 60_000,
): () => Promise<void> {
  let running: Promise<unknown> = Promise.resolve();
  let busy = false;
  const timer = setInterval(() => {
    if (busy) return;
    busy = true;
    running = (async () => {
      const before = new Date(Date.now() - 60_000).toISOString();
      await processPending(db, keys(), await readBounceSettings(db), before);
    })()
      .catch((err: unknown) => log(`inbound sweep failed: ${(err as Error).message}`))
      .finally(() => {
        busy = false;
      });
  }, intervalMs);
  timer.unref();
  return async () => {
    clearInterval(timer);
    await running;
  };
}
