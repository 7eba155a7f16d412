// The delivery ledger: claiming with a lease, the guarded state changes of SPEC §7, and crash recovery.
// Every change is one guarded statement (`… where status = 'claimed' and lease_owner = ?`), so two processes can
// never both own a delivery, and a delivery handed to SMTP is never handed over again without a person deciding.

import { sql } from "kysely";
import { type Db, runsOnPostgres } from "../db/connect.ts";
import type { DeliveryStatus } from "../db/schema.ts";
import { blockAddress, countSoftBounce, endSoftBounceRuns, openSoftBounceRun } from "../deliveries/blocks.ts";
import { appendEvent, appendEvents } from "../deliveries/events.ts";
import { transition } from "../mailings/transition.ts";
import type { Settings as AdminSettings } from "../settings/store.ts";
import { isHardStatus, type SendOutcome } from "./outcomes.ts";
import { applyStoredReports } from "./reports.ts";

export type ClaimedDelivery = {
  id: number;
  mailing_id: number;
  recipient_id: number;
  attempt: number;
  person_id: number | null;
  channel: string;
  address: string;
  address_key: string;
  /** E-mail only. */
  message_id: string | null;
  tries: number;
  created_at: string;
};

export type LedgerOptions = {
  leaseMs: number;
  now?: () => Date;
  /** The sending account the outcomes came through: an SMS provider's message ids are unique per account. */
  accountId?: number;
};

const at = (options: LedgerOptions, plusMs = 0) =>
  new Date((options.now?.() ?? new Date()).getTime() + plusMs).toISOString();

/** Claims up to `limit` pending deliveries of sending mailings; nothing is sent yet, so an expired claim is simply retried. */
export async function claimDeliveries(
  db: Db,
  dialect: "sqlite" | "postgres",
  owner: string,
  limit: number,
  options: LedgerOptions,
): Promise<ClaimedDelivery[]> {
  const result = await claimStatement(dialect, owner, limit, options).execute(db);
  return result.rows.sort((a, b) => a.id - b.id);
}

/** The claim as one statement (apart, so a test can ask PostgreSQL for its plan). */
export function claimStatement(
  dialect: "sqlite" | "postgres",
  owner: string,
  limit: number,
  options: LedgerOptions,
) {
  const now = at(options);
  const claim = sql`update deliveries set status = 'claimed', lease_owner = ${owner},
      lease_expires_at = ${at(options, options.leaseMs)}, updated_at = ${now}`;
  // The batch is read in the order of the queue's index (status, next_try_at, then the id: SQLite's rowid, and a
  // column of PostgreSQL's deliveries_claim_order), so the statement stops after `limit` rows. Ordered by id alone,
  // each claim read and sorted every pending row (SQLite: 116 ms for the first claim of 100,000) or walked the
  // primary key past every delivery already sent (PostgreSQL: 49 ms halfway through 100,000). Within one due time
  // the order is still by id.
  const order = sql`d.next_try_at, d.id`;
  const due = sql`select d.id from deliveries d join mailings m on m.id = d.mailing_id
      where d.status = 'pending' and d.next_try_at <= ${now} and m.status = 'sending' and d.channel <> 'document'
      order by ${order} limit ${limit}`;
  const returned = sql`returning id, mailing_id, recipient_id, attempt, person_id, channel, address, address_key,
      message_id, tries, created_at`;
  // On PostgreSQL the batch is taken once, in a materialized CTE: as `where id in (subquery)` the planner, working
  // from statistics taken before the mailing's deliveries were planned, reran the subquery per row and one
  // statement claimed 22,000 of 25,000 deliveries, while a second worker waited on its locks.
  return dialect === "postgres"
    ? sql<ClaimedDelivery>`with batch as materialized (${due} for update of d skip locked)
          ${claim} where id in (select id from batch) and status = 'pending' ${returned}`
    : sql<ClaimedDelivery>`${claim} where id in (${due}) and status = 'pending' ${returned}`;
}

/**
 * Marks claimed deliveries as handed to SMTP, just before sending them; returns those that may be sent. A delivery
 * whose mailing was paused or cancelled meanwhile, or whose claim this process lost, is not returned.
 */
export async function markSending(
  db: Db,
  owner: string,
  ids: number[],
  options: LedgerOptions,
): Promise<number[]> {
  if (ids.length === 0) return [];
  const result = await db
    .updateTable("deliveries")
    .set({ status: "sending", lease_expires_at: at(options, options.leaseMs), updated_at: at(options) })
    .where("id", "in", ids)
    .where("status", "=", "claimed")
    .where("lease_owner", "=", owner)
    .where("mailing_id", "in", (eb) => eb.selectFrom("mailings").select("id").where("status", "=", "sending"))
    .returning("id")
    .execute();
  return result.map((r) => r.id);
}

