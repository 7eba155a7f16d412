// Group commit for opens and clicks. Each request verifies its token and queues its event here; one writer per
// database takes everything queued, reads what it needs (links, deliveries, recent clicks for the burst rule) in a
// few set-based queries, stores every event and bumps every rollup in one transaction, and only then answers each
// request. Under load a transaction carries tens of events for the price of one commit and a handful of
// statements; alone, an event is a batch of one. The outcome is the same as storing the events one by one in the
// order they arrived: src/track/batch.test.ts replays batches one by one into a second database and compares.
import { type Compilable, type RawBuilder, sql } from "kysely";
import { type Db, runsOnPostgres } from "../db/connect.ts";
import type { NewEvent } from "../deliveries/events.ts";
import {
  type AgentClass,
  BURST_WINDOW_MS,
  type ClickFlag,
  flagClick,
  flagOpen,
  type OpenFlag,
} from "./agents.ts";
import { type CounterName, hourOf, shardOf } from "./counters.ts";

export type LinkRow = {
  id: number;
  mailing_id: number;
  url: string;
  has_merge_fields: number;
  action_kind: string | null;
  action_ref_id: number | null;
  utm_source: string | null;
  utm_campaign: string | null;
};

export type DeliveryRow = {
  id: number;
  mailing_id: number;
  recipient_id: number;
  person_id: number | null;
  email: string;
  sent_at: string | null;
};

/** Where a click goes: built from stored data only, null when it must be a 404 (see record.ts). */
export type TargetOf = (trx: Db, link: LinkRow, delivery: DeliveryRow | null) => Promise<string | null>;

export type ClickOutcome = {
  target: string | null;
  /** The first click on this link by this recipient that is not a machine's: the link's action runs. */
  firstHuman: boolean;
  link?: LinkRow;
  personId?: number | null;
};

type Pending<T> = { resolve(value: T): void; reject(error: unknown): void };
type ClickJob = Pending<ClickOutcome> & {
  kind: "click";
  deliveryId: number;
  linkId: number;
  now: Date;
  agent: AgentClass;
  ip: string | null;
  targetOf: TargetOf;
};
type OpenJob = Pending<void> & {
  kind: "open";
  deliveryId: number;
  now: Date;
  agent: AgentClass;
  ip: string | null;
};
type Job = ClickJob | OpenJob;

/** Events per transaction at most: keeps statements well under both databases' parameter limits. */
const MAX_BATCH = 200;

class Recorder {
  private queue: Job[] = [];
  private running = false;
  private readonly db: Db;
  constructor(db: Db) {
    this.db = db;
  }

  add(job: Job): void {
    this.queue.push(job);
    if (this.running) return;
    this.running = true;
    // Requests that arrived in the same turn of the event loop go together.
    setImmediate(() => void this.drain());
  }

  private async drain(): Promise<void> {
    while (this.queue.length > 0) await this.flushSafely(this.queue.splice(0, MAX_BATCH));
    this.running = false;
  }

  /** One event's failure (a delivery deleted meanwhile …) must not fail the others: a failed batch is retried one by one. */
  private async flushSafely(jobs: Job[]): Promise<void> {
    try {
      const settle = await flush(this.db, jobs);
      settle();
    } catch (error) {
      if (jobs.length === 1) {
        jobs[0]!.reject(error);
        return;
      }
      for (const job of jobs) await this.flushSafely([job]);
    }
  }
}

const recorders = new WeakMap<Db, Recorder>();

function recorderOf(db: Db): Recorder {
  let recorder = recorders.get(db);
  if (!recorder) {
    recorder = new Recorder(db);
    recorders.set(db, recorder);
  }
  return recorder;
}

/** Queues a click whose token was verified; resolves once it is committed (or found not to exist). */
export function queueClick(
  db: Db,
  click: Omit<ClickJob, "kind" | "resolve" | "reject">,
): Promise<ClickOutcome> {
  return new Promise((resolve, reject) => recorderOf(db).add({ ...click, kind: "click", resolve, reject }));
}

