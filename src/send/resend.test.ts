// resendAsNewAttempt on every database: who gets a new attempt, to which address, and who is left out and why.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { aPerson } from "../../test/helpers/builders.ts";
import { freshDatabase, type TestDb, testDialects } from "../../test/helpers/dialects.ts";
import { aReadyMailing, aSendingSetup } from "../../test/helpers/mailings.ts";
import type { Db } from "../db/connect.ts";
import type { DeliveryStatus } from "../db/schema.ts";
import { blockAddress } from "../deliveries/blocks.ts";
import { updatePerson } from "../persons/persons.ts";
import { beginSending } from "./planner.ts";
import { resendAsNewAttempt } from "./resend.ts";

/** A mailing to `n` new persons, planned, with each first attempt set to the given status and the mailing finished. */
async function aSentMailing(db: Db, statuses: DeliveryStatus[], tag: string) {
  const setup = await aSendingSetup(db);
  const persons = [];
  for (const [i] of statuses.entries()) persons.push(await aPerson(db, { email: `${tag}${i}@example.no` }));
  const mailing = await aReadyMailing(
    db,
    setup,
    persons.map((p) => p.id),
  );
  await beginSending(db, mailing.id);
  const deliveries = await db
    .selectFrom("deliveries")
    .selectAll()
    .where("mailing_id", "=", mailing.id)
    .orderBy("person_id")
    .execute();
  for (const [i, d] of deliveries.entries())
    await db.updateTable("deliveries").set({ status: statuses[i]! }).where("id", "=", d.id).execute();
  await db.updateTable("mailings").set({ status: "finished" }).where("id", "=", mailing.id).execute();
  return { mailing, persons, deliveries, domain: setup.domain.domain };
}

describe.each(await testDialects())("resendAsNewAttempt on %s", (dialect) => {
  let t: TestDb;
  beforeAll(async () => {
    t = await freshDatabase(dialect);
  });
  afterAll(async () => t.dispose());

  it("makes attempt 2 with its own Message-ID, to the person's current address, and opens the finished mailing", async () => {
    const { mailing, persons, deliveries, domain } = await aSentMailing(t.db, ["bounced"], `ny-${dialect}-`);
    await updatePerson(
      t.db,
      persons[0]!.id,
      { emails: [{ address: `Rettet-${dialect}@example.no` }] },
      {
        defaultCountry: "NO",
      },
    );
    const recipientId = deliveries[0]!.recipient_id;
    const result = await resendAsNewAttempt(t.db, mailing.id, [recipientId]);
    expect(result.skipped).toEqual([]);
    expect(result.created).toEqual([
      { recipientId, deliveryId: expect.any(Number), email: `Rettet-${dialect}@example.no`, attempt: 2 },
    ]);
    const created = await t.db
      .selectFrom("deliveries")
      .selectAll()
      .where("id", "=", result.created[0]!.deliveryId)
      .executeTakeFirstOrThrow();
    expect(created).toMatchObject({
      status: "pending",
      attempt: 2,
      person_id: persons[0]!.id,
      address_key: `rettet-${dialect}@example.no`,
      message_id: `m${mailing.id}.r${recipientId}.a2@${domain}`,
    });
    const recipient = await t.db
      .selectFrom("mailing_recipients")
      .select(["email", "email_lower"])
      .where("id", "=", recipientId)
      .executeTakeFirstOrThrow();
    expect(recipient).toEqual({
      email: `Rettet-${dialect}@example.no`,
      email_lower: `rettet-${dialect}@example.no`,
    });
    const m = await t.db
      .selectFrom("mailings")
      .select("status")
      .where("id", "=", mailing.id)
      .executeTakeFirstOrThrow();
    expect(m.status).toBe("sending");
    // The first attempt keeps its history.
    const first = await t.db
      .selectFrom("deliveries")
      .select(["status", "address as email"])
      .where("id", "=", deliveries[0]!.id)
      .executeTakeFirstOrThrow();
    expect(first).toEqual({ status: "bounced", email: `ny-${dialect}-0@example.no` });
  });

  it("leaves out who received it, who has an attempt on its way, a blocked address, an unsure one and strangers", async () => {
    const { mailing, deliveries, persons } = await aSentMailing(
      t.db,
      ["sent", "complained", "pending", "bounced", "unknown", "failed", "bounced"],
      `hopp-${dialect}-`,
    );
    await blockAddress(
      t.db,
      `hopp-${dialect}-3@example.no`,
      "hard-bounce",
      "550 5.1.1 unknown",
      new Date().toISOString(),
    );
    await t.db.updateTable("persons").set({ former_employee: 1 }).where("id", "=", persons[6]!.id).execute();
    const ids = deliveries.map((d) => d.recipient_id);
    const result = await resendAsNewAttempt(t.db, mailing.id, [...ids, 999_999]);
    expect(Object.fromEntries(result.skipped.map((s) => [s.recipientId, s.reason]))).toEqual({
      [ids[0]!]: "received",
      [ids[1]!]: "received",
      [ids[2]!]: "in-flight",
      [ids[3]!]: "blocked",
      [ids[4]!]: "received",
      [ids[6]!]: "former-employee",
      999999: "not-a-recipient",
    });
    expect(result.created.map((c) => c.recipientId)).toEqual([ids[5]]);
    // Asked again, the new attempt is in flight: nobody gets two.
    const again = await resendAsNewAttempt(t.db, mailing.id, [ids[5]!]);
    expect(again).toEqual({ created: [], skipped: [{ recipientId: ids[5], reason: "in-flight" }] });
    // A person who looked at the unsure delivery may decide to send again.
    const unsure = await resendAsNewAttempt(t.db, mailing.id, [ids[4]!], { despiteUnknown: true });
    expect(unsure.created).toHaveLength(1);
  });

  it("does not send to recipients the list left out, nor for a mailing that has not been sent", async () => {
    const { mailing, deliveries } = await aSentMailing(t.db, ["bounced"], `ute-${dialect}-`);
    await t.db
      .updateTable("mailing_recipients")
      .set({ status: "blocked", block_reason: "no-consent" })
      .where("id", "=", deliveries[0]!.recipient_id)
      .execute();
    const result = await resendAsNewAttempt(t.db, mailing.id, [deliveries[0]!.recipient_id]);
    expect(result.skipped).toEqual([{ recipientId: deliveries[0]!.recipient_id, reason: "not-eligible" }]);
    const m = await t.db
      .selectFrom("mailings")
      .select("status")
      .where("id", "=", mailing.id)
      .executeTakeFirstOrThrow();
    expect(m.status).toBe("finished");

    const setup = await aSendingSetup(t.db);
    const draft = await aReadyMailing(t.db, setup, []);
    await expect(resendAsNewAttempt(t.db, draft.id, [1])).rejects.toMatchObject({
      code: "MAILING_WRONG_STATUS",
    });
    await expect(resendAsNewAttempt(t.db, 999_999, [1])).rejects.toMatchObject({ code: "NOT_FOUND" });
  });
});
