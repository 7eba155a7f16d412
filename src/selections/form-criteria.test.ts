// Dynamic criteria on form behaviour (submitted, confirmed by double opt-in, processed; one form or any; in a period),
// on every database, over form_submissions rows as the forms code leaves them.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { aPerson } from "../../test/helpers/builders.ts";
import { freshDatabase, type TestDb, testDialects } from "../../test/helpers/dialects.ts";
import type { Db } from "../db/connect.ts";
import type { FormSubmissionStatus } from "../db/schema.ts";
import { aForm } from "../forms/test-builders.ts";
import type { Criteria, LeafCriterion } from "./criteria.ts";
import { createSelection, previewCriteria, selectionMembers } from "./store.ts";

const all = { limit: 500, offset: 0 };
type FormLeaf = Extract<LeafCriterion, { type: "form" }>;

async function matching(db: Db, criteria: Criteria["criteria"], match: "all" | "any" = "all") {
  return (await previewCriteria(db, { match, criteria }, all)).items.map((p) => p.id).sort((a, b) => a - b);
}

/** A submission row as processing leaves it: a person only once it is linked (processed), or from a pre-fill. */
async function aSubmission(
  db: Db,
  formId: number,
  personId: number | null,
  submittedAt: string,
  status: FormSubmissionStatus,
  confirmed = false,
) {
  await db
    .insertInto("form_submissions")
    .values({
      form_id: formId,
      version: 1,
      answers: "{}",
      email_lower: null,
      ip: "127.0.0.0",
      user_agent: "test",
      submitted_at: submittedAt,
      status,
      reject_reason: status === "rejected" ? "spam" : null,
      person_id: personId,
      company_id: null,
      prefill_person_id: null,
      confirm_sent_at: confirmed ? submittedAt : null,
      confirm_expires_at: null,
      confirmed_at: confirmed ? submittedAt : null,
      processed_at: status === "processed" ? submittedAt : null,
      processed_by: null,
    })
    .execute();
}

const daysAgo = (n: number) => new Date(Date.now() - n * 24 * 60 * 60 * 1000).toISOString();

