import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { AppError } from "../shared/errors.ts";
import { openTable } from "./import-persons.ts";
import { detectEncoding, sniffDelimiter } from "./read-csv.ts";
import { DEFAULT_LIMITS, type ImportInput, type SheetRow } from "./source.ts";

const fixture = (name: string) => ({ path: join(import.meta.dirname, "../../test/fixtures/imports", name) });

async function readAll(input: ImportInput) {
  const table = await openTable(input, DEFAULT_LIMITS);
  const rows: SheetRow[] = [];
  for await (const row of table.rows) rows.push(row);
  return { table, rows };
}

async function failure(input: ImportInput): Promise<AppError> {
  try {
    await readAll(input);
  } catch (error) {
    if (error instanceof AppError) return error;
    throw error;
  }
  throw new Error("expected the file to be refused");
}

describe("reading CSV", () => {
  it("reads UTF-8 with a BOM and semicolons, keeping a quoted cell with a delimiter and a line break whole", async () => {
    const { table, rows } = await readAll(fixture("persons-utf8-bom.csv"));
    expect(table).toMatchObject({ format: "csv", encoding: "utf-8", delimiter: ";" });
    expect(table.headers).toEqual([
      "Fornavn",
      "Etternavn",
      "E-post",
      "Mobil",
      "Bedrift",
      "Stilling",
      "Interesser",
    ]);
    expect(rows.map((r) => r.row)).toEqual([2, 3, 4]);
    expect(rows[0]!.cells[5]).toBe("Baker;\nog eier");
    expect(rows[1]!.cells.slice(0, 2)).toEqual(["Øystein", "Ås"]);
    expect(table.bytesRead()).toBe(table.totalBytes);
  });

  it("reads Windows-1252 as Excel saves it in the Nordics, æ ø å and the en dash intact", async () => {
    const { table, rows } = await readAll(fixture("persons-windows-1252.csv"));
    expect(table.encoding).toBe("windows-1252");
    expect(rows[0]!.cells).toEqual([
      "hakon@example.no",
      "Håkon",
      "Sæther",
      "Gården på Øya AS",
      "Bonde – og snekker",
    ]);
    expect(rows[1]!.cells[2]).toBe("Løvås");
  });

  it("numbers rows as the spreadsheet shows them, counting blank lines", async () => {
    const { table, rows } = await readAll(fixture("persons-broken-rows.csv"));
    expect(table.delimiter).toBe(",");
    expect(rows.map((r) => r.row)).toEqual([2, 3, 4, 5, 6, 7, 8, 9, 10, 11]);
    expect(rows[4]!.cells.join("")).toBe("");
  });

  it("reads tab-separated text from memory", async () => {
    const { table, rows } = await readAll({
      buffer: Buffer.from("E-post\tFornavn\r\nola@example.no\tOla\r\n"),
    });
    expect(table.delimiter).toBe("\t");
    expect(rows).toEqual([{ row: 2, cells: ["ola@example.no", "Ola"] }]);
  });

  it("refuses a cell over the size limit, naming its row and column", async () => {
    const error = await failure(fixture("huge-cell.csv"));
    expect(error.code).toBe("IMPORT_FILE_INVALID");
    expect(error.details).toMatchObject({ reason: "cell-too-long", row: 3, column: "Fornavn" });
  });

  it("refuses a quote that is never closed", async () => {
    const error = await failure(fixture("unclosed-quote.csv"));
    expect(error.code).toBe("IMPORT_FILE_INVALID");
    expect(error.details).toMatchObject({ reason: "csv-syntax", code: "CSV_QUOTE_NOT_CLOSED" });
  });

  it("refuses an empty file, a binary file and an old .xls workbook", async () => {
    expect((await failure({ buffer: Buffer.alloc(0) })).details.reason).toBe("empty");
    expect((await failure({ buffer: Buffer.from([1, 2, 0, 3]) })).details.reason).toBe("binary");
    const xls = Buffer.concat([
      Buffer.from([0xd0, 0xcf, 0x11, 0xe0, 0xa1, 0xb1, 0x1a, 0xe1]),
      Buffer.alloc(100),
    ]);
    expect((await failure({ buffer: xls })).message).toContain(".xls");
  });

  it("refuses a file with only blank lines as having no header", async () => {
    expect((await failure({ buffer: Buffer.from("\n \n\n") })).details.reason).toBe("no-header");
  });
});

describe("sniffing", () => {
  it("picks the delimiter the header uses most, ignoring delimiters inside quotes", () => {
    expect(sniffDelimiter("E-post;Fornavn;Etternavn\na,b;c;d")).toBe(";");
    expect(sniffDelimiter('"Navn; fullt",E-post,Firma\n')).toBe(",");
    expect(sniffDelimiter("E-post\tFornavn,Etternavn\tFirma")).toBe("\t");
    expect(sniffDelimiter("E-post\nola@example.no")).toBe(",");
  });

  it("tells UTF-8 even when a letter is split across two read chunks", async () => {
    const split = Buffer.concat([Buffer.alloc(256 * 1024 - 1, 0x61), Buffer.from("ø\n", "utf8")]);
    expect(await detectEncoding({ buffer: split })).toBe("utf-8");
    const latin = Buffer.concat([Buffer.alloc(256 * 1024 - 1, 0x61), Buffer.from([0xf8, 0x0a])]);
    expect(await detectEncoding({ buffer: latin })).toBe("windows-1252");
  });
});
