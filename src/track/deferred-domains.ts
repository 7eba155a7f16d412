// The statistics' problems panel: a mailing's waiting deliveries by recipient domain — those a server answered 4xx
// (SPEC §7: retried with back-off up to 24 h) and those domain pacing or a warm-up holds back.
import { sql } from "kysely";
import { type Db, runsOnPostgres } from "../db/connect.ts";

export type DeferredDomain = {
  domain: string;
  waiting: number;
  lastReply: string | null;
  heldBy: "pacing" | "warm-up" | null;
  nextTryAt: string;
};

/** At most this many domains, most waiting first: the panel points at problems, the recipient list has the rest. */
const LIMIT = 20;
/** "2026-12-07T15:00:00.000Z": every time the application writes has this length (shared/clock.ts). */
const ISO_LENGTH = 24;

/**
 * Reads only the rows of the deliveries_waiting index (migration 0034: this mailing's pending deliveries with a try
 * behind them or a hold), so a mailing of 100,000 whose deliveries wait for nothing costs one index probe.
 */
export async function deferredByDomain(
  db: Db,
  mailingId: number,
  /** The benchmark (bench/deferred-domains.ts) turns the SQLite hint off to measure what it buys. */
  options: { sqliteIndexHint?: boolean } = {},
): Promise<DeferredDomain[]> {
  const postgres = runsOnPostgres(db);
  const domain = postgres
    ? sql`split_part(address_key, '@', 2)`
    : sql`substr(address_key, instr(address_key, '@') + 1)`;
  // SQLite's planner takes (mailing_id, status) over the partial index, whose statistics say it is empty, and then
  // walks every pending delivery of a mailing that has just started (100,000: 41 ms against 0.1 ms); PostgreSQL
  // picks the partial index on its own.
  const source =
    postgres || options.sqliteIndexHint === false
      ? sql`deliveries`
      : sql`deliveries indexed by deliveries_waiting`;
  // One grouping pass, no window: the latest refusal's reply is the greatest `updated_at || last_reply` (updated_at is
  // a fixed-width ISO time), cut off again below.
  const rows = await sql<{
    domain: string;
    waiting: number | string;
    latest_reply: string | null;
    held_by: "pacing" | "warm-up" | null;
    next_try_at: string;
  }>`select domain, count(*) as waiting, min(next_try_at) as next_try_at,
        max(case when tries > 0 then updated_at || last_reply end) as latest_reply,
        max(case when tries = 0 then held_reason end) as held_by
      from (select ${domain} as domain, tries, last_reply, held_reason, next_try_at, updated_at
        from ${source}
        where mailing_id = ${mailingId} and status = 'pending' and (tries > 0 or held_reason is not null)) waiting
      group by domain order by waiting desc, domain limit ${LIMIT}`.execute(db);
  return rows.rows.map((r) => ({
    domain: r.domain,
    waiting: Number(r.waiting),
    lastReply: r.latest_reply === null ? null : r.latest_reply.slice(ISO_LENGTH),
    heldBy: r.latest_reply === null ? r.held_by : null,
    nextTryAt: r.next_try_at,
  }));
}