/**
 * Extends the leases of deliveries this process has handed over and is still waiting on: a slow server's reply is
 * not a stopped process, so these must not become unknown while the worker lives.
 */
export async function renewLeases(
  db: Db,
  owner: string,
  ids: number[],
  options: LedgerOptions,
): Promise<number> {
  let renewed = 0;
  for (let i = 0; i < ids.length; i += 500) {
    const result = await db
      .updateTable("deliveries")
      .set({ lease_expires_at: at(options, options.leaseMs) })
      .where("id", "in", ids.slice(i, i + 500))
      .where("status", "=", "sending")
      .where("lease_owner", "=", owner)
      .executeTakeFirst();
    renewed += Number(result.numUpdatedRows);
  }
  return renewed;
}

/** Gives back claims this process will not send (a paused mailing, a stopping worker). */
export async function releaseClaims(db: Db, owner: string): Promise<number> {
  const result = await db
    .updateTable("deliveries")
    .set({ status: "pending", lease_owner: null, lease_expires_at: null })
    .where("status", "=", "claimed")
    .where("lease_owner", "=", owner)
    .executeTakeFirst();
  return Number(result.numUpdatedRows);
}

/** Back-off for a 4xx: 1, 5, 15, 30 minutes, then hourly doubling; given up after 24 hours (SPEC §7). */
export function retryDelayMs(tries: number): number {
  const minutes = [1, 5, 15, 30, 60, 120, 240, 480][tries - 1] ?? 480;
  return minutes * 60_000;
}
export const RETRY_WINDOW_MS = 24 * 3600_000;

/** A send's outcome, or `not-sent`: the message could not be built (a template error), so nothing left utsend. */
export type SendResult = {
  delivery: ClaimedDelivery;
  outcome: SendOutcome | { kind: "not-sent"; reply: string };
  /** SMS: the parts the message took, counted when it is accepted. */
  parts?: number;
};

type Settings = Pick<AdminSettings, "bounceThreshold">;

