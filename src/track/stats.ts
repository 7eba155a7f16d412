// A mailing's statistics (SPEC §8), read from indexes and rollups: delivery states grouped on their index, opens and
// clicks from the counters bumped with each event, the 48-hour chart from hourly buckets, links from their counters.
import { type BlockReason, type LeftOutReason, tallyRecipients } from "../db/block-reasons.ts";
import type { Db } from "../db/connect.ts";
import type { DeliveryStatus } from "../db/schema.ts";
import { DELIVERY_STATUSES } from "../mailings/words.ts";
import { notFound } from "../shared/errors.ts";
import { readCounters } from "./counters.ts";
import { type DeferredDomain, deferredByDomain } from "./deferred-domains.ts";
import { type SmsStatistics, smsStatistics } from "./sms-stats.ts";

export type MailingStatistics = {
  mailingId: number;
  /**
   * By the one definition (src/db/block-reasons.ts): total = on the list = recipients (eligible) + blocked; the left
   * out are not on the list and not in total.
   */
  recipients: {
    total: number;
    eligible: number;
    blocked: number;
    blockedByReason: Partial<Record<BlockReason, number>>;
    leftOut: number;
    leftOutByReason: Partial<Record<LeftOutReason, number>>;
  };
  deliveries: Record<DeliveryStatus, number>;
  sent: number;
  delivered: number;
  notYetSent: number;
  bounced: { hard: number; soft: number; total: number };
  opened: { unique: number; total: number; flagged: number };
  clicked: { unique: number; total: number; flagged: number };
  unsubscribed: number;
  complained: number;
  failed: number;
  unknown: number;
  rates: {
    open: number | null;
    clickThrough: number | null;
    unsubscribe: number | null;
    bounce: number | null;
  };
  timeline: {
    startedAt: string | null;
    hours: Array<{ hour: string; opened: number; clicked: number }>;
    peakHour: string | null;
  };
  links: Array<{ id: number; url: string; clicks: number; uniqueClickers: number; flaggedClicks: number }>;
  /** SMS mailings once started: what an SMS has instead of opens and clicks. */
  sms: SmsStatistics | null;
  /** Waiting deliveries by recipient domain (a 4xx, pacing, warm-up): the problems panel. */
  deferredByDomain: DeferredDomain[];
};

const STATUSES: readonly DeliveryStatus[] = DELIVERY_STATUSES;

/**
 * The recipients (eligible) as resolving the list stored them; a list resolved before that was kept is counted on its
 * (mailing, status, position) index. The few blocked and left-out rows are read by reason.
 */
async function eligibleCount(db: Db, mailingId: number): Promise<number> {
  const stored = await db
    .selectFrom("mailing_counters")
    .select(["name", "value"])
    .where("mailing_id", "=", mailingId)
    .where("name", "in", ["recipients:eligible", "recipients:blocked"])
    .execute();
  if (stored.length > 0)
    return stored.reduce((sum, r) => sum + (r.name === "recipients:eligible" ? Number(r.value) : 0), 0);
  const counted = await db
    .selectFrom("mailing_recipients")
    .select((eb) => eb.fn.countAll<number | string>().as("n"))
    .where("mailing_id", "=", mailingId)
    .where("status", "=", "eligible")
    .executeTakeFirstOrThrow();
  return Number(counted.n);
}

const rate = (part: number, whole: number) =>
  whole > 0 ? Math.round((part / whole) * 10_000) / 10_000 : null;

