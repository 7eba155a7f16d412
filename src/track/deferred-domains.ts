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

/**
 * Reads only the rows of the deliveries_waiting index (migration 0034: this mailing's pending deliveries with a try
 * behind them or a hold), so a mailing of 100,000 whose deliveries wait for nothing costs one index probe.
 */
export async function deferredByDomain(db: Db, mailingId: number): Promise<DeferredDomain[]> {
  const domain = runsOnPostgres(db)
    ? sql`split_part(address_key, '@', 2)`
    : sql`substr(address_key, instr(address_key, '@') + 1)`;
  const rows = await sql<{
    domain: string;
    waiting: number | string;
    last_reply: string | null;
    held_by: "pacing" | "warm-up" | null;
    next_try_at: string;
  }>`select domain, waiting, last_reply, held_by, next_try_at from (
      select domain,
        count(*) over (partition by domain) as waiting,
        min(next_try_at) over (partition by domain) as next_try_at,
        max(case when tries = 0 then held_reason end) over (partition by domain) as held_by,
        case when tries > 0 then last_reply end as last_reply,
        row_number() over (partition by domain order by case when tries > 0 then 1 else 0 end desc,
          updated_at desc, id desc) as rn
      from (select ${domain} as domain, id, tries, last_reply, held_reason, next_try_at, updated_at
        from deliveries
        where mailing_id = ${mailingId} and status = 'pending' and (tries > 0 or held_reason is not null)) waiting
    ) by_domain where rn = 1 order by waiting desc, domain limit ${LIMIT}`.execute(db);
  return rows.rows.map((r) => ({
    domain: r.domain,
    waiting: Number(r.waiting),
    lastReply: r.last_reply,
    heldBy: r.last_reply === null ? r.held_by : null,
    nextTryAt: r.next_try_at,
  }));
}
