import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { crc32, deflateRawSync } from "node:zlib";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
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

/** A zip of the given parts, deflated, laid out as Excel writes it. */
function zipOf(files: Record<string, string>): Buffer {
  const pieces: Buffer[] = [];
  const directory: Buffer[] = [];
  let offset = 0;
  for (const [name, content] of Object.entries(files)) {
    const data = Buffer.from(content);
    const packed = deflateRawSync(data);
    const nameBytes = Buffer.from(name);
    const local = Buffer.alloc(30);
    local.writeUInt32LE(0x04034b50, 0);
    local.writeUInt16LE(20, 4);
    local.writeUInt16LE(8, 8);
    local.writeUInt32LE(crc32(data), 14);
    local.writeUInt32LE(packed.length, 18);
    local.writeUInt32LE(data.length, 22);
    local.writeUInt16LE(nameBytes.length, 26);
    const central = Buffer.alloc(46);
    central.writeUInt32LE(0x02014b50, 0);
    central.writeUInt16LE(20, 4);
    central.writeUInt16LE(20, 6);
    central.writeUInt16LE(8, 10);
    central.writeUInt32LE(crc32(data), 16);
    central.writeUInt32LE(packed.length, 20);
    central.writeUInt32LE(data.length, 24);
    central.writeUInt16LE(nameBytes.length, 28);
    central.writeUInt32LE(offset, 42);
    pieces.push(local, nameBytes, packed);
    directory.push(central, nameBytes);
    offset += 30 + nameBytes.length + packed.length;
  }
  const listing = Buffer.concat(directory);
  const end = Buffer.alloc(22);
  end.writeUInt32LE(0x06054b50, 0);
  end.writeUInt16LE(directory.length / 2, 8);
  end.writeUInt16LE(directory.length / 2, 10);
  end.writeUInt32LE(listing.length, 12);
  end.writeUInt32LE(offset, 16);
  return Buffer.concat([...pieces, listing, end]);
}

const MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main";
const REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships";
const rows = (xml: string) => `<worksheet xmlns="${MAIN}"><sheetData>${xml}</sheetData></worksheet>`;
const s = (text: string) => `<si><t xml:space="preserve">${text}</t></si>`;

/**
 * A workbook whose sheets are listed in the workbook in the order given, each in its own file; styles: 0 general,
 * 1 built-in date (14), 2 custom "dd.mm.yyyy", 3 custom "0.00", 4 built-in date and time (22).
 */
function workbook(
  sheets: Array<{ file: string; xml: string }>,
  options: { strings?: string[]; date1904?: boolean } = {},
): Buffer {
  const rels = sheets.map(
    (sheet, i) => `<Relationship Id="rId${i + 10}" Type="${REL}/worksheet" Target="${sheet.file}"/>`,
  );
  return zipOf({
    "[Content_Types].xml": "<Types/>",
    "_rels/.rels": `<Relationships><Relationship Id="rId1" Type="${REL}/officeDocument" Target="xl/workbook.xml"/></Relationships>`,
    "xl/workbook.xml":
      `<workbook xmlns="${MAIN}" xmlns:r="${REL}">${options.date1904 ? '<workbookPr date1904="1"/>' : ""}<sheets>` +
      sheets.map((_, i) => `<sheet name="S${i}" sheetId="${i + 1}" r:id="rId${i + 10}"/>`).join("") +
      "</sheets></workbook>",
    "xl/_rels/workbook.xml.rels":
      `<Relationships>${rels.join("")}<Relationship Id="rId2" Type="${REL}/sharedStrings" Target="sharedStrings.xml"/>` +
      `<Relationship Id="rId3" Type="${REL}/styles" Target="/xl/styles.xml"/></Relationships>`,
    "xl/styles.xml":
      `<styleSheet xmlns="${MAIN}"><numFmts count="2"><numFmt numFmtId="164" formatCode="dd\\.mm\\.yyyy;@"/>` +
      '<numFmt numFmtId="165" formatCode="0.00"/></numFmts><cellXfs count="5"><xf numFmtId="0"/><xf numFmtId="14"/>' +
      '<xf numFmtId="164"/><xf numFmtId="165"/><xf numFmtId="22"/></cellXfs></styleSheet>',
    "xl/sharedStrings.xml": `<sst xmlns="${MAIN}">${(options.strings ?? []).join("")}</sst>`,
    ...Object.fromEntries(sheets.map((sheet) => [`xl/${sheet.file}`, sheet.xml])),
  });
}

