// Composed letters as one print-ready PDF (SPEC §13): A4, the letterhead, the address block inside a C5/C65 window
// (DIN 5008 form B), date, reference, heading, body and signature, streamed letter by letter with embedded fonts.
// Lines are broken here, not by pdfkit, so every page break is ours: pdfkit never adds a page behind our back.
import { createHash } from "node:crypto";
import { once } from "node:events";
import { createRequire } from "node:module";
import { inflateSync } from "node:zlib";
import PDFDocument from "pdfkit";

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
type Language = "nb" | "en";

export const MM = 72 / 25.4;
/** The envelope window in points from the page's top-left corner: C5/C65, DIN 5008 form B. */
export const ENVELOPE_WINDOW = { left: 20 * MM, top: 45 * MM, width: 85 * MM, height: 45 * MM };

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
const ELLIPSIS = "…";

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

type FontName = "Regular" | "Bold" | "Italic" | "BoldItalic";
const FONT_FILES: Record<FontName, string> = {
  Regular: "DejaVuSans.ttf",
  Bold: "DejaVuSans-Bold.ttf",
  Italic: "DejaVuSans-Oblique.ttf",
  BoldItalic: "DejaVuSans-BoldOblique.ttf",
};
const require = createRequire(import.meta.url);
/** A font file from the dejavu-fonts-ttf package: never a system path, so every machine renders the same letter. */
const fontPath = (name: FontName) => require.resolve(`dejavu-fonts-ttf/ttf/${FONT_FILES[name]}`);
const fontOf = (run: Pick<Run, "bold" | "italic">): FontName =>
  run.bold ? (run.italic ? "BoldItalic" : "Bold") : run.italic ? "Italic" : "Regular";

/** A piece of one line in one font, measured. */
type Piece = { font: FontName; text: string; width: number };
type Line = Piece[];

// pdfkit's types know neither openImage nor that image() takes what openImage returns.
type OpenedImage = { width: number; height: number; orientation?: number };
type ImageDocument = { openImage(src: Buffer): OpenedImage };