/** Writes the outcomes of one group in one transaction: the delivery, its event, the address's bounce count. */
export async function recordOutcomes(
  db: Db,
  owner: string,
  results: SendResult[],
  settings: Settings,
  options: LedgerOptions,
): Promise<void> {
  if (results.length === 0) return;
  const now = at(options);
  if (
    runsOnPostgres(db) &&
    results.every((r) => r.outcome.kind === "accepted" && !r.outcome.providerIds?.length)
  ) {
    await recordAcceptedInOneStatement(db, owner, results, now);
    return;
  }
  const nowMs = new Date(now).getTime();
  const partsOf = new Map(results.map((r) => [r.delivery.id, r.parts]));
  const providerIds = new Map<number, { ids: string[]; parts: number | undefined }>();
  await db.transaction().execute(async (trx) => {
    const sentIds: number[] = [];
    const sentAddresses: string[] = [];
    for (const { delivery, outcome } of results) {
      const tries = delivery.tries;
      const guard = (q: ReturnType<typeof trx.updateTable<"deliveries">>) =>
        q.where("id", "=", delivery.id).where("status", "=", "sending").where("lease_owner", "=", owner);
      const address = delivery.address_key;
      const tdb = trx as unknown as Db;
      const softBounce = (reply: string) =>
        countSoftBounce(tdb, address, reply, settings.bounceThreshold, now);
      switch (outcome.kind) {
        case "accepted":
          sentIds.push(delivery.id);
          sentAddresses.push(address);
          if (outcome.providerIds?.length)
            providerIds.set(delivery.id, { ids: outcome.providerIds, parts: partsOf.get(delivery.id) });
          break;
        case "temporary": {
          const nextTry = nowMs + retryDelayMs(tries + 1);
          const givingUp = nextTry - new Date(delivery.created_at).getTime() > RETRY_WINDOW_MS;
          await guard(
            trx.updateTable("deliveries").set({
              status: givingUp ? "failed" : "pending",
              bounce_kind: givingUp ? "soft" : null,
              tries: tries + 1,
              next_try_at: new Date(nextTry).toISOString(),
              last_reply: outcome.reply.slice(0, 2000),
              lease_owner: null,
              lease_expires_at: null,
              updated_at: now,
            }),
          ).execute();
          if (givingUp) {
            await failedEvent(tdb, delivery, outcome.reply, now);
            await softBounce(outcome.reply);
          }
          break;
        }
        case "permanent": {
          // An SMS provider refuses permanently only an invalid destination: the number is flagged (SPEC §12).
          const hard = delivery.channel === "sms" || isHardStatus(outcome.status);
          const changed = await guard(
            trx.updateTable("deliveries").set({
              status: "failed",
              bounce_kind: hard ? "hard" : "soft",
              tries: tries + 1,
              last_reply: outcome.reply.slice(0, 2000),
              lease_owner: null,
              updated_at: now,
            }),
          ).executeTakeFirst();
          if (Number(changed.numUpdatedRows) === 0) break;
          await failedEvent(tdb, delivery, outcome.reply, now);
          if (hard) await blockAddress(tdb, address, "hard-bounce", outcome.reply, now);
          else await softBounce(outcome.reply);
          break;
        }
        case "not-sent": {
          const changed = await guard(
            trx.updateTable("deliveries").set({
              status: "failed",
              last_reply: outcome.reply.slice(0, 2000),
              lease_owner: null,
              updated_at: now,
            }),
          ).executeTakeFirst();
          if (Number(changed.numUpdatedRows) > 0) await failedEvent(tdb, delivery, outcome.reply, now);
          break;
        }
        case "unknown":
          await guard(
            trx.updateTable("deliveries").set({
              status: "unknown",
              tries: tries + 1,
              last_reply: outcome.reply.slice(0, 2000),
              lease_owner: null,
              updated_at: now,
            }),
          ).execute();
          break;
      }
    }
    if (sentIds.length > 0) {
      const sent = await trx
        .updateTable("deliveries")
        .set({ status: "sent", sent_at: now, lease_owner: null, lease_expires_at: null, updated_at: now })
        .where("id", "in", sentIds)
        .where("status", "=", "sending")
        .where("lease_owner", "=", owner)
        .returning(["id", "mailing_id", "person_id"])
        .execute();
      if (sent.length > 0)
        await appendEvents(
          trx,
          sent.map((d) => ({
            mailing_id: d.mailing_id,
            delivery_id: d.id,
            person_id: d.person_id,
            kind: "sent" as const,
            flagged: 0,
            is_test: 0,
            created_at: now,
          })),
        );
      await endSoftBounceRuns(trx as unknown as Db, sentAddresses, now);
      // SMS: parts and provider ids for the whole group in a few statements (one per distinct part count, one per
      // 500 ids), not two per message: at 200 a group those were most of the worker's database time.
      const recorded = new Set(sent.map((d) => d.id));
      const byParts = new Map<number, number[]>();
      const idRows: Array<{ account_id: number; provider_message_id: string; delivery_id: number }> = [];
      for (const [deliveryId, { ids, parts }] of providerIds) {
        if (!recorded.has(deliveryId)) continue;
        if (parts !== undefined) {
          const same = byParts.get(parts);
          if (same) same.push(deliveryId);
          else byParts.set(parts, [deliveryId]);
        }
        for (const id of ids)
          idRows.push({
            account_id: options.accountId ?? 0,
            provider_message_id: id,
            delivery_id: deliveryId,
          });
      }
      for (const [parts, ids] of byParts)
        await trx.updateTable("deliveries").set({ parts }).where("id", "in", ids).execute();
      for (let i = 0; i < idRows.length; i += 500)
        await trx
          .insertInto("sms_provider_ids")
          .values(idRows.slice(i, i + 500))
          .onConflict((oc) => oc.doNothing())
          .execute();
    }
  });
  // A delivery report may have come before the submit response was recorded: apply what waited for these ids.
  const known = [...providerIds.values()].flatMap((p) => p.ids);
  if (known.length > 0) await applyStoredReports(db, options.accountId ?? 0, known);
}

/**
 * The common case on PostgreSQL, every message of the group accepted: the deliveries, their events and the end of
 * their addresses' soft-bounce runs in one statement of data-modifying CTEs, atomic on its own. recordOutcomes'
 * transaction takes five round trips (begin, three statements, commit), each a parse, a plan and more for the
 * server; at one group of outcomes every 20 messages they were most of PostgreSQL's work per message.
 */
async function recordAcceptedInOneStatement(
  db: Db,
  owner: string,
  results: SendResult[],
  now: string,
): Promise<void> {
  const ids = results.map((r) => r.delivery.id);
  const addresses = [...new Set(results.map((r) => r.delivery.address_key))];
  await sql`with sent as (
      update deliveries set status = 'sent', sent_at = ${now}, lease_owner = null, lease_expires_at = null,
        updated_at = ${now}
      where id = any(${ids}::int[]) and status = 'sending' and lease_owner = ${owner}
      returning id, mailing_id, person_id
    ), sent_events as (
      insert into events (mailing_id, delivery_id, person_id, kind, flagged, is_test, created_at)
      select mailing_id, id, person_id, 'sent', 0, 0, ${now} from sent
    ), soft_runs_ended as (
      update address_blocks set soft_count = 0, updated_at = ${now}
      where address_lower = any(${addresses}::text[]) and ${openSoftBounceRun}
    )
    select count(*) from sent`.execute(db);
}

