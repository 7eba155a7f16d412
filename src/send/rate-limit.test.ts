import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { freshDatabase, type TestDb, testDialects } from "../../test/helpers/dialects.ts";
import { databaseRateLimiter } from "./rate-limit.ts";

describe.each(await testDialects())("the rate limiter on %s", (dialect) => {
  let t: TestDb;
  beforeAll(async () => {
    t = await freshDatabase(dialect);
  });
  afterAll(async () => t.dispose());

  it("shares one bucket between limiters, as between worker processes, and refills with time", async () => {
    let now = 1_000_000;
    const clock = () => now;
    // Two limiters over the same database: two worker processes.
    const a = databaseRateLimiter(t.db, clock);
    const b = databaseRateLimiter(t.db, clock);
    for (let i = 0; i < 2; i++) {
      await a.take(7, 5, 1);
      await b.take(7, 5, 1);
    }
    // 4 of a bucket of 5 are gone: taking 5 more must wait until the clock moves.
    let done = false;
    const waiting = a.take(7, 5, 5).then(() => {
      done = true;
    });
    await new Promise((r) => setTimeout(r, 150));
    expect(done).toBe(false);
    now += 1000;
    await waiting;
    expect(done).toBe(true);
    const row = await t.db
      .selectFrom("rate_buckets")
      .selectAll()
      .where("account_id", "=", 7)
      .executeTakeFirstOrThrow();
    expect(row.tokens).toBeLessThan(1);
  });

  it("keeps accounts apart", async () => {
    const limiter = databaseRateLimiter(t.db, () => 5_000_000);
    await limiter.take(8, 2, 2);
    await limiter.take(9, 2, 2);
    const rows = await t.db
      .selectFrom("rate_buckets")
      .select(["account_id", "tokens"])
      .where("account_id", "in", [8, 9])
      .execute();
    expect(rows.map((r) => r.tokens)).toEqual([0, 0]);
  });

  it("takes more than a bucket in turns: ten SMS parts at four a second wait for every token", async () => {
    let now = 9_000_000;
    const limiter = databaseRateLimiter(t.db, () => now);
    let done = false;
    const waiting = limiter.take(10, 4, 10).then(() => {
      done = true;
    });
    await new Promise((r) => setTimeout(r, 150));
    // The first four came from the full bucket; six more need 1.5 s of refill, and a bucket holds at most four.
    expect(done).toBe(false);
    now += 1000;
    // The limiter sleeps about a second between looks: by then it has taken four more and waits for the last two.
    await new Promise((r) => setTimeout(r, 1300));
    expect(done).toBe(false);
    now += 500;
    await waiting;
    expect(done).toBe(true);
  });
});
