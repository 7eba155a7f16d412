// The parts of an XLSX workbook around the sheet's rows: which file is the first sheet, the 1900 or 1904 date system,
// which cell styles are dates, and the shared strings (kept as UTF-8, a few bytes a string beyond its text).
import type { Readable } from "node:stream";
import { StringDecoder } from "node:string_decoder";
import { SaxesParser, type SaxesTagPlain } from "saxes";
import { AppError } from "../shared/errors.ts";
import { entryStream, type ZipEntry, type ZipSource } from "./zip-guard.ts";

export const invalidWorkbook = (why: string) =>
  new AppError("IMPORT_FILE_INVALID", `The XLSX workbook cannot be read: ${why}`, { reason: "xlsx-invalid" });

/** Excel escapes characters XML cannot hold as `_xHHHH_`. */
export function unescapeXlsx(text: string): string {
  return text.includes("_x")
    ? text.replace(/_x([0-9A-Fa-f]{4})_/g, (_, hex: string) => String.fromCharCode(Number.parseInt(hex, 16)))
    : text;
}

/** `x:row` and `row` alike: some writers prefix the spreadsheet namespace. */
const local = (name: string) => {
  const colon = name.indexOf(":");
  return colon < 0 ? name : name.slice(colon + 1);
};

/** Built-in number formats that show dates or times (ECMA-376 18.8.30, with the East Asian and Thai ones). */
const DATE_FORMAT_IDS = new Set([
  14, 15, 16, 17, 18, 19, 20, 21, 22, 27, 28, 29, 30, 31, 32, 33, 34, 35, 36, 45, 46, 47, 50, 51, 52, 53, 54,
  55, 56, 57, 58, 71, 72, 73, 74, 75, 76, 77, 78, 79, 80, 81,
]);
const DATE_TOKENS = new Set(
  "s ss m mm h hh am pm a p d dd ddd dddd aaa aaaa aaaaa mmm mmmm mmmmm y yy yyyy e ee eeee".split(" "),
);

