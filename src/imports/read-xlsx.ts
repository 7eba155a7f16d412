// Reads the first sheet of an XLSX workbook as a stream of rows of text, numbered as Excel shows them. The zip is
// checked whole first (zip-guard.ts), then the shared strings are kept (xlsx-workbook.ts) and the sheet's rows are
// parsed as they are unpacked, so memory stays flat however many rows the sheet has.
import type { Readable } from "node:stream";
import { AppError } from "../shared/errors.ts";
import {
  checkCellSizes,
  type ImportInput,
  inputSize,
  type ReadLimits,
  type SheetRow,
  type TableSource,
  unpackLimit,
} from "./source.ts";
import {
  dateStyles,
  excelDate,
  type Handlers,
  invalidWorkbook,
  parsePart,
  type StringTable,
  sharedStrings,
  unescapeXlsx,
  workbookParts,
} from "./xlsx-workbook.ts";
import { entryStream, verifyZip, zipInMemory, zipOnDisk } from "./zip-guard.ts";

type Cell = string | number | boolean | Date | null | undefined;

/** A cell as text: dates as YYYY-MM-DD (with the time when there is one), numbers without float noise. */
export function cellAsText(value: Cell): string {
  if (value === null || value === undefined) return "";
  if (value instanceof Date) {
    if (Number.isNaN(value.getTime())) return "";
    const iso = value.toISOString();
    return iso.endsWith("T00:00:00.000Z") ? iso.slice(0, 10) : iso;
  }
  if (typeof value === "number")
    return Number.isInteger(value) ? String(value) : String(Number(value.toPrecision(15)));
  return String(value);
}

/** "C5" → 2 (zero-based column); -1 when there are no letters. */
function columnIndex(reference: string): number {
  let column = 0;
  let i = 0;
  for (; i < reference.length; i++) {
    const code = reference.charCodeAt(i);
    if (code < 65 || code > 90) break;
    column = column * 26 + (code - 64);
  }
  return i === 0 ? -1 : column - 1;
}

type Workbook = { strings: StringTable; dates: boolean[]; date1904: boolean };

/** A cell's text as read-excel-file gave it before: strings trimmed, errors blank, dates by their number format. */
function cellText(
  type: string,
  style: string | undefined,
  v: string | null,
  inline: string | null,
  book: Workbook,
): string {
  switch (type) {
    case "s": {
      if (!v) return "";
      const text = book.strings.get(Number(v));
      if (text === undefined) throw invalidWorkbook(`a cell refers to shared string ${v}, which is missing`);
      return text.trim();
    }
    case "inlineStr":
      return inline === null ? "" : unescapeXlsx(inline).trim();
    case "str":
      return v ? v.trim() : "";
    case "b":
      return v === "1" ? "true" : v === "0" ? "false" : "";
    case "e":
      return "";
    case "d":
      return v ? cellAsText(new Date(v)) : "";
    default: {
      if (!v) return "";
      const number = Number(v);
      if (Number.isNaN(number)) return "";
      if (style !== undefined && book.dates[Number(style)])
        return cellAsText(excelDate(number, book.date1904));
      return cellAsText(number);
    }
  }
}

