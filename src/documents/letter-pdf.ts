// Composed letters as one print-ready PDF (SPEC §13): A4, the letterhead, the address block inside a C5/C65 window
// (DIN 5008 form B), date, reference, heading, body and signature, streamed letter by letter with embedded fonts.
// Lines are broken by line-breaking.ts, not by pdfkit, so every page break is ours: pdfkit never adds a page behind
// our back.
import { createHash } from "node:crypto";
import { once } from "node:events";
import { createRequire } from "node:module";
import PDFDocument from "pdfkit";
import { ENVELOPE_WINDOW, fitAddressLines, MM } from "./address-block.ts";
import { checkPng } from "./letter-images.ts";
import { breakIntoLines, type FontName, fontOf, type Line, shortenToWidth } from "./line-breaking.ts";

export type Run = { text: string; bold?: boolean; italic?: boolean };
export type BodyBlock =
  | { kind: "paragraph"; runs: Run[] }
  | { kind: "list"; ordered: boolean; items: Run[][] }
  | { kind: "image"; data: Buffer; widthMm?: number };
export type Letterhead = {
  companyName: string;
  addressLines: string[];
  orgNumber: string | null;
  phone: string | null;
  web: string | null;
  /** PNG or JPEG. */
  logo: Buffer | null;
};
export type Letter = {
  /** The recipient block: name, (company), street, postcode and city, country. */
  addressLines: string[];
  /** Who the letter is for at the address; printed as "Att.: …" under the first address line. */
  attention: string | null;
  /** Already formatted in the recipient's language (formatLetterDate). */
  date: string;
  ourRef: string | null;
  heading: string | null;
  body: BodyBlock[];
  signature: { name: string; title?: string | null; email?: string | null; phone?: string | null } | null;
  /** "Med vennlig hilsen" / "Kind regards" when not given. */
  closing?: string;
  /**
   * The recipient's language for the words the writer prints itself ("Vår ref." / "Our ref.", "Side" / "Page",
   * "Org.nr." / "Org. no.", the attention word and closing when not given); the writer's language when left out.
   */
  language?: Language;
};
/** `line` is the index in `addressLines`, or -1 for the attention line. */
export type LetterWarning =
  | { kind: "address-line-shortened"; line: number; original: string; shown: string }
  | { kind: "address-lines-dropped"; dropped: string[] };
export type LetterWriter = {
  /** Appends one letter starting on a new page (an odd page when oddPages); resolves when its bytes are handed to `out` (respect backpressure: await 'drain'). */
  addLetter(letter: Letter): Promise<{ firstPage: number; pageCount: number; warnings: LetterWarning[] }>;
  /** Ends the document; resolves when `out` has finished. */
  finish(): Promise<{ pages: number }>;
};
export type Language = "nb" | "en";

const PAGE = { width: 595.28, height: 841.89 };
const MARGIN = { left: 25 * MM, right: 25 * MM, top: 20 * MM, bottom: 20 * MM };
const TEXT_WIDTH = PAGE.width - MARGIN.left - MARGIN.right;
const BOTTOM = PAGE.height - MARGIN.bottom;

// Inside the window: the text keeps 5 mm from its left and right edges and 4 mm from top and bottom, so a letter
// that slides a little in the envelope still shows every line.
const ADDRESS = {
  left: ENVELOPE_WINDOW.left + 5 * MM,
  width: ENVELOPE_WINDOW.width - 10 * MM,
  returnTop: ENVELOPE_WINDOW.top + 4 * MM,
  top: ENVELOPE_WINDOW.top + 9 * MM,
  bottom: ENVELOPE_WINDOW.top + ENVELOPE_WINDOW.height - 4 * MM,
  size: 10,
  pitch: 12,
};

const SIZE = { body: 10, heading: 13, small: 8, returnLine: 7 };
const PITCH = { body: 14, heading: 17 };
const PARAGRAPH_GAP = 7;
const LIST_INDENT = 7 * MM;

const WORDS: Record<
  Language,
  Record<"orgNumber" | "phone" | "ourRef" | "attention" | "page" | "closing", string>