/** A custom number format shows a date when all its tokens are date tokens (quoted text and [colours] aside). */
export function isDateFormat(code: string): boolean {
  const text = code.toLowerCase().replace(/;@$/, "").replace(/\\./g, " ");
  return text.split(";").some((section) => {
    const tokens = section
      .replace(/"[^"]*"/g, " ")
      .replace(/(\[?[smhd]{1,2}\]?)[.,]00?0?/g, "$1")
      .replace(/\[([smhd]{1,2})\]/g, "$1")
      .replace(/\[[^\]]*\]/g, "")
      .split(/[^a-z0#?%]+/)
      .filter((t) => t !== "");
    return tokens.length > 0 && tokens.every((t) => DATE_TOKENS.has(t));
  });
}

const DAY_MS = 24 * 60 * 60 * 1000;
/** Serial day 25569 is 1970-01-01 in the 1900 system (which counts a 29 February 1900 that never was). */
export function excelDate(serial: number, date1904: boolean): Date {
  return new Date(Math.floor(((date1904 ? serial + 1462 : serial) - 25569) * DAY_MS));
}

/** The shared strings as UTF-8 in 1 MiB slabs with three numbers each: a few bytes a string beyond its text. */
export class StringTable {
  private slabs: Buffer[] = [];
  private slab = Buffer.allocUnsafe(0);
  private used = 0;
  private where = new Uint32Array(1024 * 3);
  count = 0;

  add(text: string): void {
    const size = Buffer.byteLength(text);
    if (this.used + size > this.slab.length) {
      if (this.slabs.length > 0) this.slabs[this.slabs.length - 1] = this.slab.subarray(0, this.used);
      this.slab = Buffer.allocUnsafe(Math.max(1024 * 1024, size));
      this.slabs.push(this.slab);
      this.used = 0;
    }
    this.slab.write(text, this.used);
    if (this.count * 3 + 3 > this.where.length) {
      const grown = new Uint32Array(this.where.length * 2);
      grown.set(this.where);
      this.where = grown;
    }
    this.where.set([this.slabs.length - 1, this.used, size], this.count * 3);
    this.used += size;
    this.count++;
  }

  get(index: number): string | undefined {
    if (!(index >= 0 && index < this.count)) return undefined;
    const at = index * 3;
    const start = this.where[at + 1]!;
    return this.slabs[this.where[at]!]!.toString("utf8", start, start + this.where[at + 2]!);
  }
}

export type Handlers = {
  open(name: string, attributes: Record<string, string>): void;
  close(name: string): void;
  text(text: string): void;
};

/** Feeds an unpacked part through the XML parser; yields after each chunk so the caller can take what it made. */
export async function* parsePart(stream: Readable, handlers: Handlers): AsyncGenerator<void> {
  const parser = new SaxesParser({ position: false });
  let failure: Error | null = null;
  parser.on("error", (error) => {
    failure ??= error;
  });
  parser.on("opentag", (tag) => handlers.open(local(tag.name), (tag as SaxesTagPlain).attributes));
  parser.on("closetag", (tag) => handlers.close(local(tag.name)));
  parser.on("text", handlers.text);
  parser.on("cdata", handlers.text);
  const decoder = new StringDecoder("utf8");
  try {
    for await (const chunk of stream as AsyncIterable<Buffer>) {
      parser.write(decoder.write(chunk));
      if (failure) throw invalidWorkbook(`bad XML (${(failure as Error).message})`);
      yield;
    }
    parser.write(decoder.end());
    parser.close();
    if (failure) throw invalidWorkbook(`bad XML (${(failure as Error).message})`);
  } finally {
    stream.destroy();
  }
}

async function readWhole(zip: ZipSource, entry: ZipEntry, handlers: Handlers): Promise<void> {
  for await (const _ of parsePart(entryStream(zip, entry), handlers));
}

/** A relationship target relative to the part that names it (`/xl/…` is from the root). */
function resolvePart(from: string, target: string): string {
  const parts = target.startsWith("/") ? [] : from.split("/").slice(0, -1);
  for (const piece of target.split("/")) {
    if (piece === "..") parts.pop();
    else if (piece !== "." && piece !== "") parts.push(piece);
  }
  return parts.join("/");
}

type Relationship = { id: string; type: string; target: string };

async function relationships(zip: ZipSource, parts: Map<string, ZipEntry>, of: string) {
  const slash = of.lastIndexOf("/");
  const entry = parts.get(`${of.slice(0, slash + 1)}_rels/${of.slice(slash + 1)}.rels`);
  const found: Relationship[] = [];
  if (entry)
    await readWhole(zip, entry, {
      open: (name, a) => {
        if (name === "Relationship" && a.Target)
          found.push({ id: a.Id ?? "", type: a.Type ?? "", target: resolvePart(of, a.Target) });
      },
      close: () => {},
      text: () => {},
    });
  return found;
}

/** The workbook's first sheet (in the workbook's order, whatever its file is called) and the parts it needs. */
export async function workbookParts(zip: ZipSource, parts: Map<string, ZipEntry>) {
  const root = await relationships(zip, parts, "");
  const workbook =
    root.find((r) => r.type.endsWith("/officeDocument") && parts.has(r.target))?.target ?? "xl/workbook.xml";
  const workbookEntry = parts.get(workbook);
  if (!workbookEntry) throw invalidWorkbook(`it has no ${workbook}`);
  let firstSheet: string | null = null;
  let date1904 = false;
  await readWhole(zip, workbookEntry, {
    open: (name, a) => {
      if (name === "sheet" && firstSheet === null)
        firstSheet = a["r:id"] ?? Object.entries(a).find(([k]) => local(k) === "id")?.[1] ?? "";
      else if (name === "workbookPr") date1904 = a.date1904 === "1" || a.date1904 === "true";
    },
    close: () => {},
    text: () => {},
  });
  const rels = await relationships(zip, parts, workbook);
  const sheet = rels.find((r) => r.id === firstSheet)?.target;
  if (firstSheet === null || !sheet || !parts.has(sheet)) throw invalidWorkbook("it has no sheet");
  const ofType = (type: string) => rels.find((r) => r.type.endsWith(type) && parts.has(r.target))?.target;
  return {
    sheet: parts.get(sheet)!,
    sharedStrings: parts.get(ofType("/sharedStrings") ?? "xl/sharedStrings.xml"),
    styles: parts.get(ofType("/styles") ?? "xl/styles.xml"),
    date1904,
  };
}

/** Which cell styles (`<c s="…">`) show a date. */
export async function dateStyles(zip: ZipSource, entry: ZipEntry | undefined): Promise<boolean[]> {
  if (!entry) return [];
  const custom = new Map<number, string>();
  const formats: number[] = [];
  let inCellXfs = false;
  await readWhole(zip, entry, {
    open: (name, a) => {
      if (name === "numFmt") custom.set(Number(a.numFmtId), a.formatCode ?? "");
      else if (name === "cellXfs") inCellXfs = true;
      else if (name === "xf" && inCellXfs) formats.push(Number(a.numFmtId ?? 0));
    },
    close: (name) => {
      if (name === "cellXfs") inCellXfs = false;
    },
    text: () => {},
  });
  return formats.map((id) => {
    const code = custom.get(id);
    return code !== undefined ? isDateFormat(code) : DATE_FORMAT_IDS.has(id);
  });
}

export async function sharedStrings(zip: ZipSource, entry: ZipEntry | undefined): Promise<StringTable> {
  const table = new StringTable();
  if (!entry) return table;
  let text: string | null = null;
  let inT = false;
  let inPhonetic = false;
  await readWhole(zip, entry, {
    open: (name) => {
      if (name === "si") text = "";
      else if (name === "t") inT = true;
      else if (name === "rPh") inPhonetic = true;
    },
    close: (name) => {
      if (name === "si") {
        table.add(unescapeXlsx(text ?? ""));
        text = null;
      } else if (name === "t") inT = false;
      else if (name === "rPh") inPhonetic = false;
    },
    text: (chunk) => {
      if (text !== null && inT && !inPhonetic) text += chunk;
    },
  });
  return table;
}
