// The little ZIP a DOCX needs: a reader that refuses bombs from the central directory before inflating (and counts
// while inflating), and a writer that copies entries raw and streams one deflated entry of unknown size.
import { crc32, createDeflateRaw, deflateRawSync, inflateRawSync } from "node:zlib";

export type ZipEntry = {
  name: string;
  method: number;
  flags: number;
  crc: number;
  compressedSize: number;
  size: number;
  dosTime: number;
  dosDate: number;
  /** Where the compressed bytes start in the archive. */
  dataOffset: number;
};

export type ZipLimits = { totalBytes: number; ratio: number };

/** A reason the bytes are not a usable ZIP; the caller wraps it in its own error code. */
export class ZipProblem extends Error {
  readonly details: Record<string, unknown>;
  constructor(message: string, details: Record<string, unknown> = {}) {
    super(message);
    this.details = details;
  }
}

const EOCD = 0x06054b50;
const CENTRAL = 0x02014b50;
const LOCAL = 0x04034b50;
const DESCRIPTOR = 0x08074b50;

function findEndOfCentralDirectory(zip: Buffer): number {
  const stop = Math.max(0, zip.length - 22 - 0xffff);
  for (let i = zip.length - 22; i >= stop; i--) if (zip.readUInt32LE(i) === EOCD) return i;
  return -1;
}

/** The entries as the central directory lists them, after the size limits; nothing is inflated yet. */
export function listEntries(zip: Buffer, limits: ZipLimits): ZipEntry[] {
  const end = zip.length >= 22 ? findEndOfCentralDirectory(zip) : -1;
  if (end < 0) throw new ZipProblem("the file is not a ZIP archive (no end of central directory)");
  const count = zip.readUInt16LE(end + 10);
  const cdOffset = zip.readUInt32LE(end + 16);
  if (count === 0xffff || cdOffset === 0xffffffff)
    throw new ZipProblem("ZIP64 archives are not supported (a Word document never needs one)");
  const entries: ZipEntry[] = [];
  let at = cdOffset;
  let total = 0;
  for (let i = 0; i < count; i++) {
    if (at + 46 > zip.length || zip.readUInt32LE(at) !== CENTRAL)
      throw new ZipProblem("the ZIP central directory is damaged", { entry: i });
    const flags = zip.readUInt16LE(at + 8);
    const method = zip.readUInt16LE(at + 10);
    const nameLength = zip.readUInt16LE(at + 28);
    const extraLength = zip.readUInt16LE(at + 30);
    const commentLength = zip.readUInt16LE(at + 32);
    const localOffset = zip.readUInt32LE(at + 42);
    const name = zip.toString("utf8", at + 46, at + 46 + nameLength);
    const compressedSize = zip.readUInt32LE(at + 20);
    const size = zip.readUInt32LE(at + 24);
    if (flags & 1) throw new ZipProblem("the archive is encrypted", { entry: name });
    if (method !== 0 && method !== 8)
      throw new ZipProblem(`unsupported compression method ${method}`, { entry: name });
    if (size === 0xffffffff || compressedSize === 0xffffffff)
      throw new ZipProblem("ZIP64 archives are not supported (a Word document never needs one)");
    if (localOffset + 30 > zip.length || zip.readUInt32LE(localOffset) !== LOCAL)
      throw new ZipProblem("a ZIP entry's local header is missing", { entry: name });
    const dataOffset =
      localOffset + 30 + zip.readUInt16LE(localOffset + 26) + zip.readUInt16LE(localOffset + 28);
    if (dataOffset + compressedSize > zip.length)
      throw new ZipProblem("a ZIP entry runs past the end of the file", { entry: name });
    total += size;
    if (total > limits.totalBytes)
      throw new ZipProblem(`the archive unpacks to more than ${limits.totalBytes} bytes`, {
        limit: limits.totalBytes,
        entry: name,
      });
    if (size > 1_000_000 && size / Math.max(1, compressedSize) > limits.ratio)
      throw new ZipProblem(`an entry is compressed more than ${limits.ratio} to 1`, {
        entry: name,
        size,
        compressedSize,
        ratio: limits.ratio,
      });
    entries.push({
      name,
      method,
      flags,
      crc: zip.readUInt32LE(at + 16),
      compressedSize,
      size,
      dosTime: zip.readUInt16LE(at + 12),
      dosDate: zip.readUInt16LE(at + 14),
      dataOffset,
    });
    at += 46 + nameLength + extraLength + commentLength;
  }
  const compressed = entries.reduce((sum, e) => sum + e.compressedSize, 0);
  if (total > 1_000_000 && total / Math.max(1, compressed) > limits.ratio)
    throw new ZipProblem(`the archive is compressed more than ${limits.ratio} to 1`, {
      size: total,
      compressedSize: compressed,
      ratio: limits.ratio,
    });
  return entries;
}

/** Inflates one entry, never past its declared size (a forged directory cannot make us inflate more). */
export function readEntry(zip: Buffer, entry: ZipEntry): Buffer {
  const raw = zip.subarray(entry.dataOffset, entry.dataOffset + entry.compressedSize);
  let data: Buffer;
  if (entry.method === 0) data = raw;
  else {
    try {
      data = inflateRawSync(raw, { maxOutputLength: Math.max(1, entry.size) });
    } catch (error) {
      const tooLarge = (error as { code?: string }).code === "ERR_BUFFER_TOO_LARGE";
      throw new ZipProblem(
        tooLarge
          ? "an entry inflates to more than the size its directory declares"
          : "an entry cannot be inflated",
        { entry: entry.name },
      );
    }
  }
  if (data.length !== entry.size || crc32(data) !== entry.crc)
    throw new ZipProblem("an entry's size or checksum does not match the directory", { entry: entry.name });
  return data;
}