> = {
  nb: {
    orgNumber: "Org.nr.",
    phone: "Tlf.",
    ourRef: "Vår ref.:",
    attention: "Att.:",
    page: "Side",
    closing: "Med vennlig hilsen",
  },
  en: {
    orgNumber: "Org. no.",
    phone: "Phone",
    ourRef: "Our ref.:",
    attention: "Attn.:",
    page: "Page",
    closing: "Kind regards",
  },
};

const FONT_FILES: Record<FontName, string> = {
  Regular: "DejaVuSans.ttf",
  Bold: "DejaVuSans-Bold.ttf",
  Italic: "DejaVuSans-Oblique.ttf",
  BoldItalic: "DejaVuSans-BoldOblique.ttf",
};
const require = createRequire(import.meta.url);
/** A font file from the dejavu-fonts-ttf package: never a system path, so every machine renders the same letter. */
const fontPath = (name: FontName) => require.resolve(`dejavu-fonts-ttf/ttf/${FONT_FILES[name]}`);

// What draw() needs of pdfkit's internals: a page's font resources and content stream, and a font's resource name.
type PdfFont = { id: string; ref(): unknown };
type PdfPage = { fonts: Record<string, unknown>; write(chunk: Uint8Array): void };

// pdfkit's types know neither openImage nor that image() takes what openImage returns.
type OpenedImage = { width: number; height: number; orientation?: number };
type ImageDocument = { openImage(src: Buffer): OpenedImage };

type PdfInternals = {
  _root: { data: { Pages: object } };
  _write(data: string | Uint8Array): void;
  _finalize(): void;
};

/**
 * The object numbers of written pages, 4 bytes each, and one reference-like object that pdfkit writes in the page
 * tree as all of them ("3 0 R 7 0 R …"). pdfkit writes any subclass of its abstract reference by its toString().
 */
function pageNumbers(doc: PDFKit.PDFDocument): { push(id: number): void; asReference(): unknown } {
  let ids = new Int32Array(1024);
  let length = 0;
  const kids = (doc as unknown as PdfInternals)._root.data.Pages;
  const AbstractReference = Object.getPrototypeOf(
    Object.getPrototypeOf(kids).constructor,
  ) as new () => object;
  class WrittenPages extends AbstractReference {
    override toString() {
      const parts: string[] = [];
      for (let i = 0; i < length; i++) parts.push(`${ids[i]} 0 R`);
      return parts.join(" ");
    }
  }
  return {
    push(id) {
      if (length === ids.length) {
        const grown = new Int32Array(ids.length * 2);
        grown.set(ids);
        ids = grown;
      }
      ids[length++] = id;
    },
    asReference: () => new WrittenPages(),
  };
}

/**
 * pdfkit writes the cross-reference table a line at a time, a Buffer per object, all pushed before anyone reads them:
 * 400,000 small Buffers at once at 50,000 letters, tens of MB at the very end. Here its lines go out in blocks of
 * 2,000, the same bytes (each line still ends in "\n").
 */
function writeXrefInBlocks(doc: PDFKit.PDFDocument): void {
  const internals = doc as unknown as PdfInternals;
  const finalize = internals._finalize;
  const write = internals._write;
  internals._finalize = () => {
    let block: string[] = [];
    const flush = () => {
      if (block.length > 0) write.call(internals, block.join("\n"));
      block = [];
    };
    internals._write = (data) => {
      if (typeof data === "string" && XREF_LINE.test(data)) {
        block.push(data);
        if (block.length === 2000) flush();
        return;
      }
      flush();
      write.call(internals, data);
    };
    try {
      finalize.call(internals);
    } finally {
      flush();
      internals._write = write;
    }
  };
}
const XREF_LINE = /^\d{10} \d{5} [nf] $/;

