import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Readable } from "node:stream";
import { readSheet } from "read-excel-file/node";
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { aPerson } from "../../test/helpers/builders.ts";
import { freshDatabase, type TestDb, testDialects } from "../../test/helpers/dialects.ts";
import { createCompany } from "../companies/companies.ts";
import { createCustomField } from "../persons/catalogue.ts";
import { getPerson, listPersons } from "../persons/persons.ts";
import { addSelectionMembers, createSelection } from "../selections/store.ts";
import { AppError } from "../shared/errors.ts";
import { exportPersons, neutralise } from "./export.ts";
import { importPersons } from "./import-persons.ts";

async function bytesOf(stream: Readable): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(Buffer.from(chunk as Buffer));
  return Buffer.concat(chunks);
}

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "utsend-export-"));
});
afterAll(async () => rm(dir, { recursive: true, force: true }));

describe("neutralising formulas", () => {
  it("puts an apostrophe before a cell starting with = + - @ tab or CR", () => {
    expect(neutralise('=HYPERLINK("http://evil","x")')).toBe('\'=HYPERLINK("http://evil","x")');
    expect(neutralise("+cmd|' /C calc'!A0")).toBe("'+cmd|' /C calc'!A0");
    expect(neutralise("-2+3")).toBe("'-2+3");
    expect(neutralise("@SUM(A1)")).toBe("'@SUM(A1)");
    expect(neutralise("\t=1")).toBe("'\t=1");
  });

  it("leaves plain text, plain numbers and E.164 numbers alone", () => {
    expect(neutralise("Kari")).toBe("Kari");
    expect(neutralise("+4791234567")).toBe("+4791234567");
    expect(neutralise("-12,5")).toBe("-12,5");
    expect(neutralise("")).toBe("");
  });
});