/** Queues an open whose token was verified; resolves once it is committed (or found not to exist). */
export function queueOpen(db: Db, open: Omit<OpenJob, "kind" | "resolve" | "reject">): Promise<void> {
  return new Promise((resolve, reject) => recorderOf(db).add({ ...open, kind: "open", resolve, reject }));
}

const unique = <T>(values: T[]) => [...new Set(values)];
const int = (value: number) => sql`cast(${value} as integer)`;

/** `case <column> when k then v … else <otherwise> end`, or the key pairs' own value for a (link, delivery) key. */
function caseOf<K>(
  entries: [K, RawBuilder<unknown>][],
  when: (key: K) => RawBuilder<unknown>,
  otherwise: string,
) {
  return sql`case ${sql.join(
    entries.map(([key, value]) => sql`when ${when(key)} then ${value}`),
    sql` `,
  )} else ${sql.raw(otherwise)} end`;
}

/**
 * PostgreSQL: rows as one array parameter per column (`select * from unnest(…)`), so a statement's text, which
 * PostgreSQL parses and plans for each batch, stays the same whatever the batch's size.
 */
function unnested<R>(columns: [name: keyof R & string, type: string][], rows: R[]): RawBuilder<unknown> {
  return sql`select * from unnest(${sql.join(
    columns.map(([name, type]) => sql`${rows.map((row) => row[name])}::${sql.raw(type)}[]`),
  )}) as t(${sql.join(columns.map(([name]) => sql.ref(name)))})`;
}
const columnsOf = <R>(columns: [name: keyof R & string, type: string][]) =>
  sql.join(columns.map(([name]) => sql.ref(name)));

const EVENT_COLUMNS: [keyof NewEvent & string, string][] = [
  ["mailing_id", "int"],
  ["delivery_id", "int"],
  ["person_id", "int"],
  ["kind", "text"],
  ["link_id", "int"],
  ["detail", "text"],
  ["ua_class", "text"],
  ["ip", "text"],
  ["flagged", "int"],
  ["is_test", "int"],
  ["created_at", "text"],
];
type NewClicker = {
  link_id: number;
  delivery_id: number;
  person_id: number | null;
  clicks: number;
  flagged: number;
  first_at: string;
  last_at: string;
};
const CLICKER_COLUMNS: [keyof NewClicker, string][] = [
  ["link_id", "int"],
  ["delivery_id", "int"],
  ["person_id", "int"],
  ["clicks", "int"],
  ["flagged", "int"],
  ["first_at", "text"],
  ["last_at", "text"],
];

type Key = { linkId: number; deliveryId: number };
const keyOf = (linkId: number, deliveryId: number) => `${linkId}:${deliveryId}`;
const isKey = (key: Key) => sql`(link_id = ${key.linkId} and delivery_id = ${key.deliveryId})`;

type Counted = { mailingId: number; shard: number };
class Tally {
  readonly counts = new Map<string, { key: string[]; value: number }>();
  add(parts: (string | number)[], by = 1): void {
    if (by === 0) return;
    const id = parts.join("|");
    const entry = this.counts.get(id);
    if (entry) entry.value += by;
    else this.counts.set(id, { key: parts.map(String), value: by });
  }
  sorted() {
    return [...this.counts.entries()]
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
      .map(([, entry]) => entry);
  }
}

type LinkTally = { clicks: number; unique: number; flagged: number; test: number };

type ClickerRow = { link_id: number; delivery_id: number; first_at: string };

/**
 * What a batch reads: its links (with their mailing's UTM fields), its deliveries, and every link each clicking
 * delivery has clicked (the burst rule). PostgreSQL answers all three in one round trip, as JSON; SQLite reads them
 * in turn.
 */