export function createLetterWriter(
  out: NodeJS.WritableStream,
  options: { letterhead: Letterhead; oddPages?: boolean; language: Language },
): LetterWriter {
  const words = WORDS[options.language];
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

  const spaceWidths = new Map<FontName, number>();
  const measure = (text: string, font: FontName, size: number) =>
    doc.font(font).fontSize(size).widthOfString(text);
  const spaceWidth = (font: FontName, size: number) => {
    const key = font;
    let width = spaceWidths.get(key);
    if (width === undefined) {
      width = measure(" ", font, 1);
      spaceWidths.set(key, width);
    }
    return width * size;
  };
  const draw = (text: string, font: FontName, size: number, x: number, y: number) => {
    doc.font(font).fontSize(size).text(text, x, y, { lineBreak: false });
  };

  /** The text cut at the end, with an ellipsis, to fit `width`. */
  const shorten = (text: string, font: FontName, size: number, width: number): string => {
    if (measure(text, font, size) <= width) return text;
    let low = 0;
    let high = text.length;
    while (low < high) {
      const mid = Math.ceil((low + high) / 2);
      if (measure(text.slice(0, mid).trimEnd() + ELLIPSIS, font, size) <= width) low = mid;
      else high = mid - 1;
    }
    return text.slice(0, low).trimEnd() + ELLIPSIS;
  };

  /** Breaks runs into lines no wider than `width`: at spaces, at "\n", and inside a word only when it alone is wider. */
  const breakLines = (runs: Run[], width: number, size: number): Line[] => {
    const lines: Line[] = [];
    let line: Line = [];
    let lineWidth = 0;
    let word: Piece[] = [];
    let spaceFont: FontName | null = null;
    const add = (target: Line, piece: Piece) => {
      const last = target.at(-1);
      if (last && last.font === piece.font) {
        last.text += piece.text;
        last.width += piece.width;
      } else target.push({ ...piece });
    };
    const endLine = () => {
      lines.push(line);
      line = [];
      lineWidth = 0;
    };
    const endWord = () => {
      if (word.length === 0) return;
      const wordWidth = word.reduce((sum, p) => sum + p.width, 0);
      const space = spaceFont && line.length > 0 ? spaceWidth(spaceFont, size) : 0;
      if (line.length > 0 && lineWidth + space + wordWidth > width) endLine();
      else if (space > 0 && spaceFont) {
        add(line, { font: spaceFont, text: " ", width: space });
        lineWidth += space;
      }
      if (wordWidth <= width - lineWidth) {
        for (const piece of word) add(line, piece);
        lineWidth += wordWidth;
      } else {
        // Longer than a whole line (a URL, a long compound): cut it where the line is full.
        for (const piece of word)
          for (const ch of piece.text) {
            const w = measure(ch, piece.font, size);
            if (line.length > 0 && lineWidth + w > width) endLine();
            add(line, { font: piece.font, text: ch, width: w });
            lineWidth += w;
          }
      }
      word = [];
      spaceFont = null;
    };
    for (const run of runs) {
      const font = fontOf(run);
      for (const part of run.text.replace(/[\t\r\f\v]/g, " ").split(/(\n| )/)) {
        if (part === "") continue;
        if (part === " ") {
          endWord();
          if (line.length > 0) spaceFont = font;
        } else if (part === "\n") {
          endWord();
          endLine();
        } else word.push({ font, text: part, width: measure(part, font, size) });
      }
    }
    endWord();
    if (line.length > 0) endLine();
    return lines;
  };

  // Pages: counted here, since every page is added here.
  let pages = 0;
  let letterPages = 0;
  let y = 0;
  const addPage = () => {
    doc.addPage();
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
  };

  const render = async (letter: Letter) => {
    if (failure) throw failure;
    if (++lettersSinceClear > 1000) {
      clearLayoutCaches();
      lettersSinceClear = 1;
    }
    // Images are opened before anything is drawn, so a bad one fails the letter without leaving half of it.
    const opened = new Map<BodyBlock, OpenedImage>();
    for (const block of letter.body) if (block.kind === "image") opened.set(block, openImage(block.data));

    if (options.oddPages && pages % 2 === 1) {
      doc.addPage(); // blank: the letter starts on the front of a sheet
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

type AddressEntry = { text: string; source: number };

/**
 * The lines that fit the window. When there are too many, the least needed go first: the lines between the name
 * and the street (a department before the company above it), then the attention, the street, the country; the
 * postcode and city and the first line stay.
 */
export function fitAddressLines(
  letter: Pick<Letter, "addressLines" | "attention">,
  attentionWord: string,
  capacity: number,
): { kept: AddressEntry[]; dropped: string[] } {
  const lines = letter.addressLines
    .map((text, source) => ({ text: text.trim(), source }))
    .filter((line) => line.text.length > 0);
  // The postcode line is the last with a digit in it (a country name has none); else the last line.
  let postcode = lines.length - 1;
  for (let i = lines.length - 1; i >= 0; i--)
    if (/\d/.test(lines[i]!.text)) {
      postcode = i;
      break;
    }
  const entries: Array<AddressEntry & { rank: number }> = lines.map((line, i) => ({
    ...line,
    rank: i === postcode ? 0 : i === 0 ? 1 : i > postcode ? 2 : i === postcode - 1 ? 3 : 5 + (i - 1), // the middle: earlier lines say more (the company before its department)
  }));
  const attention = letter.attention?.trim();
  if (attention) {
    const text = /^(att|attn)\b/i.test(attention) ? attention : `${attentionWord} ${attention}`;
    entries.splice(Math.min(1, entries.length), 0, { text, source: -1, rank: 4 });
  }
  const dropped = new Set<AddressEntry>();
  while (entries.length - dropped.size > Math.max(capacity, 0)) {
    let lowest: (typeof entries)[number] | null = null;
    for (const entry of entries)
      if (!dropped.has(entry) && (!lowest || entry.rank > lowest.rank)) lowest = entry;
    dropped.add(lowest!);
  }
  return {
    kept: entries.filter((e) => !dropped.has(e)).map(({ text, source }) => ({ text, source })),
    dropped: entries.filter((e) => dropped.has(e)).map((e) => e.text),
  };
}
