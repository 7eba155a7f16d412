import { writeFileSync } from "node:fs";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { sql } from "kysely";
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { aPerson } from "../../test/helpers/builders.ts";
import { freshDatabase, type TestDb, testDialects } from "../../test/helpers/dialects.ts";
import { createCompany } from "../companies/companies.ts";
import { createCustomField, createSubscriptionType } from "../persons/catalogue.ts";
import { consentHistory, recordConsent, setSubscription } from "../persons/consent.ts";
import { getPerson } from "../persons/persons.ts";
import { suppressAddresses } from "../privacy/suppression.ts";
import { createSelection } from "../selections/store.ts";
import { AppError } from "../shared/errors.ts";
import {
  type ImportOptions,
  type ImportProgress,
  type ImportReport,
  importPersons,
} from "./import-persons.ts";
import { saveMapping } from "./mappings.ts";

const fixture = (name: string) => ({ path: join(import.meta.dirname, "../../test/fixtures/imports", name) });
const attestation = { legalBasis: "consent", source: "Påmeldingsliste, messe 2024" };
const base: ImportOptions = { attestation, defaultCountry: "NO" };

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "utsend-import-"));
});
afterAll(async () => rm(dir, { recursive: true, force: true }));

let fileCount = 0;
function csvFile(lines: string[]): { path: string } {
  const path = join(dir, `file-${++fileCount}.csv`);
  writeFileSync(path, `${lines.join("\n")}\n`);
  return { path };
}

async function refusal(promise: Promise<unknown>): Promise<AppError> {
  try {
    await promise;
  } catch (error) {
    if (error instanceof AppError) return error;
    throw error;
  }
  throw new Error("expected the import to be refused");
}

