import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { aCompany, aPerson } from "../../test/helpers/builders.ts";
import { freshDatabase, type TestDb, testDialects } from "../../test/helpers/dialects.ts";
import { AppError } from "../shared/errors.ts";
import { createCustomField } from "./catalogue.ts";
import { createPerson, getPerson, listPersons, updatePerson } from "./persons.ts";

const options = { defaultCountry: "NO" };

async function errorOf(promise: Promise<unknown>): Promise<AppError> {
  try {
    await promise;
  } catch (error) {
    if (error instanceof AppError) return error;
    throw error;
  }
  throw new Error("expected an AppError");
}

describe.each(await testDialects())("persons on %s", (dialect) => {
  let t: TestDb;
  beforeAll(async () => {
    t = await freshDatabase(dialect);
  });
  afterAll(async () => t.dispose());

  it("stores the mobile as E.164 in the default country and makes the first address primary", async () => {
    const person = await createPerson(
      t.db,
      {
        firstName: "Åse",
        lastName: "Ødegård",
        mobile: "412 34 567",
        emails: [{ address: "ase@example.no" }, { address: "ase2@example.no" }],
      },
      options,
    );
    expect(person.mobile).toBe("+4741234567");
    expect(person.email).toBe("ase@example.no");
    expect(person.emails).toEqual([
      { address: "ase@example.no", primary: true },
      { address: "ase2@example.no", primary: false },
    ]);
  });

  it("uses the address marked primary for mailings", async () => {
    const person = await aPerson(t.db, {
      email: "",
      emails: [{ address: "first@example.no" }, { address: "chosen@example.no", primary: true }],
    });
    expect(person.email).toBe("chosen@example.no");
  });

  it("names each invalid field: e-mail, mobile, language", async () => {
    const error = await errorOf(
      createPerson(
        t.db,
        { lastName: "X", emails: [{ address: "not-an-address" }], mobile: "12", language: "Norsk" },
        options,
      ),
    );
    expect(error.code).toBe("VALIDATION_FAILED");
    const fields = (error.details.fields as Array<{ field: string }>).map((f) => f.field);
    expect(fields).toEqual(["mobile", "language", "emails[0].address"]);
  });

  it("refuses two primary addresses and a repeated address", async () => {
    const error = await errorOf(
      aPerson(t.db, {
        email: "",
        emails: [
          { address: "a@example.no", primary: true },
          { address: "A@example.no" },
          { address: "b@example.no", primary: true },
        ],
      }),
    );
    const fields = (error.details.fields as Array<{ field: string }>).map((f) => f.field);
    expect(fields).toEqual(["emails[1].address", "emails"]);
  });

  it("refuses a company that does not exist, naming companyId", async () => {
    const error = await errorOf(aPerson(t.db, { companyId: 999_999 }));
    expect(error.code).toBe("REFERENCE_NOT_FOUND");
    expect(error.details.field).toBe("companyId");
  });

  it("keeps fields left out of an update and clears a field set to null", async () => {
    const person = await aPerson(t.db, { title: "Daglig leder", mobile: "98765432" });
    const updated = await updatePerson(t.db, person.id, { title: null }, options);
    expect(updated.title).toBeNull();
    expect(updated.mobile).toBe("+4798765432");
    expect(updated.lastName).toBe(person.lastName);
  });

  it("validates custom field values by their type", async () => {
    await createCustomField(t.db, { key: "antallAnsatte", label: "Antall ansatte", type: "number" });
    const error = await errorOf(aPerson(t.db, { customFields: { antallAnsatte: "mange" } }));
    expect((error.details.fields as Array<{ field: string }>)[0]!.field).toBe("customFields.antallAnsatte");
    const ok = await aPerson(t.db, {
      customFields: { antallAnsatte: "42" },
      interests: ["Kurs", "kurs", "Bærekraft"],
    });
    const read = await getPerson(t.db, ok.id);
    expect(read.customFields).toEqual({ antallAnsatte: "42" });
    expect(read.interests).toEqual(["Bærekraft", "Kurs"]);
  });

  it("searches names, addresses and company names without regard to case, Nordic letters included", async () => {
    const company = await aCompany(t.db, "Blåbær Regnskap AS");
    const person = await aPerson(t.db, {
      firstName: "Øystein",
      lastName: "Ærlig",
      email: "oystein@blabaer.no",
      companyId: company.id,
    });
    for (const q of ["ØYSTEIN", "ærl", "OYSTEIN@BLA", "blåbær regn"]) {
      const page = await listPersons(t.db, { q }, { limit: 10, offset: 0 });
      expect(
        page.items.map((p) => p.id),
        q,
      ).toContain(person.id);
    }
    const none = await listPersons(t.db, { q: "100%_" }, { limit: 10, offset: 0 });
    expect(none.total).toBe(0);
  });

  it("filters persons without e-mail and pages through them", async () => {
    await aPerson(t.db, { email: "" });
    await aPerson(t.db, { email: "" });
    const page = await listPersons(t.db, { hasEmail: false }, { limit: 1, offset: 1 });
    expect(page.items).toHaveLength(1);
    expect(page.items[0]!.email).toBeNull();
    expect(page.total).toBeGreaterThanOrEqual(2);
  });
});
