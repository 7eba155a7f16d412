// The letters' pages in a PDF that LibreOffice converted from a merged Word template, and the blank pages duplex
// printing needs. LibreOffice marks where each letter starts (a named destination per letter, from the bookmark the
// merge put there); the blank pages are added in an incremental update, so the bytes LibreOffice wrote stay as they are.
//
// Made for LibreOffice's own output (classic cross-reference table, one flat page tree); anything else is refused
// with DOCUMENT_CONVERSION_FAILED rather than guessed at.
import { appendFile, readFile } from "node:fs/promises";
import { AppError } from "../shared/errors.ts";
import { letterMark } from "./docx-template.ts";

export type LetterPages = { first: number; count: number };

function unreadable(message: string): AppError {
  return new AppError("DOCUMENT_CONVERSION_FAILED", `The PDF LibreOffice wrote cannot be read: ${message}`, {
    cause: "pdf-structure",
  });
}

type Pdf = {
  text: string; // latin1: one character per byte, so offsets are byte offsets
  offsets: Map<number, number>;
  trailer: string;
  startxref: number;
};

function parse(bytes: Buffer): Pdf {
  const text = bytes.toString("latin1");
  const start = /startxref\s+(\d+)\s+%%EOF\s*$/.exec(text.slice(-1024));
  if (!start) throw unreadable("no startxref at its end");
  const startxref = Number(start[1]);
  if (!text.startsWith("xref", startxref))
    throw unreadable("no cross-reference table (a stream is not supported)");
  const trailerAt = text.indexOf("trailer", startxref);
  if (trailerAt < 0) throw unreadable("no trailer");
  const offsets = new Map<number, number>();
  const table = text.slice(startxref + 4, trailerAt);
  const lines = table.split(/\r\n|\r|\n/).filter((line) => line.trim() !== "");
  for (let i = 0; i < lines.length; ) {
    const head = /^(\d+)\s+(\d+)$/.exec(lines[i]!.trim());
    if (!head) throw unreadable(`an odd line in the cross-reference table: ${lines[i]}`);
    const first = Number(head[1]);
    const count = Number(head[2]);
    for (let k = 0; k < count; k++) {
      const entry = /^(\d{10}) (\d{5}) ([nf])/.exec(lines[i + 1 + k] ?? "");
      if (!entry) throw unreadable("a short cross-reference table");
      if (entry[3] === "n") offsets.set(first + k, Number(entry[1]));
    }
    i += 1 + count;
  }
  const trailer = /<<[\s\S]*>>/.exec(text.slice(trailerAt, text.indexOf("startxref", trailerAt)))?.[0];
  if (!trailer) throw unreadable("an empty trailer");
  if (/\/Prev\b/.test(trailer)) throw unreadable("an incremental update");
  return { text, offsets, trailer, startxref };
}

/** An object's body, between "n 0 obj" and "endobj". */
function body(pdf: Pdf, n: number): string {
  const at = pdf.offsets.get(n);
  if (at === undefined) throw unreadable(`object ${n} is missing`);
  const head = new RegExp(`^${n}\\s+0\\s+obj`).exec(pdf.text.slice(at, at + 32));
  if (!head) throw unreadable(`object ${n} is not where the table says`);
  const end = pdf.text.indexOf("endobj", at);
  return pdf.text.slice(at + head[0].length, end).trim();
}

const ref = (dict: string, key: string): number | null => {
  const m = new RegExp(`/${key}\\s+(\\d+)\\s+0\\s+R`).exec(dict);
  return m ? Number(m[1]) : null;
};