describe.each(await testDialects())("exporting persons on %s", (dialect) => {
  let db: TestDb;
  beforeEach(async () => {
    db = await freshDatabase(dialect);
  });
  afterEach(async () => db.dispose());

  async function seed() {
    await createCustomField(db.db, { key: "memberNo", label: "Medlemsnummer", type: "number" });
    const company = await createCompany(db.db, { name: "Særbø Rørlegger AS", orgNumber: "923456789" }, "NO");
    const kari = await aPerson(db.db, {
      email: "kari@example.no",
      firstName: "Kari",
      lastName: "Ødegård",
      title: "Daglig leder",
      mobile: "91234567",
      language: "nb",
      companyId: company.id,
      interests: ["Fiske", "Båt"],
      customFields: { memberNo: "42" },
    });
    const evil = await aPerson(db.db, {
      email: "evil@example.no",
      firstName: '=HYPERLINK("http://x")',
      lastName: "@Ond",
    });
    return { kari, evil };
  }

  it("writes CSV with a BOM, a header the import understands, and formulas neutralised", async () => {
    await seed();
    const text = (await bytesOf(await exportPersons(db.db, { format: "csv" }))).toString("utf8");
    expect(text.startsWith("\uFEFFID,E-mail,First name,Middle name,Last name,Title,Mr/Ms,Mobile")).toBe(true);
    const lines = text.slice(1).split("\r\n");
    expect(lines[0]).toContain(",Medlemsnummer,Created,Updated");
    expect(lines[1]).toContain(
      "kari@example.no,Kari,,Ødegård,Daglig leder,,+4791234567,,nb,Særbø Rørlegger AS,923456789,",
    );
    expect(lines[1]).toContain('"Båt, Fiske",no,42,');
    expect(lines[2]).toContain(`evil@example.no,"'=HYPERLINK(""http://x"")",,'@Ond,`);
    expect(lines).toHaveLength(4);
  });

  it("writes XLSX through the streaming writer, readable cell by cell, formulas neutralised", async () => {
    await seed();
    const xlsx = await bytesOf(await exportPersons(db.db, { format: "xlsx" }));
    const rows = await readSheet(xlsx);
    expect(rows[0]!.slice(0, 5)).toEqual(["ID", "E-mail", "First name", "Middle name", "Last name"]);
    expect(rows[1]!.slice(1, 5)).toEqual(["kari@example.no", "Kari", null, "Ødegård"]);
    expect(rows[2]!.slice(1, 5)).toEqual(["evil@example.no", '\'=HYPERLINK("http://x")', null, "'@Ond"]);
  });

  it.each(["csv", "xlsx"] as const)("round-trips through %s into an empty CRM", async (format) => {
    await seed();
    const file = join(dir, `${dialect}-round-trip.${format}`);
    await writeFile(file, await bytesOf(await exportPersons(db.db, { format, delimiter: ";" })));
    const target = await freshDatabase(dialect);
    try {
      await createCustomField(target.db, { key: "memberNo", label: "Medlemsnummer", type: "number" });
      const report = await importPersons(
        target,
        { path: file },
        {
          attestation: { legalBasis: "consent", source: "round trip" },
          defaultCountry: "NO",
          allOrNothing: true,
        },
      );
      expect(report).toMatchObject({ created: 2, invalid: 0 });
      const [original, copy] = await Promise.all(
        [db, target].map(async (d) => {
          const page = await listPersons(d.db, {}, { limit: 10, offset: 0 });
          return Promise.all(page.items.map((p) => getPerson(d.db, p.id)));
        }),
      );
      const comparable = (people: Awaited<ReturnType<typeof getPerson>>[]) =>
        people.map(
          ({
            firstName,
            lastName,
            title,
            email,
            mobile,
            language,
            companyName,
            interests,
            customFields,
          }) => ({
            firstName,
            lastName,
            title,
            email,
            mobile,
            language,
            companyName,
            interests,
            customFields,
          }),
        );
      expect(comparable(copy!)).toEqual(comparable(original!));
      const company = await target.db.selectFrom("companies").select("org_number").executeTakeFirstOrThrow();
      expect(company.org_number).toBe("923456789");
    } finally {
      await target.dispose();
    }
  });

  it("exports only a selection's members, and refuses an unknown selection before the first byte", async () => {
    const { kari } = await seed();
    const selection = await createSelection(db.db, { name: "Kari", kind: "static" });
    await addSelectionMembers(db.db, selection.id, [kari.id]);
    const text = (
      await bytesOf(await exportPersons(db.db, { format: "csv", selectionId: selection.id }))
    ).toString();
    expect(text).toContain("kari@example.no");
    expect(text).not.toContain("evil@example.no");
    await expect(exportPersons(db.db, { format: "csv", selectionId: 999_999 })).rejects.toBeInstanceOf(
      AppError,
    );
  });

  it("pages through more persons than one page holds, in id order", async () => {
    for (let i = 0; i < 7; i++) await aPerson(db.db, { email: `p${i}@example.no` });
    const text = (await bytesOf(await exportPersons(db.db, { format: "csv", pageSize: 3 }))).toString();
    const emails = text
      .split("\r\n")
      .slice(1, -1)
      .map((line) => line.split(",")[1]);
    expect(emails).toEqual(Array.from({ length: 7 }, (_, i) => `p${i}@example.no`));
  });
});

describe("the export files", () => {
  it("write the same bytes whatever the reader's pace (nothing is dropped under backpressure)", async () => {
    const db = await freshDatabase("sqlite");
    try {
      for (let i = 0; i < 30; i++) await aPerson(db.db, { email: `slow${i}@example.no` });
      const stream = await exportPersons(db.db, { format: "xlsx", pageSize: 4 });
      const chunks: Buffer[] = [];
      for await (const chunk of stream) {
        chunks.push(Buffer.from(chunk as Buffer));
        await new Promise((resolve) => setTimeout(resolve, 1));
      }
      const rows = await readSheet(Buffer.concat(chunks));
      expect(rows).toHaveLength(31);
      const path = join(dir, "slow.xlsx");
      await writeFile(path, Buffer.concat(chunks));
      expect((await readFile(path)).subarray(0, 2).toString()).toBe("PK");
    } finally {
      await db.dispose();
    }
  });
});
