// Recording a group whose messages were all accepted: on PostgreSQL one statement of data-modifying CTEs, on SQLite
// the general transaction; both must leave the same deliveries, events, counts and soft-bounce runs.
import { sql } from "kysely";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { aPerson } from "../../test/helpers/builders.ts";
import { freshDatabase, type TestDb, testDialects } from "../../test/helpers/dialects.ts";
import { aReadyMailing, aSendingSetup } from "../../test/helpers/mailings.ts";
import { claimDeliveries, claimStatement, markSending, recordOutcomes, type SendResult } from "./ledger.ts";
import { beginSending } from "./planner.ts";

const OWNER = "ledger-test";
const settings = { bounceThreshold: 5 };

const dialects = await testDialects();

describe.each(dialects)("recording accepted messages on %s", (dialect) => {
  let t: TestDb;
  beforeAll(async () => {
    t = await freshDatabase(dialect);
  });
  afterAll(async () => t.dispose());

  it("marks them sent with one event each, ends their soft-bounce runs, and leaves a lost claim alone", async () => {
    const setup = await aSendingSetup(t.db);
    const people = [];
    for (let i = 0; i < 4; i++) people.push(await aPerson(t.db, { email: `acc${i}-${dialect}@example.no` }));
    const mailing = await aReadyMailing(
      t.db,
      setup,
      people.map((p) => p.id),
    );
    await beginSending(t.db, mailing.id);
    const now = new Date();
    const options = { leaseMs: 60_000, now: () => now };
    // Two addresses in a soft-bounce run, one of them blocked already (a block is not a run to end), and one
    // address nobody sends to this time.
    await t.db
      .insertInto("address_blocks")
      .values([
        { address_lower: `acc0-${dialect}@example.no`, blocked: 0, soft_count: 2, updated_at: "2026-01-01" },
        { address_lower: `acc1-${dialect}@example.no`, blocked: 1, soft_count: 5, updated_at: "2026-01-01" },
        { address_lower: `other-${dialect}@example.no`, blocked: 0, soft_count: 3, updated_at: "2026-01-01" },
      ])
      .execute();
    const claimed = await claimDeliveries(t.db, dialect, OWNER, 10, options);
    expect(claimed).toHaveLength(4);
    await markSending(
      t.db,
      OWNER,
      claimed.map((d) => d.id),
      options,
    );
    // Another process took the last one over (its lease ran out and it was recovered meanwhile).
    const lost = claimed[3]!;
    await t.db
      .updateTable("deliveries")
      .set({ lease_owner: "someone-else" })
      .where("id", "=", lost.id)
      .execute();

    const results: SendResult[] = claimed.map((delivery) => ({
      delivery,
      outcome: { kind: "accepted", reply: "250 2.0.0 queued" },
    }));
    await recordOutcomes(t.db, OWNER, results, settings, options);

    const rows = await t.db
      .selectFrom("deliveries")
      .select(["id", "status", "sent_at", "lease_owner", "lease_expires_at"])
      .where("mailing_id", "=", mailing.id)
      .orderBy("id")
      .execute();
    expect(rows.slice(0, 3)).toEqual(
      claimed.slice(0, 3).map((d) => ({
        id: d.id,
        status: "sent",
        sent_at: now.toISOString(),
        lease_owner: null,
        lease_expires_at: null,
      })),
    );
    expect(rows[3]).toMatchObject({ id: lost.id, status: "sending", lease_owner: "someone-else" });

    const events = await t.db
      .selectFrom("events")
      .select(["delivery_id", "person_id", "kind", "flagged", "is_test", "created_at"])
      .where("mailing_id", "=", mailing.id)
      .orderBy("delivery_id")
      .execute();
    expect(events).toEqual(
      claimed.slice(0, 3).map((d) => ({
        delivery_id: d.id,
        person_id: d.person_id,
        kind: "sent",
        flagged: 0,
        is_test: 0,
        created_at: now.toISOString(),
      })),
    );

    const blocks = await t.db
      .selectFrom("address_blocks")
      .select(["address_lower", "blocked", "soft_count"])
      .orderBy("address_lower")
      .execute();
    expect(blocks).toEqual([
      { address_lower: `acc0-${dialect}@example.no`, blocked: 0, soft_count: 0 },
      { address_lower: `acc1-${dialect}@example.no`, blocked: 1, soft_count: 5 },
      { address_lower: `other-${dialect}@example.no`, blocked: 0, soft_count: 3 },
    ]);

    // The state counts the statistics read move with the deliveries (triggers on both databases).
    const counts = await t.db
      .selectFrom("delivery_counts")
      .select(["state", (eb) => eb.fn.sum<number>("n").as("n")])
      .where("mailing_id", "=", mailing.id)
      .groupBy("state")
      .execute();
    const byState = Object.fromEntries(counts.map((c) => [c.state, Number(c.n)]).filter(([, n]) => n !== 0));
    expect(byState).toEqual({ sent: 3, sending: 1 });

    // Recording the same outcomes again (a retried write) changes nothing and adds no event.
    await recordOutcomes(t.db, OWNER, results, settings, options);
    const again = await t.db
      .selectFrom("events")
      .select((eb) => eb.fn.countAll<number>().as("n"))
      .where("mailing_id", "=", mailing.id)
      .executeTakeFirstOrThrow();
    expect(Number(again.n)).toBe(3);
  });
});

