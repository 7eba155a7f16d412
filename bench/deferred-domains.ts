// `npm run bench -- deferred-domains`: the statistics' deferred-by-domain list (src/track/deferred-domains.ts) on a
// mailing of 100,000 deliveries over 50 recipient domains, on SQLite and PostgreSQL: with nothing waiting, and with
// 20,000 waiting (half after a 421, half held by pacing). Each timed with the partial index deliveries_waiting and,
// in the same run, without it (the ratio is what the index buys); median of 7 after a warm-up.
import { mkdtempSync, rmSync } from "node:fs";
import { loadavg, tmpdir } from "node:os";
import { join } from "node:path";
import { sql } from "kysely";
import { type DbHandle, type Dialect, openDatabase } from "../src/db/connect.ts";
import { migrateToLatest } from "../src/db/migrate.ts";
import { deferredByDomain } from "../src/track/deferred-domains.ts";
import { formatMs, timeRuns } from "./stats.ts";
import { seedMailing } from "./tracking-data.ts";

const DELIVERIES = Number(process.env.BENCH_DELIVERIES ?? 100_000);
const RUNS = 7;
const POSTGRES_URL = process.env.UTSEND_TEST_POSTGRES_URL ?? "postgres://postgres@127.0.0.1:5432/test";

async function plan(handle: DbHandle, mailingId: number): Promise<string> {
  // The query's innermost scan is where the index shows; the grouping above it is the same either way.
  const hint = handle.dialect === "sqlite" && withIndex ? " indexed by deliveries_waiting" : "";
  const probe = `select id from deliveries${hint} where mailing_id = ${mailingId} and status = 'pending' and (tries > 0 or held_reason is not null)`;
  const rows = await sql
    .raw<Record<string, unknown>>(
      `${handle.dialect === "postgres" ? "explain" : "explain query plan"} ${probe}`,
    )
    .execute(handle.db);
  return rows.rows.map((r) => String(r["QUERY PLAN"] ?? r.detail)).join(" / ");
}

let withIndex = true;

async function timeCase(handle: DbHandle, mailingId: number, label: string): Promise<number> {
  let domains = 0;
  const run = async () => {
    domains = (await deferredByDomain(handle.db, mailingId, { sqliteIndexHint: withIndex })).length;
  };
  await run();
  const timing = await timeRuns(RUNS, run);
  console.log(
    `${handle.dialect}: ${label}: ${domains} domains, ${formatMs(timing)}; plan: ${await plan(handle, mailingId)}`,
  );
  return timing.median;
}

async function analyze(handle: DbHandle) {
  await sql.raw(handle.dialect === "postgres" ? "analyze deliveries" : "analyze").execute(handle.db);
}

async function benchDialect(dialect: Dialect): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), "bench-deferred-"));
  const schema = `bench_deferred_${process.pid}`;
  withIndex = true;
  const handle =
    dialect === "sqlite"
      ? await openDatabase({ databaseUrl: `sqlite:${join(dir, "bench.db")}`, dataDir: dir })
      : await openDatabase({ databaseUrl: POSTGRES_URL, dataDir: dir, databaseSchema: schema });
  try {
    await migrateToLatest(handle);
    const mailing = await seedMailing(handle, {
      deliveries: DELIVERIES,
      blocked: 0,
      links: 1,
      startedAt: Math.floor(Date.now() / 1000) - 3600,
      sendSpreadSeconds: 3600,
      mixedStatuses: true,
    });
    const id = mailing.mailingId;
    await sql`update deliveries set address_key = 'p' || id || '@d' || (id % 50) || '.example'
      where mailing_id = ${id}`.execute(handle.db);
    await analyze(handle);
    const none = await timeCase(handle, id, "nothing waiting, with the index");
    // A mailing that has just started: every delivery pending, none refused or held yet.
    await sql`update deliveries set status = 'pending', tries = 0 where mailing_id = ${id}`.execute(
      handle.db,
    );
    await analyze(handle);
    const fresh = await timeCase(handle, id, "100,000 pending, none waiting, with the index");
    await sql`update deliveries set status = 'sent' where mailing_id = ${id}`.execute(handle.db);
    const later = new Date(Date.now() + 60_000).toISOString();
    await sql`update deliveries set status = 'pending', next_try_at = ${later},
        tries = case when id % 10 = 0 then 1 else 0 end,
        last_reply = case when id % 10 = 0 then '421 4.7.0 Try again later' else null end,
        held_reason = case when id % 10 = 5 then 'pacing' else null end
      where mailing_id = ${id} and id % 5 = 0`.execute(handle.db);
    await analyze(handle);
    const waiting = await timeCase(handle, id, "20,000 waiting, with the index");
    await sql`drop index deliveries_waiting`.execute(handle.db);
    withIndex = false;
    await analyze(handle);
    const noneWithout = await timeCaseAfterReset(handle, id, later);
    await sql`update deliveries set status = 'pending' where mailing_id = ${id} and id % 5 <> 0`.execute(
      handle.db,
    );
    await sql`update deliveries set status = 'pending', tries = 0, held_reason = null where mailing_id = ${id} and id % 5 = 0`.execute(
      handle.db,
    );
    await analyze(handle);
    const freshWithout = await timeCase(handle, id, "100,000 pending, none waiting, without the index");
    await sql`update deliveries set status = 'sent' where mailing_id = ${id} and id % 5 <> 0`.execute(
      handle.db,
    );
    await sql`update deliveries set tries = case when id % 10 = 0 then 1 else 0 end,
        held_reason = case when id % 10 = 5 then 'pacing' else null end
      where mailing_id = ${id} and id % 5 = 0`.execute(handle.db);
    await analyze(handle);
    const waitingWithout = await timeCase(handle, id, "20,000 waiting, without the index");
    console.log(
      `${dialect}: without the index / with it: nothing waiting ${(noneWithout / none).toFixed(1)}×, 100,000 pending ${(freshWithout / fresh).toFixed(1)}×, 20,000 waiting ${(waitingWithout / waiting).toFixed(1)}×; load average ${loadavg()
        .map((l) => l.toFixed(2))
        .join(" ")}`,
    );
  } finally {
    if (dialect === "postgres") await sql`drop schema if exists ${sql.id(schema)} cascade`.execute(handle.db);
    await handle.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

/** Nothing waiting without the index: the 20,000 moved aside (sent) for the measurement, then put back. */
async function timeCaseAfterReset(handle: DbHandle, id: number, later: string): Promise<number> {
  await sql`update deliveries set status = 'sent' where mailing_id = ${id} and id % 5 = 0`.execute(handle.db);
  await analyze(handle);
  const median = await timeCase(handle, id, "nothing waiting, without the index");
  await sql`update deliveries set status = 'pending', next_try_at = ${later} where mailing_id = ${id} and id % 5 = 0`.execute(
    handle.db,
  );
  await analyze(handle);
  return median;
}

export async function benchDeferredDomains(): Promise<void> {
  console.log(
    `load average before: ${loadavg()
      .map((l) => l.toFixed(2))
      .join(" ")}`,
  );
  for (const dialect of ["sqlite", "postgres"] as const) await benchDialect(dialect);
}