describe.each(await testDialects())("criteria on form behaviour on %s", (dialect) => {
  let t: TestDb;
  const p: Record<"anna" | "bo" | "cato" | "dina" | "eva", number> = {
    anna: 0,
    bo: 0,
    cato: 0,
    dina: 0,
    eva: 0,
  };
  let event: number;
  let newsletter: number;
  const ids = (...names: Array<keyof typeof p>) => names.map((n) => p[n]).sort((a, b) => a - b);
  const form = (criterion: Omit<FormLeaf, "type">): FormLeaf => ({ type: "form", ...criterion });

  beforeAll(async () => {
    t = await freshDatabase(dialect);
    for (const name of Object.keys(p) as Array<keyof typeof p>)
      p[name] = (await aPerson(t.db, { firstName: name })).id;
    event = (await aForm(t.db)).id;
    newsletter = (await aForm(t.db, { doubleOptIn: true })).id;
    // Event form: Anna processed on 2026-03-01 at the first instant of the day, Bo processed on 2026-03-31 at its
    // last millisecond, Cato's went back to submitted after a failed write (it keeps its person) on 2026-04-01.
    await aSubmission(t.db, event, p.anna, "2026-03-01T00:00:00.000Z", "processed");
    await aSubmission(t.db, event, p.bo, "2026-03-31T23:59:59.999Z", "processed");
    await aSubmission(t.db, event, p.cato, "2026-04-01T00:00:00.000Z", "submitted");
    // Newsletter (double opt-in): Dina confirmed and was processed 3 days ago, Eva 40 days ago; Anna's was linked by
    // a user without a confirmation 2 days ago and went back to submitted; a confirmed one waiting for a user and a
    // rejected one have no person yet and count for nobody.
    await aSubmission(t.db, newsletter, p.dina, daysAgo(3), "processed", true);
    await aSubmission(t.db, newsletter, p.eva, daysAgo(40), "processed", true);
    await aSubmission(t.db, newsletter, p.anna, daysAgo(2), "submitted");
    await aSubmission(t.db, newsletter, null, daysAgo(1), "submitted", true);
    await aSubmission(t.db, newsletter, null, daysAgo(1), "rejected");
  });
  afterAll(async () => t.dispose());

  it("finds who submitted one form, whatever became of the submission", async () => {
    expect(await matching(t.db, [form({ formId: event, status: "submitted" })])).toEqual(
      ids("anna", "bo", "cato"),
    );
    expect(await matching(t.db, [form({ formId: newsletter, status: "submitted" })])).toEqual(
      ids("anna", "dina", "eva"),
    );
  });

  it("finds who submitted any form, and who did not", async () => {
    expect(await matching(t.db, [form({ status: "submitted" })])).toEqual(
      ids("anna", "bo", "cato", "dina", "eva"),
    );
    const someoneElse = (await aPerson(t.db, { firstName: "frida" })).id;
    expect(
      await matching(t.db, [{ type: "field", field: "person.firstName", op: "eq", value: "frida" }]),
    ).toEqual([someoneElse]);
    expect(
      await matching(t.db, [
        form({ status: "submitted" }),
        { type: "field", field: "person.firstName", op: "eq", value: "frida" },
      ]),
    ).toEqual([]);
  });

  it("tells confirmed (double opt-in) and processed apart", async () => {
    expect(await matching(t.db, [form({ formId: newsletter, status: "confirmed" })])).toEqual(
      ids("dina", "eva"),
    );
    expect(await matching(t.db, [form({ formId: newsletter, status: "processed" })])).toEqual(
      ids("dina", "eva"),
    );
    expect(await matching(t.db, [form({ status: "processed" })])).toEqual(ids("anna", "bo", "dina", "eva"));
    expect(await matching(t.db, [form({ formId: newsletter, status: "processed", lastDays: 30 })])).toEqual(
      ids("dina"),
    );
    expect(await matching(t.db, [form({ formId: event, status: "confirmed" })])).toEqual([]);
  });

  it("keeps both ends of a period, whole UTC days", async () => {
    const march = (status: FormLeaf["status"]) =>
      matching(t.db, [form({ formId: event, status, from: "2026-03-01", to: "2026-03-31" })]);
    expect(await march("submitted")).toEqual(ids("anna", "bo"));
    expect(await march("processed")).toEqual(ids("anna", "bo"));
    expect(await matching(t.db, [form({ status: "submitted", from: "2026-03-02" })])).toEqual(
      ids("anna", "bo", "cato", "dina", "eva"),
    );
    expect(
      await matching(t.db, [
        form({ formId: event, status: "submitted", from: "2026-03-02", to: "2026-04-01" }),
      ]),
    ).toEqual(ids("bo", "cato"));
    expect(await matching(t.db, [form({ formId: event, status: "submitted", to: "2026-02-28" })])).toEqual(
      [],
    );
    expect(await matching(t.db, [form({ formId: event, status: "submitted", from: "2026-04-02" })])).toEqual(
      [],
    );
  });

  it("counts the last N days back from now", async () => {
    expect(await matching(t.db, [form({ status: "submitted", lastDays: 30 })])).toEqual(ids("anna", "dina"));
    expect(await matching(t.db, [form({ status: "confirmed", lastDays: 30 })])).toEqual(ids("dina"));
    expect(await matching(t.db, [form({ formId: newsletter, status: "confirmed", lastDays: 60 })])).toEqual(
      ids("dina", "eva"),
    );
  });

  it("evaluates a saved selection fresh: a new confirmed submission joins it", async () => {
    const selection = await createSelection(t.db, {
      name: "Bekreftet nyhetsbrev",
      kind: "dynamic",
      criteria: { match: "all", criteria: [form({ formId: newsletter, status: "confirmed", lastDays: 7 })] },
    });
    const members = async () => (await selectionMembers(t.db, selection.id, {}, all)).items.map((m) => m.id);
    expect(await members()).toEqual([p.dina]);
    await aSubmission(t.db, newsletter, p.bo, daysAgo(0), "processed", true);
    expect((await members()).sort((a, b) => a - b)).toEqual(ids("bo", "dina"));
  });

  it("refuses an unknown form, a date that is none, a period that ends before it starts, and two kinds of period", async () => {
    const save = (criterion: LeafCriterion) =>
      createSelection(t.db, {
        name: "x",
        kind: "dynamic",
        criteria: { match: "all", criteria: [{ type: "interest", op: "has", interest: "x" }, criterion] },
      });
    await expect(save(form({ formId: 999_999, status: "submitted" }))).rejects.toMatchObject({
      code: "REFERENCE_NOT_FOUND",
      details: { field: "criteria.criteria[1].formId" },
      message: expect.stringContaining("no form 999999"),
    });
    await expect(save(form({ status: "submitted", from: "2026-02-30" }))).rejects.toMatchObject({
      code: "VALIDATION_FAILED",
      details: { fields: [{ field: "criteria.criteria[1].from" }] },
    });
    await expect(
      save(form({ status: "submitted", from: "2026-05-01", to: "2026-04-30" })),
    ).rejects.toMatchObject({
      code: "VALIDATION_FAILED",
      details: { fields: [{ field: "criteria.criteria[1].to" }] },
    });
    await expect(save(form({ status: "submitted", from: "2026-05-01", lastDays: 7 }))).rejects.toMatchObject({
      code: "VALIDATION_FAILED",
      details: { fields: [{ field: "criteria.criteria[1].lastDays" }] },
    });
  });
});
