// Inbound mail to the bounce domains (SPEC §7 outcome table, §8 bounces and complaints): which recipients are
// accepted at RCPT, storing each message before the 250, and turning a stored message into delivery outcomes.
// Processing is idempotent: a row is finished only once, and every delivery change is guarded by its status.

import type { Selectable } from "kysely";
import type { Db } from "../db/connect.ts";
import type { Database } from "../db/schema.ts";
import { blockAddress, countSoftBounce } from "../deliveries/blocks.ts";
import { appendEvent } from "../deliveries/events.ts";
import { mailingOfTestMessageId, mailingOfTestToken } from "../deliveries/identity.ts";
import { type Keyring, verifyDeliveryToken } from "../deliveries/tokens.ts";
import { recordConsent } from "../persons/consent.ts";
import { unsubscribe, unsubscribeTarget } from "../recipient-pages/unsubscribe.ts";
import { readSettings, type Settings } from "../settings/store.ts";
import { isoNow } from "../shared/clock.ts";
import { classifyMessage } from "./classify.ts";
import type { Classification } from "./types.ts";
import { classifyWebhook } from "./webhooks/classify.ts";
import { isWebhookRoute, type WebhookRoute } from "./webhooks/provider-event.ts";

/**
 * How a message came in: the SMTP receiver's RCPT routes, fetched from a bounce mailbox (`imap`), or a provider
 * webhook (`webhook-ses`, …: the verified payload, one row per recipient event).
 */
export type InboundRoute = "verp" | "unsubscribe" | "feedback-loop" | "imap" | WebhookRoute;
export type InboundConfig = {
  keys: Keyring;
  /** The bounce domains of the sending domains (sending_domains.bounce_domain). */
  bounceDomains: string[];
  /** An address registered with mailbox providers' feedback loops (ARF reports), if any. */
  feedbackLoopAddress?: string | null;
};
export type BounceSettings = Pick<Settings, "bounceThreshold">;
type InboundRow = Selectable<Database["inbound_messages"]>;
type Status = InboundRow["status"];

const VERP_LOCAL = /^bounces\+(.+)$/i;
const UNSUBSCRIBE_LOCAL = /^unsubscribe\+(.+)$/i;

function splitAddress(address: string): { local: string; domain: string } | null {
  const a = address.trim().replace(/^<|>$/g, "");
  const at = a.lastIndexOf("@");
  if (at <= 0 || at === a.length - 1) return null;
  return { local: a.slice(0, at), domain: a.slice(at + 1).toLowerCase() };
}

/** The token of a `<prefix>+<token>@<bounce domain>` address (tokens are case-sensitive: the local part is kept). */
function tokenOf(address: string, pattern: RegExp): string | null {
  const parts = splitAddress(address);
  return parts ? (pattern.exec(parts.local)?.[1] ?? null) : null;
}

/** What an RCPT TO address is for, or null to refuse it (550): only verifying tokens and the feedback-loop address. */
export function acceptRecipient(address: string, config: InboundConfig): InboundRoute | null {
  const parts = splitAddress(address);
  if (!parts) return null;
  const fbl = config.feedbackLoopAddress?.trim().toLowerCase();
  if (fbl && `${parts.local.toLowerCase()}@${parts.domain}` === fbl) return "feedback-loop";
  const domains = config.bounceDomains.map((d) => d.trim().toLowerCase());
  if (!domains.includes(parts.domain)) return null;
  const verp = VERP_LOCAL.exec(parts.local)?.[1];
  if (verp && verifyDeliveryToken(config.keys, "verp", verp) !== null) return "verp";
  // A test send's return path: stored like a bounce, then set apart from every delivery when processed.
  if (verp && mailingOfTestToken(config.keys, verp) !== null) return "verp";
  const unsub = UNSUBSCRIBE_LOCAL.exec(parts.local)?.[1];
  if (unsub && verifyDeliveryToken(config.keys, "unsubscribe", unsub) !== null) return "unsubscribe";
  return null;
}

export type InboundInput = {
  envelopeFrom: string;
  recipient: string;
  route: InboundRoute;
  raw: Uint8Array;
  receivedAt?: string;
  /** Where the message came from in a mailbox; a second store with the same key stores nothing. */
  sourceKey?: string;
};

