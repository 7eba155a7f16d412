// Reads a generated PDF back with poppler (pdftotext -bbox, pdfinfo, pdffonts, pdfimages): words with their boxes in points,
// page counts and the fonts, so tests check what a printer gets rather than what the code meant to draw.
import { execFile } from "node:child_process";
import { promisify } from "node:util";

const run = promisify(execFile);

/** A word's box in points from the page's top-left corner, y downwards. */
export type Word = { text: string; xMin: number; yMin: number; xMax: number; yMax: number };
export type TextPage = { number: number; width: number; height: number; words: Word[] };

const ENTITIES: Record<string, string> = { amp: "&", lt: "<", gt: ">", quot: '"', apos: "'" };
const decodeEntities = (text: string) =>
  text.replace(/&(#x[0-9a-f]+|#\d+|\w+);/gi, (whole, name: string) =>
    name.startsWith("#x") || name.startsWith("#X")
      ? String.fromCodePoint(Number.parseInt(name.slice(2), 16))
      : name.startsWith("#")
        ? String.fromCodePoint(Number(name.slice(1)))
        : (ENTITIES[name] ?? whole),
  );

/** Every page's words, as `pdftotext -bbox` finds them; or only pages `first` to `last` of a long document. */
export async function pdfWords(file: string, range?: { first: number; last: number }): Promise<TextPage[]> {
  const only = range ? ["-f", String(range.first), "-l", String(range.last)] : [];
  const { stdout } = await run("/usr/bin/pdftotext", ["-bbox", ...only, file, "-"], {
    maxBuffer: 512 * 1024 * 1024,
  });
  const offset = range ? range.first - 1 : 0;
  const pages: TextPage[] = [];
  const tag =
    /<page width="([\d.]+)" height="([\d.]+)">|<word xMin="([\d.]+)" yMin="([\d.]+)" xMax="([\d.]+)" yMax="([\d.]+)">([^<]*)<\/word>/g;
  for (const m of stdout.matchAll(tag)) {
    if (m[1])
      pages.push({ number: offset + pages.length + 1, width: Number(m[1]), height: Number(m[2]), words: [] });
    else
      pages.at(-1)!.words.push({
        text: decodeEntities(m[7]!),
        xMin: Number(m[3]),
        yMin: Number(m[4]),
        xMax: Number(m[5]),
        yMax: Number(m[6]),
      });
  }
  return pages;
}

/** A page's text, words joined by spaces in reading order. */
export const pageText = (page: TextPage) => page.words.map((w) => w.text).join(" ");

export async function pdfPageCount(file: string): Promise<number> {
  const { stdout } = await run("/usr/bin/pdfinfo", [file]);
  const pages = /^Pages:\s+(\d+)/m.exec(stdout);
  if (!pages) throw new Error(`pdfinfo printed no page count for ${file}`);
  return Number(pages[1]);
}

export type PdfFont = { name: string; type: string; embedded: boolean; subset: boolean };

/** The fonts `pdffonts` lists, with its emb and sub columns. */
export async function pdfFonts(file: string): Promise<PdfFont[]> {
  const { stdout } = await run("/usr/bin/pdffonts", [file]);
  const lines = stdout.trim().split("\n");
  const rule = lines[1] ?? ""; // "----- ----- ..." marks the columns
  const columns: Array<[number, number]> = [];
  for (const m of rule.matchAll(/-+/g)) columns.push([m.index, m.index + m[0].length]);
  return lines.slice(2).map((line) => {
    const cell = (i: number) => line.slice(columns[i]![0], columns[i]![1] + 1).trim();
    return { name: cell(0), type: cell(1), embedded: cell(3) === "yes", subset: cell(4) === "yes" };
  });
}

/** Each image drawn, by page, with the PDF object that holds it: one object drawn on many pages was embedded once. */
export async function pdfImages(
  file: string,
): Promise<Array<{ page: number; object: number; width: number; height: number }>> {
  const { stdout } = await run("/usr/bin/pdfimages", ["-list", file]);
  return stdout
    .trim()
    .split("\n")
    .slice(2)
    .map((line) => line.trim().split(/\s+/))
    .map((cells) => ({
      page: Number(cells[0]),
      width: Number(cells[3]),
      height: Number(cells[4]),
      object: Number(cells[10]),
    }));
}

/** One page rendered by pdftoppm as RGB pixels, row by row, `dpi` pixels to the inch. */
export async function pdfPagePixels(
  file: string,
  page: number,
  dpi: number,
): Promise<{ width: number; height: number; rgb: Buffer }> {
  const { stdout } = await run(
    "/usr/bin/pdftoppm",
    ["-f", String(page), "-l", String(page), "-r", String(dpi), file],
    { encoding: "buffer", maxBuffer: 256 * 1024 * 1024 },
  );
  // A binary PPM: "P6", width, height, maximum value, each after whitespace, then the pixels.
  const header = /^P6\s+(\d+)\s+(\d+)\s+(\d+)\s/.exec(stdout.subarray(0, 64).toString("latin1"));
  if (!header) throw new Error("pdftoppm wrote no PPM");
  return { width: Number(header[1]), height: Number(header[2]), rgb: stdout.subarray(header[0].length) };
}