async function readBatch(
  trx: Db,
  linkIds: number[],
  deliveryIds: number[],
  clickingIds: number[],
): Promise<{ links: LinkRow[]; deliveries: DeliveryRow[]; clickers: ClickerRow[] }> {
  const linksQuery = trx
    .selectFrom("tracked_links as l")
    .innerJoin("mailings as m", "m.id", "l.mailing_id")
    .select([
      "l.id",
      "l.mailing_id",
      "l.url",
      "l.has_merge_fields",
      "l.action_kind",
      "l.action_ref_id",
      "m.utm_source",
      "m.utm_campaign",
    ]);
  const deliveriesQuery = trx
    .selectFrom("deliveries")
    .select(["id", "mailing_id", "recipient_id", "person_id", "address as email", "sent_at"]);
  const clickersQuery = trx.selectFrom("link_clickers").select(["link_id", "delivery_id", "first_at"]);
  if (runsOnPostgres(trx)) {
    const rows = (query: Compilable) => sql`(select coalesce(json_agg(t), '[]'::json) from (${query}) as t)`;
    const ids = (values: number[]) => sql<number>`any(${values}::int[])`;
    const result = await sql<{ links: LinkRow[]; deliveries: DeliveryRow[]; clickers: ClickerRow[] }>`select
      ${rows(linksQuery.where("l.id", "=", ids(linkIds)))} as links,
      ${rows(deliveriesQuery.where("id", "=", ids(deliveryIds)))} as deliveries,
      ${rows(clickersQuery.where("delivery_id", "=", ids(clickingIds)))} as clickers`.execute(trx);
    return result.rows[0]!;
  }
  return {
    links: linkIds.length > 0 ? await linksQuery.where("l.id", "in", linkIds).execute() : [],
    deliveries: deliveryIds.length > 0 ? await deliveriesQuery.where("id", "in", deliveryIds).execute() : [],
    clickers:
      clickingIds.length > 0 ? await clickersQuery.where("delivery_id", "in", clickingIds).execute() : [],
  };
}

/**
 * Writes whose results nobody reads (events, per-link counts, counters, hours), each to a table of its own: one
 * statement of data-modifying CTEs on PostgreSQL (one round trip), in turn on SQLite, which has no such CTEs.
 */
async function writeAll(trx: Db, writes: RawBuilder<unknown>[]): Promise<void> {
  if (writes.length === 0) return;
  if (!runsOnPostgres(trx) || writes.length === 1) {
    for (const write of writes) await write.execute(trx);
    return;
  }
  await sql`with ${sql.join(
    writes.map((write, i) => sql`${sql.raw(`w${i}`)} as (${write})`),
    sql`, `,
  )} select 1`.execute(trx);
}

type ClickedAgain = { key: Key; human: number; lastHumanAt: string };

/**
 * Human clicks on links their deliveries had clicked before: the clicks are added, the last click moves, and a
 * clicker flagged so far (only machines had clicked) is unflagged. Returns the unflagged ones: they count as unique
 * now. On PostgreSQL one update, which locks and reads each row as it was; on SQLite two.
 */
async function clickedAgain(
  trx: Db,
  clickers: ClickedAgain[],
): Promise<{ link_id: number; delivery_id: number }[]> {
  if (runsOnPostgres(trx)) {
    const columns: [keyof (typeof rows)[number], string][] = [
      ["link_id", "int"],
      ["delivery_id", "int"],
      ["clicks", "int"],
      ["last_at", "text"],
    ];
    const rows = clickers.map((c) => ({
      link_id: c.key.linkId,
      delivery_id: c.key.deliveryId,
      clicks: c.human,
      last_at: c.lastHumanAt,
    }));
    const result = await sql<{ link_id: number; delivery_id: number; flagged: number }>`with
      wanted as (${unnested(columns, rows)}),
      was as (select c.link_id, c.delivery_id, c.flagged from link_clickers c
        join wanted w on w.link_id = c.link_id and w.delivery_id = c.delivery_id
        for update of c)
      update link_clickers c set clicks = c.clicks + w.clicks, last_at = w.last_at, flagged = 0
      from was join wanted w on w.link_id = was.link_id and w.delivery_id = was.delivery_id
      where c.link_id = was.link_id and c.delivery_id = was.delivery_id
      returning c.link_id, c.delivery_id, was.flagged`.execute(trx);
    return result.rows.filter((row) => Number(row.flagged) === 1);
  }
  const within = sql`delivery_id in (${sql.join(unique(clickers.map((c) => c.key.deliveryId)))}) and (${sql.join(
    clickers.map((c) => isKey(c.key)),
    sql` or `,
  )})`;
  const cleared = await sql<{ link_id: number; delivery_id: number }>`update link_clickers set flagged = 0
    where flagged = 1 and ${within} returning link_id, delivery_id`.execute(trx);
  await sql`update link_clickers set
    clicks = clicks + ${caseOf(
      clickers.map((c) => [c.key, int(c.human)]),
      isKey,
      "0",
    )},
    last_at = ${caseOf(
      clickers.map((c) => [c.key, sql`${c.lastHumanAt}`]),
      isKey,
      "last_at",
    )}
    where ${within}`.execute(trx);
  return cleared.rows;
}

