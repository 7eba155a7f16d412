// Checks an XLSX (zip) file before anything unpacks it: whole, plainly laid out, and small enough once inflated.
// The central directory's sizes are summed against the limit, every entry must sit where the directory says with
// nothing hidden between entries, and each entry is inflated once as a stream, counting bytes and discarding them,
// so a file that lies about its sizes is caught without ever holding more than a chunk of it.
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

function findEndOfDirectory(zip: Buffer): number {
  const earliest = Math.max(0, zip.length - 22 - 0xffff);
  for (let at = zip.length - 22; at >= earliest; at--) if (zip.readUInt32LE(at) === EOCD) return at;
  return -1;
}

/** Reads and checks the archive's layout; throws IMPORT_FILE_INVALID or IMPORT_TOO_LARGE. */
export function zipEntries(zip: Buffer, maxUncompressedBytes: number): ZipEntry[] {
  const end = zip.length >= 22 ? findEndOfDirectory(zip) : -1;
  if (end < 0) throw broken("the zip directory at its end is missing (was the file cut off?)");
  const count = zip.readUInt16LE(end + 10);
  const directorySize = zip.readUInt32LE(end + 12);
  const directoryOffset = zip.readUInt32LE(end + 16);
  if (count === 0xffff || directoryOffset === 0xffffffff) throw broken("ZIP64 archives are not supported");
  if (zip.readUInt16LE(end + 4) !== 0 || zip.readUInt16LE(end + 6) !== 0)
    throw broken("multi-part archives are not supported");
  if (count > MAX_ENTRIES) throw broken(`it holds ${count} parts`);
  if (directoryOffset + directorySize > end)
    throw broken("the zip directory points past the end of the file");

  const entries: ZipEntry[] = [];
  let total = 0;
  let at = directoryOffset;
  for (let i = 0; i < count; i++) {
    if (at + 46 > end || zip.readUInt32LE(at) !== CENTRAL) throw broken("the zip directory is corrupt");
    const nameLength = zip.readUInt16LE(at + 28);
    const entry: ZipEntry = {
      flags: zip.readUInt16LE(at + 8),
      method: zip.readUInt16LE(at + 10),
      crc: zip.readUInt32LE(at + 16),
      compressedSize: zip.readUInt32LE(at + 20),
      size: zip.readUInt32LE(at + 24),
      localOffset: zip.readUInt32LE(at + 42),
      name: zip.toString("utf8", at + 46, at + 46 + nameLength),
    };
    if (entry.size === 0xffffffff || entry.compressedSize === 0xffffffff)
      throw broken("ZIP64 archives are not supported");
    if (entry.flags & 0x1) throw broken(`the part ${entry.name} is encrypted`);
    if (entry.method !== 0 && entry.method !== 8)
      throw broken(`the part ${entry.name} uses an unknown compression`);
    total += entry.size;
    if (total > maxUncompressedBytes) throw tooLarge(maxUncompressedBytes, total);
    entries.push(entry);
    at += 46 + nameLength + zip.readUInt16LE(at + 30) + zip.readUInt16LE(at + 32);
  }

  // Entries must follow each other from offset 0 up to the directory: no overlaps (the "better zip bomb") and
  // nothing between them that a streaming unzipper would read but the directory does not list.
  let expected = 0;
  for (const entry of [...entries].sort((a, b) => a.localOffset - b.localOffset)) {
    const local = entry.localOffset;
    if (local !== expected || local + 30 > directoryOffset || zip.readUInt32LE(local) !== LOCAL)
      throw broken(`the part ${entry.name} is not where the zip directory says`);
    const localFlags = zip.readUInt16LE(local + 6);
    const dataStart = local + 30 + zip.readUInt16LE(local + 26) + zip.readUInt16LE(local + 28);
    let dataEnd = dataStart + entry.compressedSize;
    if (dataEnd > directoryOffset) throw broken(`the part ${entry.name} is cut off`);
    if (localFlags & 0x8) {
      dataEnd += dataEnd + 4 <= directoryOffset && zip.readUInt32LE(dataEnd) === DESCRIPTOR ? 16 : 12;
    } else if (
      zip.readUInt32LE(local + 18) !== entry.compressedSize ||
      zip.readUInt32LE(local + 22) !== entry.size
    ) {
      throw broken(`the part ${entry.name} gives two different sizes`);
    }
    expected = dataEnd;
  }
  if (expected !== directoryOffset) throw broken("there is unlisted data before the zip directory");
  return entries;
}

function dataOf(zip: Buffer, entry: ZipEntry): Buffer {
  const local = entry.localOffset;
  const start = local + 30 + zip.readUInt16LE(local + 26) + zip.readUInt16LE(local + 28);
  return zip.subarray(start, start + entry.compressedSize);
}

/** Inflates an entry as a stream, keeping only its length and checksum; stops as soon as it passes `maxBytes`. */
function inflateAndCount(
  data: Buffer,
  maxBytes: number,
): Promise<{ size: number; crc: number; over: boolean }> {
  return new Promise((resolve, reject) => {
    const inflater = createInflateRaw();
    let size = 0;
    let crc = 0;
    inflater.on("data", (chunk: Buffer) => {
      size += chunk.length;
      if (size > maxBytes) {
        inflater.destroy();
        resolve({ size, crc, over: true });
        return;
      }
      crc = crc32(chunk, crc);
    });
    inflater.on("error", reject);
    inflater.on("end", () => resolve({ size, crc, over: false }));
    inflater.end(data);
  });
}

/** Checks that every entry inflates to exactly its declared size and checksum, and the total stays under the limit. */
export async function verifyZip(zip: Buffer, maxUncompressedBytes: number): Promise<ZipEntry[]> {
  const entries = zipEntries(zip, maxUncompressedBytes);
  let total = 0;
  for (const entry of entries) {
    const data = dataOf(zip, entry);
    const counted =
      entry.method === 0
        ? { size: data.length, crc: crc32(data), over: total + data.length > maxUncompressedBytes }
        : await inflateAndCount(data, maxUncompressedBytes - total).catch(() => {
            throw broken(`the part ${entry.name} cannot be unpacked`);
          });
    if (counted.over) throw tooLarge(maxUncompressedBytes, total + counted.size);
    if (counted.size !== entry.size)
      throw broken(`the part ${entry.name} unpacks to ${counted.size} bytes, not ${entry.size}`);
    if (counted.crc !== entry.crc) throw broken(`the part ${entry.name} does not match its checksum`);
    total += counted.size;
  }
  return entries;
}
