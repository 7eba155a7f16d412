// Messages per second per sending account, held across every worker process: a token bucket row in the database,
// taken from by one atomic UPDATE, so two processes cannot spend the same token.
import { sql } from "kysely";
import type { Db } from "../db/connect.ts";

export type RateLimiter = { take(accountId: number, ratePerSecond: number, count: number): Promise<void> };

/** How many tokens an account's bucket holds: a twentieth of a second's worth, never less than one. */
export function bucketSize(ratePerSecond: number): number {
  return Math.max(1, ratePerSecond / 20);
}

export function databaseRateLimiter(db: Db, clock: () => number = Date.now): RateLimiter {
  const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
  return {
    async take(accountId, rate, count) {
      // The bucket holds a twentieth of a second's worth (at least one token): a start, or the end of an idle spell,
      // sends no burst above the rate (a second's bucket sent 194 SMS parts in the first second at 100/s), and two
      // workers busy with their database lose little of the refill (a fiftieth lost 4 %: 95.8/s at 100/s). More than
      // a bucket is taken in turns, so a group of multi-part SMS waits for every part's token.
      const capacity = bucketSize(rate);
      for (let left = count; left > 0; left -= capacity)
        await takeAtMost(accountId, rate, capacity, Math.min(left, capacity));
    },
  };

  async function takeAtMost(accountId: number, rate: number, capacity: number, want: number): Promise<void> {
    for (;;) {
      const now = clock();
      const refilled = sql`(case when tokens + (${now} - updated_ms) * ${rate} / 1000.0 > ${capacity}
          then ${capacity} else tokens + (${now} - updated_ms) * ${rate} / 1000.0 end)`;
      const taken = await sql`update rate_buckets set tokens = ${refilled} - ${want}, updated_ms = ${now}
          where account_id = ${accountId} and ${refilled} >= ${want}`.execute(db);
      if (Number(taken.numAffectedRows ?? 0) > 0) return;
      const row = await db
        .selectFrom("rate_buckets")
        .selectAll()
        .where("account_id", "=", accountId)
        .executeTakeFirst();
      if (!row) {
        // The account's first take: its bucket starts full. Made only when missing, not before every take: that was
        // a statement per group of messages for nothing.
        await db
          .insertInto("rate_buckets")
          .values({ account_id: accountId, tokens: capacity, updated_ms: now })
          .onConflict((oc) => oc.column("account_id").doNothing())
          .execute();
        continue;
      }
      const available = Math.min(capacity, row.tokens + ((now - row.updated_ms) * rate) / 1000);
      await sleep(Math.max(2, Math.ceil(((want - available) / rate) * 1000)));
    }
  }
}