type CounterRow = { mailing_id: number; name: string; shard: number; value: number };
type HourRow = { mailing_id: number; hour: string; kind: "opened" | "clicked"; shard: number; value: number };

/** The per-link counts, counters and hours on PostgreSQL, each from arrays (`unnested`). */
function rollupWritesOnPostgres(
  links: [number, LinkTally][],
  counters: CounterRow[],
  hours: HourRow[],
): RawBuilder<unknown>[] {
  const writes: RawBuilder<unknown>[] = [];
  if (links.length > 0) {
    const rows = links.map(([id, t]) => ({
      id,
      clicks: t.clicks,
      unique_clickers: t.unique,
      flagged_clicks: t.flagged,
      test_clicks: t.test,
    }));
    writes.push(sql`update tracked_links l set clicks = l.clicks + t.clicks,
      unique_clickers = l.unique_clickers + t.unique_clickers, flagged_clicks = l.flagged_clicks + t.flagged_clicks,
      test_clicks = l.test_clicks + t.test_clicks
      from (${unnested<(typeof rows)[number]>(
        [
          ["id", "int"],
          ["clicks", "int"],
          ["unique_clickers", "int"],
          ["flagged_clicks", "int"],
          ["test_clicks", "int"],
        ],
        rows,
      )}) as t where l.id = t.id`);
  }
  if (counters.length > 0)
    writes.push(
      sql`insert into mailing_counters (mailing_id, name, shard, value) ${unnested<CounterRow>(
        [
          ["mailing_id", "int"],
          ["name", "text"],
          ["shard", "int"],
          ["value", "bigint"],
        ],
        counters,
      )} on conflict (mailing_id, name, shard) do update set value = mailing_counters.value + excluded.value`,
    );
  if (hours.length > 0)
    writes.push(
      sql`insert into mailing_hourly (mailing_id, hour, kind, shard, value) ${unnested<HourRow>(
        [
          ["mailing_id", "int"],
          ["hour", "text"],
          ["kind", "text"],
          ["shard", "int"],
          ["value", "bigint"],
        ],
        hours,
      )} on conflict (mailing_id, hour, kind, shard) do update set value = mailing_hourly.value + excluded.value`,
    );
  return writes;
}

/**
 * A delivery's first click and first open in one update on PostgreSQL (a row written twice in one transaction is a
 * second row version, and its foreign keys are checked again). Which of the two this batch set first is learnt from
 * the row as it was, read and locked by the same statement (`for update`: a concurrent writer's stamp is seen, not
 * overwritten); only deliveries with a stamp to set are written.
 */
