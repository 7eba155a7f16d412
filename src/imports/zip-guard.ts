// Checks an XLSX (zip) file before anything unpacks it: whole, plainly laid out, and small enough once inflated.
// The central directory's sizes are summed against the limit, every entry must sit where the directory says with
// nothing hidden between entries, and each entry is inflated once as a stream, counting bytes and discarding them,
// so a file that lies about its sizes is caught without ever holding more than a chunk of it. A file on disk is read
// by offset: only the directory and the headers are held, and entries are streamed from the file.
import { closeSync, createReadStream, fstatSync, openSync, readSync } from "node:fs";
import { Readable } from "node:stream";
import { crc32, createInflateRaw } from "node:zlib";
import { AppError } from "../shared/errors.ts";

const EOCD = 0x06054b50;
const CENTRAL = 0x02014b50;
const LOCAL = 0x04034b50;
const DESCRIPTOR = 0x08074b50;
const MAX_ENTRIES = 10_000;

export type ZipEntry = {
  name: string;
  method: number;
  flags: number;
  crc: number;
  compressedSize: number;
  size: number;
  localOffset: number;
};

/** A zip archive read by offset: a file on disk (only the parts asked for are read) or bytes in memory. */
export type ZipSource = {
  length: number;
  /** `length` bytes at `at` (fewer at the end of the archive). */
  read(at: number, length: number): Buffer;
  /** The bytes from `start` up to `end` (exclusive) as a stream. */
  stream(start: number, end: number): Readable;
  close(): void;
};

// 256 KiB, as the CSV reader reads (a direct million-row import peaked at 240 MB with these; the benchmark's runs
// stay near 377 MB with 64 or 256 KiB, for reasons not yet found: docs/imports.md).
const CHUNK = 256 * 1024;

export function zipInMemory(buffer: Buffer): ZipSource {
  return {
    length: buffer.length,
    read: (at, length) => buffer.subarray(at, at + length),
    stream: (start, end) =>
      Readable.from(
        (function* () {
          for (let at = start; at < end; at += CHUNK) yield buffer.subarray(at, Math.min(end, at + CHUNK));
        })(),
      ),
    close: () => {},
  };
}

/** Opens the file once for the small reads of the directory and headers; entries are streamed from the path. */
export function zipOnDisk(path: string): ZipSource {
  const fd = openSync(path, "r");
  let open = true;
  return {
    length: fstatSync(fd).size,
    read: (at, length) => {
      const buffer = Buffer.alloc(length);
      const read = readSync(fd, buffer, 0, length, at);
      return buffer.subarray(0, read);
    },
    stream: (start, end) =>
      end > start ? createReadStream(path, { start, end: end - 1, highWaterMark: CHUNK }) : Readable.from([]),
    close: () => {
      if (open) closeSync(fd);
      open = false;
    },
  };
}

const broken = (why: string, extra: Record<string, unknown> = {}) =>
  new AppError("IMPORT_FILE_INVALID", `The XLSX file is damaged or incomplete: ${why}`, {
    reason: "zip-invalid",
    ...extra,
  });

const tooLarge = (limit: number, size: number) =>
  new AppError(
    "IMPORT_TOO_LARGE",
    `The XLSX file unpacks to more than ${Math.round(limit / 1024 / 1024)} MB; split it or save it as CSV`,
    { reason: "uncompressed-too-large", limit, size },
  );

/** The end-of-directory record's offset, searched in the archive's last 64 KiB + 22 bytes. */
function findEndOfDirectory(zip: ZipSource): number {
  const tailStart = Math.max(0, zip.length - 22 - 0xffff);
  const tail = zip.read(tailStart, zip.length - tailStart);
  for (let at = tail.length - 22; at >= 0; at--) if (tail.readUInt32LE(at) === EOCD) return tailStart + at;
  return -1;
}

const asSource = (zip: Buffer | ZipSource): ZipSource => (Buffer.isBuffer(zip) ? zipInMemory(zip) : zip);

/** Where an entry's compressed bytes start (after its local header). */
export function dataStart(zip: ZipSource, entry: ZipEntry): number {
  const header = zip.read(entry.localOffset, 30);
  return entry.localOffset + 30 + header.readUInt16LE(26) + header.readUInt16LE(28);
}

