// Planning a mailing's deliveries at Send: one per eligible recipient without one, and on PostgreSQL a plan that
// stays linear on a deliveries table whose statistics say empty (a first mailing).
import { sql } from "kysely";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { aPerson } from "../../test/helpers/builders.ts";
import { freshDatabase, type TestDb, testDialects } from "../../test/helpers/dialects.ts";
import { aReadyMailing, aSendingSetup } from "../../test/helpers/mailings.ts";
import { beginSending, deliveriesInsert } from "./planner.ts";

const dialects = await testDialects();

describe.each(dialects)("planning deliveries on %s", (dialect) => {
  let t: TestDb;
  beforeAll(async () => {
    t = await freshDatabase(dialect);
  });
  afterAll(async () => t.dispose());

  it("gives each eligible recipient one delivery, and none to a recipient that has one already", async () => {
    const setup = await aSendingSetup(t.db);
    const people = [];
    for (let i = 0; i < 3; i++) people.push(await aPerson(t.db, { email: `plan${i}-${dialect}@example.no` }));
    // Not resolved again at Send: that would make the list afresh, and drop the delivery given below with it.
    const mailing = await aReadyMailing(
      t.db,
      setup,
      people.map((p) => p.id),
      { options: { overrideConsent: true, refreshOnSend: false } },
    );
    const recipients = await t.db
      .selectFrom("mailing_recipients")
      .select(["id", "person_id", "email", "email_lower"])
      .where("mailing_id", "=", mailing.id)
      .orderBy("id")
      .execute();
    expect(recipients).toHaveLength(3);
    const had = recipients[1]!;
    const now = new Date().toISOString();
    await t.db
      .insertInto("deliveries")
      .values({
        mailing_id: mailing.id,
        recipient_id: had.id,
        attempt: 1,
        person_id: had.person_id,
        channel: "email",
        address: had.email!,
        address_key: had.email_lower!,
        status: "pending",
        message_id: `kept-${dialect}@example.no`,
        tries: 0,
        next_try_at: now,
        created_at: now,
        updated_at: now,
      })
      .execute();

    const { deliveries } = await beginSending(t.db, mailing.id);

    expect(deliveries).toBe(2);
    const rows = await t.db
      .selectFrom("deliveries")
      .select(["recipient_id", "message_id"])
      .where("mailing_id", "=", mailing.id)
      .orderBy("recipient_id")
      .execute();
    expect(rows.map((r) => r.recipient_id)).toEqual(recipients.map((r) => r.id));
    expect(rows[1]!.message_id).toBe(`kept-${dialect}@example.no`);
  });
});

// PostgreSQL's planner only: SQLite has no statistics that could mislead it here.
describe.each(dialects.filter((d) => d === "postgres"))("planning deliveries at scale on %s", (dialect) => {
  let t: TestDb;
  beforeAll(async () => {
    t = await freshDatabase(dialect);
  });
  afterAll(async () => t.dispose());

  it("reads the mailing's deliveries once, not once per recipient, when the table's statistics say it is empty", async () => {
    const setup = await aSendingSetup(t.db);
    const person = await aPerson(t.db, { email: `plan-many-${dialect}@example.no` });
    const mailing = await aReadyMailing(t.db, setup, [person.id]);
    await sql`insert into mailing_recipients (mailing_id, position, email, email_lower, status, created_at)
          select ${mailing.id}, 1 + g, 'p' || g || '@example.no', 'p' || g || '@example.no', 'eligible', 'now'
          from generate_series(1, 5000) g`.execute(t.db);
    await sql`delete from deliveries`.execute(t.db);
    await sql`analyze deliveries`.execute(t.db);
    await sql`analyze mailing_recipients`.execute(t.db);
    const plan = await sql<{ "QUERY PLAN": string }>`explain ${deliveriesInsert(
      mailing.id,
      sql`'email', r.email, r.email_lower, 'pending', 'm' || r.id`,
      new Date().toISOString(),
    )}`.execute(t.db);
    const text = plan.rows.map((r) => r["QUERY PLAN"]).join("\n");
    // As `not exists (… where d.recipient_id = r.id)` this was a Nested Loop Anti Join with a scan of deliveries
    // per recipient.
    expect(text).toContain("hashed SubPlan");
    expect(text).not.toMatch(/Nested Loop/);
  });
});