/** The sheet's rows as they are unpacked: each row's number and its cells by column (missing cells blank). */
async function* sheetRows(stream: Readable, book: Workbook): AsyncGenerator<SheetRow> {
  const ready: SheetRow[] = [];
  let row = 0;
  let cells: string[] | null = null;
  let column = -1;
  let type = "n";
  let style: string | undefined;
  let v: string | null = null;
  let inline: string | null = null;
  let inV = false;
  let inT = false;
  let inPhonetic = false;
  const handlers: Handlers = {
    open: (name, a) => {
      switch (name) {
        case "row":
          row = a.r ? Number(a.r) : row + 1;
          cells = [];
          column = -1;
          break;
        case "c": {
          const at = a.r ? columnIndex(a.r) : -1;
          column = at >= 0 ? at : column + 1;
          type = a.t ?? "n";
          style = a.s;
          v = null;
          inline = null;
          break;
        }
        case "v":
          inV = true;
          v = "";
          break;
        case "is":
          inline = "";
          break;
        case "t":
          inT = true;
          break;
        case "rPh":
          inPhonetic = true;
          break;
      }
    },
    close: (name) => {
      switch (name) {
        case "c":
          if (cells) {
            const text = cellText(type, style, v, inline, book);
            if (text !== "") {
              while (cells.length < column) cells.push("");
              cells[column] = text;
            }
          }
          break;
        case "row":
          if (cells) ready.push({ row, cells });
          cells = null;
          break;
        case "v":
          inV = false;
          break;
        case "t":
          inT = false;
          break;
        case "rPh":
          inPhonetic = false;
          break;
      }
    },
    text: (text) => {
      if (inV) v += text;
      else if (inline !== null && inT && !inPhonetic) inline += text;
    },
  };
  for await (const _ of parsePart(stream, handlers)) {
    while (ready.length > 0) yield ready.shift()!;
  }
  while (ready.length > 0) yield ready.shift()!;
}

export async function openXlsx(input: ImportInput, limits: ReadLimits): Promise<TableSource> {
  const totalBytes = await inputSize(input);
  if (totalBytes > limits.maxXlsxBytes)
    throw new AppError(
      "IMPORT_TOO_LARGE",
      `The XLSX file is ${Math.ceil(totalBytes / 1024 / 1024)} MB; at most ${Math.round(limits.maxXlsxBytes / 1024 / 1024)} MB is read (save larger files as CSV)`,
      { reason: "file-too-large", limit: limits.maxXlsxBytes, size: totalBytes },
    );
  const zip = "buffer" in input ? zipInMemory(input.buffer) : zipOnDisk(input.path);
  let stream: Readable | null = null;
  try {
    const parts = new Map((await verifyZip(zip, unpackLimit(limits, totalBytes))).map((e) => [e.name, e]));
    const found = await workbookParts(zip, parts);
    const book: Workbook = {
      strings: await sharedStrings(zip, found.sharedStrings),
      dates: await dateStyles(zip, found.styles),
      date1904: found.date1904,
    };
    let consumed = 0;
    stream = entryStream(zip, found.sheet, (bytes) => {
      consumed += bytes;
    });
    const sheet = sheetRows(stream, book);
    const blank = (cells: string[]) => cells.every((c) => c === "");
    let header: SheetRow | undefined;
    for (;;) {
      const next = await sheet.next();
      if (next.done) break;
      if (!blank(next.value.cells)) {
        header = next.value;
        break;
      }
    }
    if (!header)
      throw new AppError("IMPORT_FILE_INVALID", "The first sheet is empty", { reason: "no-header" });
    const headers = header.cells;
    const headerRow = header.row;
    checkCellSizes(headers, headers, headerRow, limits);

    let finished = false;
    async function* rows(): AsyncGenerator<SheetRow> {
      try {
        let previous = headerRow;
        for await (const { row, cells } of sheet) {
          // Rows the sheet leaves out are blank rows, kept in place as the whole-sheet reader kept them.
          while (++previous < row) yield { row: previous, cells: headers.map(() => "") };
          previous = Math.max(previous, row);
          while (cells.length < headers.length) cells.push("");
          checkCellSizes(cells, headers, row, limits);
          yield { row, cells };
        }
        finished = true;
      } finally {
        close();
      }
    }
    const close = () => {
      stream?.destroy();
      zip.close();
    };
    const sheetShare = found.sheet.compressedSize || 1;
    return {
      format: "xlsx",
      encoding: null,
      delimiter: null,
      headers,
      totalBytes,
      bytesRead: () => (finished ? totalBytes : Math.round(Math.min(1, consumed / sheetShare) * totalBytes)),
      rows: rows(),
      close,
    };
  } catch (error) {
    stream?.destroy();
    zip.close();
    if (error instanceof AppError) throw error;
    throw invalidWorkbook((error as Error).message);
  }
}