async function stampBoth(
  trx: Db,
  clicks: Map<number, { delivery: DeliveryRow; at: string }>,
  opens: Map<number, { delivery: DeliveryRow; at: string }>,
  counted: (delivery: DeliveryRow, counter: CounterName) => void,
): Promise<void> {
  const ids = unique([...clicks.keys(), ...opens.keys()]);
  if (ids.length === 0) return;
  const result = await sql<{ id: number; clicked: boolean; opened: boolean }>`with
    wanted as (select * from unnest(${ids}::int[], ${ids.map((id) => clicks.get(id)?.at ?? null)}::text[],
      ${ids.map((id) => opens.get(id)?.at ?? null)}::text[]) as w(id, clicked_at, opened_at)),
    was as (select d.id, d.first_clicked_at, d.first_opened_at from deliveries d join wanted w on w.id = d.id
      where (d.first_clicked_at is null and w.clicked_at is not null)
        or (d.first_opened_at is null and w.opened_at is not null)
      for update of d)
    update deliveries d set first_clicked_at = coalesce(was.first_clicked_at, w.clicked_at),
      first_opened_at = coalesce(was.first_opened_at, w.opened_at)
    from was join wanted w on w.id = was.id
    where d.id = was.id
    returning d.id, (was.first_clicked_at is null and w.clicked_at is not null) as clicked,
      (was.first_opened_at is null and w.opened_at is not null) as opened`.execute(trx);
  for (const row of result.rows) {
    if (row.clicked) counted(clicks.get(row.id)!.delivery, "clicked_unique");
    if (row.opened) counted(opens.get(row.id)!.delivery, "opened_unique");
  }
}

/**
 * Stores a batch in one transaction and returns what answers the requests once it has committed. Every rule is the
 * one of storing the events one at a time in queue order: the burst rule sees the clicks queued before it, a
 * delivery's first open or click is the first one queued, a link's unique clicker is counted once.
 */