type Written = {
  name: Buffer;
  flags: number;
  method: number;
  crc: number;
  csize: number;
  size: number;
  time: number;
  date: number;
  offset: number;
};

/** Writes a ZIP through `sink` (a file handle's write, or an array's push); entries are written in the order added. */
export class ZipWriter {
  private offset = 0;
  private readonly written: Written[] = [];
  private readonly sink: (chunk: Buffer) => Promise<void> | void;

  constructor(sink: (chunk: Buffer) => Promise<void> | void) {
    this.sink = sink;
  }

  private async put(chunk: Buffer): Promise<void> {
    this.offset += chunk.length;
    await this.sink(chunk);
  }

  private localHeader(w: Omit<Written, "offset">): Buffer {
    const h = Buffer.alloc(30);
    h.writeUInt32LE(LOCAL, 0);
    h.writeUInt16LE(20, 4);
    h.writeUInt16LE(w.flags, 6);
    h.writeUInt16LE(w.method, 8);
    h.writeUInt16LE(w.time, 10);
    h.writeUInt16LE(w.date, 12);
    h.writeUInt32LE(w.crc, 14);
    h.writeUInt32LE(w.csize, 18);
    h.writeUInt32LE(w.size, 22);
    h.writeUInt16LE(w.name.length, 26);
    return Buffer.concat([h, w.name]);
  }

  /** Copies an entry of another archive as its compressed bytes: nothing is inflated or deflated again. */
  async copy(from: Buffer, entry: ZipEntry): Promise<void> {
    const w = {
      name: Buffer.from(entry.name, "utf8"),
      flags: (entry.flags & ~0x8) | 0x800,
      method: entry.method,
      crc: entry.crc,
      csize: entry.compressedSize,
      size: entry.size,
      time: entry.dosTime,
      date: entry.dosDate,
    };
    this.written.push({ ...w, offset: this.offset });
    await this.put(this.localHeader(w));
    await this.put(from.subarray(entry.dataOffset, entry.dataOffset + entry.compressedSize));
  }

  async add(name: string, data: Buffer): Promise<void> {
    const compressed = deflateRawSync(data);
    const w = {
      name: Buffer.from(name, "utf8"),
      flags: 0x800,
      method: 8,
      crc: crc32(data),
      csize: compressed.length,
      size: data.length,
      time: 0,
      date: 0x21,
    };
    this.written.push({ ...w, offset: this.offset });
    await this.put(this.localHeader(w));
    await this.put(compressed);
  }

  /** Deflates the chunks as they come; size and CRC follow the data in a data descriptor. */
  async addStream(name: string, chunks: AsyncIterable<Buffer>): Promise<void> {
    const w = {
      name: Buffer.from(name, "utf8"),
      flags: 0x808,
      method: 8,
      crc: 0,
      csize: 0,
      size: 0,
      time: 0,
      date: 0x21,
    };
    const offset = this.offset;
    await this.put(this.localHeader(w));
    const deflate = createDeflateRaw();
    const feeding = (async () => {
      try {
        for await (const chunk of chunks) {
          w.crc = crc32(chunk, w.crc);
          w.size += chunk.length;
          if (!deflate.write(chunk)) await new Promise((resolve) => deflate.once("drain", resolve));
        }
        deflate.end();
      } catch (error) {
        deflate.destroy(error as Error);
      }
    })();
    for await (const out of deflate as AsyncIterable<Buffer>) {
      w.csize += out.length;
      await this.put(out);
    }
    await feeding;
    if (w.size > 0xfffffffe || w.csize > 0xfffffffe || this.offset > 0xfffffffe)
      throw new ZipProblem("the document is larger than a ZIP without ZIP64 can hold");
    const d = Buffer.alloc(16);
    d.writeUInt32LE(DESCRIPTOR, 0);
    d.writeUInt32LE(w.crc, 4);
    d.writeUInt32LE(w.csize, 8);
    d.writeUInt32LE(w.size, 12);
    await this.put(d);
    this.written.push({ ...w, offset });
  }

  async finish(): Promise<void> {
    const start = this.offset;
    for (const w of this.written) {
      const h = Buffer.alloc(46);
      h.writeUInt32LE(CENTRAL, 0);
      h.writeUInt16LE(20, 4);
      h.writeUInt16LE(20, 6);
      h.writeUInt16LE(w.flags, 8);
      h.writeUInt16LE(w.method, 10);
      h.writeUInt16LE(w.time, 12);
      h.writeUInt16LE(w.date, 14);
      h.writeUInt32LE(w.crc, 16);
      h.writeUInt32LE(w.csize, 20);
      h.writeUInt32LE(w.size, 24);
      h.writeUInt16LE(w.name.length, 28);
      h.writeUInt32LE(w.offset, 42);
      await this.put(Buffer.concat([h, w.name]));
    }
    const e = Buffer.alloc(22);
    e.writeUInt32LE(EOCD, 0);
    e.writeUInt16LE(this.written.length, 8);
    e.writeUInt16LE(this.written.length, 10);
    e.writeUInt32LE(this.offset - start, 12);
    e.writeUInt32LE(start, 16);
    await this.put(e);
  }
}
