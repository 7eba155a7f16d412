// Builders for the Word template tests: DOCX files written by the test (with PizZip, not our own zip writer), merge
// contexts with defaults, and a zip whose directory says what the test wants it to.
import { crc32, createDeflateRaw } from "node:zlib";
import mammoth from "mammoth";
import PizZip from "pizzip";
import type { MergeContext } from "../../src/mailings/merge-fields.ts";

const W = 'xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"';

export function paragraph(...runs: string[]): string {
  return `<w:p>${runs.map((r) => (r.startsWith("<") ? r : `<w:r><w:t xml:space="preserve">${r}</w:t></w:r>`)).join("")}</w:p>`;
}

/** A minimal DOCX: the body's XML as given, A4 section properties, optional extra parts. */
export function docx(body: string, parts: Record<string, string | Buffer> = {}): Buffer {
  const zip = new PizZip();
  zip.file(
    "[Content_Types].xml",
    '<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"><Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/><Default Extension="xml" ContentType="application/xml"/><Default Extension="png" ContentType="image/png"/><Override PartName="/word/document.xml" ContentType="application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"/><Override PartName="/word/header1.xml" ContentType="application/vnd.openxmlformats-officedocument.wordprocessingml.header+xml"/></Types>',
  );
  zip.file(
    "_rels/.rels",
    '<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="word/document.xml"/></Relationships>',
  );
  zip.file(
    "word/document.xml",
    `<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<w:document ${W}>\n<w:body>\n${body}\n<w:sectPr><w:pgSz w:w="11906" w:h="16838"/><w:pgMar w:top="1417" w:right="1417" w:bottom="1417" w:left="1417" w:header="708" w:footer="708" w:gutter="0"/></w:sectPr></w:body></w:document>`,
  );
  for (const [name, data] of Object.entries(parts)) zip.file(name, data);
  return zip.generate({ type: "nodebuffer", compression: "DEFLATE" });
}

export function header(xml: string): string {
  return `<?xml version="1.0" encoding="UTF-8" standalone="yes"?><w:hdr ${W}>${xml}</w:hdr>`;
}

/** A recipient with every field empty but the names; `overrides` replaces whole groups. */
export function context(
  firstname: string | null,
  lastname: string | null,
  overrides: Partial<MergeContext> = {},
): MergeContext {
  const name = [firstname, lastname].filter(Boolean).join(" ") || null;
  return {
    customer: {
      id: "1",
      name,
      firstname,
      middlename: null,
      lastname,
      bestName: firstname ?? name,
      salutation: name,
      title: null,
      mrmrs: null,
      email: null,
      cellphone: null,
      phone: null,
      language: "nb",
    },
    company: null,
    ourContact: { name: "Kari Selger", email: null, phone: null },
    mailing: { name: "Julebrev", subject: null },
    link: { unsubscribe: null, subscriptions: null, viewOnline: null },
    document: {
      address: [name, "Storgata 1", "0155 OSLO"].filter(Boolean).join("\n"),
      heading: "Invitasjon",
      attention: null,
      ourRef: "KS/1",
      date: "4. desember 2026",
    },
    ...overrides,
  };
}

/** The text of a DOCX as another reader sees it. */
export async function textOf(file: Buffer): Promise<string> {
  return (await mammoth.extractRawText({ buffer: file })).value;
}

export function documentXmlOf(file: Buffer): string {
  return new PizZip(file).file("word/document.xml")?.asText() ?? "";
}

/**
 * A one-entry zip of `zeros` bytes of zeros, deflated as it is made (never held whole), whose central directory
 * declares `declaredSize` (the true size, or a lie).
 */
export async function zerosZip(name: string, zeros: number, declaredSize = zeros): Promise<Buffer> {
  const deflate = createDeflateRaw({ level: 9 });
  const out: Buffer[] = [];
  deflate.on("data", (c: Buffer) => out.push(c));
  const chunk = Buffer.alloc(1024 * 1024);
  let crc = 0;
  for (let left = zeros; left > 0; left -= chunk.length) {
    const part = left >= chunk.length ? chunk : chunk.subarray(0, left);
    crc = crc32(part, crc);
    if (!deflate.write(part)) await new Promise((resolve) => deflate.once("drain", resolve));
  }
  await new Promise((resolve) => deflate.end(resolve));
  const data = Buffer.concat(out);
  const nameBytes = Buffer.from(name);
  const local = Buffer.alloc(30);
  local.writeUInt32LE(0x04034b50, 0);
  local.writeUInt16LE(20, 4);
  local.writeUInt16LE(8, 8);
  local.writeUInt32LE(crc, 14);
  local.writeUInt32LE(data.length, 18);
  local.writeUInt32LE(declaredSize, 22);
  local.writeUInt16LE(nameBytes.length, 26);
  const central = Buffer.alloc(46);
  central.writeUInt32LE(0x02014b50, 0);
  central.writeUInt16LE(20, 4);
  central.writeUInt16LE(20, 6);
  central.writeUInt16LE(8, 10);
  central.writeUInt32LE(crc, 16);
  central.writeUInt32LE(data.length, 20);
  central.writeUInt32LE(declaredSize, 24);
  central.writeUInt16LE(nameBytes.length, 28);
  const cdOffset = local.length + nameBytes.length + data.length;
  const end = Buffer.alloc(22);
  end.writeUInt32LE(0x06054b50, 0);
  end.writeUInt16LE(1, 8);
  end.writeUInt16LE(1, 10);
  end.writeUInt32LE(central.length + nameBytes.length, 12);
  end.writeUInt32LE(cdOffset, 16);
  return Buffer.concat([local, nameBytes, data, central, nameBytes, end]);
}
