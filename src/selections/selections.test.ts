import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { aCompany, aPerson } from "../../test/helpers/builders.ts";
import { freshDatabase, type TestDb, testDialects } from "../../test/helpers/dialects.ts";
import type { Db } from "../db/connect.ts";
import { createCustomField, createSubscriptionType } from "../persons/catalogue.ts";
import { recordConsent, setSubscription } from "../persons/consent.ts";
import type { Criteria } from "./criteria.ts";
import {
  addSelectionMembers,
  createSelection,
  deleteSelection,
  previewCriteria,
  selectionMembers,
  updateSelection,
} from "./store.ts";

const all = { limit: 500, offset: 0 };

async function memberIds(db: Db, id: number): Promise<number[]> {
  return (await selectionMembers(db, id, {}, all)).items.map((p) => p.id).sort((a, b) => a - b);
}

async function matching(db: Db, criteria: Criteria): Promise<number[]> {
  return (await previewCriteria(db, criteria, all)).items.map((p) => p.id).sort((a, b) => a - b);
}

describe.each(await testDialects())("selections on %s", (dialect) => {
  let t: TestDb;
  const people: Record<string, number> = {};
  let newsletter: number;

  beforeAll(async () => {
    t = await freshDatabase(dialect);
    const oslo = await aCompany(t.db, "Oslo Tre AS", "Oslo");
    const bergen = await aCompany(t.db, "Bergen Fisk AS", "Bergen");
    newsletter = (await createSubscriptionType(t.db, { name: "Nyhetsbrev" })).id;
    await createCustomField(t.db, { key: "ansatte", label: "Ansatte", type: "number" });
    people.kari = (
      await aPerson(t.db, {
        firstName: "Kari",
        lastName: "Nordmann",
        companyId: oslo.id,
        interests: ["Kurs"],
        customFields: { ansatte: "9" },
      })
    ).id;
    people.ola = (
      await aPerson(t.db, {
        firstName: "Ola",
        lastName: "Ødegård",
        companyId: bergen.id,
        customFields: { ansatte: "120" },
      })
    ).id;
    people.per = (await aPerson(t.db, { firstName: "Per", lastName: "Hansen", email: "", title: "Sjef" })).id;
    people.liv = (
      await aPerson(t.db, { firstName: "Liv", lastName: "Berg", companyId: oslo.id, formerEmployee: true })
    ).id;
    await recordConsent(t.db, people.kari, { purpose: "e-marketing", legalBasis: "consent", source: "form" });
    await recordConsent(t.db, people.ola, {
      purpose: "e-marketing",
      legalBasis: "withdrawn",
      source: "manual",
    });
    await setSubscription(t.db, people.kari, { typeId: newsletter, status: "subscribed", source: "form" });
    await setSubscription(t.db, people.liv, {
      typeId: newsletter,
      status: "unsubscribed",
      source: "unsubscribe-link",
    });
  });
  afterAll(async () => t.dispose());

  it("matches text fields without regard to case, and company fields through the person's company", async () => {
    expect(
      await matching(t.db, {
        match: "all",
        criteria: [{ type: "field", field: "company.city", op: "eq", value: "OSLO" }],
      }),
    ).toEqual([people.kari, people.liv].sort((a, b) => a! - b!));
    expect(
      await matching(t.db, {
        match: "all",
        criteria: [{ type: "field", field: "person.lastName", op: "startsWith", value: "ød" }],
      }),
    ).toEqual([people.ola]);
  });

  it("treats a missing value as empty and not equal", async () => {
    expect(
      await matching(t.db, {
        match: "all",
        criteria: [{ type: "field", field: "person.email", op: "isEmpty" }],
      }),
    ).toEqual([people.per]);
    const notOslo = await matching(t.db, {
      match: "all",
      criteria: [{ type: "field", field: "company.city", op: "neq", value: "Oslo" }],
    });
    expect(notOslo).toEqual([people.ola, people.per].sort((a, b) => a! - b!));
  });

  it("tests interests, consent state, subscription status and the former-employee flag", async () => {
    const one = (criteria: Criteria["criteria"]) => matching(t.db, { match: "all", criteria });
    expect(await one([{ type: "interest", op: "has", interest: "kurs" }])).toEqual([people.kari]);
    expect(await one([{ type: "consent", purpose: "e-marketing", state: "active" }])).toEqual([people.kari]);
    expect(await one([{ type: "consent", purpose: "e-marketing", state: "withdrawn" }])).toEqual([
      people.ola,
    ]);
    expect(await one([{ type: "consent", purpose: "e-marketing", state: "missing" }])).toEqual(
      [people.per, people.liv].sort((a, b) => a! - b!),
    );
    expect(await one([{ type: "subscription", typeId: newsletter, status: "unsubscribed" }])).toEqual([
      people.liv,
    ]);
    expect(await one([{ type: "subscription", typeId: newsletter, status: "never" }])).toEqual(
      [people.ola, people.per].sort((a, b) => a! - b!),
    );
    expect(await one([{ type: "field", field: "person.formerEmployee", op: "eq", value: "true" }])).toEqual([
      people.liv,
    ]);
  });

  it("compares number custom fields as numbers, not as text", async () => {
    const big = await matching(t.db, {
      match: "all",
      criteria: [{ type: "customField", key: "ansatte", op: "gt", value: "10" }],
    });
    expect(big).toEqual([people.ola]);
  });

  it("combines criteria with all, any and a nested group", async () => {
    const criteria: Criteria = {
      match: "all",
      criteria: [
        { type: "field", field: "company.city", op: "isNotEmpty" },
        {
          type: "group",
          match: "any",
          criteria: [
            { type: "interest", op: "has", interest: "Kurs" },
            { type: "field", field: "person.firstName", op: "eq", value: "ola" },
          ],
        },
      ],
    };
    expect(await matching(t.db, criteria)).toEqual([people.kari, people.ola].sort((a, b) => a! - b!));
  });

  it("refuses criteria naming a purpose that does not exist, with the path to it", async () => {
    await expect(
      createSelection(t.db, {
        name: "x",
        kind: "dynamic",
        criteria: { match: "all", criteria: [{ type: "consent", purpose: "nope", state: "active" }] },
      }),
    ).rejects.toMatchObject({
      code: "REFERENCE_NOT_FOUND",
      details: { field: "criteria.criteria[0].purpose" },
    });
  });

  it("evaluates a dynamic selection fresh each time", async () => {
    const selection = await createSelection(t.db, {
      name: "Kurs",
      kind: "dynamic",
      criteria: { match: "all", criteria: [{ type: "interest", op: "has", interest: "Kurs" }] },
    });
    expect(await memberIds(t.db, selection.id)).toEqual([people.kari]);
    const late = await aPerson(t.db, { interests: ["Kurs"] });
    expect(await memberIds(t.db, selection.id)).toEqual([people.kari, late.id]);
  });

  it("computes union, intersection and difference of two selections", async () => {
    const a = await createSelection(t.db, { name: "A", kind: "static" });
    await addSelectionMembers(t.db, a.id, [people.kari!, people.ola!]);
    const b = await createSelection(t.db, { name: "B", kind: "static" });
    await addSelectionMembers(t.db, b.id, [people.ola!, people.per!]);
    const combined = async (op: "union" | "intersection" | "difference") =>
      memberIds(
        t.db,
        (
          await createSelection(t.db, {
            name: op,
            kind: "combined",
            combine: { op, leftId: a.id, rightId: b.id },
          })
        ).id,
      );
    const sort = (ids: Array<number | undefined>) => (ids as number[]).sort((x, y) => x - y);
    expect(await combined("union")).toEqual(sort([people.kari, people.ola, people.per]));
    expect(await combined("intersection")).toEqual([people.ola]);
    expect(await combined("difference")).toEqual([people.kari]);
  });

  it("refuses a combined selection that would include itself", async () => {
    const a = await createSelection(t.db, { name: "A2", kind: "static" });
    const b = await createSelection(t.db, { name: "B2", kind: "static" });
    const c = await createSelection(t.db, {
      name: "C",
      kind: "combined",
      combine: { op: "union", leftId: a.id, rightId: b.id },
    });
    const d = await createSelection(t.db, {
      name: "D",
      kind: "combined",
      combine: { op: "union", leftId: c.id, rightId: b.id },
    });
    await expect(
      updateSelection(t.db, c.id, { combine: { op: "union", leftId: d.id, rightId: b.id } }),
    ).rejects.toMatchObject({
      code: "SELECTION_CYCLE",
    });
    await expect(deleteSelection(t.db, a.id)).rejects.toMatchObject({ code: "CONFLICT" });
  });

  it("adds members only to static selections and refuses unknown persons", async () => {
    const dynamic = await createSelection(t.db, {
      name: "dyn",
      kind: "dynamic",
      criteria: { match: "all", criteria: [] },
    });
    await expect(addSelectionMembers(t.db, dynamic.id, [people.kari!])).rejects.toMatchObject({
      code: "SELECTION_KIND_MISMATCH",
    });
    const stat = await createSelection(t.db, { name: "stat", kind: "static" });
    await expect(addSelectionMembers(t.db, stat.id, [999_999])).rejects.toMatchObject({
      code: "REFERENCE_NOT_FOUND",
      details: { field: "personIds" },
    });
    expect(await addSelectionMembers(t.db, stat.id, [people.kari!, people.kari!])).toEqual({ added: 1 });
    expect(await addSelectionMembers(t.db, stat.id, [people.kari!])).toEqual({ added: 0 });
  });
});
