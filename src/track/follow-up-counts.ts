// How many rows the follow-up list's filters match, read from the rollups the statistics keep instead of counting a
// million recipients; and which small set (the driver) a page should start from. The rollups count every attempt,
// the list only the latest, so the few superseded attempts (a partial index) are subtracted.
import { sql } from "kysely";
import { LEFT_OUT_REASONS } from "../db/block-reasons.ts";
import { type Db, runsOnPostgres } from "../db/connect.ts";
import type { DeliveryStatus } from "../db/schema.ts";
import { readCounters } from "./counters.ts";
import type { FollowUpQuery } from "./follow-up.ts";

/**
 * Runs a follow-up read on PostgreSQL without parallel workers or JIT (for this transaction only): a walk in order
 * with a LIMIT is planned as a parallel scan (Gather Merge) and a few thousand index lookups are estimated costly
 * enough to compile; on a busy 2-core machine starting the workers took 100–200 ms and compiling 15–100 ms, where
 * the reads themselves take 10–40 ms. SQLite (or a caller's transaction) runs it as is.
 */
export function readPlainly<T>(db: Db, read: (db: Db) => Promise<T>): Promise<T> {
  if (!runsOnPostgres(db) || db.isTransaction) return read(db);
  return db.transaction().execute(async (trx) => {
    await sql`select set_config('max_parallel_workers_per_gather', '0', true), set_config('jit', 'off', true)`.execute(
      trx,
    );
    return read(trx);
  });
}

/** A filter whose rows can be read from their own index as a small set, or a link's clickers. */
export type Driver =
  | "bounced"
  | "failed"
  | "unknown"
  | "complained"
  | "unsubscribed"
  | "blocked"
  | "link"
  /** Not sent, when every eligible recipient has an attempt: the latest attempts still on their way. */
  | "in-flight";

/** Above this many rows a driver set costs more to sort than walking the list in order costs to skip. */
export const DRIVE_LIMIT = 50_000;

/** A count drives from a set of up to a fifth of the list (see planFollowUp). */
const COUNT_WALK_RATIO = 5;

const IN_FLIGHT: DeliveryStatus[] = ["pending", "claimed", "sending"];

type Figures = {
  /** Latest attempts by status. */
  latest: Map<string, number>;
  supersededOpened: number;
  supersededClicked: number;
  /** From the list's stored counts; null when the list has none (never resolved). */
  recipients: { eligible: number; blocked: number } | null;
};

async function figures(db: Db, mailingId: number): Promise<Figures> {
  const [all, superseded, listed] = await Promise.all([
    db
      .selectFrom("delivery_counts")
      .select(["state", (eb) => eb.fn.sum<number | string>("n").as("n")])
      .where("mailing_id", "=", mailingId)
      .groupBy("state")
      .execute(),
    db
      .selectFrom("deliveries")
      .select([
        "status",
        (eb) => eb.fn.countAll<number | string>().as("n"),
        (eb) => eb.fn.count<number | string>("first_opened_at").as("opened"),
        (eb) => eb.fn.count<number | string>("first_clicked_at").as("clicked"),
      ])
      .where("mailing_id", "=", mailingId)
      .where("is_latest", "=", sql.lit(0))
      .groupBy("status")
      .execute(),
    db
      .selectFrom("mailing_counters")
      .select(["name", (eb) => eb.fn.sum<number | string>("value").as("n")])
      .where("mailing_id", "=", mailingId)
      .where("name", "in", ["recipients:eligible", "recipients:blocked"])
      .groupBy("name")
      .execute(),
  ]);
  const latest = new Map<string, number>();
  for (const row of all) {
    const status = row.state.split(":")[0]!;
    latest.set(status, (latest.get(status) ?? 0) + Number(row.n));
  }
  let supersededOpened = 0;
  let supersededClicked = 0;
  for (const row of superseded) {
    latest.set(row.status, (latest.get(row.status) ?? 0) - Number(row.n));
    supersededOpened += Number(row.opened);
    supersededClicked += Number(row.clicked);
  }
  const count = (name: string) => Number(listed.find((r) => r.name === name)?.n ?? 0);
  return {
    latest,
    supersededOpened,
    supersededClicked,
    recipients:
      listed.length > 0
        ? { eligible: count("recipients:eligible"), blocked: count("recipients:blocked") }
        : null,
  };
}

