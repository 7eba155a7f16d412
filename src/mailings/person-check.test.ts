import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { aPerson } from "../../test/helpers/builders.ts";
import { freshDatabase, type TestDb, testDialects } from "../../test/helpers/dialects.ts";
import { createSubscriptionType } from "../persons/catalogue.ts";
import { recordConsent, setSubscription } from "../persons/consent.ts";
import { checkPerson } from "./person-check.ts";
import { addSource, resolveRecipients } from "./recipients.ts";
import { createMailing } from "./store.ts";

describe.each(await testDialects())("checking one person against a mailing on %s", (dialect) => {
  let t: TestDb;
  let n = 0;
  const email = (name: string) => `${name}-${++n}-${dialect}@example.no`;

  beforeAll(async () => {
    t = await freshDatabase(dialect);
  });
  afterAll(async () => t.dispose());

  it("says eligible, unsubscribed from the mailing's type, or left out without an address, and leaves no trace", async () => {
    const type = await createSubscriptionType(t.db, { name: `Nyhetsbrev ${++n}` });
    const mailing = await createMailing(t.db, { name: "Sjekk", subscriptionTypeId: type.id }, null);
    const consenting = await aPerson(t.db, { email: email("ja") });
    await recordConsent(t.db, consenting.id, {
      purpose: "e-marketing",
      legalBasis: "consent",
      source: "form",
    });
    const unsubscribed = await aPerson(t.db, { email: email("avmeldt") });
    await recordConsent(t.db, unsubscribed.id, {
      purpose: "e-marketing",
      legalBasis: "consent",
      source: "form",
    });
    await setSubscription(t.db, unsubscribed.id, { typeId: type.id, status: "unsubscribed", source: "form" });
    const withoutAddress = await aPerson(t.db, { email: "" });
    const mailingsBefore = await t.db.selectFrom("mailings").select("id").execute();

    expect(await checkPerson(t.db, mailing.id, consenting.id)).toEqual({
      personId: consenting.id,
      status: "eligible",
      reason: null,
      alreadyListed: false,
    });
    expect(await checkPerson(t.db, mailing.id, unsubscribed.id)).toMatchObject({
      status: "blocked",
      reason: "unsubscribed",
    });
    expect(await checkPerson(t.db, mailing.id, withoutAddress.id)).toMatchObject({
      status: "left-out",
      reason: "no-email",
    });
    expect(await t.db.selectFrom("mailings").select("id").execute()).toEqual(mailingsBefore);
  });

  it("answers with the list's own row for a person already on it", async () => {
    const mailing = await createMailing(t.db, { name: "Liste" }, null);
    const person = await aPerson(t.db, { email: email("med") });
    await recordConsent(t.db, person.id, { purpose: "e-marketing", legalBasis: "consent", source: "form" });
    await addSource(t.db, mailing.id, { kind: "person", refId: person.id });
    await resolveRecipients(t.db, mailing.id);
    expect(await checkPerson(t.db, mailing.id, person.id)).toMatchObject({
      status: "eligible",
      alreadyListed: true,
    });
  });

  it("refuses a person who does not exist, and leaves no scratch mailing behind", async () => {
    const mailing = await createMailing(t.db, { name: "Ukjent" }, null);
    const before = await t.db.selectFrom("mailings").select("id").execute();
    await expect(checkPerson(t.db, mailing.id, 999_999)).rejects.toMatchObject({
      code: "REFERENCE_NOT_FOUND",
    });
    expect(await t.db.selectFrom("mailings").select("id").execute()).toEqual(before);
  });
});