async function failedEvent(db: Db, delivery: ClaimedDelivery, reply: string, now: string): Promise<void> {
  await appendEvent(db, {
    mailing_id: delivery.mailing_id,
    delivery_id: delivery.id,
    person_id: delivery.person_id,
    kind: "failed",
    detail: reply.slice(0, 2000),
    flagged: 0,
    is_test: 0,
    created_at: now,
  });
}

/**
 * After a crash: expired claims go back to pending (nothing was sent); deliveries that were handed to SMTP and
 * never heard of again become `unknown` — listed for a person to decide, never resent blindly.
 */
export async function recoverExpired(
  db: Db,
  options: LedgerOptions,
): Promise<{ released: number; unknown: number }> {
  const now = at(options);
  const released = await db
    .updateTable("deliveries")
    .set({ status: "pending", lease_owner: null, lease_expires_at: null, updated_at: now })
    .where("status", "=", "claimed")
    .where("lease_expires_at", "<", now)
    .executeTakeFirst();
  const unknown = await db
    .updateTable("deliveries")
    .set({
      status: "unknown",
      lease_owner: null,
      last_reply:
        "The sending process stopped after handing this message to the server; whether it was accepted is unknown.",
      updated_at: now,
    })
    .where("status", "=", "sending")
    .where("lease_expires_at", "<", now)
    .executeTakeFirst();
  return { released: Number(released.numUpdatedRows), unknown: Number(unknown.numUpdatedRows) };
}

/**
 * Mailings with nothing left in flight are finished; a form-response mailing never: it stays live (sending) for the
 * submissions still to come until a person pauses or stops it.
 */
export async function finishMailings(db: Db, options: LedgerOptions): Promise<number[]> {
  const now = at(options);
  const open: DeliveryStatus[] = ["pending", "claimed", "sending"];
  return transition(db, "any", "finish", {
    now,
    also: { finished_at: now },
    onlyIf: (eb) =>
      eb.and([
        eb("mailings.type", "<>", "form"),
        eb.not(
          eb.exists(
            eb
              .selectFrom("deliveries")
              .select("deliveries.id")
              .whereRef("deliveries.mailing_id", "=", "mailings.id")
              .where("deliveries.status", "in", open),
          ),
        ),
      ]),
  });
}

/**
 * Gives claims back to the queue, due again at `until` (an SMS mailing outside its sending window): nothing of them
 * was handed over, and the worker rests instead of claiming them again at once.
 */
export async function deferClaims(
  db: Db,
  owner: string,
  ids: number[],
  until: string,
  options: LedgerOptions,
): Promise<number> {
  if (ids.length === 0) return 0;
  const result = await db
    .updateTable("deliveries")
    .set({
      status: "pending",
      lease_owner: null,
      lease_expires_at: null,
      next_try_at: until,
      updated_at: at(options),
    })
    .where("id", "in", ids)
    .where("status", "=", "claimed")
    .where("lease_owner", "=", owner)
    .executeTakeFirst();
  return Number(result.numUpdatedRows);
}

/**
 * Gives claims back to the queue, each due again at its own time, marked with why it waits (domain pacing, a
 * sending domain's warm-up). Nothing was handed over, so no try is counted and no event written: a held delivery is
 * waiting, not refused.
 */
export async function holdClaims(
  db: Db,
  owner: string,
  holds: Array<{ id: number; until: string; reason: "pacing" | "warm-up" }>,
  options: LedgerOptions,
): Promise<number> {
  let held = 0;
  // One statement a slice, each delivery its own time: a held group has distinct slots, so a statement per time
  // would be a statement per delivery.
  for (let i = 0; i < holds.length; i += 500) {
    const slice = holds.slice(i, i + 500);
    const when = (pick: (h: (typeof slice)[number]) => string) =>
      sql.join(
        slice.map((h) => sql`when ${h.id} then ${pick(h)}`),
        sql` `,
      );
    const result =
      await sql`update deliveries set status = 'pending', lease_owner = null, lease_expires_at = null,
        next_try_at = case id ${when((h) => h.until)} end, held_reason = case id ${when((h) => h.reason)} end,
        updated_at = ${at(options)}
      where id in (${sql.join(slice.map((h) => h.id))}) and status = 'claimed' and lease_owner = ${owner}`.execute(
        db,
      );
    held += Number(result.numAffectedRows ?? 0);
  }
  return held;
}
