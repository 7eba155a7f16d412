// `npm run bench -- stats`: a mailing's statistics and its follow-up list with 1,000,000 deliveries and 5,000,000
// events on SQLite and PostgreSQL. Data and rollups are generated set-based (bench/tracking-data.ts), then the same
// calls the API makes are timed: median of 7 after a warm-up.
import { existsSync, mkdtempSync, renameSync, rmSync } from "node:fs";
import { loadavg, tmpdir } from "node:os";
import { join } from "node:path";
import { CompiledQuery, sql } from "kysely";
import { type DbHandle, type Dialect, openDatabase } from "../src/db/connect.ts";
import { migrateToLatest } from "../src/db/migrate.ts";
import {
  FOLLOW_UP_FILTERS,
  type FollowUpQuery,
  followUpRecipients,
  parseCursor,
} from "../src/track/follow-up.ts";
import { mailingStatistics } from "../src/track/stats.ts";
import { formatMs, timeRuns } from "./stats.ts";
import { rebuildRollups, type SeededMailing, seedEvents, seedMailing } from "./tracking-data.ts";

const DELIVERIES = Number(process.env.BENCH_DELIVERIES ?? 1_000_000);
const EVENTS = Number(process.env.BENCH_EVENTS ?? 5_000_000);
const RUNS = 7;
const TARGET_MS = 200;
const DEEP_PAGE = 1000;
const DEEP_TARGET_MS = 300;
const POSTGRES_URL = process.env.UTSEND_TEST_POSTGRES_URL ?? "postgres://postgres@127.0.0.1:5432/test";

async function generate(handle: DbHandle, dialect: Dialect) {
  const started = performance.now();
  const progress = (line: string) =>
    console.log(`${dialect}: ${line} (${((performance.now() - started) / 1000).toFixed(0)} s)`);
  const mailing = await seedMailing(handle, {
    deliveries: DELIVERIES,
    blocked: Math.round(DELIVERIES / 50),
    links: 6,
    startedAt: Math.floor(Date.now() / 1000) - 4 * 86_400,
    sendSpreadSeconds: 3600,
    mixedStatuses: true,
    progress,
  });
  await seedEvents(handle, mailing, EVENTS, progress);
  await rebuildRollups(handle, mailing.mailingId);
  progress("rollups rebuilt");
  // What autovacuum would have done by the time anyone looks at the statistics.
  await sql`${sql.raw(dialect === "postgres" ? "vacuum analyze" : "analyze")}`.execute(handle.db);
  progress("analyzed");
  return mailing;
}

/**
 * A few failed deliveries sent again (attempt 2, sent), as *reload and resend* leaves them: the counts must leave out
 * the superseded first attempts the rollups still count.
 */
async function resendSome(handle: DbHandle, mailing: SeededMailing): Promise<void> {
  const now = new Date().toISOString();
  await sql`insert into deliveries (mailing_id, recipient_id, attempt, address, address_key, status, message_id, tries,
      next_try_at, last_reply, sent_at, created_at, updated_at)
    select d.mailing_id, d.recipient_id, 2, d.address, d.address_key, 'sent', replace(d.message_id, '.a1@', '.a2@'), 1,
      ${now}, '250 2.0.0 OK', ${now}, ${now}, ${now}
    from deliveries d where d.mailing_id = ${mailing.mailingId} and d.status = 'failed' and d.id % 1000 = 0`.execute(
    handle.db,
  );
  await sql`${sql.raw(handle.dialect === "postgres" ? "analyze deliveries" : "analyze")}`.execute(handle.db);
}