/** Stores one accepted message for one recipient, before the SMTP 250; returns its id. */
export async function storeInbound(db: Db, input: InboundInput): Promise<number> {
  return (await storeInboundOnce(db, input)).id;
}

/**
 * Stores a message unless one with the same `sourceKey` is stored already (a poller that crashed before removing it
 * from the mailbox); then returns that row with `created: false`. Without a key it always stores.
 */
export async function storeInboundOnce(
  db: Db,
  input: InboundInput,
): Promise<{ id: number; created: boolean }> {
  const key = input.sourceKey;
  const existing = async () =>
    key === undefined
      ? undefined
      : await db.selectFrom("inbound_messages").select("id").where("source_key", "=", key).executeTakeFirst();
  const before = await existing();
  if (before) return { id: before.id, created: false };
  const row = await db
    .insertInto("inbound_messages")
    .values({
      received_at: input.receivedAt ?? isoNow(),
      envelope_from: input.envelopeFrom,
      recipient: input.recipient,
      route: input.route,
      size: input.raw.byteLength,
      raw: input.raw,
      status: "received",
      kind: null,
      delivery_id: null,
      detail: null,
      processed_at: null,
      source_key: key ?? null,
    })
    .onConflict((oc) => oc.column("source_key").doNothing())
    .returning("id")
    .executeTakeFirst();
  if (row) return { id: row.id, created: true };
  // Another poller stored it between the look-up and the insert.
  const after = await existing();
  if (!after) throw new Error("inbound message neither stored nor found");
  return { id: after.id, created: false };
}

/** The admin setting `bounceThreshold` (SPEC §8), as settings/ reads it. */
export async function readBounceSettings(db: Db): Promise<BounceSettings> {
  return { bounceThreshold: (await readSettings(db)).bounceThreshold };
}

export type InboundOutcome = {
  status: Status;
  kind: string | null;
  deliveryId: number | null;
  detail: string | null;
};

type Target = {
  id: number;
  mailing_id: number;
  person_id: number | null;
  address_key: string;
  status: string;
};

async function deliveryById(db: Db, id: number | null): Promise<Target | null> {
  if (id === null) return null;
  const row = await db
    .selectFrom("deliveries")
    .select(["id", "mailing_id", "person_id", "address_key", "status"])
    .where("id", "=", id)
    .executeTakeFirst();
  return row ?? null;
}

/** VERP token (the envelope recipient, then the report's own) → Message-ID → the failed address's latest delivery. */
async function attribute(
  db: Db,
  keys: Keyring,
  recipient: string,
  c: Classification,
): Promise<Target | null> {
  for (const token of [tokenOf(recipient, VERP_LOCAL), c.verpToken ?? null]) {
    if (!token) continue;
    const found = await deliveryById(db, verifyDeliveryToken(keys, "verp", token));
    if (found) return found;
  }
  if (c.originalMessageId) {
    const mid = c.originalMessageId.trim().replace(/^<|>$/g, "");
    const row = await db
      .selectFrom("deliveries")
      .select("id")
      .where("message_id", "=", mid)
      .orderBy("id", "desc")
      .executeTakeFirst();
    if (row) return deliveryById(db, row.id);
  }
  for (const address of c.recipients) {
    const row = await db
      .selectFrom("deliveries")
      .select("id")
      .where("channel", "=", "email")
      .where("address_key", "=", address.trim().toLowerCase())
      .orderBy("created_at", "desc")
      .orderBy("id", "desc")
      .executeTakeFirst();
    if (row) return deliveryById(db, row.id);
  }
  return null;
}

/**
 * The mailing whose test send this message returns, or null: by the envelope recipient's test token, the report's
 * own, or the test Message-ID. Checked before any delivery is looked for, since the fallback by address would find
 * the same person's real delivery.
 */
