// Per-recipient-domain pacing and sending-domain warm-up around the send loop: before a group is handed over the
// pacer says which of its deliveries go now, and gives the rest back to the queue with the time they may go (no
// try counted); after the send it feeds the outcomes back (a 4xx slows the domain down). Buckets and counters are
// rows in the database, so every worker process keeps the same rates; the rules are pacing-rules.ts.
import type { Selectable } from "kysely";
import type { Db } from "../db/connect.ts";
import type { Database } from "../db/schema.ts";
import { type ClaimedDelivery, holdClaims, type LedgerOptions, type SendResult } from "./ledger.ts";
import {
  admit,
  BUILT_IN_PACING,
  type Bucket,
  type DomainPacing,
  freshBucket,
  nextUtcMidnight,
  type PaceKey,
  paceKeyOf,
  recipientDomain,
  slowedDown,
  spedUp,
  utcDay,
  type WarmUp,
  warmUpAllowance,
} from "./pacing-rules.ts";

export const PACING_SETTING = "domainPacing";

/** The admin's pacing settings, or the built-in ones when none were kept (or what was kept cannot be read). */
export async function readDomainPacing(db: Db): Promise<DomainPacing> {
  const row = await db
    .selectFrom("settings")
    .select("value")
    .where("key", "=", PACING_SETTING)
    .executeTakeFirst();
  if (!row) return BUILT_IN_PACING;
  try {
    return JSON.parse(row.value) as DomainPacing;
  } catch {
    return BUILT_IN_PACING;
  }
}

/** Keeps the pacing settings (checked by the caller with pacingProblems); null goes back to the built-in ones. */
export async function writeDomainPacing(db: Db, pacing: DomainPacing | null): Promise<DomainPacing> {
  if (pacing === null) {
    await db.deleteFrom("settings").where("key", "=", PACING_SETTING).execute();
    return BUILT_IN_PACING;
  }
  const value = JSON.stringify(pacing);
  await db
    .insertInto("settings")
    .values({ key: PACING_SETTING, value })
    .onConflict((oc) => oc.column("key").doUpdateSet({ value }))
    .execute();
  return pacing;
}

export type Pacer = {
  /**
   * Which of a claimed group may be handed over now; the others are given back to the queue (pending, due at their
   * slot or the next UTC day) before this returns.
   */
  admit(
    owner: string,
    mailingId: number,
    group: ClaimedDelivery[],
    options: LedgerOptions,
  ): Promise<Set<number>>;
  /** After the send: frees the admitted deliveries' places in flight and slows or raises each domain's rate. */
  settle(admitted: ClaimedDelivery[], results: SendResult[]): Promise<void>;
};

/** Settings and warm-up ramps are read again after this long: an admin's change reaches running workers soon. */
const REFRESH_MS = 5_000;
/** A delivery held by the bound in flight is tried again after this: the messages ahead of it will have settled. */
const IN_FLIGHT_WAIT_MS = 1_000;
/** How often a guarded read-modify-write is retried when another worker changed the row in between. */
const ATTEMPTS = 20;

type BucketRow = Selectable<Database["domain_pacing"]>;
type Hold = { id: number; until: string; reason: "pacing" | "warm-up" };

