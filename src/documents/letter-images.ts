// What a letter accepts as an image (PNG or JPEG, by its own header; at most 5 MB and 6000 px a side) and the check
// that its pixels can be read before pdfkit embeds it. Pure.
import { inflateSync } from "node:zlib";

/** A letter image may be this large once decoded, and this many pixels wide or high: beyond, a page of it is a poster. */
export const IMAGE_MAX_BYTES = 5 * 1024 * 1024;
export const IMAGE_MAX_PIXELS = 6000;

export type ImageHeader = { kind: "png" | "jpeg"; width: number; height: number };

/** Kind and size from the file's own header (PNG's IHDR, JPEG's start-of-frame), whatever the data: URL claims. */
export function readImageHeader(data: Buffer): ImageHeader | null {
  const png = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
  if (data.length >= 24 && data.subarray(0, 8).equals(png) && data.toString("latin1", 12, 16) === "IHDR")
    return { kind: "png", width: data.readUInt32BE(16), height: data.readUInt32BE(20) };
  if (data.length < 4 || data[0] !== 0xff || data[1] !== 0xd8) return null;
  let at = 2;
  while (at + 4 <= data.length) {
    if (data[at] !== 0xff) return null;
    const marker = data[at + 1]!;
    if (marker === 0xff) {
      at++; // fill byte before a marker
      continue;
    }
    // Start-of-frame markers C0–CF carry the size; C4 (Huffman tables), C8 and CC (arithmetic coding) do not.
    if (marker >= 0xc0 && marker <= 0xcf && marker !== 0xc4 && marker !== 0xc8 && marker !== 0xcc) {
      if (at + 9 > data.length) return null;
      return { kind: "jpeg", height: data.readUInt16BE(at + 5), width: data.readUInt16BE(at + 7) };
    }
    if (marker === 0x01 || (marker >= 0xd0 && marker <= 0xd9)) {
      at += 2; // markers without a length
      continue;
    }
    at += 2 + data.readUInt16BE(at + 2);
  }
  return null;
}

const PNG_CHANNELS: Record<number, number> = { 0: 1, 2: 3, 3: 1, 4: 2, 6: 4 };

/**
 * Inflates a PNG's pixel data once, to throw here if it is damaged. pdfkit inflates a PNG with alpha or a palette
 * with transparency later, in a callback where the error escapes every caller and ends the process.
 */
export function checkPng(data: Buffer): void {
  if (data.length < 8 || data.readUInt32BE(0) !== 0x89504e47) return; // not a PNG: pdfkit's own checks apply
  const idat: Buffer[] = [];
  let header: Buffer | null = null;
  for (let at = 8; at + 8 <= data.length; ) {
    const length = data.readUInt32BE(at);
    const type = data.toString("latin1", at + 4, at + 8);
    const body = data.subarray(at + 8, at + 8 + length);
    if (body.length < length) throw new Error("the PNG image is cut short");
    if (type === "IHDR") header = body;
    else if (type === "IDAT") idat.push(body);
    else if (type === "IEND") break;
    at += 12 + length;
  }
  const channels = header && header.length >= 13 ? PNG_CHANNELS[header[9]!] : undefined;
  if (!header || !channels || idat.length === 0)
    throw new Error("the PNG image has no readable header or pixel data");
  const [width, height, depth, interlaced] = [
    header.readUInt32BE(0),
    header.readUInt32BE(4),
    header[8]!,
    header[12] === 1,
  ];
  const rowBytes = 1 + Math.ceil((width * channels * depth) / 8);
  let pixels: Buffer;
  try {
    // Interlacing adds a filter byte per row of each of its seven passes: never more than twice the plain size.
    pixels = inflateSync(Buffer.concat(idat), {
      maxOutputLength: rowBytes * height * (interlaced ? 2 : 1) + 64,
    });
  } catch {
    throw new Error("the PNG image's pixel data is damaged");
  }
  if (interlaced) return;
  if (pixels.length < rowBytes * height) throw new Error("the PNG image has fewer pixels than it says");
  for (let row = 0; row < height; row++)
    if (pixels[row * rowBytes]! > 4) throw new Error("the PNG image's pixel data is damaged");
}
