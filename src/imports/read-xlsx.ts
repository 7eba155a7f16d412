// Reads the first sheet of an XLSX workbook (whole, within size limits) as rows of text, numbered as Excel shows them.
import { readFile } from "node:fs/promises";
import {
  InvalidInputError,
  InvalidSpreadsheetError,
  readSheet,
  SheetNotFoundError,
} from "read-excel-file/node";
import { AppError } from "../shared/errors.ts";
import {
  cellTooLong,
  checkCellSizes,
  type ImportInput,
  inputSize,
  type ReadLimits,
  type SheetRow,
  type TableSource,
} from "./source.ts";
import { verifyZip } from "./zip-guard.ts";

type Cell = string | number | boolean | Date | null | undefined;

/** A cell as text: dates as YYYY-MM-DD (with the time when there is one), numbers without float noise. */
export function cellAsText(value: Cell): string {
  if (value === null || value === undefined) return "";
  if (value instanceof Date) {
    const iso = value.toISOString();
    return iso.endsWith("T00:00:00.000Z") ? iso.slice(0, 10) : iso;
  }
  if (typeof value === "number")
    return Number.isInteger(value) ? String(value) : String(Number(value.toPrecision(15)));
  return String(value);
}

function unreadable(error: unknown): AppError {
  if (error instanceof AppError) return error;
  if (error instanceof InvalidInputError)
    return new AppError(
      "IMPORT_FILE_INVALID",
      error.code === "XLS_FILE_NOT_SUPPORTED"
        ? "Old .xls workbooks cannot be read; save the file as .xlsx or CSV"
        : `The file is not a readable XLSX workbook (${error.code})`,
      { reason: "xlsx-invalid", code: error.code },
    );
  if (error instanceof InvalidSpreadsheetError || error instanceof SheetNotFoundError)
    return new AppError("IMPORT_FILE_INVALID", `The XLSX workbook cannot be read: ${error.message}`, {
      reason: "xlsx-invalid",
    });
  return new AppError(
    "IMPORT_FILE_INVALID",
    `The XLSX workbook cannot be read: ${(error as Error).message}`,
    {
      reason: "xlsx-invalid",
    },
  );
}

export async function openXlsx(input: ImportInput, limits: ReadLimits): Promise<TableSource> {
  const totalBytes = await inputSize(input);
  if (totalBytes > limits.maxXlsxBytes)
    throw new AppError(
      "IMPORT_TOO_LARGE",
      `The XLSX file is ${Math.ceil(totalBytes / 1024 / 1024)} MB; at most ${Math.round(limits.maxXlsxBytes / 1024 / 1024)} MB is read (save larger files as CSV)`,
      { reason: "file-too-large", limit: limits.maxXlsxBytes, size: totalBytes },
    );
  const zip = "buffer" in input ? input.buffer : await readFile(input.path);
  await verifyZip(zip, limits.maxUncompressedBytes);
  let sheet: Cell[][];
  try {
    sheet = (await readSheet(zip)) as unknown as Cell[][];
  } catch (error) {
    throw unreadable(error);
  }

  // Excel numbers rows from 1 and read-excel-file keeps blank rows in place, so index + 1 is the row Excel shows.
  const headerIndex = sheet.findIndex((cells) => cells.some((c) => cellAsText(c).trim() !== ""));
  if (headerIndex < 0)
    throw new AppError("IMPORT_FILE_INVALID", "The first sheet is empty", { reason: "no-header" });
  const headers = sheet[headerIndex]!.map((c) => cellAsText(c).trim());
  checkCellSizes(headers, headers, headerIndex + 1, limits);
  // Only text cells can be long; checking them all before the first row is used refuses a bad file before any write.
  for (let i = headerIndex + 1; i < sheet.length; i++) {
    const cells = sheet[i] ?? [];
    for (let c = 0; c < cells.length; c++) {
      const cell = cells[c];
      if (typeof cell === "string" && cell.length > limits.maxCellChars)
        throw cellTooLong(i + 1, headers[c], c, cell.length, limits);
    }
  }

  let done = 0;
  const rowCount = sheet.length;
  async function* rows(): AsyncGenerator<SheetRow> {
    for (let i = headerIndex + 1; i < sheet.length; i++) {
      const cells = (sheet[i] ?? []).map(cellAsText);
      sheet[i] = []; // let the read rows go as the import moves on
      done = i + 1;
      yield { row: i + 1, cells };
    }
    done = rowCount;
  }
  return {
    format: "xlsx",
    encoding: null,
    delimiter: null,
    headers,
    totalBytes,
    bytesRead: () => (done >= rowCount ? totalBytes : Math.round((done / rowCount) * totalBytes)),
    rows: rows(),
    close: () => {
      sheet.length = 0;
    },
  };
}
