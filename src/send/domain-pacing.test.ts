import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { aPerson } from "../../test/helpers/builders.ts";
import { freshDatabase, type TestDb, testDialects } from "../../test/helpers/dialects.ts";
import { aReadyMailing, aSendingSetup } from "../../test/helpers/mailings.ts";
import { domainPacer, writeDomainPacing } from "./domain-pacing.ts";
import {
  claimDeliveries,
  type LedgerOptions,
  markSending,
  RETRY_WINDOW_MS,
  recordOutcomes,
  type SendResult,
} from "./ledger.ts";
import { BUILT_IN_PACING } from "./pacing-rules.ts";
import { beginSending } from "./planner.ts";
import { setDomainWarmUp } from "./warm-up.ts";

const OWNER = "pacing-test";
const settings = { bounceThreshold: 5 };

describe.each(await testDialects())("domain pacing on %s", (dialect) => {
  let t: TestDb;
  beforeAll(async () => {
    t = await freshDatabase(dialect);
  });
  afterAll(async () => t.dispose());

  /** A started mailing to `count` recipients at each domain, its deliveries created at `createdAt`. */
  async function aStartedMailing(domains: Record<string, number>, createdAt?: string) {
    // Each test claims only its own mailing's deliveries.
    await t.db.updateTable("mailings").set({ status: "cancelled" }).where("status", "=", "sending").execute();
    const setup = await aSendingSetup(t.db);
    const people = [];
    for (const [domain, count] of Object.entries(domains))
      for (let i = 0; i < count; i++) people.push(await aPerson(t.db, { email: `p${i}@${domain}` }));
    const mailing = await aReadyMailing(
      t.db,
      setup,
      people.map((p) => p.id),
    );
    await beginSending(t.db, mailing.id);
    if (createdAt)
      await t.db
        .updateTable("deliveries")
        .set({ created_at: createdAt, next_try_at: createdAt })
        .where("mailing_id", "=", mailing.id)
        .execute();
    return { setup, mailing };
  }

  const claimAll = (options: LedgerOptions) => claimDeliveries(t.db, dialect, OWNER, 500, options);
  const rowsOf = (mailingId: number) =>
    t.db
      .selectFrom("deliveries")
      .select([
        "id",
        "address_key",
        "status",
        "tries",
        "next_try_at",
        "held_reason",
        "bounce_kind",
        "updated_at",
      ])
      .where("mailing_id", "=", mailingId)
      .orderBy("id")
      .execute();

  it("holds what a domain's rate does not allow, spaced at its rate, with no try counted; other domains go", async () => {
    const domain = `slow-${dialect}.example`;
    await writeDomainPacing(t.db, {
      rules: [
        ...BUILT_IN_PACING.rules,
        { name: `Slow ${dialect}`, domains: [domain], ratePerSecond: 5, maxInFlight: null },
      ],
      otherDomains: BUILT_IN_PACING.otherDomains,
    });
    const { mailing } = await aStartedMailing({ [domain]: 12, [`other-${dialect}.example`]: 4 });
    const now = Date.now();
    const options = { leaseMs: 60_000, now: () => new Date(now) };
    const claimed = await claimAll(options);
    const admitted = await domainPacer(t.db, () => now).admit(OWNER, mailing.id, claimed, options);
    const rows = await rowsOf(mailing.id);
    const slow = rows.filter((r) => r.address_key.endsWith(domain));
    // A never-paced domain's bucket is full: a second's worth (5) goes at once, the other 7 wait 200 ms apart.
    expect(slow.filter((r) => admitted.has(r.id))).toHaveLength(5);
    const held = slow.filter((r) => !admitted.has(r.id));
    expect(held.map((r) => [r.status, r.tries, r.held_reason])).toEqual(
      Array(7).fill(["pending", 0, "pacing"]),
    );
    const slots = held.map((r) => Date.parse(r.next_try_at) - now).sort((a, b) => a - b);
    expect(slots).toEqual([200, 400, 600, 800, 1000, 1200, 1400]);
    expect(rows.filter((r) => r.address_key.includes("other-")).every((r) => admitted.has(r.id))).toBe(true);
    // A second worker at the same moment queues behind the first's held deliveries, sharing the one bucket.
    const again = await claimAll({ leaseMs: 60_000, now: () => new Date(now + 1400) });
    const second = await domainPacer(t.db, () => now + 1400).admit(OWNER, mailing.id, again, options);
    expect(second.size).toBe(5);
    const failed = await t.db
      .selectFrom("events")
      .select("id")
      .where("mailing_id", "=", mailing.id)
      .execute();
    expect(failed).toEqual([]);
  });

  it("keeps a worker's messages in flight to a provider within its bound until they settle", async () => {
    await writeDomainPacing(t.db, null);
    const domain = "gmail.com";
    const { mailing } = await aStartedMailing({ [domain]: 14 });
    const now = Date.now();
    const options = { leaseMs: 60_000, now: () => new Date(now) };
    const pacer = domainPacer(t.db, () => now);
    const claimed = await claimAll(options);
    const admitted = await pacer.admit(OWNER, mailing.id, claimed, options);
    expect(admitted.size).toBe(BUILT_IN_PACING.rules[0]!.maxInFlight);
    const held = (await rowsOf(mailing.id)).filter((r) => !admitted.has(r.id));
    expect(held.every((r) => Date.parse(r.next_try_at) === now + 1000 && r.held_reason === "pacing")).toBe(
      true,
    );
    await pacer.settle(
      claimed.filter((d) => admitted.has(d.id)),
      [],
    );
    const later = await claimAll({ leaseMs: 60_000, now: () => new Date(now + 1000) });
    expect((await pacer.admit(OWNER, mailing.id, later, options)).size).toBe(4);
  });

  it("slows a domain that answers 421 and never fails its deliveries before the 24 hours of SPEC §7", async () => {
    await writeDomainPacing(t.db, null);
    const domain = `busy-${dialect}.example`;
    const created = Date.parse("2026-12-01T08:00:00.000Z");
    const { mailing } = await aStartedMailing({ [domain]: 3 }, new Date(created).toISOString());
    let now = created;
    const options = { leaseMs: 60_000, now: () => new Date(now) };
    const pacer = domainPacer(t.db, () => now);
    const tried = new Map<number, number[]>();
    for (let round = 0; round < 200; round++) {
      const pending = (await rowsOf(mailing.id)).filter((r) => r.status === "pending");
      if (pending.length === 0) break;
      now = Math.max(now, Math.min(...pending.map((r) => Date.parse(r.next_try_at))));
      const claimed = await claimAll(options);
      const admitted = await pacer.admit(OWNER, mailing.id, claimed, options);
      const going = claimed.filter((d) => admitted.has(d.id));
      await markSending(
        t.db,
        OWNER,
        going.map((d) => d.id),
        options,
      );
      const results: SendResult[] = going.map((delivery) => ({
        delivery,
        outcome: { kind: "temporary", code: 421, status: "4.7.0", reply: "421 4.7.0 Try again later" },
      }));
      await recordOutcomes(t.db, OWNER, results, settings, options);
      await pacer.settle(going, results);
      for (const d of going) tried.set(d.id, [...(tried.get(d.id) ?? []), now]);
    }
    const rows = await rowsOf(mailing.id);
    const bucket = await t.db
      .selectFrom("domain_pacing")
      .selectAll()
      .where("key", "=", `domain:${domain}`)
      .executeTakeFirstOrThrow();
    expect(bucket.slowed_rate).toBeLessThan(20);
    for (const row of rows) {
      const times = tried.get(row.id)!;
      // Each try was a 421: the back-off grows from try to try, holds by pacing counted none, and the delivery
      // failed (soft) only on the last try before the 24 hours ran out.
      expect(row).toMatchObject({ status: "failed", bounce_kind: "soft", tries: times.length });
      const gaps = times.slice(1).map((at, i) => at - times[i]!);
      for (let i = 1; i < gaps.length; i++) expect(gaps[i]!).toBeGreaterThanOrEqual(gaps[i - 1]!);
      expect(times.at(-1)! - created).toBeGreaterThan(RETRY_WINDOW_MS - 8 * 3600_000);
      expect(times.slice(0, -1).every((at) => at - created < RETRY_WINDOW_MS)).toBe(true);
    }
  });

  it("holds a sending domain's deliveries beyond its warm-up day's allowance until the next UTC midnight", async () => {
    await writeDomainPacing(t.db, null);
    const day0 = Date.parse("2026-12-07T15:00:00.000Z");
    const { mailing, setup } = await aStartedMailing(
      { [`warm-${dialect}.example`]: 10 },
      "2026-12-07T00:00:00.000Z",
    );
    await setDomainWarmUp(
      t.db,
      setup.domain.id,
      { enabled: true, startPerDay: 3, growth: 2, untilPerDay: 100 },
      day0,
    );
    const at = (ms: number) => ({ leaseMs: 60_000, now: () => new Date(ms) });
    const first = await domainPacer(t.db, () => day0).admit(
      OWNER,
      mailing.id,
      await claimAll(at(day0)),
      at(day0),
    );
    expect(first.size).toBe(3);
    const held = (await rowsOf(mailing.id)).filter((r) => r.status === "pending");
    expect(held).toHaveLength(7);
    expect(
      held.every((r) => r.next_try_at === "2026-12-08T00:00:00.000Z" && r.held_reason === "warm-up"),
    ).toBe(true);
    expect(held.every((r) => r.tries === 0)).toBe(true);
    // Another worker the same day finds the day's allowance spent; the next day allows twice as many.
    await t.db
      .updateTable("deliveries")
      .set({ next_try_at: "2026-12-07T00:00:00.000Z" })
      .where("mailing_id", "=", mailing.id)
      .where("status", "=", "pending")
      .execute();
    const sameDay = await domainPacer(t.db, () => day0 + 60_000).admit(
      OWNER,
      mailing.id,
      await claimAll(at(day0 + 60_000)),
      at(day0 + 60_000),
    );
    expect(sameDay.size).toBe(0);
    const day1 = Date.parse("2026-12-08T00:00:00.000Z");
    const nextDay = await domainPacer(t.db, () => day1).admit(
      OWNER,
      mailing.id,
      await claimAll(at(day1)),
      at(day1),
    );
    expect(nextDay.size).toBe(6);
  });
});
