import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { AppError } from "../shared/errors.ts";
import { openTable } from "./import-persons.ts";
import { cellAsText } from "./read-xlsx.ts";
import { DEFAULT_LIMITS, type ImportInput, type ReadLimits, type SheetRow } from "./source.ts";
import { zipEntries } from "./zip-guard.ts";

const fixturePath = (name: string) => join(import.meta.dirname, "../../test/fixtures/imports", name);

async function readAll(input: ImportInput, limits: ReadLimits = DEFAULT_LIMITS) {
  const table = await openTable(input, limits);
  const rows: SheetRow[] = [];
  for await (const row of table.rows) rows.push(row);
  return { table, rows };
}

async function failure(input: ImportInput, limits: ReadLimits = DEFAULT_LIMITS): Promise<AppError> {
  try {
    await readAll(input, limits);
  } catch (error) {
    if (error instanceof AppError) return error;
    throw error;
  }
  throw new Error("expected the file to be refused");
}

describe("reading XLSX", () => {
  it("reads the first sheet with Norwegian headers and letters, numbers as text, rows numbered as Excel shows", async () => {
    const { table, rows } = await readAll({ path: fixturePath("persons-nb.xlsx") });
    expect(table).toMatchObject({ format: "xlsx", encoding: null, delimiter: null });
    expect(table.headers).toEqual([
      "E-post",
      "Fornavn",
      "Etternavn",
      "Mobiltelefon",
      "Firma",
      "Tittel",
      "Språk",
      "Interesser",
    ]);
    expect(rows[0]).toEqual({
      row: 2,
      cells: [
        "ase.odegard@example.no",
        "Åse",
        "Ødegård",
        "91234567",
        "Særbø Rørlegger AS",
        "Daglig leder",
        "norsk",
        "Fiske, Båt",
      ],
    });
    expect(rows.map((r) => r.row)).toEqual([2, 3, 4, 5, 6]);
    expect(rows[4]!.cells[0]).toBe("Per.Aas@Example.no");
    expect(table.bytesRead()).toBe(table.totalBytes);
  });

  it("refuses a truncated file before unpacking anything", async () => {
    const error = await failure({ path: fixturePath("truncated.xlsx") });
    expect(error.code).toBe("IMPORT_FILE_INVALID");
    expect(error.message).toContain("cut off");
  });

  it("refuses a file whose parts declare more than the uncompressed limit, without inflating them", async () => {
    const started = performance.now();
    const error = await failure({ path: fixturePath("bomb-declared.xlsx") });
    expect(error.code).toBe("IMPORT_TOO_LARGE");
    expect(error.details).toMatchObject({
      reason: "uncompressed-too-large",
      limit: DEFAULT_LIMITS.maxUncompressedBytes,
    });
    expect(performance.now() - started).toBeLessThan(200);
  });

  it("refuses a file that lies about its sizes once it inflates past the limit", async () => {
    const zip = readFileSync(fixturePath("bomb-lying.xlsx"));
    const declared = zipEntries(zip, DEFAULT_LIMITS.maxUncompressedBytes).reduce((sum, e) => sum + e.size, 0);
    expect(declared).toBeLessThan(100_000);
    const error = await failure({ buffer: zip });
    expect(error.code).toBe("IMPORT_TOO_LARGE");
  });

  it("refuses a part whose bytes do not match its checksum", async () => {
    const zip = Buffer.from(readFileSync(fixturePath("persons-nb.xlsx")));
    const sheet = zipEntries(zip, DEFAULT_LIMITS.maxUncompressedBytes).find((e) =>
      e.name.includes("worksheets"),
    )!;
    const start =
      sheet.localOffset +
      30 +
      zip.readUInt16LE(sheet.localOffset + 26) +
      zip.readUInt16LE(sheet.localOffset + 28);
    zip[start + Math.floor(sheet.compressedSize / 2)]! ^= 0x55;
    const error = await failure({ buffer: zip });
    expect(error.code).toBe("IMPORT_FILE_INVALID");
    expect(error.details.reason).toBe("zip-invalid");
  });

  it("refuses data hidden between the parts the directory lists", async () => {
    const zip = readFileSync(fixturePath("persons-nb.xlsx"));
    const entries = zipEntries(zip, DEFAULT_LIMITS.maxUncompressedBytes).sort(
      (a, b) => a.localOffset - b.localOffset,
    );
    const cut = entries[1]!.localOffset;
    const padded = Buffer.concat([zip.subarray(0, cut), Buffer.alloc(64), zip.subarray(cut)]);
    const error = await failure({ buffer: padded });
    expect(error.code).toBe("IMPORT_FILE_INVALID");
  });

  it("refuses a workbook larger than the file limit", async () => {
    const error = await failure(
      { path: fixturePath("persons-nb.xlsx") },
      { ...DEFAULT_LIMITS, maxXlsxBytes: 1000 },
    );
    expect(error.code).toBe("IMPORT_TOO_LARGE");
    expect(error.details).toMatchObject({ reason: "file-too-large", limit: 1000 });
  });

  it("refuses a text file that was named or sent as XLSX", async () => {
    const error = await openTable(
      { buffer: Buffer.from("E-post\na@example.no\n") },
      DEFAULT_LIMITS,
      "xlsx",
    ).then(
      () => null,
      (e: AppError) => e,
    );
    expect(error?.code).toBe("IMPORT_FILE_INVALID");
  });
});

describe("cells as text", () => {
  it("writes dates as ISO dates, and numbers without float noise", () => {
    expect(cellAsText(new Date("2024-03-01T00:00:00Z"))).toBe("2024-03-01");
    expect(cellAsText(new Date("2024-03-01T12:30:00Z"))).toBe("2024-03-01T12:30:00.000Z");
    expect(cellAsText(0.1 + 0.2)).toBe("0.3");
    expect(cellAsText(4791234567)).toBe("4791234567");
    expect(cellAsText(true)).toBe("true");
    expect(cellAsText(null)).toBe("");
  });
});
