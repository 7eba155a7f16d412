// Reads CSV as a stream of rows: encoding (UTF-8, else Windows-1252 as Nordic Excel writes it) and delimiter sniffed.
import { isUtf8 } from "node:buffer";
import { createReadStream } from "node:fs";
import { pipeline, Readable, Transform, type TransformCallback } from "node:stream";
import { TextDecoder } from "node:util";
import { type CsvError, parse } from "csv-parse";
import { AppError } from "../shared/errors.ts";
import {
  checkCellSizes,
  type ImportInput,
  inputSize,
  type ReadLimits,
  type SheetRow,
  type TableSource,
} from "./source.ts";

export type CsvEncoding = "utf-8" | "windows-1252";
const CHUNK = 256 * 1024;
/** csv-parse's guard on one record's buffered characters (an unclosed quote would otherwise swallow the file). */
const MAX_RECORD_CHARS = 1_000_000;
const DELIMITERS = [";", ",", "\t"] as const;

function byteStream(input: ImportInput): Readable {
  if ("path" in input) return createReadStream(input.path, { highWaterMark: CHUNK });
  const { buffer } = input;
  return Readable.from(
    (function* () {
      for (let at = 0; at < buffer.length; at += CHUNK) yield buffer.subarray(at, at + CHUNK);
    })(),
  );
}

/** Where a chunk can be cut without splitting a UTF-8 sequence: before a trailing incomplete one. */
function completeUtf8Length(data: Buffer): number {
  let start = data.length - 1;
  while (start >= 0 && start > data.length - 4 && (data[start]! & 0xc0) === 0x80) start--;
  if (start < 0) return data.length;
  const lead = data[start]!;
  const needed = lead >= 0xf0 ? 4 : lead >= 0xe0 ? 3 : lead >= 0xc0 ? 2 : 1;
  return data.length - start < needed ? start : data.length;
}

/** UTF-8 when every byte of the file is valid UTF-8 (one streaming pass), else Windows-1252. */
export async function detectEncoding(input: ImportInput): Promise<CsvEncoding> {
  let carry: Buffer = Buffer.alloc(0);
  for await (const chunk of byteStream(input)) {
    const data = carry.length > 0 ? Buffer.concat([carry, chunk as Buffer]) : (chunk as Buffer);
    const cut = completeUtf8Length(data);
    if (!isUtf8(data.subarray(0, cut))) return "windows-1252";
    carry = Buffer.from(data.subarray(cut));
  }
  return carry.length === 0 ? "utf-8" : "windows-1252";
}

/** The delimiter the header line uses most, among `;` `,` and tab (quotes respected); `,` for a one-column file. */
export function sniffDelimiter(text: string): string {
  const counts = new Map<string, number>(DELIMITERS.map((d) => [d, 0]));
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i]!;
    if (c === '"') quoted = !quoted;
    else if (!quoted && (c === "\n" || c === "\r")) {
      if ([...counts.values()].some((n) => n > 0)) break;
    } else if (!quoted && counts.has(c)) counts.set(c, counts.get(c)! + 1);
  }
  let best = ",";
  let bestCount = 0;
  for (const [delimiter, count] of counts) {
    if (count > bestCount) {
      best = delimiter;
      bestCount = count;
    }
  }
  return best;
}

/** Counts the bytes going through and, for Windows-1252, decodes them to text (UTF-8 goes to the parser as is). */
class FileBytes extends Transform {
  bytes = 0;
  private readonly decoder: TextDecoder | null;

  constructor(encoding: CsvEncoding) {
    super();
    this.decoder = encoding === "utf-8" ? null : new TextDecoder(encoding);
  }

  override _transform(chunk: Buffer, _encoding: BufferEncoding, done: TransformCallback): void {
    this.bytes += chunk.length;
    done(null, this.decoder ? this.decoder.decode(chunk, { stream: true }) : chunk);
  }

  override _flush(done: TransformCallback): void {
    done(null, this.decoder ? this.decoder.decode() : undefined);
  }
}

async function headText(input: ImportInput, encoding: CsvEncoding): Promise<string> {
  for await (const chunk of byteStream(input)) {
    const bytes = chunk as Buffer;
    return new TextDecoder(encoding).decode(
      encoding === "utf-8" ? bytes.subarray(0, completeUtf8Length(bytes)) : bytes,
    );
  }
  return "";
}

function readError(error: unknown, row: number): AppError {
  if (error instanceof AppError) return error;
  const csv = error as Partial<CsvError> & { lines?: number };
  const line = csv.lines;
  if (csv.code === "CSV_MAX_RECORD_SIZE")
    return new AppError(
      "IMPORT_FILE_INVALID",
      `Row ${row} is longer than ${MAX_RECORD_CHARS} characters (an unclosed quote?)`,
      { reason: "record-too-long", row, line },
    );
  if (typeof csv.code === "string" && csv.code.startsWith("CSV_"))
    return new AppError("IMPORT_FILE_INVALID", `The CSV file cannot be read at row ${row}: ${csv.message}`, {
      reason: "csv-syntax",
      row,
      line,
      code: csv.code,
    });
  return new AppError("IMPORT_FILE_INVALID", `The file cannot be read: ${(error as Error).message}`, {
    reason: "read-failed",
  });
}

const isBlank = (cells: string[]) => cells.every((c) => c.trim() === "");

export async function openCsv(input: ImportInput, limits: ReadLimits): Promise<TableSource> {
  const totalBytes = await inputSize(input);
  const encoding = await detectEncoding(input);
  const delimiter = sniffDelimiter((await headText(input, encoding)).replace(/^\uFEFF/, ""));
  const counter = new FileBytes(encoding);
  const parser = parse({
    delimiter,
    bom: true,
    relax_column_count: true,
    relax_quotes: true,
    skip_empty_lines: false,
    max_record_size: MAX_RECORD_CHARS,
  });
  // pipeline destroys the parser with the first error anywhere (a read error too); the iterator below rethrows it.
  pipeline(byteStream(input), counter, parser, () => {});
  const records: AsyncIterator<string[]> = parser[Symbol.asyncIterator]();
  let row = 0;
  const next = async (): Promise<string[] | null> => {
    try {
      const result = await records.next();
      if (result.done) return null;
      row++;
      return result.value;
    } catch (error) {
      throw readError(error, row + 1);
    }
  };

  let headers: string[] | null = null;
  for (let record = await next(); record; record = await next()) {
    if (isBlank(record)) continue;
    headers = record.map((h) => h.trim());
    break;
  }
  if (!headers) {
    parser.destroy();
    throw new AppError("IMPORT_FILE_INVALID", "The file has no header row", { reason: "no-header" });
  }
  checkCellSizes(headers, headers, row, limits);
  const header = headers;

  async function* rows(): AsyncGenerator<SheetRow> {
    try {
      for (let record = await next(); record; record = await next()) {
        checkCellSizes(record, header, row, limits);
        yield { row, cells: record };
      }
    } finally {
      parser.destroy();
    }
  }
  return {
    format: "csv",
    encoding,
    delimiter,
    headers: header,
    totalBytes,
    bytesRead: () => counter.bytes,
    rows: rows(),
    close: () => parser.destroy(),
  };
}
