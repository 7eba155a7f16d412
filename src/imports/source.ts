// An import file as a table: its format, header row and data rows, whatever it was (CSV or XLSX, a path or a buffer).
import { open, stat } from "node:fs/promises";
import { AppError } from "../shared/errors.ts";
import { columnName } from "./mapping.ts";

/** A file on disk (read as a stream, so it may be large) or bytes already in memory (an HTTP request body). */
export type ImportInput = { path: string } | { buffer: Buffer };
export type ImportFormat = "csv" | "xlsx";

/** A data row: the row number as the spreadsheet shows it (header = 1) and its cells as text. */
export type SheetRow = { row: number; cells: string[] };

export type TableSource = {
  format: ImportFormat;
  encoding: "utf-8" | "windows-1252" | null;
  delimiter: string | null;
  headers: string[];
  totalBytes: number;
  /** Bytes of the file consumed so far (for progress). */
  bytesRead(): number;
  rows: AsyncIterable<SheetRow>;
  /** Stops reading (closes the file); safe to call more than once. */
  close(): void;
};

export type ReadLimits = {
  /** Largest XLSX file read (it streams, but its parts are unpacked twice); CSV has no size limit of its own. */
  maxXlsxBytes: number;
  /** Total uncompressed size any XLSX file's parts may have (zip bombs); larger files get `maxUnpackRatio`. */
  maxUncompressedBytes: number;
  /**
   * A larger XLSX file may unpack to this many times its own size. Excel's XML packs 5–10 to 1 (a 1,000,000-row
   * sheet: 34 MB to 320 MB); a zip bomb packs 1,000 to 1 and more.
   */
  maxUnpackRatio: number;
  /** Longest cell, in characters. */
  maxCellChars: number;
};

export const DEFAULT_LIMITS: ReadLimits = {
  maxXlsxBytes: 100 * 1024 * 1024,
  maxUncompressedBytes: 100 * 1024 * 1024,
  maxUnpackRatio: 20,
  maxCellChars: 10_000,
};

export function inputSize(input: ImportInput): Promise<number> {
  return "buffer" in input ? Promise.resolve(input.buffer.length) : stat(input.path).then((s) => s.size);
}

/** How much an XLSX file of `size` bytes may unpack to. */
export function unpackLimit(limits: ReadLimits, size: number): number {
  return Math.max(limits.maxUncompressedBytes, Math.floor(size * limits.maxUnpackRatio));
}

export async function leadingBytes(input: ImportInput, count: number): Promise<Buffer> {
  if ("buffer" in input) return input.buffer.subarray(0, count);
  const file = await open(input.path, "r");
  try {
    const { buffer, bytesRead } = await file.read(Buffer.alloc(count), 0, count, 0);
    return buffer.subarray(0, bytesRead);
  } finally {
    await file.close();
  }
}

/** Tells the format from the first bytes: a zip is XLSX, an old binary workbook is refused, other text is CSV. */
export function sniffFormat(head: Buffer): ImportFormat {
  if (head.length === 0) throw new AppError("IMPORT_FILE_INVALID", "The file is empty", { reason: "empty" });
  if (head[0] === 0x50 && head[1] === 0x4b) return "xlsx";
  if (head.subarray(0, 4).equals(Buffer.from([0xd0, 0xcf, 0x11, 0xe0])))
    throw new AppError(
      "IMPORT_FILE_INVALID",
      "Old .xls workbooks cannot be read; save the file as .xlsx or CSV",
      {
        reason: "xls",
      },
    );
  if (head.includes(0))
    throw new AppError("IMPORT_FILE_INVALID", "The file is neither CSV text nor an XLSX workbook", {
      reason: "binary",
    });
  return "csv";
}

export function cellTooLong(
  row: number,
  header: string | undefined,
  index: number,
  length: number,
  limits: ReadLimits,
) {
  const column = columnName(header, index);
  return new AppError(
    "IMPORT_FILE_INVALID",
    `Row ${row}, column "${column}" holds ${length} characters; a cell may hold at most ${limits.maxCellChars}`,
    { reason: "cell-too-long", row, column, limit: limits.maxCellChars },
  );
}

/** Rejects a cell over the size limit: a file with one is refused whole, not row by row. */
export function checkCellSizes(cells: string[], headers: string[], row: number, limits: ReadLimits): void {
  for (let i = 0; i < cells.length; i++)
    if (cells[i]!.length > limits.maxCellChars)
      throw cellTooLong(row, headers[i], i, cells[i]!.length, limits);
}