async function testSendOf(
  db: Db,
  keys: Keyring,
  recipient: string,
  c: Classification,
): Promise<number | null> {
  let mailingId: number | null = null;
  for (const token of [tokenOf(recipient, VERP_LOCAL), c.verpToken ?? null]) {
    if (token && mailingId === null) mailingId = mailingOfTestToken(keys, token);
  }
  if (mailingId === null && c.originalMessageId) mailingId = mailingOfTestMessageId(c.originalMessageId);
  if (mailingId === null) return null;
  const mailing = await db.selectFrom("mailings").select("id").where("id", "=", mailingId).executeTakeFirst();
  return mailing ? mailing.id : null;
}

/** Deliveries a returned message may still change: accepted ones, and unsure ones (a bounce proves acceptance). */
const BOUNCEABLE = ["sent", "unknown"] as const;

async function finish(db: Db, id: number, outcome: InboundOutcome): Promise<void> {
  await db
    .updateTable("inbound_messages")
    .set({
      status: outcome.status,
      kind: outcome.kind,
      delivery_id: outcome.deliveryId,
      detail: outcome.detail?.slice(0, 2000) ?? null,
      processed_at: isoNow(),
    })
    .where("id", "=", id)
    .where("status", "=", "received")
    .execute();
}

/**
 * Processes one stored message: classification, attribution and the outcome table. A row no longer in `received`
 * is left alone (returns null), so processing twice changes nothing more.
 */
export async function processInbound(
  db: Db,
  keys: Keyring,
  id: number,
  settings: BounceSettings,
): Promise<InboundOutcome | null> {
  const row = await db.selectFrom("inbound_messages").selectAll().where("id", "=", id).executeTakeFirst();
  if (row?.status !== "received") return null;
  let outcome: InboundOutcome;
  try {
    outcome = await apply(db, keys, row, settings);
  } catch (err) {
    outcome = {
      status: "failed",
      kind: null,
      deliveryId: null,
      detail: `processing failed: ${err instanceof Error ? err.message : String(err)}`,
    };
  }
  await finish(db, id, outcome);
  return outcome;
}

