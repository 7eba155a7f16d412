import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { aPerson } from "../../test/helpers/builders.ts";
import { freshDatabase, type TestDb, testDialects } from "../../test/helpers/dialects.ts";
import { AppError } from "../shared/errors.ts";
import { createSubscriptionType } from "./catalogue.ts";
import { consentHistory, recordConsent, setSubscription } from "./consent.ts";
import { getPerson } from "./persons.ts";

describe.each(await testDialects())("consent and subscriptions on %s", (dialect) => {
  let t: TestDb;
  beforeAll(async () => {
    t = await freshDatabase(dialect);
  });
  afterAll(async () => t.dispose());

  it("keeps every consent change in the history and the latest as the current state", async () => {
    const person = await aPerson(t.db);
    await recordConsent(t.db, person.id, { purpose: "e-marketing", legalBasis: "consent", source: "form" });
    await recordConsent(t.db, person.id, {
      purpose: "e-marketing",
      legalBasis: "withdrawn",
      source: "manual",
      comment: "called us",
    });
    const read = await getPerson(t.db, person.id);
    expect(read.consents).toEqual([
      expect.objectContaining({ purpose: "e-marketing", legalBasis: "withdrawn", source: "manual" }),
    ]);
    const history = await consentHistory(t.db, person.id);
    expect(history.map((h) => [h.change, h.source, h.comment])).toEqual([
      ["withdrawn", "manual", "called us"],
      ["consent", "form", null],
    ]);
  });

  it("refuses an unknown purpose", async () => {
    const person = await aPerson(t.db);
    await expect(
      recordConsent(t.db, person.id, { purpose: "telepathy", legalBasis: "consent", source: "manual" }),
    ).rejects.toMatchObject({ code: "REFERENCE_NOT_FOUND" });
  });

  it("remembers an unsubscribe: a user cannot subscribe the person again, the person can", async () => {
    const type = await createSubscriptionType(t.db, { name: `Nyhetsbrev ${dialect}` });
    const person = await aPerson(t.db);
    await setSubscription(t.db, person.id, { typeId: type.id, status: "subscribed", source: "form" });
    await setSubscription(t.db, person.id, {
      typeId: type.id,
      status: "unsubscribed",
      source: "unsubscribe-link",
    });
    const refused = await setSubscription(t.db, person.id, {
      typeId: type.id,
      status: "subscribed",
      source: "manual",
    }).catch((e: unknown) => e);
    expect(refused).toBeInstanceOf(AppError);
    expect((refused as AppError).code).toBe("UNSUBSCRIBE_REMEMBERED");
    expect((await getPerson(t.db, person.id)).subscriptions[0]!.status).toBe("unsubscribed");
    await setSubscription(t.db, person.id, { typeId: type.id, status: "subscribed", source: "form" });
    expect((await getPerson(t.db, person.id)).subscriptions[0]!.status).toBe("subscribed");
    const history = await consentHistory(t.db, person.id);
    expect(history.map((h) => h.change)).toEqual(["subscribed", "unsubscribed", "subscribed"]);
  });
});