// PostgreSQL's planner only: SQLite's queue index ends with the rowid, so its claim stops after the batch already.
describe.each(dialects.filter((d) => d === "postgres"))(
  "claiming halfway through a big mailing on %s",
  (dialect) => {
    let t: TestDb;
    beforeAll(async () => {
      t = await freshDatabase(dialect);
    });
    afterAll(async () => t.dispose());

    it("reads the batch in the queue index's order and stops after it, not past every delivery already sent", async () => {
      const setup = await aSendingSetup(t.db);
      const person = await aPerson(t.db, { email: `claim-${dialect}@example.no` });
      const mailing = await aReadyMailing(t.db, setup, [person.id], {
        options: { overrideConsent: true, refreshOnSend: false },
      });
      await sql`insert into mailing_recipients (mailing_id, position, email, email_lower, status, created_at)
        select ${mailing.id}, 1 + g, 'p' || g || '@example.no', 'p' || g || '@example.no', 'eligible', 'now'
        from generate_series(1, 100000) g`.execute(t.db);
      await beginSending(t.db, mailing.id);
      // The first half sent, as a worker leaves it halfway.
      await sql`update deliveries set status = 'sent' where id in (select id from deliveries order by id limit 50000)`.execute(
        t.db,
      );
      await sql`analyze deliveries`.execute(t.db);
      // EXPLAIN ANALYZE runs the claim; what it changed goes with the rollback.
      const rolledBack = new Error("rolled back");
      let plan: unknown;
      await t.db
        .transaction()
        .execute(async (trx) => {
          const rows = await sql<{ "QUERY PLAN": unknown }>`explain (analyze, format json) ${claimStatement(
            dialect,
            OWNER,
            200,
            { leaseMs: 60_000 },
          )}`.execute(trx);
          plan = rows.rows[0]!["QUERY PLAN"];
          throw rolledBack;
        })
        .catch((error: unknown) => {
          if (error !== rolledBack) throw error;
        });
      type Node = {
        "Node Type": string;
        "Index Name"?: string;
        "Rows Removed by Filter"?: number;
        Plans?: Node[];
      };
      const nodes: Node[] = [];
      const walk = (n: Node) => {
        nodes.push(n);
        for (const c of n.Plans ?? []) walk(c);
      };
      walk((plan as unknown as Array<{ Plan: Node }>)[0]!.Plan);
      expect(nodes.some((n) => n["Index Name"] === "deliveries_claim_order")).toBe(true);
      // Ordered by id alone it walked the primary key and filtered out the 50,000 sent deliveries.
      const removed = nodes.reduce((sum, n) => sum + (n["Rows Removed by Filter"] ?? 0), 0);
      expect(removed).toBeLessThan(1000);
    });
  },
);