/** First page with its count, then page 1,000 (or the last page, if fewer) by its keyset cursor. */
async function timeList(handle: DbHandle, mailingId: number, label: string, query: FollowUpQuery) {
  const first = { limit: 100 };
  let total = 0;
  const run = async () => {
    total = (await followUpRecipients(handle.db, mailingId, query, first)).total;
  };
  await run();
  const timing = await timeRuns(RUNS, run);
  const lastPage = Math.max(1, Math.ceil(total / 100));
  const deep = Math.min(DEEP_PAGE, lastPage);
  let line = `${handle.dialect}: follow-up, ${label}: first page + count (${total}) ${formatMs(timing)} — target ${TARGET_MS} ms: ${timing.median <= TARGET_MS ? "met" : "MISSED"}`;
  if (deep > 1) {
    // The cursor the list hands out after page deep − 1 (found once with an offset, not timed).
    const before = await followUpRecipients(handle.db, mailingId, query, {
      limit: 1,
      offset: (deep - 1) * 100 - 1,
    });
    const after = parseCursor(before.nextCursor!);
    let rows = 0;
    const page = async () => {
      rows = (await followUpRecipients(handle.db, mailingId, query, { limit: 100, after })).items.length;
    };
    await page();
    const deepTiming = await timeRuns(RUNS, page);
    line += `; page ${deep.toLocaleString("en")} (${rows} rows) ${formatMs(deepTiming)} — target ${DEEP_TARGET_MS} ms: ${deepTiming.median <= DEEP_TARGET_MS ? "met" : "MISSED"}`;
  }
  console.log(line);
}

async function explain(
  handle: DbHandle,
  query: { sql: string; parameters: readonly unknown[] },
): Promise<string> {
  const prefix = handle.dialect === "postgres" ? "explain (analyze, buffers) " : "explain query plan ";
  const result = await handle.db.executeQuery(CompiledQuery.raw(prefix + query.sql, [...query.parameters]));
  return (result.rows as Array<Record<string, unknown>>)
    .map((r) =>
      handle.dialect === "postgres"
        ? String(r["QUERY PLAN"])
        : `${"  ".repeat(Number(r.parent) ? 1 : 0)}${r.detail}`,
    )
    .join("\n");
}

/**
 * `BENCH_STATS_KEEP=name` keeps the generated data between runs (SQLite: a file in the temporary directory;
 * PostgreSQL: a schema of that name) and reuses it when it is there, so a change is measured in seconds instead of
 * generating a million deliveries again. Data is generated under a scratch name and renamed when complete, so an
 * interrupted run leaves nothing to reuse. Migrations added since are applied to the kept data. Drop it by hand
 * (`rm`, `drop schema … cascade`) or change the name for fresh data.
 */
const KEEP = process.env.BENCH_STATS_KEEP?.toLowerCase().replace(/[^a-z0-9_]/g, "_");

type Place = { handle: DbHandle; schema: string; file: string };

async function openPlace(dialect: Dialect, dir: string, name: string): Promise<Place> {
  const schema = `bench_stats_${name}`;
  const file = join(KEEP ? tmpdir() : dir, `utsend-bench-stats-${name}.db`);
  const handle =
    dialect === "sqlite"
      ? await openDatabase({ databaseUrl: `sqlite:${file}`, dataDir: dir })
      : await openDatabase({ databaseUrl: POSTGRES_URL, dataDir: dir, databaseSchema: schema });
  return { handle, schema, file };
}

async function keptExists(dialect: Dialect, dir: string): Promise<boolean> {
  if (!KEEP) return false;
  if (dialect === "sqlite") return existsSync(join(tmpdir(), `utsend-bench-stats-${KEEP}.db`));
  const probe = await openDatabase({ databaseUrl: POSTGRES_URL, dataDir: dir });
  try {
    const found = await sql<{
      n: string;
    }>`select count(*) as n from pg_namespace where nspname = ${`bench_stats_${KEEP}`}`.execute(probe.db);
    return Number(found.rows[0]?.n) > 0;
  } finally {
    await probe.close();
  }
}