export function domainPacer(db: Db, clock: () => number = Date.now): Pacer {
  let settings: { pacing: DomainPacing; readMs: number } | null = null;
  const warmUps = new Map<number, { warmUp: { id: number; ramp: WarmUp } | null; readMs: number }>();
  // Per process: one worker's messages on the wire to a domain (the other helpers' sends are theirs to bound).
  const inFlight = new Map<string, number>();
  const keyOfDelivery = new Map<number, { pace: PaceKey; sinceMs: number }>();
  // Domains slowed when last read: only these need a write after a run of successes.
  const slowed = new Set<string>();

  async function pacing(now: number): Promise<DomainPacing> {
    if (!settings || now - settings.readMs > REFRESH_MS)
      settings = { pacing: await readDomainPacing(db), readMs: now };
    return settings.pacing;
  }

  async function warmUpOf(mailingId: number, now: number) {
    const cached = warmUps.get(mailingId);
    if (cached && now - cached.readMs <= REFRESH_MS) return cached.warmUp;
    const mailing = await db
      .selectFrom("mailings")
      .select("from_address")
      .where("id", "=", mailingId)
      .executeTakeFirst();
    const fromDomain = mailing?.from_address ? recipientDomain(mailing.from_address) : null;
    const row = fromDomain
      ? await db
          .selectFrom("sending_domains")
          .select([
            "id",
            "warmup_enabled",
            "warmup_start_per_day",
            "warmup_growth",
            "warmup_until_per_day",
            "warmup_started_on",
          ])
          .where("domain", "=", fromDomain)
          .executeTakeFirst()
      : undefined;
    const warmUp =
      row && row.warmup_enabled === 1 && row.warmup_started_on
        ? {
            id: row.id,
            ramp: {
              startPerDay: row.warmup_start_per_day ?? 1,
              growth: row.warmup_growth ?? 1,
              untilPerDay: row.warmup_until_per_day ?? Number.POSITIVE_INFINITY,
              startedOn: row.warmup_started_on,
            },
          }
        : null;
    warmUps.set(mailingId, { warmUp, readMs: now });
    return warmUp;
  }

  /** Reads a bucket, lets `change` decide, writes it back only if no other worker wrote it in between. */
  async function changeBucket<T>(
    key: string,
    change: (bucket: Bucket) => { bucket: Bucket | null; value: T },
    known?: BucketRow | null,
  ): Promise<T> {
    for (let attempt = 0; ; attempt++) {
      const row =
        attempt === 0 && known !== undefined
          ? (known ?? undefined)
          : await db.selectFrom("domain_pacing").selectAll().where("key", "=", key).executeTakeFirst();
      const bucket: Bucket = row
        ? {
            tokens: row.tokens,
            updatedMs: row.updated_ms,
            slowedRate: row.slowed_rate,
            slowedMs: row.slowed_ms,
            heldUntilMs: row.held_until_ms,
          }
        : freshBucket();
      const { bucket: next, value } = change(bucket);
      if (next === null) return value;
      const values = {
        tokens: next.tokens,
        updated_ms: next.updatedMs,
        slowed_rate: next.slowedRate,
        slowed_ms: next.slowedMs,
        held_until_ms: next.heldUntilMs,
      };
      const written = row
        ? Number(
            (
              await db
                .updateTable("domain_pacing")
                .set({ ...values, version: row.version + 1 })
                .where("key", "=", key)
                .where("version", "=", row.version)
                .executeTakeFirst()
            ).numUpdatedRows,
          )
        : Number(
            (
              await db
                .insertInto("domain_pacing")
                .values({ key, ...values })
                .onConflict((oc) => oc.column("key").doNothing())
                .executeTakeFirst()
            ).numInsertedOrUpdatedRows ?? 0,
          );
      if (written > 0 || attempt >= ATTEMPTS) return value;
    }
  }

  /** Takes up to `want` of the day's warm-up allowance; returns how many it got. */
  async function takeWarmUp(domainId: number, ramp: WarmUp, want: number, now: number): Promise<number> {
    const day = utcDay(now);
    const allowance = warmUpAllowance(ramp, day);
    if (allowance === null) return want;
    await db
      .insertInto("warmup_days")
      .values({ sending_domain_id: domainId, day, handed_over: 0 })
      .onConflict((oc) => oc.columns(["sending_domain_id", "day"]).doNothing())
      .execute();
    for (let attempt = 0; attempt < ATTEMPTS; attempt++) {
      const { handed_over } = await db
        .selectFrom("warmup_days")
        .select("handed_over")
        .where("sending_domain_id", "=", domainId)
        .where("day", "=", day)
        .executeTakeFirstOrThrow();
      const granted = Math.max(0, Math.min(want, allowance - handed_over));
      if (granted === 0) return 0;
      const result = await db
        .updateTable("warmup_days")
        .set({ handed_over: handed_over + granted })
        .where("sending_domain_id", "=", domainId)
        .where("day", "=", day)
        .where("handed_over", "=", handed_over)
        .executeTakeFirst();
      if (Number(result.numUpdatedRows) > 0) return granted;
    }
    return 0;
  }

  return {
    async admit(owner, mailingId, group, options) {
      const now = clock();
      // A group whose send threw never settled: after two leases its places are not in flight any more.
      for (const [id, { sinceMs }] of keyOfDelivery) if (now - sinceMs > 2 * options.leaseMs) release(id);
      const rules = await pacing(now);
      const admitted = new Set<number>();
      const holds: Hold[] = [];
      const byKey = new Map<string, { pace: PaceKey; deliveries: ClaimedDelivery[] }>();
      for (const d of group) {
        const domain = d.channel === "email" ? recipientDomain(d.address_key) : null;
        if (domain === null) {
          admitted.add(d.id);
          continue;
        }
        const pace = paceKeyOf(rules, domain);
        const same = byKey.get(pace.key);
        if (same) same.deliveries.push(d);
        else byKey.set(pace.key, { pace, deliveries: [d] });
      }
      // One read for the group's domains: a domain with no rate of its own and never slowed needs no other statement.
      const rows =
        byKey.size === 0
          ? []
          : await db
              .selectFrom("domain_pacing")
              .selectAll()
              .where("key", "in", [...byKey.keys()])
              .execute();
      const rowOf = new Map(rows.map((r) => [r.key, r]));
      const paced: ClaimedDelivery[] = [];
      for (const { pace, deliveries } of byKey.values()) {
        const row = rowOf.get(pace.key) ?? null;
        if (row?.slowed_rate != null) slowed.add(pace.key);
        else slowed.delete(pace.key);
        const busy = inFlight.get(pace.key) ?? 0;
        const room = pace.maxInFlight === null ? deliveries.length : Math.max(0, pace.maxInFlight - busy);
        const candidates = deliveries.slice(0, room);
        for (const d of deliveries.slice(room))
          holds.push({ id: d.id, until: new Date(now + IN_FLIGHT_WAIT_MS).toISOString(), reason: "pacing" });
        if (candidates.length === 0) continue;
        const slots =
          row === null && pace.ratePerSecond === null
            ? { admitted: candidates.length, holdUntilMs: [] }
            : await changeBucket(
                pace.key,
                (bucket) => {
                  const result = admit(bucket, pace.ratePerSecond, candidates.length, now);
                  return { bucket: result.bucket === bucket ? null : result.bucket, value: result };
                },
                row,
              );
        const go = candidates.slice(0, slots.admitted);
        candidates.slice(slots.admitted).forEach((d, i) => {
          holds.push({ id: d.id, until: new Date(slots.holdUntilMs[i]!).toISOString(), reason: "pacing" });
        });
        for (const d of go) {
          paced.push(d);
          keyOfDelivery.set(d.id, { pace, sinceMs: now });
        }
        inFlight.set(pace.key, busy + go.length);
      }
      // Warm-up last, so the day's volume counts only what is handed over.
      const warmUp = paced.length > 0 ? await warmUpOf(mailingId, now) : null;
      const granted = warmUp ? await takeWarmUp(warmUp.id, warmUp.ramp, paced.length, now) : paced.length;
      const tomorrow = new Date(nextUtcMidnight(now)).toISOString();
      paced.forEach((d, i) => {
        if (i < granted) admitted.add(d.id);
        else {
          holds.push({ id: d.id, until: tomorrow, reason: "warm-up" });
          release(d.id);
        }
      });
      await holdClaims(db, owner, holds, options);
      return admitted;
    },

    async settle(admitted, results) {
      const now = clock();
      const tally = new Map<string, { pace: PaceKey; accepted: number; temporary: number }>();
      for (const { delivery, outcome } of results) {
        const pace = keyOfDelivery.get(delivery.id)?.pace;
        if (!pace) continue;
        const t = tally.get(pace.key) ?? { pace, accepted: 0, temporary: 0 };
        // A reply from the receiving side slows its domain; a connection that never opened says nothing about it.
        if (outcome.kind === "temporary" && outcome.code !== null) t.temporary++;
        if (outcome.kind === "accepted") t.accepted++;
        tally.set(pace.key, t);
      }
      for (const d of admitted) release(d.id);
      for (const { pace, accepted, temporary } of tally.values()) {
        if (temporary > 0)
          await changeBucket(pace.key, (bucket) => ({
            bucket: slowedDown(bucket, pace.ratePerSecond, now),
            value: null,
          }));
        else if (accepted > 0 && slowed.has(pace.key))
          await changeBucket(pace.key, (bucket) => ({
            bucket: spedUp(bucket, pace.ratePerSecond, accepted),
            value: null,
          }));
      }
    },
  };

  function release(id: number) {
    const pace = keyOfDelivery.get(id)?.pace;
    if (!pace) return;
    keyOfDelivery.delete(id);
    inFlight.set(pace.key, Math.max(0, (inFlight.get(pace.key) ?? 1) - 1));
  }
}