async function flush(db: Db, jobs: Job[]): Promise<() => void> {
  const answers = await db.transaction().execute(async (trx) => {
    const clicks = jobs.filter((job): job is ClickJob => job.kind === "click");
    const read = await readBatch(
      trx,
      unique(clicks.map((job) => job.linkId)),
      unique(jobs.filter((job) => job.deliveryId !== 0).map((job) => job.deliveryId)),
      unique(clicks.filter((job) => job.deliveryId !== 0).map((job) => job.deliveryId)),
    );
    const links = new Map(read.links.map((row) => [row.id, row]));
    const deliveries = new Map(read.deliveries.map((row) => [row.id, row]));

    // What each job stores; undefined when it records nothing (an unknown link or delivery, a target that is no URL).
    type Stored =
      | { kind: "click"; link: LinkRow; delivery: DeliveryRow; at: string; flag: ClickFlag; target: string }
      | { kind: "test-click"; link: LinkRow; at: string; target: string }
      | { kind: "open"; delivery: DeliveryRow; at: string; flag: OpenFlag };
    const stored: (Stored | undefined)[] = [];
    for (const job of jobs) {
      const at = job.now.toISOString();
      if (job.kind === "open") {
        const delivery = deliveries.get(job.deliveryId);
        stored.push(delivery ? { kind: "open", delivery, at, flag: flagOpen(job.agent) } : undefined);
        continue;
      }
      const link = links.get(job.linkId);
      if (!link) {
        stored.push(undefined);
        continue;
      }
      if (job.deliveryId === 0) {
        const target = await job.targetOf(trx, link, null);
        stored.push(target ? { kind: "test-click", link, at, target } : undefined);
        continue;
      }
      const delivery = deliveries.get(job.deliveryId);
      const target =
        delivery && delivery.mailing_id === link.mailing_id ? await job.targetOf(trx, link, delivery) : null;
      stored.push(target && delivery ? { kind: "click", link, delivery, at, flag: null, target } : undefined);
    }

    // The burst rule: when each delivery first clicked each link, including this batch's clicks. All of a delivery's
    // rows (one per link it clicked), not only the window's: a link first clicked long ago is not a new first click.
    const real = jobs.flatMap((job, i) => {
      const entry = stored[i];
      return entry?.kind === "click" ? [{ job: job as ClickJob, entry }] : [];
    });
    const firstClicks = new Map<number, Map<number, string>>();
    for (const row of read.clickers) {
      const byLink = firstClicks.get(row.delivery_id) ?? new Map<number, string>();
      byLink.set(row.link_id, row.first_at);
      firstClicks.set(row.delivery_id, byLink);
    }
    const others = real.map(({ job, entry }) => {
      const byLink = firstClicks.get(entry.delivery.id) ?? new Map<number, string>();
      firstClicks.set(entry.delivery.id, byLink);
      const since = new Date(job.now.getTime() - BURST_WINDOW_MS).toISOString();
      let n = 0;
      for (const [linkId, firstAt] of byLink) if (linkId !== entry.link.id && firstAt >= since) n++;
      if (!byLink.has(entry.link.id)) byLink.set(entry.link.id, entry.at);
      return n;
    });
    // The mailing's link count matters only when another link was clicked in the window: most batches skip it.
    const linksIn = new Map<number, number>();
    const burstMailings = unique(
      real.filter((_, i) => others[i]! > 0).map(({ entry }) => entry.delivery.mailing_id),
    );
    if (burstMailings.length > 0)
      for (const row of await trx
        .selectFrom("tracked_links")
        .select(["mailing_id", (eb) => eb.fn.countAll<number | string>().as("n")])
        .where("mailing_id", "in", burstMailings)
        .groupBy("mailing_id")
        .execute())
        linksIn.set(row.mailing_id, Number(row.n));
    real.forEach(({ job, entry }, i) => {
      entry.flag = flagClick({
        agent: job.agent,
        sentAt: entry.delivery.sent_at,
        now: job.now,
        otherLinksClickedInBurst: others[i]!,
        linksInMailing: others[i]! > 0 ? (linksIn.get(entry.delivery.mailing_id) ?? 0) : 0,
      });
    });

    // Events, append-only, in queue order.
    const events = jobs.flatMap((job, i): NewEvent[] => {
      const entry = stored[i];
      if (!entry) return [];
      const base = { ua_class: job.agent, ip: job.ip, created_at: entry.at };
      if (entry.kind === "test-click")
        return [
          {
            ...base,
            mailing_id: entry.link.mailing_id,
            delivery_id: null,
            person_id: null,
            kind: "clicked" as const,
            link_id: entry.link.id,
            detail: null,
            flagged: 0,
            is_test: 1,
          },
        ];
      return [
        {
          ...base,
          mailing_id: entry.delivery.mailing_id,
          delivery_id: entry.delivery.id,
          person_id: entry.delivery.person_id,
          kind: entry.kind === "click" ? ("clicked" as const) : ("opened" as const),
          link_id: entry.kind === "click" ? entry.link.id : null,
          detail: entry.flag,
          flagged: entry.flag ? 1 : 0,
          is_test: 0,
        },
      ];
    });
    // Writes that nothing in this batch reads back: made at the end, in one statement on PostgreSQL.
    const finalWrites: RawBuilder<unknown>[] = [];
    if (events.length > 0)
      finalWrites.push(
        runsOnPostgres(trx)
          ? sql`insert into events (${columnsOf(EVENT_COLUMNS)}) ${unnested(EVENT_COLUMNS, events)}`
          : sql`${trx.insertInto("events").values(events)}`,
      );

    const counters = new Tally();
    const hourly = new Tally();
    const perLink = new Map<number, LinkTally>();
    const linkTally = (id: number) => {
      const tally = perLink.get(id) ?? { clicks: 0, unique: 0, flagged: 0, test: 0 };
      perLink.set(id, tally);
      return tally;
    };
    const bump = (at: Counted, name: CounterName) => counters.add([at.mailingId, name, at.shard]);
    const countedAt = (delivery: DeliveryRow): Counted => ({
      mailingId: delivery.mailing_id,
      shard: shardOf(delivery.id),
    });

    // Who clicked which link: a row per (link, delivery) from its first click, flagged until a human click.
    type Clicker = {
      key: Key;
      first: (typeof real)[number]["entry"];
      human: number;
      lastHumanAt: string;
      firstHumanJob?: number;
    };
    const clickers = new Map<string, Clicker>();
    jobs.forEach((_, i) => {
      const entry = stored[i];
      if (entry?.kind === "test-click") linkTally(entry.link.id).test++;
      if (entry?.kind !== "click") return;
      const id = keyOf(entry.link.id, entry.delivery.id);
      const clicker = clickers.get(id) ?? {
        key: { linkId: entry.link.id, deliveryId: entry.delivery.id },
        first: entry,
        human: 0,
        lastHumanAt: entry.at,
      };
      clickers.set(id, clicker);
      const at = countedAt(entry.delivery);
      if (entry.flag) {
        linkTally(entry.link.id).flagged++;
        bump(at, "clicked_flagged");
        return;
      }
      clicker.human++;
      clicker.lastHumanAt = entry.at;
      clicker.firstHumanJob ??= i;
      linkTally(entry.link.id).clicks++;
      bump(at, "clicked_total");
      hourly.add([at.mailingId, hourOf(entry.at), "clicked", at.shard]);
    });
    const firstHuman = new Set<number>();
    if (clickers.size > 0) {
      const all = [...clickers.values()];
      // A new row is stored as this batch leaves it (its human clicks counted, unflagged if one was human), so only
      // the rows that were there before are updated: one write per new clicker instead of two or three.
      const rows = all.map(
        ({ first, human, lastHumanAt }): NewClicker => ({
          link_id: first.link.id,
          delivery_id: first.delivery.id,
          person_id: first.delivery.person_id,
          clicks: human,
          flagged: human === 0 && first.flag ? 1 : 0,
          first_at: first.at,
          last_at: human > 0 ? lastHumanAt : first.at,
        }),
      );
      const insertedRows = runsOnPostgres(trx)
        ? (
            await sql<{
              link_id: number;
              delivery_id: number;
            }>`insert into link_clickers (${columnsOf(CLICKER_COLUMNS)})
              ${unnested(CLICKER_COLUMNS, rows)}
              on conflict (link_id, delivery_id) do nothing returning link_id, delivery_id`.execute(trx)
          ).rows
        : await trx
            .insertInto("link_clickers")
            .values(rows)
            .onConflict((oc) => oc.columns(["link_id", "delivery_id"]).doNothing())
            .returning(["link_id", "delivery_id"])
            .execute();
      const inserted = new Set(insertedRows.map((row) => keyOf(row.link_id, row.delivery_id)));
      const human = all.filter((clicker) => clicker.human > 0);
      for (const clicker of human)
        if (inserted.has(keyOf(clicker.key.linkId, clicker.key.deliveryId))) {
          linkTally(clicker.key.linkId).unique++;
          firstHuman.add(clicker.firstHumanJob!);
        }
      const before = human.filter(
        (clicker) => !inserted.has(keyOf(clicker.key.linkId, clicker.key.deliveryId)),
      );
      if (before.length > 0)
        // A clicker counts once per link from the first click that is not a machine's, even after flagged ones.
        for (const row of await clickedAgain(trx, before)) {
          const clicker = clickers.get(keyOf(row.link_id, row.delivery_id))!;
          linkTally(clicker.key.linkId).unique++;
          firstHuman.add(clicker.firstHumanJob!);
        }
    }

    // First click and first open of each delivery; a click counts as an open (images may have been blocked).
    const firstClickAt = new Map<number, { delivery: DeliveryRow; at: string }>();
    const firstOpenAt = new Map<number, { delivery: DeliveryRow; at: string }>();
    for (const entry of stored) {
      if (!entry || entry.kind === "test-click") continue;
      const at = countedAt(entry.delivery);
      if (entry.kind === "open") {
        if (entry.flag) {
          bump(at, "opened_flagged");
          continue;
        }
        bump(at, "opened_total");
        hourly.add([at.mailingId, hourOf(entry.at), "opened", at.shard]);
      } else {
        if (entry.flag) continue;
        if (!firstClickAt.has(entry.delivery.id))
          firstClickAt.set(entry.delivery.id, { delivery: entry.delivery, at: entry.at });
      }
      if (!firstOpenAt.has(entry.delivery.id))
        firstOpenAt.set(entry.delivery.id, { delivery: entry.delivery, at: entry.at });
    }
    const stamp = async (
      column: "first_clicked_at" | "first_opened_at",
      counter: CounterName,
      firsts: Map<number, { delivery: DeliveryRow; at: string }>,
    ) => {
      if (firsts.size === 0) return;
      const entries = [...firsts.values()];
      const result = await sql<{ id: number }>`update deliveries set ${sql.ref(column)} = ${caseOf(
        entries.map((f) => [f.delivery.id, sql`${f.at}`]),
        (id) => sql`id = ${id}`,
        column,
      )} where id in (${sql.join(entries.map((f) => f.delivery.id))}) and ${sql.ref(column)} is null
        returning id`.execute(trx);
      for (const row of result.rows) bump(countedAt(firsts.get(row.id)!.delivery), counter);
    };
    if (runsOnPostgres(trx))
      await stampBoth(trx, firstClickAt, firstOpenAt, (delivery, counter) =>
        bump(countedAt(delivery), counter),
      );
    else {
      await stamp("first_clicked_at", "clicked_unique", firstClickAt);
      await stamp("first_opened_at", "opened_unique", firstOpenAt);
    }

    const linkRows = [...perLink.entries()].sort(([a], [b]) => a - b);
    const countRows = counters.sorted().map(({ key: [mailingId, name, shard], value }) => ({
      mailing_id: Number(mailingId),
      name: name!,
      shard: Number(shard),
      value,
    }));
    const hourRows = hourly.sorted().map(({ key: [mailingId, hour, kind, shard], value }) => ({
      mailing_id: Number(mailingId),
      hour: hour!,
      kind: kind as "opened" | "clicked",
      shard: Number(shard),
      value,
    }));
    if (runsOnPostgres(trx)) finalWrites.push(...rollupWritesOnPostgres(linkRows, countRows, hourRows));
    else {
      if (linkRows.length > 0) {
        const column = (pick: (tally: LinkTally) => number) =>
          caseOf(
            linkRows.map(([id, tally]) => [id, int(pick(tally))]),
            (id) => sql`id = ${id}`,
            "0",
          );
        finalWrites.push(sql`update tracked_links set
          clicks = clicks + ${column((t) => t.clicks)},
          unique_clickers = unique_clickers + ${column((t) => t.unique)},
          flagged_clicks = flagged_clicks + ${column((t) => t.flagged)},
          test_clicks = test_clicks + ${column((t) => t.test)}
          where id in (${sql.join(linkRows.map(([id]) => id))})`);
      }
      if (countRows.length > 0)
        finalWrites.push(
          sql`${trx
            .insertInto("mailing_counters")
            .values(countRows)
            .onConflict((oc) =>
              oc
                .columns(["mailing_id", "name", "shard"])
                .doUpdateSet({ value: sql`mailing_counters.value + excluded.value` }),
            )}`,
        );
      if (hourRows.length > 0)
        finalWrites.push(
          sql`${trx
            .insertInto("mailing_hourly")
            .values(hourRows)
            .onConflict((oc) =>
              oc
                .columns(["mailing_id", "hour", "kind", "shard"])
                .doUpdateSet({ value: sql`mailing_hourly.value + excluded.value` }),
            )}`,
        );
    }
    await writeAll(trx, finalWrites);

    return { stored, firstHuman };
  });

  return () =>
    jobs.forEach((job, i) => {
      const entry = answers.stored[i];
      if (job.kind === "open") job.resolve();
      else if (!entry || entry.kind === "open") job.resolve({ target: null, firstHuman: false });
      else
        job.resolve({
          target: entry.target,
          firstHuman: answers.firstHuman.has(i),
          link: entry.link,
          personId: entry.kind === "click" ? entry.delivery.person_id : null,
        });
    });
}