export async function mailingStatistics(db: Db, mailingId: number): Promise<MailingStatistics> {
  const mailing = await db
    .selectFrom("mailings")
    .select(["id", "type", "started_at"])
    .where("id", "=", mailingId)
    .executeTakeFirst();
  if (!mailing) throw notFound("mailing", mailingId);
  const [byState, counters, eventKinds, eligible, blockReasons, hourly, links] = await Promise.all([
    // Kept by the database's triggers on deliveries (migration 0009): a few rows, however long the list.
    db
      .selectFrom("delivery_counts")
      .select(["state", (eb) => eb.fn.sum<number | string>("n").as("n")])
      .where("mailing_id", "=", mailingId)
      .groupBy("state")
      .execute(),
    readCounters(db, mailingId),
    db
      .selectFrom("events")
      .select(["kind", (eb) => eb.fn.countAll<number | string>().as("n")])
      .where("mailing_id", "=", mailingId)
      .where("kind", "in", ["unsubscribed", "complained"])
      .where("is_test", "=", 0)
      .groupBy("kind")
      .execute(),
    eligibleCount(db, mailingId),
    db
      .selectFrom("mailing_recipients")
      .select(["block_reason", (eb) => eb.fn.countAll<number | string>().as("n")])
      .where("mailing_id", "=", mailingId)
      .where("status", "=", "blocked")
      .groupBy("block_reason")
      .execute(),
    db
      .selectFrom("mailing_hourly")
      .select(["hour", "kind", (eb) => eb.fn.sum<number | string>("value").as("n")])
      .where("mailing_id", "=", mailingId)
      .groupBy(["hour", "kind"])
      .orderBy("hour")
      .execute(),
    db
      .selectFrom("tracked_links")
      .select(["id", "url", "clicks", "unique_clickers", "flagged_clicks"])
      .where("mailing_id", "=", mailingId)
      .orderBy("clicks", "desc")
      .orderBy("position")
      .execute(),
  ]);

  const deliveries = Object.fromEntries(STATUSES.map((s) => [s, 0])) as Record<DeliveryStatus, number>;
  const bounced = { hard: 0, soft: 0, total: 0 };
  for (const row of byState) {
    const [status, kind] = row.state.split(":") as [DeliveryStatus, "hard" | "soft" | undefined];
    deliveries[status] += Number(row.n);
    if (status === "bounced" && kind) bounced[kind] += Number(row.n);
  }
  bounced.total = deliveries.bounced;
  // Sent: accepted by the receiving server; delivered: sent and not bounced back.
  const sent = deliveries.sent + deliveries.delivered + deliveries.bounced + deliveries.complained;
  const delivered = deliveries.sent + deliveries.delivered + deliveries.complained;
  const events = Object.fromEntries(eventKinds.map((r) => [r.kind, Number(r.n)]));
  const unsubscribed = events.unsubscribed ?? 0;
  const complained = events.complained ?? 0;

  const tally = tallyRecipients([
    { status: "eligible", reason: null, n: eligible },
    ...blockReasons.map((r) => ({ status: "blocked" as const, reason: r.block_reason, n: r.n })),
  ]);
  const recipients = {
    total: tally.listed,
    eligible: tally.eligible,
    blocked: tally.blocked,
    blockedByReason: tally.blockedByReason,
    leftOut: tally.leftOut,
    leftOutByReason: tally.leftOutByReason,
  };

  const start = mailing.started_at ? Date.parse(mailing.started_at) : null;
  const buckets = new Map<string, { hour: string; opened: number; clicked: number }>();
  if (start !== null) {
    const first = Math.floor(start / 3_600_000) * 3_600_000;
    for (let h = 0; h < 48; h++) {
      const hour = new Date(first + h * 3_600_000).toISOString().slice(0, 13);
      buckets.set(hour, { hour, opened: 0, clicked: 0 });
    }
  }
  for (const row of hourly) {
    const bucket = buckets.get(row.hour);
    if (bucket) bucket[row.kind] += Number(row.n);
  }
  const hours = [...buckets.values()];
  const peak = hours.reduce<(typeof hours)[number] | null>(
    (best, h) => (h.opened + h.clicked > (best ? best.opened + best.clicked : 0) ? h : best),
    null,
  );

  return {
    mailingId,
    recipients,
    deliveries,
    sent,
    delivered,
    notYetSent: deliveries.pending + deliveries.claimed + deliveries.sending,
    bounced,
    opened: {
      unique: counters.opened_unique,
      total: counters.opened_total,
      flagged: counters.opened_flagged,
    },
    clicked: {
      unique: counters.clicked_unique,
      total: counters.clicked_total,
      flagged: counters.clicked_flagged,
    },
    unsubscribed,
    complained,
    failed: deliveries.failed,
    unknown: deliveries.unknown,
    rates: {
      open: rate(counters.opened_unique, delivered),
      clickThrough: rate(counters.clicked_unique, delivered),
      unsubscribe: rate(unsubscribed, delivered),
      bounce: rate(deliveries.bounced, sent),
    },
    timeline: { startedAt: mailing.started_at, hours, peakHour: peak ? peak.hour : null },
    links: links.map((l) => ({
      id: l.id,
      url: l.url,
      clicks: l.clicks,
      uniqueClickers: l.unique_clickers,
      flaggedClicks: l.flagged_clicks,
    })),
    sms: mailing.type === "sms" && mailing.started_at ? await smsStatistics(db, mailingId) : null,
    deferredByDomain:
      mailing.type === "email" && mailing.started_at ? await deferredByDomain(db, mailingId) : [],
  };
}