async function apply(
  db: Db,
  keys: Keyring,
  row: InboundRow,
  settings: BounceSettings,
): Promise<InboundOutcome> {
  if (row.route === "unsubscribe") {
    // RFC 2369 mailto: any message to the address asks to unsubscribe (the token already verified at RCPT).
    const token = tokenOf(row.recipient, UNSUBSCRIBE_LOCAL);
    const target = token ? await unsubscribeTarget(db, keys, token) : null;
    if (!target)
      return { status: "ignored", kind: "unsubscribe", deliveryId: null, detail: "no such delivery" };
    await unsubscribe(db, target, "one-click");
    return {
      status: "processed",
      kind: "unsubscribe",
      deliveryId: target.deliveryId,
      detail: target.alreadyDone ? "already unsubscribed" : "unsubscribed by mail",
    };
  }

  const c = isWebhookRoute(row.route)
    ? classifyWebhook(row.route, row.raw, row.recipient)
    : await classifyMessage(row.raw);
  const reason = c.reason ?? c.status ?? c.kind;
  const testMailing = await testSendOf(db, keys, row.recipient, c);
  if (testMailing !== null) {
    // Kept with the mailing as a test event (is_test: statistics never read those); no delivery or address changes.
    const to = c.recipients.length > 0 ? ` to ${c.recipients.join(", ")}` : "";
    const detail = `test send${to}: ${c.status ? `${c.status} ` : ""}${reason}`;
    if (c.kind === "hard" || c.kind === "soft")
      await appendEvent(db, {
        mailing_id: testMailing,
        delivery_id: null,
        person_id: null,
        kind: "bounced",
        detail: `${c.kind}: ${detail}`.slice(0, 2000),
        flagged: 0,
        is_test: 1,
        created_at: isoNow(),
      });
    return {
      status: "ignored",
      kind: c.kind,
      deliveryId: null,
      detail: `${detail} (mailing ${testMailing})`,
    };
  }
  const delivery = await attribute(db, keys, row.recipient, c);
  const base = { kind: c.kind, deliveryId: delivery?.id ?? null };
  if (c.kind === "unknown") return { ...base, status: "ignored", detail: reason };
  if (c.kind === "autoreply") return { ...base, status: "processed", detail: reason };
  if (!delivery) return { ...base, status: "ignored", detail: `no delivery found: ${reason}` };

  if (c.kind === "hard" || c.kind === "soft") {
    // DSN delayed: the delivery is unchanged, the notice is kept here (SPEC §7).
    if (c.action === "delayed") return { ...base, status: "processed", detail: `delayed: ${reason}` };
    const now = isoNow();
    const detail = c.status ? `${c.status} ${reason}` : reason;
    await db.transaction().execute(async (trx) => {
      const changed = await trx
        .updateTable("deliveries")
        .set({
          status: "bounced",
          bounce_kind: c.kind as "hard" | "soft",
          last_reply: detail.slice(0, 2000),
          updated_at: now,
        })
        .where("id", "=", delivery.id)
        .where("status", "in", BOUNCEABLE)
        .executeTakeFirst();
      // Each delivery counts at most once: only the message that moved it counts.
      if (Number(changed.numUpdatedRows) === 0) return;
      await appendEvent(trx, {
        mailing_id: delivery.mailing_id,
        delivery_id: delivery.id,
        person_id: delivery.person_id,
        kind: "bounced",
        detail: `${c.kind}: ${detail}`.slice(0, 2000),
        flagged: 0,
        is_test: 0,
        created_at: now,
      });
      const tdb = trx as unknown as Db;
      if (c.kind === "hard") await blockAddress(tdb, delivery.address_key, "hard-bounce", detail, now);
      else await countSoftBounce(tdb, delivery.address_key, detail, settings.bounceThreshold, now);
    });
    return { ...base, status: "processed", detail };
  }

  // ARF complaint: complained, e-marketing consent withdrawn, the address blocked for marketing (SPEC §7, §8).
  const now = isoNow();
  const fresh = await deliveryById(db, delivery.id);
  const mayChange = fresh !== null && (BOUNCEABLE as readonly string[]).includes(fresh.status);
  if (mayChange && delivery.person_id !== null) {
    // recordConsent runs its own transaction, so it goes first: a crash after it is redone, at worst writing the
    // withdrawal twice in the history, never losing it. The source: no existing one says "complaint"; the
    // person acted for themselves through their mail client, which is what "unsubscribe-link" means (and it is
    // the source the one-click header uses), so it is the least wrong; the comment says it was a complaint.
    await recordConsent(db, delivery.person_id, {
      purpose: "e-marketing",
      legalBasis: "withdrawn",
      source: "unsubscribe-link",
      comment: `spam complaint (${isWebhookRoute(row.route) ? `${row.route.slice(8)} webhook` : "ARF feedback"}${c.feedbackType ? `: ${c.feedbackType}` : ""}) on mailing ${delivery.mailing_id}`,
    });
  }
  await db.transaction().execute(async (trx) => {
    const changed = await trx
      .updateTable("deliveries")
      .set({ status: "complained", updated_at: now })
      .where("id", "=", delivery.id)
      .where("status", "in", BOUNCEABLE)
      .executeTakeFirst();
    if (Number(changed.numUpdatedRows) === 0) return;
    await appendEvent(trx, {
      mailing_id: delivery.mailing_id,
      delivery_id: delivery.id,
      person_id: delivery.person_id,
      kind: "complained",
      detail: (c.feedbackType ?? reason).slice(0, 2000),
      flagged: 0,
      is_test: 0,
      created_at: now,
    });
    await blockAddress(trx as unknown as Db, delivery.address_key, "complained", reason, now);
  });
  return { ...base, status: "processed", detail: reason };
}

/**
 * Processes every row still in `received` (a crash between the 250 and the outcome is redone); returns how many.
 * `receivedBefore` leaves alone rows so fresh that their own processing may still be running.
 */
export async function processPending(
  db: Db,
  keys: Keyring,
  settings: BounceSettings,
  receivedBefore?: string,
): Promise<number> {
  let query = db.selectFrom("inbound_messages").select("id").where("status", "=", "received");
  if (receivedBefore) query = query.where("received_at", "<", receivedBefore);
  const rows = await query.orderBy("id").execute();
  let done = 0;
  for (const r of rows) if (await processInbound(db, keys, r.id, settings)) done++;
  return done;
}
