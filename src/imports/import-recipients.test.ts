import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { aPerson } from "../../test/helpers/builders.ts";
import { freshDatabase, type TestDb, testDialects } from "../../test/helpers/dialects.ts";
import { blockAddress } from "../deliveries/blocks.ts";
import { copyMailing } from "../mailings/actions.ts";
import { loadRecipientValues } from "../mailings/merge-values.ts";
import { listRecipients, listSources, type RecipientRow, removeSource } from "../mailings/recipients.ts";
import { createMailing } from "../mailings/store.ts";
import { recordConsent } from "../persons/consent.ts";
import { AppError } from "../shared/errors.ts";
import { importRecipients, type RecipientImportOptions } from "./import-recipients.ts";

const fixture = (name: string) => ({ path: join(import.meta.dirname, "../../test/fixtures/imports", name) });
const base: RecipientImportOptions = { defaultCountry: "NO", fileName: "recipients-nb.csv" };
const confirmed: RecipientImportOptions = { ...base, consentConfirmed: true, consentSource: "Messe 2026" };

async function refusal(promise: Promise<unknown>): Promise<AppError> {
  try {
    await promise;
  } catch (error) {
    if (error instanceof AppError) return error;
    throw error;
  }
  throw new Error("expected the import to be refused");
}

describe.each(await testDialects())("importing a mailing's recipients on %s", (dialect) => {
  let t: TestDb;
  let kari: { id: number };
  let trine: { id: number };
  beforeEach(async () => {
    t = await freshDatabase(dialect);
    kari = await aPerson(t.db, {
      firstName: "Kari",
      lastName: "Nordmann",
      email: "kari.nordmann@example.no",
    });
    await recordConsent(t.db, kari.id, { purpose: "e-marketing", legalBasis: "consent", source: "form" });
    // In the CRM without e-marketing consent: the consent filter blocks her, the import cannot lift that.
    trine = await aPerson(t.db, { firstName: "Trine", lastName: "Bø", email: "Trine.Bo@example.no" });
    await blockAddress(
      t.db,
      "blokkert@example.no",
      "hard-bounce",
      "550 5.1.1 no such user",
      new Date().toISOString(),
    );
  });
  afterEach(async () => t.dispose());

  const aMailing = async () => (await createMailing(t.db, { name: "Invitasjon" }, null)).id;
  const count = async (table: "recipient_imports" | "recipient_import_rows" | "mailing_sources") =>
    Number(
      (
        await t.db
          .selectFrom(table)
          .select((eb) => eb.fn.countAll<number>().as("n"))
          .executeTakeFirstOrThrow()
      ).n,
    );
  const listed = async (mailingId: number): Promise<Record<string, RecipientRow>> =>
    Object.fromEntries(
      (await listRecipients(t.db, mailingId, {}, { limit: 100, offset: 0 })).items.map((r) => [r.email, r]),
    );

  it("reports every invalid row, repeated address and CRM match in a dry run, and writes nothing", async () => {
    const mailingId = await aMailing();
    const report = await importRecipients(t, mailingId, fixture("recipients-nb.csv"), {
      ...base,
      dryRun: true,
    });
    expect(report.file).toMatchObject({ format: "csv", encoding: "utf-8", delimiter: ";" });
    expect(report.columns.map((c) => [c.column, c.field])).toEqual([
      ["Navn", "name"],
      ["E-post", "email"],
      ["Mobil", "mobile"],
      ["Firma", "company.name"],
    ]);
    expect(report).toMatchObject({ rows: 7, valid: 6, invalid: 1, duplicatesInFile: 1 });
    expect(report).toMatchObject({ linked: 2, importOnly: 3, blockedAddresses: 1, sourceId: null });
    expect(report.issues).toEqual([
      {
        row: 4,
        column: "E-post",
        value: "ikke-en-adresse",
        kind: "invalid-email",
        reason: "is not a valid e-mail address",
      },
    ]);
    expect(report.duplicates).toEqual([{ row: 6, email: "KARI.NORDMANN@example.no", firstRow: 2 }]);
    expect(report.matches).toEqual([
      { row: 2, email: "kari.nordmann@example.no", personId: kari.id },
      { row: 7, email: "trine.bo@example.no", personId: trine.id },
    ]);
    expect(await count("recipient_imports")).toBe(0);
    expect(await count("mailing_sources")).toBe(0);
  });

  it("adds the file as one source: CRM rows linked and checked for consent, the others import-only", async () => {
    const mailingId = await aMailing();
    const report = await importRecipients(t, mailingId, fixture("recipients-nb.csv"), confirmed);
    expect(report).toMatchObject({ dryRun: false, linked: 2, importOnly: 3 });
    const sources = await listSources(t.db, mailingId);
    expect(sources).toEqual([
      { id: report.sourceId, kind: "import", refId: expect.any(Number), label: "recipients-nb.csv (5 rows)" },
    ]);
    const rows = await listed(mailingId);
    expect(Object.keys(rows)).toEqual([
      "kari.nordmann@example.no",
      "ase.odegard@example.no",
      "blokkert@example.no",
      "trine.bo@example.no",
      "formel@example.no",
    ]);
    expect(rows["kari.nordmann@example.no"]).toMatchObject({ personId: kari.id, status: "eligible" });
    expect(rows["trine.bo@example.no"]).toMatchObject({
      personId: trine.id,
      status: "blocked",
      blockReason: "no-consent",
    });
    expect(rows["ase.odegard@example.no"]).toMatchObject({
      personId: null,
      name: "Åse Ødegård",
      status: "eligible",
    });
    expect(rows["blokkert@example.no"]).toMatchObject({ status: "blocked", blockReason: "blocked-address" });

    // Merge fields: an import-only recipient has the file's values; a linked one is the CRM person.
    const values = await loadRecipientValues(
      t.db,
      Object.values(rows).map((r) => ({ recipientId: r.id, email: r.email! })),
    );
    expect(values.get(rows["ase.odegard@example.no"]!.id)!.customer).toMatchObject({
      id: null,
      name: "Åse Ødegård",
      firstname: "Åse",
      lastname: "Ødegård",
      bestName: "Åse",
      email: "ase.odegard@example.no",
    });
    expect(values.get(rows["formel@example.no"]!.id)!.company).toMatchObject({ name: "Fjord; Fjell AS" });
    expect(values.get(rows["kari.nordmann@example.no"]!.id)!.customer).toMatchObject({
      id: String(kari.id),
      firstname: "Kari",
    });
  });

  it("refuses a real run without the consent confirmation, and keeps nothing", async () => {
    const mailingId = await aMailing();
    const error = await refusal(importRecipients(t, mailingId, fixture("recipients-nb.csv"), base));
    expect(error.code).toBe("VALIDATION_FAILED");
    expect(JSON.stringify(error.details)).toContain("consentConfirmed");
    expect(await count("recipient_imports")).toBe(0);
  });

  it("refuses the whole file with all-or-nothing when a row is invalid, leaving the mailing as it was", async () => {
    const mailingId = await aMailing();
    const error = await refusal(
      importRecipients(t, mailingId, fixture("recipients-nb.csv"), {
        ...confirmed,
        allOrNothing: true,
        batchSize: 1,
      }),
    );
    expect(error.code).toBe("IMPORT_ROWS_INVALID");
    expect((error.details.report as { issues: unknown[] }).issues).toHaveLength(1);
    expect(await count("recipient_imports")).toBe(0);
    expect(await count("recipient_import_rows")).toBe(0);
    expect(await count("mailing_sources")).toBe(0);
  });

  it("refuses a file that breaks halfway and keeps none of its rows", async () => {
    const mailingId = await aMailing();
    const error = await refusal(
      importRecipients(t, mailingId, fixture("unclosed-quote.csv"), { ...confirmed, batchSize: 1 }),
    );
    expect(error.code).toBe("IMPORT_FILE_INVALID");
    expect(await count("recipient_imports")).toBe(0);
    expect(await count("recipient_import_rows")).toBe(0);
  });

  it("reads an XLSX workbook with Norwegian headers", async () => {
    const mailingId = await aMailing();
    const report = await importRecipients(t, mailingId, fixture("persons-nb.xlsx"), confirmed);
    expect(report).toMatchObject({ rows: 4, valid: 4, importOnly: 4, linked: 0 });
    const rows = await listed(mailingId);
    expect(rows["bjorn.aesoy@example.no"]).toMatchObject({ name: "Bjørn Æsøy", status: "eligible" });
  });

  it("removes the imported rows with their source, and gives a copied mailing its own copy", async () => {
    const mailingId = await aMailing();
    const report = await importRecipients(t, mailingId, fixture("recipients-nb.csv"), confirmed);
    const copyId = await copyMailing(t.db, mailingId, null);
    expect(await count("recipient_imports")).toBe(2);
    expect(await removeSource(t.db, mailingId, report.sourceId!)).toBe(true);
    expect(await count("recipient_imports")).toBe(1);
    const [copied] = await listSources(t.db, copyId);
    expect(copied).toMatchObject({ kind: "import", label: "recipients-nb.csv (5 rows)" });
    expect(await count("recipient_import_rows")).toBe(5);
  });

  it("refuses a mailing that has started sending", async () => {
    const mailingId = await aMailing();
    await t.db.updateTable("mailings").set({ status: "sending" }).where("id", "=", mailingId).execute();
    const error = await refusal(importRecipients(t, mailingId, fixture("recipients-nb.csv"), confirmed));
    expect(error.code).toBe("MAILING_NOT_EDITABLE");
  });
});