/** Where each letter starts and how many pages it has (blank pages not counted), from LibreOffice's PDF. */
function findLetters(pdf: Pdf, letters: number) {
  const rootRef = ref(pdf.trailer, "Root");
  if (rootRef === null) throw unreadable("no catalog");
  const catalog = body(pdf, rootRef);
  const pagesRef = ref(catalog, "Pages");
  if (pagesRef === null) throw unreadable("no page tree");
  const pagesNode = body(pdf, pagesRef);
  const kidsText = /\/Kids\s*\[([^\]]*)\]/.exec(pagesNode)?.[1];
  if (kidsText === undefined) throw unreadable("a page tree without kids");
  const kids = [...kidsText.matchAll(/(\d+)\s+0\s+R/g)].map((m) => Number(m[1]));
  for (const kid of kids)
    if (!/\/Type\s*\/Page\b(?!s)/.test(body(pdf, kid)))
      throw unreadable("a page tree of more than one level");
  const destsRef = ref(catalog, "Dests");
  const dests = destsRef === null ? "" : body(pdf, destsRef);
  const pageOf = new Map(kids.map((kid, i) => [kid, i]));
  // Read once: 10,000 letters are 10,000 names.
  const marked = new Map<string, number>();
  for (const m of dests.matchAll(/\/(\w+)\s*\[\s*(\d+)\s+0\s+R/g)) marked.set(m[1]!, Number(m[2]));
  const starts: number[] = [];
  for (let n = 1; n <= letters; n++) {
    const pageRef = marked.get(letterMark(n));
    const page = pageRef === undefined ? undefined : pageOf.get(pageRef);
    if (page === undefined) throw unreadable(`no mark where letter ${n} starts`);
    if (n > 1 && page <= starts.at(-1)!) throw unreadable(`letter ${n} starts before letter ${n - 1} ends`);
    starts.push(page);
  }
  if (letters > 0 && starts[0] !== 0) throw unreadable("the first letter does not start on the first page");
  return { catalog, rootRef, pagesRef, pagesNode, kids, destsRef, starts };
}

const xrefEntry = (offset: number) => `${String(offset).padStart(10, "0")} 00000 n \n`;

/**
 * Reads where each of `letters` letters starts in the PDF at `path`; with `oddPages`, appends a blank page before
 * every letter that would start on an even page. Returns each letter's pages (1-based, as printed) and the total.
 */
export async function letterPages(
  path: string,
  letters: number,
  options: { oddPages: boolean },
): Promise<{ letters: LetterPages[]; pages: number }> {
  const pdf = parse(await readFile(path));
  const found = findLetters(pdf, letters);
  const counts = found.starts.map((start, i) => (found.starts[i + 1] ?? found.kids.length) - start);
  const kids: string[] = [];
  const placed: LetterPages[] = [];
  const blanks: Array<{ number: number; mediaBox: string }> = [];
  let size = Number(/\/Size\s+(\d+)/.exec(pdf.trailer)?.[1] ?? 0);
  found.starts.forEach((start, i) => {
    if (options.oddPages && kids.length % 2 === 1) {
      const before = body(pdf, found.kids[start - 1]!);
      blanks.push({ number: size, mediaBox: /\/MediaBox\s*\[[^\]]*\]/.exec(before)?.[0] ?? "" });
      kids.push(`${size} 0 R`);
      size++;
    }
    placed.push({ first: kids.length + 1, count: counts[i]! });
    for (let k = start; k < start + counts[i]!; k++) kids.push(`${found.kids[k]} 0 R`);
  });
  // Pages before the first letter (none from our merge) would have been dropped above: keep the tree whole.
  if (letters === 0) return { letters: [], pages: found.kids.length };
  if (blanks.length === 0 && found.destsRef === null) return { letters: placed, pages: kids.length };

  // The update: the blank pages, the page tree with them in place, the catalog without our marks, a new table.
  const offset = pdf.text.length;
  let update = "\n";
  const written = new Map<number, number>();
  const add = (n: number, dict: string) => {
    written.set(n, offset + Buffer.byteLength(update, "latin1"));
    update += `${n} 0 obj\n${dict}\nendobj\n`;
  };
  for (const blank of blanks)
    add(blank.number, `<</Type/Page/Parent ${found.pagesRef} 0 R${blank.mediaBox}/Resources<<>>>>`);
  add(
    found.pagesRef,
    found.pagesNode
      .replace(/\/Kids\s*\[[^\]]*\]/, `/Kids[ ${kids.join(" ")} ]`)
      .replace(/\/Count\s+\d+/, `/Count ${kids.length}`),
  );
  add(found.rootRef, found.catalog.replace(/\/Dests\s+\d+\s+0\s+R/, ""));
  const xrefAt = offset + Buffer.byteLength(update, "latin1");
  update += "xref\n0 1\n0000000000 65535 f \n";
  for (const [n, at] of [...written].sort((a, b) => a[0] - b[0])) update += `${n} 1\n${xrefEntry(at)}`;
  const keep = ["Root", "Info"]
    .map((key) => new RegExp(`/${key}\\s+\\d+\\s+0\\s+R`).exec(pdf.trailer)?.[0] ?? "")
    .join("");
  const id = /\/ID\s*\[[^\]]*\]/.exec(pdf.trailer)?.[0] ?? "";
  update += `trailer\n<</Size ${size}${keep}${id}/Prev ${pdf.startxref}>>\nstartxref\n${xrefAt}\n%%EOF\n`;
  await appendFile(path, Buffer.from(update, "latin1"));
  return { letters: placed, pages: kids.length };
}