/** The kept mailing: the one mailing in the data, its links in the order they were made. */
async function keptMailing(handle: DbHandle): Promise<{ mailingId: number; linkIds: number[] }> {
  const mailing = await handle.db.selectFrom("mailings").select("id").orderBy("id").executeTakeFirstOrThrow();
  const links = await handle.db
    .selectFrom("tracked_links")
    .select("id")
    .where("mailing_id", "=", mailing.id)
    .orderBy("id")
    .execute();
  return { mailingId: mailing.id, linkIds: links.map((l) => l.id) };
}

/** Generates the data in a new place; with BENCH_STATS_KEEP under a scratch name, renamed to the kept one at the end. */
async function generatePlace(dialect: Dialect, dir: string): Promise<Place> {
  const scratch = KEEP ? `${KEEP}_partial` : String(process.pid);
  // What an interrupted run left under the scratch name goes first.
  if (KEEP && dialect === "sqlite")
    for (const suffix of ["", "-wal", "-shm"])
      rmSync(join(tmpdir(), `utsend-bench-stats-${scratch}.db${suffix}`), { force: true });
  let place = await openPlace(dialect, dir, scratch);
  if (KEEP && dialect === "postgres") {
    await sql`drop schema if exists ${sql.id(place.schema)} cascade`.execute(place.handle.db);
    await place.handle.close();
    place = await openPlace(dialect, dir, scratch);
  }
  await migrateToLatest(place.handle);
  const seedStart = performance.now();
  const mailing = await generate(place.handle, dialect);
  await resendSome(place.handle, mailing);
  const events = await place.handle.db
    .selectFrom("events")
    .select((eb) => eb.fn.countAll<number | string>().as("n"))
    .executeTakeFirstOrThrow();
  console.log(
    `${dialect}: generated ${DELIVERIES.toLocaleString("en")} deliveries and ${Number(events.n).toLocaleString("en")} events with rollups in ${((performance.now() - seedStart) / 1000).toFixed(0)} s`,
  );
  if (!KEEP) return place;
  if (dialect === "postgres")
    await sql`alter schema ${sql.id(place.schema)} rename to ${sql.id(`bench_stats_${KEEP}`)}`.execute(
      place.handle.db,
    );
  await place.handle.close();
  if (dialect === "sqlite") renameSync(place.file, join(tmpdir(), `utsend-bench-stats-${KEEP}.db`));
  return openPlace(dialect, dir, KEEP);
}