export function createLetterWriter(
  out: NodeJS.WritableStream,
  options: { letterhead: Letterhead; oddPages?: boolean; language: Language },
): LetterWriter {
  // The printed words follow each letter's language (set as a letter begins; letters are written one at a time).
  let words = WORDS[options.language];
  const letterhead = options.letterhead;
  const doc = new PDFDocument({
    size: "A4",
    autoFirstPage: false,
    bufferPages: false,
    margins: { top: MARGIN.top, bottom: 0, left: MARGIN.left, right: MARGIN.right },
    info: { Title: letterhead.companyName, Producer: "utsend", Creator: "utsend" },
  });
  // Registered by name, not passed as the document's default font: pdfkit then finds the default's twin by its
  // PostScript name and never caches the registered name, reading and parsing the file on every font() call.
  for (const name of Object.keys(FONT_FILES) as FontName[]) doc.registerFont(name, fontPath(name));
  const writtenPages = pageNumbers(doc);
  writeXrefInBlocks(doc);

  // The document's bytes are gathered here and handed to `out` once a letter, as one write: few writes, and the
  // writer waits for 'drain' before it takes the next letter, so a slow `out` holds back the letters, not memory.
  let chunks: Uint8Array[] = [];
  doc.on("data", (chunk: Uint8Array) => chunks.push(chunk));
  let failure: Error | null = null;
  out.on("error", (error: Error) => {
    failure ??= error;
  });

  const handOver = async (): Promise<void> => {
    // The header pdfkit wrote before the listener existed, and anything pushed while paused, flows on a later tick.
    await new Promise((resolve) => setImmediate(resolve));
    while (doc.readableLength > 0) await new Promise((resolve) => setImmediate(resolve));
    if (failure) throw failure;
    if (chunks.length === 0) return;
    const bytes = Buffer.concat(chunks);
    chunks = [];
    // once() also rejects when `out` emits 'error' while we wait.
    if (!out.write(bytes)) await once(out as NodeJS.EventEmitter, "drain");
    if (failure) throw failure;
  };

  // Most of a letter is text every letter shares (the letterhead, the return line, the closing, most body lines at
  // the same place), and pdfkit shapes, measures and encodes each one anew (half the writer's time). So a width is
  // measured once per font, size and text, and a drawn line's content-stream operators, which depend only on text,
  // font, size and position, are kept and written again as bytes. Both are emptied with pdfkit's own layout caches.
  let widths = new Map<string, number>();
  const measure = (text: string, font: FontName, size: number) => {
    const key = `${font}\u0000${size}\u0000${text}`;
    let width = widths.get(key);
    if (width === undefined) {
      width = doc.font(font).fontSize(size).widthOfString(text);
      widths.set(key, width);
    }
    return width;
  };
  let drawings = new Map<string, { font: PdfFont; operators: Uint8Array }>();
  const page = () => (doc as unknown as { page: PdfPage }).page;
  const draw = (text: string, font: FontName, size: number, x: number, y: number) => {
    const key = `${font}\u0000${size}\u0000${x}\u0000${y}\u0000${text}`;
    const drawn = drawings.get(key);
    if (drawn) {
      page().fonts[drawn.font.id] ??= drawn.font.ref();
      page().write(drawn.operators);
      return;
    }
    const operators: string[] = [];
    const addContent = doc.addContent;
    doc.addContent = (data: string) => {
      operators.push(`${data}\n`);
      return addContent.call(doc, data);
    };
    try {
      doc.font(font).fontSize(size).text(text, x, y, { lineBreak: false });
    } finally {
      doc.addContent = addContent;
    }
    const used = (doc as unknown as { _font: PdfFont })._font;
    // Operators are ASCII (glyphs are written as hex), so latin1 gives the bytes pdfkit itself would write. Copied
    // out of Buffer's shared 8 KB pool, where a kept slice of a hundred bytes held its whole slab alive: the names
    // and addresses drawn since the last clearing then held 15–20 MB (docs/documents.md, Speed and memory).
    drawings.set(key, { font: used, operators: new Uint8Array(Buffer.from(operators.join(""), "latin1")) });
  };

  const shorten = (text: string, font: FontName, size: number, width: number) =>
    shortenToWidth(text, width, (t) => measure(t, font, size));
  // A paragraph without a merge value in it is the same in every letter: broken once. Lines are never changed after
  // breaking, so the same lines may be handed out again.
  let brokenParagraphs = new Map<string, Line[]>();
  const breakLines = (runs: Run[], width: number, size: number) => {
    const key = `${width}\u0000${size}\u0000${runs.map((r) => `${fontOf(r)}\u0000${r.text}`).join("\u0000")}`;
    let lines = brokenParagraphs.get(key);
    if (!lines) {
      lines = breakIntoLines(runs, width, size, measure);
      brokenParagraphs.set(key, lines);
    }
    return lines;
  };

  // pdfkit keeps each page's dictionary in the page tree to the end of the document, and with it the page's
  // resources and content objects (about 1 KB a page: 10 MB at 10,000 letters), though they were written when the
  // next page began (bufferPages: false) and the tree needs only their object numbers. Even emptied, a reference
  // object stays ~300 bytes a page, which made memory grow with the letters (15 MB at 50,000). So once a page is
  // written, its reference leaves the tree and only its number is kept, 4 bytes a page (writtenPages below).
  const pageTree = (doc as unknown as { _root: { data: { Pages: { data: { Kids: unknown[] } } } } })._root
    .data.Pages.data;
  const newPage = () => {
    const previous = (doc as unknown as { page?: { dictionary: { id: number } } }).page;
    doc.addPage();
    if (previous) {
      pageTree.Kids.shift();
      writtenPages.push(previous.dictionary.id);
    }
  };

  // Pages: counted here, since every page is added here.
  let pages = 0;
  let letterPages = 0;
  let y = 0;
  const addPage = () => {
    newPage();
    pages++;
    letterPages++;
  };
  /** Makes room for `height` below the cursor, on a continuation page if this one is full. */
  const ensure = (height: number) => {
    if (y + height <= BOTTOM) return;
    addPage();
    y = MARGIN.top;
    const footer = `${words.page} ${letterPages}`;
    draw(
      footer,
      "Regular",
      SIZE.small,
      PAGE.width - MARGIN.right - measure(footer, "Regular", SIZE.small),
      BOTTOM + 8 * MM,
    );
  };
  const drawLines = (
    lines: Line[],
    x: number,
    size: number,
    pitch: number,
    onFirstLine?: (top: number) => void,
  ) => {
    lines.forEach((line, i) => {
      ensure(pitch);
      if (i === 0) onFirstLine?.(y);
      let at = x;
      for (const piece of line) {
        if (piece.text.trim()) draw(piece.text, piece.font, size, at, y);
        at += piece.width;
      }
      y += pitch;
    });
  };

  // The logo is embedded once and referred to from every letter; body images likewise, by content.
  const open = (data: Buffer): OpenedImage => {
    checkPng(data);
    return (doc as unknown as ImageDocument).openImage(data);
  };
  const logo = letterhead.logo ? open(letterhead.logo) : null;
  const images = new Map<string, OpenedImage>();
  const openImage = (data: Buffer): OpenedImage => {
    const key = createHash("sha1").update(data).digest("hex");
    let image = images.get(key);
    if (!image) {
      image = open(data);
      // A mailing has a handful of images; a bound keeps a body with a new picture per letter from growing memory.
      if (images.size >= 32) images.delete(images.keys().next().value!);
      images.set(key, image);
    }
    return image;
  };
  const placeImage = (image: OpenedImage, x: number, top: number, width: number, height: number) =>
    doc.image(image as unknown as Buffer, x, top, { width, height });

  const drawLetterhead = (): number => {
    const top = 15 * MM;
    const right = PAGE.width - MARGIN.right;
    const blockWidth = 70 * MM;
    let rightY = top;
    if (logo) {
      const [shownWidth, shownHeight] =
        (logo.orientation ?? 1) > 4 ? [logo.height, logo.width] : [logo.width, logo.height];
      const scale = Math.min((55 * MM) / shownWidth, (20 * MM) / shownHeight);
      placeImage(logo, MARGIN.left, top, shownWidth * scale, shownHeight * scale);
      const name = shorten(letterhead.companyName, "Bold", 11, blockWidth);
      draw(name, "Bold", 11, right - measure(name, "Bold", 11), rightY);
      rightY += 15;
    } else {
      const name = shorten(letterhead.companyName, "Bold", 16, 80 * MM);
      draw(name, "Bold", 16, MARGIN.left, top);
    }
    const details = [
      ...letterhead.addressLines,
      letterhead.orgNumber ? `${words.orgNumber} ${letterhead.orgNumber}` : null,
      letterhead.phone ? `${words.phone} ${letterhead.phone}` : null,
      letterhead.web,
    ].filter((line): line is string => Boolean(line?.trim()));
    for (const detail of details) {
      if (rightY > ENVELOPE_WINDOW.top + ENVELOPE_WINDOW.height) break; // never into the date line
      const text = shorten(detail.trim(), "Regular", SIZE.small, blockWidth);
      draw(text, "Regular", SIZE.small, right - measure(text, "Regular", SIZE.small), rightY);
      rightY += 11;
    }
    return Math.max(rightY, logo ? top + 20 * MM : top + 20);
  };

  const drawAddress = (letter: Letter): LetterWarning[] => {
    const warnings: LetterWarning[] = [];
    // The sender as a small return line at the window's top, as DIN 5008 places it.
    const sender = [letterhead.companyName, ...letterhead.addressLines].filter((s) => s.trim()).join(", ");
    if (sender)
      draw(
        shorten(sender, "Regular", SIZE.returnLine, ADDRESS.width),
        "Regular",
        SIZE.returnLine,
        ADDRESS.left,
        ADDRESS.returnTop,
      );
    const fontBox = ADDRESS.size * 1.17; // DejaVu Sans from ascender to descender
    const capacity = Math.floor((ADDRESS.bottom - ADDRESS.top - fontBox) / ADDRESS.pitch) + 1;
    const { kept, dropped } = fitAddressLines(letter, words.attention, capacity);
    if (dropped.length > 0) warnings.push({ kind: "address-lines-dropped", dropped });
    kept.forEach((entry, i) => {
      const shown = shorten(entry.text, "Regular", ADDRESS.size, ADDRESS.width);
      if (shown !== entry.text)
        warnings.push({ kind: "address-line-shortened", line: entry.source, original: entry.text, shown });
      draw(shown, "Regular", ADDRESS.size, ADDRESS.left, ADDRESS.top + i * ADDRESS.pitch);
    });
    return warnings;
  };

  const drawBlock = (block: BodyBlock, opened: Map<BodyBlock, OpenedImage>) => {
    switch (block.kind) {
      case "paragraph":
        drawLines(breakLines(block.runs, TEXT_WIDTH, SIZE.body), MARGIN.left, SIZE.body, PITCH.body);
        y += PARAGRAPH_GAP;
        return;
      case "list":
        block.items.forEach((item, i) => {
          const marker = block.ordered ? `${i + 1}.` : "•";
          const lines = breakLines(item, TEXT_WIDTH - LIST_INDENT, SIZE.body);
          drawLines(lines, MARGIN.left + LIST_INDENT, SIZE.body, PITCH.body, (top) =>
            draw(marker, "Regular", SIZE.body, MARGIN.left + 2 * MM, top),
          );
          y += 2;
        });
        y += PARAGRAPH_GAP;
        return;
      case "image": {
        const image = opened.get(block)!;
        // A photo whose EXIF says it was taken on its side (orientation 5–8) is drawn turned: pdfkit takes the
        // size as shown, so width and height swap here too.
        const [shownWidth, shownHeight] =
          (image.orientation ?? 1) > 4 ? [image.height, image.width] : [image.width, image.height];
        // Its own pixel size at 96 dpi unless told, never wider than the text nor taller than a page's text area.
        let width = Math.min(block.widthMm ? block.widthMm * MM : shownWidth * 0.75, TEXT_WIDTH);
        let height = (width * shownHeight) / shownWidth;
        const tallest = BOTTOM - MARGIN.top;
        if (height > tallest) {
          width *= tallest / height;
          height = tallest;
        }
        ensure(height);
        placeImage(image, MARGIN.left, y, width, height);
        y += height + PARAGRAPH_GAP;
        return;
      }
    }
  };

  const drawSignature = (letter: Letter) => {
    const closing = letter.closing ?? words.closing;
    const signature = letter.signature;
    const details = signature
      ? [signature.title, signature.email, signature.phone].filter((s): s is string => Boolean(s?.trim()))
      : [];
    const height = PITCH.body + (signature ? 14 * MM + PITCH.body + details.length * 12 : 0);
    y += 4;
    ensure(height); // the closing and the name stay together on one page
    if (closing) draw(closing, "Regular", SIZE.body, MARGIN.left, y);
    y += PITCH.body;
    if (!signature) return;
    y += 14 * MM; // room to sign by hand
    draw(shorten(signature.name, "Bold", SIZE.body, TEXT_WIDTH), "Bold", SIZE.body, MARGIN.left, y);
    y += PITCH.body;
    for (const detail of details) {
      draw(shorten(detail, "Regular", 9, TEXT_WIDTH), "Regular", 9, MARGIN.left, y);
      y += 12;
    }
  };

  // pdfkit keeps every word it has shaped for the life of the document, so each new name and street would stay
  // in memory to the last letter. Emptied every 1,000 letters; the common words are shaped again in microseconds.
  let lettersSinceClear = 0;
  const clearLayoutCaches = () => {
    const fonts = (doc as unknown as { _fontFamilies?: Record<string, { layoutCache?: object }> })
      ._fontFamilies;
    for (const font of Object.values(fonts ?? {}))
      if (font.layoutCache) font.layoutCache = Object.create(null);
    widths = new Map();
    drawings = new Map();
    brokenParagraphs = new Map();
  };

  const render = async (letter: Letter) => {
    if (failure) throw failure;
    if (++lettersSinceClear > 1000) {
      clearLayoutCaches();
      lettersSinceClear = 1;
    }
    words = WORDS[letter.language ?? options.language];
    // Images are opened before anything is drawn, so a bad one fails the letter without leaving half of it.
    const opened = new Map<BodyBlock, OpenedImage>();
    for (const block of letter.body) if (block.kind === "image") opened.set(block, openImage(block.data));

    if (options.oddPages && pages % 2 === 1) {
      newPage(); // blank: the letter starts on the front of a sheet
      pages++;
    }
    letterPages = 0;
    addPage();
    const firstPage = pages;
    const letterheadBottom = drawLetterhead();
    const warnings = drawAddress(letter);

    y = Math.max(ENVELOPE_WINDOW.top + ENVELOPE_WINDOW.height + 8 * MM, letterheadBottom + 4 * MM);
    const date = letter.date.trim();
    draw(date, "Regular", SIZE.body, PAGE.width - MARGIN.right - measure(date, "Regular", SIZE.body), y);
    if (letter.ourRef?.trim()) {
      const ref = shorten(`${words.ourRef} ${letter.ourRef.trim()}`, "Regular", SIZE.body, TEXT_WIDTH / 2);
      draw(ref, "Regular", SIZE.body, MARGIN.left, y);
    }
    y += PITCH.body + 10 * MM;
    if (letter.heading?.trim()) {
      drawLines(
        breakLines([{ text: letter.heading.trim(), bold: true }], TEXT_WIDTH, SIZE.heading),
        MARGIN.left,
        SIZE.heading,
        PITCH.heading,
      );
      y += PARAGRAPH_GAP;
    }
    for (const block of letter.body) drawBlock(block, opened);
    drawSignature(letter);

    await handOver();
    return { firstPage, pageCount: letterPages, warnings };
  };

  let queue: Promise<unknown> = Promise.resolve();
  let finishing: Promise<{ pages: number }> | null = null;
  const end = async () => {
    await queue;
    pageTree.Kids.unshift(writtenPages.asReference());
    const ended = once(doc, "end");
    doc.end();
    await ended;
    await handOver();
    const done = once(out as NodeJS.EventEmitter, "finish");
    out.end();
    await done;
    return { pages };
  };
  return {
    addLetter(letter) {
      if (finishing) return Promise.reject(new Error("the letter writer is finished"));
      // One letter at a time, in call order, whoever forgets to await.
      const result = queue.then(() => render(letter));
      queue = result.catch(() => undefined);
      return result;
    },
    finish() {
      finishing ??= end();
      return finishing;
    },
  };
}