let scratch: string;
beforeAll(() => {
  scratch = mkdtempSync(join(tmpdir(), "utsend-xlsx-"));
});
afterAll(() => rmSync(scratch, { recursive: true, force: true }));
let files = 0;
const onDisk = (zip: Buffer) => {
  const path = join(scratch, `book-${++files}.xlsx`);
  writeFileSync(path, zip);
  return { path };
};

describe("reading XLSX as a stream", () => {
  it("reads the workbook's first sheet when its file is not the first, with 1904 dates, formats, booleans and both kinds of string", async () => {
    const first = rows(
      '<row r="1"><c r="A1" t="s"><v>0</v></c><c r="B1" t="s"><v>1</v></c><c r="C1" t="inlineStr"><is><t>Beløp</t></is></c>' +
        '<c r="D1" t="inlineStr"><is><t>Aktiv</t></is></c><c r="E1" t="inlineStr"><is><t>Møtetid</t></is></c></row>' +
        '<row r="2"><c r="A2" t="s"><v>2</v></c><c r="B2" s="1"><v>43890</v></c><c r="C2" s="3"><v>1234.5</v></c>' +
        '<c r="D2" t="b"><v>1</v></c><c r="E2" s="4"><v>43890.5</v></c></row>' +
        '<row r="3"><c r="A3" t="inlineStr"><is><r><t>kari</t></r><r><t>@example.no</t></r></is></c>' +
        '<c r="B3" s="2"><v>43891</v></c><c r="C3"><v>0.30000000000000004</v></c><c r="D3" t="b"><v>0</v></c>' +
        '<c r="E3" t="e"><v>#N/A</v></c></row>',
    );
    const zip = workbook(
      [
        { file: "worksheets/sheet2.xml", xml: first },
        {
          file: "worksheets/sheet1.xml",
          xml: rows('<row r="1"><c r="A1" t="inlineStr"><is><t>Feil ark</t></is></c></row>'),
        },
      ],
      {
        date1904: true,
        strings: [
          s("E-post"),
          '<si><r><t>Fø</t></r><r><t>dd</t></r><rPh sb="0" eb="1"><t>ふ</t></rPh></si>',
          s("  ola@example.no_x000D_ "),
        ],
      },
    );
    for (const input of [onDisk(zip), { buffer: zip }]) {
      const { table, rows: read } = await readAll(input);
      expect(table.headers).toEqual(["E-post", "Fødd", "Beløp", "Aktiv", "Møtetid"]);
      expect(read).toEqual([
        { row: 2, cells: ["ola@example.no", "2024-03-01", "1234.5", "true", "2024-03-01T12:00:00.000Z"] },
        { row: 3, cells: ["kari@example.no", "2024-03-02", "0.3", "false", ""] },
      ]);
      expect(table.bytesRead()).toBe(table.totalBytes);
    }
  });

  it("keeps a sparse row's cells in their columns, blank rows in place and dates in the 1900 system", async () => {
    const zip = workbook([
      {
        file: "worksheets/sheet1.xml",
        xml: rows(
          '<row r="2"><c r="A2" t="inlineStr"><is><t>E-post</t></is></c><c r="B2" t="inlineStr"><is><t>Født</t></is></c>' +
            '<c r="C2" t="inlineStr"><is><t>Firma</t></is></c><c r="D2" t="inlineStr"><is><t>Tittel</t></is></c></row>' +
            '<row r="3"><c r="C3" t="inlineStr"><is><t>Bare firma</t></is></c></row>' +
            '<row r="6"><c r="A6" t="inlineStr"><is><t>a@example.no</t></is></c><c r="B6" s="1"><v>45352</v></c>' +
            '<c r="D6" t="inlineStr"><is><t>Sjef</t></is></c></row>' +
            '<row><c t="inlineStr"><is><t>b@example.no</t></is></c><c/><c t="str"><v>Formelfirma</v></c></row>',
        ),
      },
    ]);
    const { table, rows: read } = await readAll(onDisk(zip));
    expect(table.headers).toEqual(["E-post", "Født", "Firma", "Tittel"]);
    expect(read).toEqual([
      { row: 3, cells: ["", "", "Bare firma", ""] },
      { row: 4, cells: ["", "", "", ""] },
      { row: 5, cells: ["", "", "", ""] },
      { row: 6, cells: ["a@example.no", "2024-03-01", "", "Sjef"] },
      { row: 7, cells: ["b@example.no", "", "Formelfirma", ""] },
    ]);
  });

  it("reads a sheet of 50,000 rows of shared strings by index, and refuses one too long in a later row", async () => {
    const count = 50_000;
    const strings = [s("E-post"), s("Fornavn")];
    let xml = '<row r="1"><c r="A1" t="s"><v>0</v></c><c r="B1" t="s"><v>1</v></c></row>';
    for (let i = 0; i < count; i++) {
      strings.push(s(`person${i}@example.no`), s(`Åse ${i} Ødegård`));
      xml += `<row r="${i + 2}"><c r="A${i + 2}" t="s"><v>${2 * i + 2}</v></c><c r="B${i + 2}" t="s"><v>${2 * i + 3}</v></c></row>`;
    }
    const { rows: read } = await readAll(
      onDisk(workbook([{ file: "worksheets/sheet1.xml", xml: rows(xml) }], { strings })),
    );
    expect(read).toHaveLength(count);
    expect(read[0]).toEqual({ row: 2, cells: ["person0@example.no", "Åse 0 Ødegård"] });
    expect(read.at(-1)).toEqual({
      row: count + 1,
      cells: [`person${count - 1}@example.no`, `Åse ${count - 1} Ødegård`],
    });

    strings.push(s("x".repeat(DEFAULT_LIMITS.maxCellChars + 1)));
    xml += `<row r="${count + 2}"><c r="B${count + 2}" t="s"><v>${strings.length - 1}</v></c></row>`;
    const error = await failure(
      onDisk(workbook([{ file: "worksheets/sheet1.xml", xml: rows(xml) }], { strings })),
    );
    expect(error.details).toMatchObject({ reason: "cell-too-long", row: count + 2, column: "Fornavn" });
  });

  it("lets a larger file unpack to 20 times its size, and still refuses a bomb streamed from disk", async () => {
    let xml = '<row r="1"><c r="A1" t="inlineStr"><is><t>E-post</t></is></c></row>';
    for (let i = 0; i < 2000; i++)
      xml += `<row r="${i + 2}"><c r="A${i + 2}" t="inlineStr"><is><t>${Math.random().toString(36)}@example.no</t></is></c></row>`;
    const limits = { ...DEFAULT_LIMITS, maxUncompressedBytes: 50_000 };
    const plain = workbook([{ file: "worksheets/sheet1.xml", xml: rows(xml) }]);
    expect((await readAll(onDisk(plain), limits)).rows).toHaveLength(2000);

    const bomb = workbook([{ file: "worksheets/sheet1.xml", xml: rows(" ".repeat(5_000_000)) }]);
    const error = await failure(onDisk(bomb), limits);
    expect(error.code).toBe("IMPORT_TOO_LARGE");
    expect(error.details).toMatchObject({ reason: "uncompressed-too-large", limit: bomb.length * 20 });
    expect(bomb.length * 20).toBeLessThan(5_000_000);
  });
});