async function benchDialect(dialect: Dialect): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), "bench-stats-"));
  const reuse = await keptExists(dialect, dir);
  const place = reuse ? await openPlace(dialect, dir, KEEP!) : await generatePlace(dialect, dir);
  const { handle } = place;
  try {
    if (reuse) {
      await migrateToLatest(handle);
      console.log(`${dialect}: reusing the kept data (BENCH_STATS_KEEP=${KEEP})`);
    }
    const mailing = await keptMailing(handle);
    const id = mailing.mailingId;
    const stats = await mailingStatistics(handle.db, id); // warm-up
    console.log(
      `${dialect}: sent ${stats.sent}, delivered ${stats.delivered}, opened ${stats.opened.unique} unique / ${stats.opened.total} total (${stats.opened.flagged} flagged), ` +
        `clicked ${stats.clicked.unique} / ${stats.clicked.total} (${stats.clicked.flagged} flagged), bounced ${stats.bounced.hard} hard + ${stats.bounced.soft} soft, ` +
        `unsubscribed ${stats.unsubscribed}, complained ${stats.complained}, blocked ${stats.recipients.blocked}, peak hour ${stats.timeline.peakHour}`,
    );
    const statistics = await timeRuns(RUNS, () => mailingStatistics(handle.db, id));
    console.log(
      `${dialect}: statistics ${formatMs(statistics)} — target ${TARGET_MS} ms: ${statistics.median <= TARGET_MS ? "met" : "MISSED"}`,
    );
    const lists: Array<[string, Parameters<typeof followUpRecipients>[2]]> = [
      ["no filter", { filters: [] }],
      ...FOLLOW_UP_FILTERS.map((f): [string, FollowUpQuery] => [f, { filters: [f] }]),
      [`clicked link ${mailing.linkIds[1]}`, { filters: [], linkId: mailing.linkIds[1]! }],
      ["opened + clicked link", { filters: ["opened"], linkId: mailing.linkIds[1]! }],
      ["bounced + unsubscribed", { filters: ["bounced", "unsubscribed"] }],
    ];
    const only = process.env.BENCH_STATS_ONLY?.split(",").map((l) => l.trim());
    for (const [label, query] of lists)
      if (!only || only.some((o) => label.startsWith(o))) await timeList(handle, id, label, query);
    if (process.env.BENCH_EXPLAIN) await explainAll(handle, id, mailing.linkIds[1]!);
  } finally {
    if (!KEEP && dialect === "postgres")
      await sql`drop schema if exists ${sql.id(place.schema)} cascade`.execute(handle.db);
    await handle.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

/** `BENCH_EXPLAIN=1`: each of the statistics' heavier queries alone, timed, with the plan that shows its index. */
async function explainAll(handle: DbHandle, mailingId: number, linkId: number): Promise<void> {
  const db = handle.db;
  const queries = {
    "deliveries by status": db
      .selectFrom("deliveries")
      .select(["status", (eb) => eb.fn.countAll().as("n")])
      .where("mailing_id", "=", mailingId)
      .groupBy("status"),
    "recipients by status and reason (as first written)": db
      .selectFrom("mailing_recipients")
      .select(["status", "block_reason", (eb) => eb.fn.countAll().as("n")])
      .where("mailing_id", "=", mailingId)
      .groupBy(["status", "block_reason"]),
    "recipients by status": db
      .selectFrom("mailing_recipients")
      .select(["status", (eb) => eb.fn.countAll().as("n")])
      .where("mailing_id", "=", mailingId)
      .groupBy("status"),
    "blocked recipients by reason": db
      .selectFrom("mailing_recipients")
      .select(["block_reason", (eb) => eb.fn.countAll().as("n")])
      .where("mailing_id", "=", mailingId)
      .where("status", "=", "blocked")
      .groupBy("block_reason"),
    "hourly buckets": db
      .selectFrom("mailing_hourly")
      .select(["hour", "kind", (eb) => eb.fn.sum("value").as("n")])
      .where("mailing_id", "=", mailingId)
      .groupBy(["hour", "kind"]),
    "unsubscribed and complained events": db
      .selectFrom("events")
      .select(["kind", (eb) => eb.fn.countAll().as("n")])
      .where("mailing_id", "=", mailingId)
      .where("kind", "in", ["unsubscribed", "complained"])
      .where("is_test", "=", 0)
      .groupBy("kind"),
    "clicked link": db
      .selectFrom("link_clickers")
      .select((eb) => eb.fn.countAll().as("n"))
      .where("link_id", "=", linkId),
  };
  for (const [label, query] of Object.entries(queries)) {
    const timing = await timeRuns(5, () => query.execute());
    console.log(
      `${handle.dialect}: ${label}: ${formatMs(timing)}; plan:\n${await explain(handle, query.compile())}`,
    );
  }
}

export async function benchStatistics(): Promise<void> {
  console.log(
    `one mailing, ${DELIVERIES.toLocaleString("en")} deliveries, ${EVENTS.toLocaleString("en")} events; ${RUNS} timed runs after a warm-up`,
  );
  const load = () =>
    `load average ${loadavg()
      .map((l) => l.toFixed(2))
      .join(", ")}`;
  console.log(`before: ${load()}`);
  if (!process.env.BENCH_POSTGRES_ONLY) await benchDialect("sqlite");
  console.log(`between: ${load()}`);
  if (!process.env.BENCH_SQLITE_ONLY) await benchDialect("postgres");
  console.log(`after: ${load()}`);
}