describe.each(await testDialects())("importing persons on %s", (dialect) => {
  let db: TestDb;
  beforeEach(async () => {
    db = await freshDatabase(dialect);
  });
  afterEach(async () => db.dispose());

  const count = async (table: "persons" | "companies" | "consent_history" | "person_emails") =>
    Number(
      (
        await db.db
          .selectFrom(table)
          .select((eb) => eb.fn.countAll<number>().as("n"))
          .executeTakeFirstOrThrow()
      ).n,
    );
  /** Kari Old, known by kari@example.no (primary) and kari.jobb@example.no. */
  const kariWithTwoAddresses = async () => {
    const kari = await aPerson(db.db, { email: "kari@example.no", firstName: "Kari", lastName: "Old" });
    await db.db
      .insertInto("person_emails")
      .values({
        person_id: kari.id,
        address: "kari.jobb@example.no",
        address_lower: "kari.jobb@example.no",
        is_primary: 0,
        created_at: "2026-01-01T00:00:00.000Z",
      })
      .execute();
    return kari;
  };
  const personByEmail = async (address: string) => {
    const row = await db.db
      .selectFrom("person_emails")
      .select("person_id")
      .where("address_lower", "=", address.toLowerCase())
      .executeTakeFirstOrThrow();
    return getPerson(db.db, row.person_id);
  };

  it("dry-runs a file with bad rows: every problem by spreadsheet row and column name, and nothing written", async () => {
    const report = await importPersons(db, fixture("persons-broken-rows.csv"), { ...base, dryRun: true });
    expect(report.issues).toEqual([
      {
        row: 3,
        column: "Email",
        value: "not-an-email",
        kind: "invalid-email",
        reason: "is not a valid e-mail address",
      },
      {
        row: 4,
        column: "Mobile",
        value: "12",
        kind: "invalid-mobile",
        reason: "is not a valid mobile number",
      },
      {
        row: 5,
        column: "Email",
        value: "",
        kind: "missing-email",
        reason: "is blank; every imported person needs an e-mail address",
      },
      {
        row: 7,
        column: "Language",
        value: "klingon",
        kind: "invalid-language",
        reason: "is not a language such as nb, en or norsk",
      },
      {
        row: 9,
        column: "City",
        value: "Bergen",
        kind: "company-without-name",
        reason: "company details need the company's name in the same row",
      },
      {
        row: 10,
        column: "Email",
        value: "two@example.no;three@example.no",
        kind: "several-emails",
        reason: "holds more than one e-mail address; import one address per row",
      },
    ]);
    expect(report).toMatchObject({
      dryRun: true,
      rows: 9,
      valid: 3,
      invalid: 6,
      created: 2,
      updated: 0,
      duplicatesInFile: 1,
      companiesCreated: 1,
      duplicates: [{ row: 8, email: "OK.ONE@example.no", firstRow: 2 }],
    });
    expect(await count("persons")).toBe(0);
    expect(await count("companies")).toBe(0);
    expect(await count("consent_history")).toBe(0);
  });

  it("skips invalid rows, imports the rest and merges a repeated address into its first row", async () => {
    const report = await importPersons(db, fixture("persons-broken-rows.csv"), base);
    expect(report).toMatchObject({
      dryRun: false,
      invalid: 6,
      created: 2,
      duplicatesInFile: 1,
      companiesCreated: 1,
    });
    expect(report.issues.map((i) => i.row)).toEqual([3, 4, 5, 7, 9, 10]);
    expect(await count("persons")).toBe(2);
    const ola = await personByEmail("ok.one@example.no");
    // Row 8 repeats row 2 with a blank first name and a corrected last name.
    expect(ola).toMatchObject({
      firstName: "Ola",
      lastName: "Nordmann",
      mobile: "+4791234567",
      language: "nb",
    });
    expect(ola.companyName).toBe("Acme AS");
    expect((await personByEmail("ok.two@example.no")).companyId).toBe(ola.companyId);
  });

  it("refuses the whole file when all-or-nothing and a row is invalid, with the report, writing nothing", async () => {
    const error = await refusal(
      importPersons(db, fixture("persons-broken-rows.csv"), { ...base, allOrNothing: true }),
    );
    expect(error.code).toBe("IMPORT_ROWS_INVALID");
    const report = error.details.report as ImportReport;
    expect(report.invalid).toBe(6);
    expect(report.issues[0]).toEqual({
      row: 3,
      column: "Email",
      value: "not-an-email",
      kind: "invalid-email",
      reason: "is not a valid e-mail address",
    });
    expect(await count("persons")).toBe(0);
    expect(await count("companies")).toBe(0);
    expect(await count("consent_history")).toBe(0);
  });

  it("imports a clean file all-or-nothing", async () => {
    const report = await importPersons(db, fixture("persons-utf8-bom.csv"), { ...base, allOrNothing: true });
    expect(report).toMatchObject({ created: 3, invalid: 0 });
    const kari = await personByEmail("kari.nordmann@example.no");
    expect(kari).toMatchObject({
      title: "Baker;\nog eier",
      companyName: "Blåbær Bakeri AS",
      interests: ["Brød"],
    });
  });

  it("creates no duplicates when the same file is imported again, matching e-mail case-insensitively", async () => {
    const existing = await aPerson(db.db, { email: "per.aas@example.no", firstName: "Per", lastName: "Aas" });
    const first = await importPersons(db, fixture("persons-nb.xlsx"), base);
    expect(first).toMatchObject({ created: 3, updated: 1, companiesCreated: 2 });
    expect(first.matches).toEqual([{ row: 6, email: "Per.Aas@Example.no", personId: existing.id }]);
    const again = await importPersons(db, fixture("persons-nb.xlsx"), base);
    expect(again).toMatchObject({ created: 0, updated: 4, companiesCreated: 0 });
    expect(await count("persons")).toBe(4);
    expect(await count("person_emails")).toBe(4);
    expect(await count("companies")).toBe(2);
    const ase = await personByEmail("ase.odegard@example.no");
    expect(ase).toMatchObject({
      firstName: "Åse",
      lastName: "Ødegård",
      mobile: "+4791234567",
      language: "nb",
      title: "Daglig leder",
      companyName: "Særbø Rørlegger AS",
      interests: ["Båt", "Fiske"],
    });
  });

  it("never clears a field from a blank cell, and updates the ones that hold something", async () => {
    const kari = await aPerson(db.db, {
      email: "kari@example.no",
      firstName: "Kari",
      lastName: "Old",
      title: "Sjef",
      mobile: "41234567",
    });
    const file = csvFile(["E-post;Fornavn;Etternavn;Tittel;Mobil", "KARI@example.no;;Nordmann;;"]);
    const report = await importPersons(db, file, base);
    expect(report).toMatchObject({ created: 0, updated: 1 });
    expect(await getPerson(db.db, kari.id)).toMatchObject({
      firstName: "Kari",
      lastName: "Nordmann",
      title: "Sjef",
      mobile: "+4741234567",
    });
  });

  it("records the attestation in each person's consent history: legal basis, kind import, the source as comment", async () => {
    const report = await importPersons(db, fixture("persons-windows-1252.csv"), {
      ...base,
      attestation: { legalBasis: "legitimate-interest", source: "Kundeliste fra gården" },
    });
    expect(report.consentRecorded).toBe(2);
    const hakon = await personByEmail("hakon@example.no");
    expect(hakon).toMatchObject({ firstName: "Håkon", lastName: "Sæther", title: "Bonde – og snekker" });
    expect(hakon.consents).toMatchObject([
      { purpose: "e-marketing", legalBasis: "legitimate-interest", source: "import" },
    ]);
    expect(await consentHistory(db.db, hakon.id)).toMatchObject([
      {
        purpose: "e-marketing",
        change: "legitimate-interest",
        source: "import",
        comment: "Kundeliste fra gården",
      },
    ]);
  });

  it("never re-grants withdrawn consent, nor undoes an unsubscribe", async () => {
    const person = await aPerson(db.db, { email: "withdrawn@example.no" });
    await recordConsent(db.db, person.id, {
      purpose: "e-marketing",
      legalBasis: "withdrawn",
      source: "unsubscribe-link",
    });
    const type = await createSubscriptionType(db.db, { name: "Nyhetsbrev" });
    await setSubscription(db.db, person.id, { typeId: type.id, status: "subscribed", source: "form" });
    await setSubscription(db.db, person.id, {
      typeId: type.id,
      status: "unsubscribed",
      source: "unsubscribe-link",
    });
    const file = csvFile(["E-post,Fornavn", "withdrawn@example.no,Vera", "fresh@example.no,Frida"]);

    const report = await importPersons(db, file, base);
    expect(report).toMatchObject({ consentRecorded: 1, consentWithdrawnKept: 1, updated: 1, created: 1 });
    const after = await getPerson(db.db, person.id);
    expect(after.firstName).toBe("Vera");
    expect(after.consents).toMatchObject([{ purpose: "e-marketing", legalBasis: "withdrawn" }]);
    expect(after.subscriptions).toMatchObject([{ typeId: type.id, status: "unsubscribed" }]);
    expect((await consentHistory(db.db, person.id)).filter((h) => h.source === "import")).toEqual([]);
  });

  it("adds imported persons to a static selection and refuses a dynamic one before reading the file", async () => {
    const selection = await createSelection(db.db, { name: "Messe", kind: "static" });
    const report = await importPersons(db, fixture("persons-utf8-bom.csv"), {
      ...base,
      selectionId: selection.id,
    });
    expect(report.addedToSelection).toBe(3);
    const members = await db.db
      .selectFrom("selection_members")
      .select("person_id")
      .where("selection_id", "=", selection.id)
      .execute();
    expect(members).toHaveLength(3);
    const again = await importPersons(db, fixture("persons-utf8-bom.csv"), {
      ...base,
      selectionId: selection.id,
      dryRun: true,
    });
    expect(again.addedToSelection).toBe(0);

    const dynamic = await createSelection(db.db, {
      name: "Oslo",
      kind: "dynamic",
      criteria: {
        match: "all",
        criteria: [{ type: "field", field: "company.city", op: "eq", value: "Oslo" }],
      },
    });
    const error = await refusal(
      importPersons(db, fixture("persons-utf8-bom.csv"), { ...base, selectionId: dynamic.id }),
    );
    expect(error.code).toBe("SELECTION_KIND_MISMATCH");
  });

  it("matches a company by name case-insensitively and only fills its empty fields", async () => {
    const acme = await createCompany(db.db, { name: "ACME AS", city: "Oslo" }, "NO");
    const file = csvFile(["E-post;Firma;Poststed;Postnummer", "a@example.no;Acme AS;Bergen;0150"]);
    const report = await importPersons(db, file, base);
    expect(report.companiesCreated).toBe(0);
    const company = await db.db
      .selectFrom("companies")
      .selectAll()
      .where("id", "=", acme.id)
      .executeTakeFirstOrThrow();
    expect(company).toMatchObject({ city: "Oslo", postcode: "0150" });
    expect((await personByEmail("a@example.no")).companyId).toBe(acme.id);
  });

  it("dry-runs the companies the real run creates: a company repeated over many batches counts once", async () => {
    await createCompany(db.db, { name: "Firma 0 AS" }, "NO");
    const rows = Array.from(
      { length: 300 },
      (_, i) => `p${i}@example.no;${i % 2 ? "firma" : "Firma"} ${i % 4} AS`,
    );
    const file = csvFile(["E-post;Firma", ...rows]);
    const options = { ...base, batchSize: 25 };
    const dry = await importPersons(db, file, { ...options, dryRun: true });
    const real = await importPersons(db, file, options);
    expect(dry.companiesCreated).toBe(3);
    expect(real.companiesCreated).toBe(dry.companiesCreated);
    expect(await count("companies")).toBe(4);
  });

  it("writes a batch of new and known persons together: one person named by two addresses, a suppressed address kept out, interests, custom values and members for all", async () => {
    const kari = await kariWithTwoAddresses();
    await db.db
      .insertInto("interests")
      .values({ name: "Golf", name_lower: "golf", created_at: "2026-01-01T00:00:00.000Z" })
      .execute();
    await createCustomField(db.db, { key: "memberNo", label: "Medlemsnummer", type: "number" });
    await suppressAddresses(db.db, ["stengt@example.no"], "unsubscribed");
    const selection = await createSelection(db.db, { name: "Messe", kind: "static" });
    const file = csvFile([
      "E-post;Fornavn;Etternavn;Interesser;Medlemsnummer",
      "kari@example.no;Karianne;;golf;7",
      "KARI.jobb@example.no;;Nordmann;Seiling;",
      "ny@example.no;Nils;Ny;Golf, Ski;8",
      "stengt@example.no;Sara;;Golf;",
    ]);

    const report = await importPersons(db, file, { ...base, selectionId: selection.id });
    expect(report).toMatchObject({
      created: 2,
      updated: 2,
      consentRecorded: 2,
      consentSuppressedKept: 1,
      consentWithdrawnKept: 0,
      addedToSelection: 3,
    });
    expect(report.matches.map((m) => m.personId)).toEqual([kari.id, kari.id]);
    const after = await getPerson(db.db, kari.id);
    expect(after).toMatchObject({
      firstName: "Karianne",
      lastName: "Nordmann",
      customFields: { memberNo: "7" },
    });
    expect([...after.interests].sort()).toEqual(["Golf", "Seiling"]);
    expect((await consentHistory(db.db, kari.id)).filter((h) => h.source === "import")).toHaveLength(1);
    const ny = await personByEmail("ny@example.no");
    expect(ny).toMatchObject({ firstName: "Nils", lastName: "Ny", customFields: { memberNo: "8" } });
    expect([...ny.interests].sort()).toEqual(["Golf", "Ski"]);
    expect(ny.consents).toMatchObject([{ purpose: "e-marketing", legalBasis: "consent" }]);
    const stengt = await personByEmail("stengt@example.no");
    expect(stengt.consents).toMatchObject([{ purpose: "e-marketing", legalBasis: "withdrawn" }]);
    expect(await consentHistory(db.db, stengt.id)).toMatchObject([
      { change: "withdrawn", source: "import", comment: "the address is on the suppression list" },
    ]);
    expect(await count("persons")).toBe(3);
    expect(await count("person_emails")).toBe(4);
    const interests = await db.db.selectFrom("interests").select("name").orderBy("name").execute();
    expect(interests.map((i) => i.name)).toEqual(["Golf", "Seiling", "Ski"]);
    const members = await db.db
      .selectFrom("selection_members")
      .select("person_id")
      .where("selection_id", "=", selection.id)
      .orderBy("person_id")
      .execute();
    expect(members.map((m) => m.person_id)).toEqual([kari.id, ny.id, stengt.id].sort((a, b) => a - b));
  });

  it("imports custom fields by label, through a saved mapping and an explicit map", async () => {
    await createCustomField(db.db, { key: "memberNo", label: "Medlemsnummer", type: "number" });
    const mapping = await saveMapping(db.db, { name: "Klubbliste", columns: { "Kontakt e-post": "email" } });
    const file = csvFile(["Kontakt e-post;Medlemsnummer;Kallenavn", "m@example.no;42;Mette"]);
    const report = await importPersons(db, file, {
      ...base,
      mappingId: mapping.id,
      map: { Kallenavn: "firstName" },
    });
    expect(report.columns).toEqual([
      { column: "Kontakt e-post", field: "email", guessed: false },
      { column: "Medlemsnummer", field: "custom.memberNo", guessed: true },
      { column: "Kallenavn", field: "firstName", guessed: false },
    ]);
    expect(await personByEmail("m@example.no")).toMatchObject({
      firstName: "Mette",
      customFields: { memberNo: "42" },
    });
  });

  it("stores tabs, line breaks, backslashes and COPY's markers as written; a NUL refuses its row, named by number", async () => {
    await createCustomField(db.db, { key: "note", label: "Notat", type: "text" });
    const file = (lines: string[]) => {
      const path = join(dir, `escapes-${++fileCount}.csv`);
      writeFileSync(path, `${lines.join("\n")}\n`);
      return { path };
    };
    // The padding puts the NUL past the first 4 KiB, which the format check would refuse as a binary file.
    const lines = [
      "E-post;Fornavn;Etternavn;Tittel;Notat;Interesser;Ignorert",
      `tab@example.no;Ola\tPer;Back\\slash;"Linje 1\r\nLinje 2";\\N;"C:\\temp\\ny, Golf\\Ski";${"x".repeat(5000)}`,
      "marker@example.no;\\.;O'Brien;\\t\\n;\\\\;;",
      "nul@example.no;Kari;Nord\u0000mann;;;;",
      "after@example.no;Per;Etter;;;;",
    ];
    const dry = await importPersons(db, file(lines), { ...base, dryRun: true });
    const report = await importPersons(db, file(lines), base);
    expect({ ...dry, dryRun: false }).toEqual(report);
    expect(report).toMatchObject({ rows: 4, valid: 3, invalid: 1, created: 3 });
    expect(report.issues).toEqual([
      {
        row: 4,
        column: "Etternavn",
        value: "Nord\ufffdmann",
        kind: "nul-character",
        reason: "holds a NUL character (code 0), which cannot be stored",
      },
    ]);
    const tab = await personByEmail("tab@example.no");
    expect(tab).toMatchObject({
      firstName: "Ola\tPer",
      lastName: "Back\\slash",
      title: "Linje 1\r\nLinje 2",
      customFields: { note: "\\N" },
    });
    expect([...tab.interests].sort()).toEqual(["C:\\temp\\ny", "Golf\\Ski"]);
    expect(await personByEmail("marker@example.no")).toMatchObject({
      firstName: "\\.",
      lastName: "O'Brien",
      title: "\\t\\n",
      customFields: { note: "\\\\" },
    });
    expect(await personByEmail("after@example.no")).toMatchObject({ lastName: "Etter" });
    expect(await count("persons")).toBe(3);

    // Updates and upserts take the same values (PostgreSQL: as array parameters, not COPY).
    const again = await importPersons(
      db,
      file(["E-post;Fornavn;Etternavn;Notat", 'TAB@example.no;"Ny\tverdi";;"a\\b\nc"']),
      base,
    );
    expect(again).toMatchObject({ created: 0, updated: 1 });
    expect(await personByEmail("tab@example.no")).toMatchObject({
      id: tab.id,
      firstName: "Ny\tverdi",
      lastName: "Back\\slash",
      customFields: { note: "a\\b\nc" },
    });
  });

  it("refuses a file without an e-mail column as an invalid mapping, writing nothing", async () => {
    const error = await refusal(importPersons(db, csvFile(["Fornavn;Etternavn", "Ola;Nordmann"]), base));
    expect(error.code).toBe("IMPORT_MAPPING_INVALID");
    expect(error.details.fields).toMatchObject([{ field: "email" }]);
    expect(await count("persons")).toBe(0);
  });

  it("requires an attestation that is a legal basis and says where the consent comes from", async () => {
    const withdrawn = await refusal(
      importPersons(db, fixture("persons-utf8-bom.csv"), {
        ...base,
        attestation: { legalBasis: "withdrawn", source: "x" },
      }),
    );
    expect(withdrawn.details.fields).toMatchObject([{ field: "legalBasis" }]);
    const blank = await refusal(
      importPersons(db, fixture("persons-utf8-bom.csv"), {
        ...base,
        attestation: { legalBasis: "consent", source: " " },
      }),
    );
    expect(blank.details.fields).toMatchObject([{ field: "source" }]);
  });

  it.each([
    ["truncated.xlsx", "IMPORT_FILE_INVALID"],
    ["bomb-declared.xlsx", "IMPORT_TOO_LARGE"],
    ["bomb-lying.xlsx", "IMPORT_TOO_LARGE"],
    ["huge-cell.csv", "IMPORT_FILE_INVALID"],
    ["unclosed-quote.csv", "IMPORT_FILE_INVALID"],
  ])(
    "refuses the hostile file %s with %s and writes nothing, even skipping invalid rows",
    async (name, code) => {
      const error = await refusal(importPersons(db, fixture(name), base));
      expect(error.code).toBe(code);
      expect(await count("persons")).toBe(0);
    },
  );

  it("refuses a CSV that breaks after its first batch before writing any batch", async () => {
    const lines = [
      "E-post;Fornavn",
      ...Array.from({ length: 30 }, (_, i) => `p${i}@example.no;P${i}`),
      'late@example.no;"open',
    ];
    const error = await refusal(importPersons(db, csvFile(lines), { ...base, batchSize: 5 }));
    expect(error.code).toBe("IMPORT_FILE_INVALID");
    expect(await count("persons")).toBe(0);
  });

  it("writes each batch in one transaction: a failing batch leaves nothing of itself, and a re-run completes", async () => {
    const lines = [
      "E-post;Fornavn",
      ...Array.from({ length: 5 }, (_, i) => `row${i + 2}@example.no;R${i + 2}`),
    ];
    const file = csvFile(lines);
    if (dialect === "sqlite")
      await sql`create trigger boom before insert on person_emails when new.address_lower = 'row5@example.no'
        begin select raise(abort, 'boom'); end`.execute(db.db);
    else {
      await sql`create function boom() returns trigger language plpgsql as $$
        begin if new.address_lower = 'row5@example.no' then raise exception 'boom'; end if; return new; end $$`.execute(
        db.db,
      );
      await sql`create trigger boom before insert on person_emails for each row execute function boom()`.execute(
        db.db,
      );
    }
    await expect(importPersons(db, file, { ...base, batchSize: 2 })).rejects.toThrow(/boom/);
    // Rows 2–3 were the first batch; rows 4–5 failed together, so row 4's person is not left without its address.
    expect(await count("persons")).toBe(2);
    expect(await count("person_emails")).toBe(2);
    expect(await count("consent_history")).toBe(2);

    await sql`drop trigger boom${sql.raw(dialect === "postgres" ? " on person_emails" : "")}`.execute(db.db);
    const rerun = await importPersons(db, file, { ...base, batchSize: 2 });
    expect(rerun).toMatchObject({ created: 3, updated: 2 });
    expect(await count("persons")).toBe(5);
  });

  // On PostgreSQL a batch is written beside the one before it, on a second connection: these files make the batches
  // depend on each other in every way the import knows of, one row per batch.
  it("gives the one-after-another result when each batch needs what the one before it writes", async () => {
    const kari = await kariWithTwoAddresses();
    const file = csvFile([
      "E-post;Fornavn;Etternavn;Firma;Gateadresse;Interesser",
      // A new company and interest, then the same person by her other address, filling the company's street and
      // setting her first name back to the one the CRM had: a change only against what the row before wrote.
      "kari@example.no;Karianne;;Nytt AS;;Golf",
      "kari.jobb@example.no;Kari;Nordmann;Nytt AS;Storgata 1;Seiling",
      // The company's street is filled already; a repeated address merges into the person the row before made.
      "ny@example.no;Nils;;Nytt AS;Lillegata 2;Seiling",
      "NY@example.no;;Ny;;;",
    ]);
    const report = await importPersons(db, file, { ...base, batchSize: 1 });
    expect(report).toMatchObject({ created: 1, updated: 2, companiesCreated: 1, duplicatesInFile: 1 });
    const companies = await db.db.selectFrom("companies").select(["id", "name", "street"]).execute();
    expect(companies).toMatchObject([{ name: "Nytt AS", street: "Storgata 1" }]);
    const after = await getPerson(db.db, kari.id);
    expect(after).toMatchObject({ firstName: "Kari", lastName: "Nordmann", companyId: companies[0]!.id });
    expect([...after.interests].sort()).toEqual(["Golf", "Seiling"]);
    // One consent entry per batch that named her, as two imports would give.
    expect((await consentHistory(db.db, kari.id)).filter((h) => h.source === "import")).toHaveLength(2);
    const ny = await personByEmail("ny@example.no");
    expect(ny).toMatchObject({ firstName: "Nils", lastName: "Ny", companyId: companies[0]!.id });
    expect(await count("persons")).toBe(2);
    const interests = await db.db.selectFrom("interests").select("name").orderBy("name").execute();
    expect(interests.map((i) => i.name)).toEqual(["Golf", "Seiling"]);
  });

  it("commits batches in file order: a batch that fails rolls back the batch written beside it", async () => {
    const file = csvFile(["E-post;Fornavn", "first@example.no;A", "slow@example.no;B", "third@example.no;C"]);
    if (dialect === "sqlite")
      await sql`create trigger boom before insert on person_emails when new.address_lower = 'slow@example.no'
        begin select raise(abort, 'boom'); end`.execute(db.db);
    else {
      // Slow, so that the next batch has written everything and waits only to commit when this one fails.
      await sql`create function boom() returns trigger language plpgsql as $$
        begin if new.address_lower = 'slow@example.no' then perform pg_sleep(0.5); raise exception 'boom'; end if;
        return new; end $$`.execute(db.db);
      await sql`create trigger boom before insert on person_emails for each row execute function boom()`.execute(
        db.db,
      );
    }
    await expect(importPersons(db, file, { ...base, batchSize: 1 })).rejects.toThrow(/boom/);
    const left = await db.db.selectFrom("person_emails").select("address_lower").execute();
    expect(left.map((e) => e.address_lower)).toEqual(["first@example.no"]);
  });

  it("lets two imports of overlapping files run at once without making anyone twice", async () => {
    const one = csvFile([
      "E-post;Fornavn",
      ...Array.from({ length: 60 }, (_, i) => `p${i}@example.no;One${i}`),
    ]);
    const two = csvFile([
      "E-post;Etternavn",
      ...Array.from({ length: 60 }, (_, i) => `P${i + 30}@example.no;Two${i + 30}`),
    ]);
    const [a, b] = await Promise.all([
      importPersons(db, one, { ...base, batchSize: 7 }),
      importPersons(db, two, { ...base, batchSize: 7 }),
    ]);
    // 30 addresses are in both files: whichever import came second matched the other's persons.
    expect(a.created + b.created).toBe(90);
    expect(a.updated + b.updated).toBe(30);
    expect(await count("persons")).toBe(90);
    expect(await count("person_emails")).toBe(90);
    expect(await personByEmail("p45@example.no")).toMatchObject({ firstName: "One45", lastName: "Two45" });
  });

  it("reports progress in rows and bytes up to the whole file, checking first, then writing rows of a known total", async () => {
    const lines = ["E-post", ...Array.from({ length: 25 }, (_, i) => `p${i}@example.no`)];
    const events: ImportProgress[] = [];
    await importPersons(db, csvFile(lines), {
      ...base,
      batchSize: 10,
      onProgress: (p) => events.push({ ...p }),
    });
    const writing = events.filter((e) => e.phase === "writing");
    expect(events[0]!.phase).toBe("checking");
    expect(events.findIndex((e) => e.phase === "writing")).toBeGreaterThan(
      events.findLastIndex((e) => e.phase === "checking"),
    );
    expect(writing.map((e) => e.rows)).toEqual([10, 20, 25]);
    // The first pass counted the rows: writing says how many of how many.
    expect(writing.map((e) => e.totalRows)).toEqual([25, 25, 25]);
    expect(events.filter((e) => e.phase === "checking").every((e) => e.totalRows === null)).toBe(true);
    expect(writing.at(-1)!.bytes).toBe(writing.at(-1)!.totalBytes);
  });
});