/** Reads and checks the archive's layout; throws IMPORT_FILE_INVALID or IMPORT_TOO_LARGE. */
export function zipEntries(input: Buffer | ZipSource, maxUncompressedBytes: number): ZipEntry[] {
  const zip = asSource(input);
  const end = zip.length >= 22 ? findEndOfDirectory(zip) : -1;
  if (end < 0) throw broken("the zip directory at its end is missing (was the file cut off?)");
  const record = zip.read(end, 22);
  const count = record.readUInt16LE(10);
  const directorySize = record.readUInt32LE(12);
  const directoryOffset = record.readUInt32LE(16);
  if (count === 0xffff || directoryOffset === 0xffffffff) throw broken("ZIP64 archives are not supported");
  if (record.readUInt16LE(4) !== 0 || record.readUInt16LE(6) !== 0)
    throw broken("multi-part archives are not supported");
  if (count > MAX_ENTRIES) throw broken(`it holds ${count} parts`);
  if (directoryOffset + directorySize > end)
    throw broken("the zip directory points past the end of the file");
  // At most 10,000 entries of at most 46 + 3 × 64 KiB bytes each; read as one piece.
  const directory = zip.read(directoryOffset, end - directoryOffset);

  const entries: ZipEntry[] = [];
  let total = 0;
  let at = 0;
  const directoryEnd = end - directoryOffset;
  for (let i = 0; i < count; i++) {
    if (at + 46 > directoryEnd || directory.readUInt32LE(at) !== CENTRAL)
      throw broken("the zip directory is corrupt");
    const nameLength = directory.readUInt16LE(at + 28);
    const entry: ZipEntry = {
      flags: directory.readUInt16LE(at + 8),
      method: directory.readUInt16LE(at + 10),
      crc: directory.readUInt32LE(at + 16),
      compressedSize: directory.readUInt32LE(at + 20),
      size: directory.readUInt32LE(at + 24),
      localOffset: directory.readUInt32LE(at + 42),
      name: directory.toString("utf8", at + 46, at + 46 + nameLength),
    };
    if (entry.size === 0xffffffff || entry.compressedSize === 0xffffffff)
      throw broken("ZIP64 archives are not supported");
    if (entry.flags & 0x1) throw broken(`the part ${entry.name} is encrypted`);
    if (entry.method !== 0 && entry.method !== 8)
      throw broken(`the part ${entry.name} uses an unknown compression`);
    total += entry.size;
    if (total > maxUncompressedBytes) throw tooLarge(maxUncompressedBytes, total);
    entries.push(entry);
    at += 46 + nameLength + directory.readUInt16LE(at + 30) + directory.readUInt16LE(at + 32);
  }

  // Entries must follow each other from offset 0 up to the directory: no overlaps (the "better zip bomb") and
  // nothing between them that a streaming unzipper would read but the directory does not list.
  let expected = 0;
  for (const entry of [...entries].sort((a, b) => a.localOffset - b.localOffset)) {
    const local = entry.localOffset;
    const header = local + 30 <= directoryOffset ? zip.read(local, 30) : null;
    if (local !== expected || header === null || header.readUInt32LE(0) !== LOCAL)
      throw broken(`the part ${entry.name} is not where the zip directory says`);
    const localFlags = header.readUInt16LE(6);
    const start = local + 30 + header.readUInt16LE(26) + header.readUInt16LE(28);
    let dataEnd = start + entry.compressedSize;
    if (dataEnd > directoryOffset) throw broken(`the part ${entry.name} is cut off`);
    if (localFlags & 0x8) {
      dataEnd +=
        dataEnd + 4 <= directoryOffset && zip.read(dataEnd, 4).readUInt32LE(0) === DESCRIPTOR ? 16 : 12;
    } else if (header.readUInt32LE(18) !== entry.compressedSize || header.readUInt32LE(22) !== entry.size) {
      throw broken(`the part ${entry.name} gives two different sizes`);
    }
    expected = dataEnd;
  }
  if (expected !== directoryOffset) throw broken("there is unlisted data before the zip directory");
  return entries;
}

/** An entry's unpacked bytes as a stream (after `verifyZip` checked that they unpack to what the directory says). */
export function entryStream(zip: ZipSource, entry: ZipEntry, onRead?: (bytes: number) => void): Readable {
  const start = dataStart(zip, entry);
  const raw = zip.stream(start, start + entry.compressedSize);
  if (onRead) raw.on("data", (chunk: Buffer) => onRead(chunk.length));
  if (entry.method === 0) return raw;
  const inflater = createInflateRaw({ chunkSize: CHUNK });
  raw.on("error", (error) => inflater.destroy(error));
  return raw.pipe(inflater);
}

/** Unpacks an entry as a stream, keeping only its length and checksum; stops as soon as it passes `maxBytes`. */
async function unpackAndCount(
  zip: ZipSource,
  entry: ZipEntry,
  maxBytes: number,
): Promise<{ size: number; crc: number; over: boolean }> {
  const stream = entryStream(zip, entry);
  let size = 0;
  let crc = 0;
  try {
    for await (const chunk of stream as AsyncIterable<Buffer>) {
      size += chunk.length;
      if (size > maxBytes) return { size, crc, over: true };
      crc = crc32(chunk, crc);
    }
  } catch {
    throw broken(`the part ${entry.name} cannot be unpacked`);
  } finally {
    stream.destroy();
  }
  return { size, crc, over: false };
}

/** Checks that every entry unpacks to exactly its declared size and checksum, and the total stays under the limit. */
export async function verifyZip(
  input: Buffer | ZipSource,
  maxUncompressedBytes: number,
): Promise<ZipEntry[]> {
  const zip = asSource(input);
  const entries = zipEntries(zip, maxUncompressedBytes);
  let total = 0;
  for (const entry of entries) {
    const counted = await unpackAndCount(zip, entry, maxUncompressedBytes - total);
    if (counted.over) throw tooLarge(maxUncompressedBytes, total + counted.size);
    if (counted.size !== entry.size)
      throw broken(`the part ${entry.name} unpacks to ${counted.size} bytes, not ${entry.size}`);
    if (counted.crc !== entry.crc) throw broken(`the part ${entry.name} does not match its checksum`);
    total += counted.size;
  }
  return entries;
}