async function countRecipients(db: Db, mailingId: number, status?: "eligible" | "blocked"): Promise<number> {
  let q = db
    .selectFrom("mailing_recipients")
    .select((eb) => eb.fn.countAll<number | string>().as("n"))
    .where("mailing_id", "=", mailingId);
  if (status) q = q.where("status", "=", status);
  // The list only: the left out are stored as blocked rows with a left-out reason (src/db/block-reasons.ts).
  q = q.where((eb) =>
    eb.or([eb("block_reason", "is", null), eb("block_reason", "not in", LEFT_OUT_REASONS)]),
  );
  return Number((await q.executeTakeFirstOrThrow()).n);
}

/** Unflagged clickers of the link whose delivery is not the latest attempt (from the few superseded attempts). */
async function supersededClickers(db: Db, mailingId: number, linkId: number): Promise<number> {
  // CROSS JOIN: start from the superseded attempts, not from the link's (many) clickers.
  const row = await db
    .selectFrom("deliveries as d")
    .crossJoin("link_clickers as lc")
    .select((eb) => eb.fn.countAll<number | string>().as("n"))
    .where("d.mailing_id", "=", mailingId)
    .where("d.is_latest", "=", sql.lit(0))
    .where("lc.link_id", "=", linkId)
    .whereRef("lc.delivery_id", "=", "d.id")
    .where("lc.flagged", "=", 0)
    .executeTakeFirstOrThrow();
  return Number(row.n);
}

/**
 * The query without the filters a link already implies: an unflagged clicker of a link has clicked and opened, since
 * the one writer of link_clickers (src/track/batch.ts) stamps the delivery's first click and first open in the
 * transaction that records the first click that is not a machine's. So *opened* or *clicked* with a link is the link
 * alone, counted from the link's rollup instead of looking up each clicker's delivery.
 */
export function withoutImplied(query: FollowUpQuery): FollowUpQuery {
  if (query.linkId === undefined) return query;
  return { ...query, filters: query.filters.filter((f) => f !== "opened" && f !== "clicked") };
}

export type FollowUpPlan = {
  /** The small set the count starts from; none: walk the list. */
  driver?: Driver;
  /** The set a page starts from; none: walk the list in order. */
  pageDriver?: Driver;
  /** The exact count, when the rollups give it; null: count with a query. */
  count: number | null;
};

/**
 * How to read the query: its count from the rollups when it is one filter or one link (or nothing), and the
 * smallest set that holds every row it can match, if small enough to sort. A search or several conditions are
 * counted by a query; complaints and unsubscribes are few and counted from their events.
 */
