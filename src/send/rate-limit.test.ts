import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { freshDatabase, type TestDb, testDialects } from "../../test/helpers/dialects.ts";
import { bucketSize, databaseRateLimiter } from "./rate-limit.ts";

const settle = () => new Promise((r) => setTimeout(r, 150));

describe("bucketSize", () => {
  it("holds a twentieth of a second's worth, never less than one token", () => {
    expect(bucketSize(100)).toBe(5);
    expect(bucketSize(5000)).toBe(250);
    expect(bucketSize(5)).toBe(1);
  });
});

describe.each(await testDialects())("the rate limiter on %s", (dialect) => {
  let t: TestDb;
  beforeAll(async () => {
    t = await freshDatabase(dialect);
  });
  afterAll(async () => t.dispose());

  it("shares one bucket between limiters, as between worker processes, and refills with time", async () => {
    let now = 1_000_000;
    const clock = () => now;
    // Two limiters over the same database: two worker processes. At 100/s the bucket holds 5.
    const a = databaseRateLimiter(t.db, clock);
    const b = databaseRateLimiter(t.db, clock);
    await a.take(7, 100, 2);
    await b.take(7, 100, 3);
    // The bucket is empty and the clock stands still: the next token waits.
    let done = false;
    const waiting = b.take(7, 100, 1).then(() => {
      done = true;
    });
    await settle();
    expect(done).toBe(false);
    now += 10; // a hundredth of a second: one token at 100/s
    await waiting;
    expect(done).toBe(true);
    const row = await t.db
      .selectFrom("rate_buckets")
      .selectAll()
      .where("account_id", "=", 7)
      .executeTakeFirstOrThrow();
    expect(row.tokens).toBeLessThan(1);
  });

  it("never lets an idle spell build up more than a twentieth of a second", async () => {
    let now = 2_000_000;
    const limiter = databaseRateLimiter(t.db, () => now);
    await limiter.take(11, 100, 5);
    now += 60_000; // a minute idle: still only 5 tokens, not 100 or 6,000
    await limiter.take(11, 100, 5);
    let done = false;
    const waiting = limiter.take(11, 100, 1).then(() => {
      done = true;
    });
    await settle();
    expect(done).toBe(false);
    now += 10;
    await waiting;
    expect(done).toBe(true);
  });

  it("keeps accounts apart", async () => {
    const limiter = databaseRateLimiter(t.db, () => 5_000_000);
    await limiter.take(8, 100, 5);
    await limiter.take(9, 100, 5);
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
    await settle();
    // The bucket holds one token at 4/s: the first part went at once, and each of the nine more needs its quarter
    // of a second; a jump of the clock gives one token, not a second's worth.
    expect(done).toBe(false);
    for (let step = 1; step <= 8; step++) {
      now += 250;
      await new Promise((r) => setTimeout(r, 300));
    }
    expect(done).toBe(false);
    now += 250;
    await waiting;
    expect(done).toBe(true);
  });
});