export async function planFollowUp(db: Db, mailingId: number, query: FollowUpQuery): Promise<FollowUpPlan> {
  let cached: Promise<Figures> | undefined;
  const f = () => {
    cached ??= figures(db, mailingId);
    return cached;
  };
  const latest = async (...statuses: DeliveryStatus[]) => {
    const known = (await f()).latest;
    return statuses.reduce((n, s) => n + (known.get(s) ?? 0), 0);
  };
  const recipients = async (status: "eligible" | "blocked") => {
    const stored = (await f()).recipients;
    return stored ? stored[status] : countRecipients(db, mailingId, status);
  };
  const listSize = async () => {
    const stored = (await f()).recipients;
    return stored
      ? stored.eligible + stored.blocked
      : [...(await f()).latest.values()].reduce((a, b) => a + b, 0);
  };
  // Read once: it looks up each blocked recipient's latest attempt.
  let notSentCached: ReturnType<typeof notSent> | undefined;
  const notSentOnce = async () => {
    notSentCached ??= notSent(db, mailingId, await f(), await recipients("eligible"));
    return notSentCached;
  };
  const linkClickers = async (linkId: number) => {
    const link = await db
      .selectFrom("tracked_links")
      .select("unique_clickers")
      .where("id", "=", linkId)
      .executeTakeFirstOrThrow();
    return Number(link.unique_clickers);
  };

  // Sizes of the sets that could drive: estimates are enough here.
  const sizes: Array<[Driver, number]> = [];
  for (const filter of query.filters) {
    if (filter === "complained" || filter === "unsubscribed") sizes.push([filter, 0]);
    else if (filter === "blocked") sizes.push([filter, await recipients("blocked")]);
    else if (filter === "bounced" || filter === "failed" || filter === "unknown")
      sizes.push([filter, await latest(filter)]);
    else if (filter === "not-sent") {
      const { withoutAttempt, inFlight } = await notSentOnce();
      // The eligible with no attempt at all can only be found by walking the list; usually there are none.
      if (withoutAttempt === 0) sizes.push(["in-flight", inFlight]);
    }
  }
  if (query.linkId !== undefined) sizes.push(["link", await linkClickers(query.linkId)]);
  const smallest = sizes.sort((a, b) => a[1] - b[1])[0];
  const n = await listSize();
  // A count has no sort: the set's s rows looked up one by one beat the list's n rows walked in order while s stays
  // under a fifth of n (a lookup costs a few rows walked), so a large set still counts faster than the whole list.
  const driver =
    smallest && smallest[1] <= Math.max(DRIVE_LIMIT, n / COUNT_WALK_RATIO) ? smallest[0] : undefined;
  // A page walks the list in order unless the set is rare: spread evenly, a set of s among n rows costs a page about
  // 100·n/s rows walked, against s rows sorted: the set wins below about √(100·n). Complaints and unsubscribes are
  // few, and blocked rows bunched (where their source is), so they always drive, except for the blocked alone.
  // The blocked alone are walked: the list's (mailing, status, position) index hands them out in list order, so a
  // page reads its 100 rows (1.6 ms on PostgreSQL at a million) instead of sorting every blocked row (70–130 ms).
  const spread: Driver[] = ["bounced", "failed", "unknown", "link"];
  const walksInOrder = driver === "blocked" && query.filters.length === 1 && query.linkId === undefined;
  const pageDriver =
    driver &&
    !walksInOrder &&
    (smallest?.[1] ?? 0) <= DRIVE_LIMIT &&
    (!spread.includes(driver) || (smallest?.[1] ?? 0) <= Math.sqrt(100 * n))
      ? driver
      : undefined;

  const parts = query.filters.length + (query.linkId !== undefined ? 1 : 0);
  if (query.search || parts > 1) return { driver, pageDriver, count: null };
  if (query.linkId !== undefined)
    return {
      driver,
      pageDriver,
      count: (await linkClickers(query.linkId)) - (await supersededClickers(db, mailingId, query.linkId)),
    };
  const filter = query.filters[0];
  switch (filter) {
    case undefined: {
      const stored = (await f()).recipients;
      return {
        driver,
        pageDriver,
        count: stored ? stored.eligible + stored.blocked : await countRecipients(db, mailingId),
      };
    }
    case "sent":
      return { driver, pageDriver, count: await latest("sent", "bounced", "complained") };
    case "delivered":
      return { driver, pageDriver, count: await latest("sent", "complained") };
    case "bounced":
    case "failed":
    case "unknown":
      return { driver, pageDriver, count: await latest(filter) };
    case "opened":
      return {
        driver,
        pageDriver,
        count: (await readCounters(db, mailingId)).opened_unique - (await f()).supersededOpened,
      };
    case "clicked":
      return {
        driver,
        pageDriver,
        count: (await readCounters(db, mailingId)).clicked_unique - (await f()).supersededClicked,
      };
    case "blocked":
      return { driver, pageDriver, count: await recipients("blocked") };
    case "not-sent": {
      const { withoutAttempt, inFlight } = await notSentOnce();
      return { driver, pageDriver, count: withoutAttempt + inFlight };
    }
    case "complained":
    case "unsubscribed":
      return { driver, pageDriver, count: null };
    default:
      return unreachable(filter);
  }
}

function unreachable(filter: never): never {
  throw new Error(`no count for filter ${String(filter)}`);
}

/**
 * Eligible recipients with no attempt yet, and those whose latest attempt is on its way (pending, claimed, sending):
 * from the latest attempts by status, less those of blocked recipients (a reload can block someone who had one).
 */
async function notSent(db: Db, mailingId: number, f: Figures, eligible: number) {
  // A scalar subquery per blocked row: PostgreSQL would otherwise hash every delivery to join a few thousand.
  const ofBlocked = (
    await readPlainly(db, (db) =>
      db
        .selectFrom("mailing_recipients as r")
        .select((eb) =>
          eb
            .selectFrom("deliveries as d")
            .select("d.status")
            .whereRef("d.mailing_id", "=", "r.mailing_id")
            .whereRef("d.recipient_id", "=", "r.id")
            .where("d.is_latest", "=", sql.lit(1))
            .as("status"),
        )
        .where("r.mailing_id", "=", mailingId)
        .where("r.status", "=", "blocked")
        .execute(),
    )
  ).filter((d): d is { status: DeliveryStatus } => d.status !== null);
  const blockedInFlight = ofBlocked.filter((d) => IN_FLIGHT.includes(d.status)).length;
  const all = [...f.latest.values()].reduce((n, c) => n + c, 0);
  const inFlight = IN_FLIGHT.reduce((n, s) => n + (f.latest.get(s) ?? 0), 0) - blockedInFlight;
  const eligibleWithAttempt = all - ofBlocked.length;
  return { withoutAttempt: eligible - eligibleWithAttempt, inFlight };
}
