// Breaks a paragraph's styled runs into lines of a width, and cuts a single line to fit with an ellipsis. Pure:
// the widths come from a measure function (pdfkit's font metrics in the renderer, a fixed width in tests).
import type { Run } from "./letter-pdf.ts";

export type FontName = "Regular" | "Bold" | "Italic" | "BoldItalic";
/** A piece of one line in one font, measured. */
export type Piece = { font: FontName; text: string; width: number };
export type Line = Piece[];
export type Measure = (text: string, font: FontName, size: number) => number;

const ELLIPSIS = "…";

export const fontOf = (run: Pick<Run, "bold" | "italic">): FontName =>
  run.bold ? (run.italic ? "BoldItalic" : "Bold") : run.italic ? "Italic" : "Regular";

/** The text cut at the end, with an ellipsis, to fit `width`; unchanged when it fits. */
export function shortenToWidth(text: string, width: number, widthOf: (text: string) => number): string {
  if (widthOf(text) <= width) return text;
  let low = 0;
  let high = text.length;
  while (low < high) {
    const mid = Math.ceil((low + high) / 2);
    if (widthOf(text.slice(0, mid).trimEnd() + ELLIPSIS) <= width) low = mid;
    else high = mid - 1;
  }
  return text.slice(0, low).trimEnd() + ELLIPSIS;
}

/**
 * Lines no wider than `width`: broken at spaces and at "\n", inside a word only when it alone is wider than a line.
 * A space at a line's end is left out; neighbouring pieces in one font become one piece.
 */
export function breakIntoLines(runs: Run[], width: number, size: number, measure: Measure): Line[] {
  const lines: Line[] = [];
  let line: Line = [];
  let lineWidth = 0;
  let word: Piece[] = [];
  let spaceFont: FontName | null = null;
  const add = (piece: Piece) => {
    const last = line.at(-1);
    if (last && last.font === piece.font) {
      last.text += piece.text;
      last.width += piece.width;
    } else line.push({ ...piece });
    lineWidth += piece.width;
  };
  const endLine = () => {
    lines.push(line);
    line = [];
    lineWidth = 0;
  };
  const endWord = () => {
    if (word.length === 0) return;
    const wordWidth = word.reduce((sum, p) => sum + p.width, 0);
    const space = spaceFont && line.length > 0 ? measure(" ", spaceFont, size) : 0;
    if (line.length > 0 && lineWidth + space + wordWidth > width) endLine();
    else if (space > 0 && spaceFont) add({ font: spaceFont, text: " ", width: space });
    if (wordWidth <= width - lineWidth) for (const piece of word) add(piece);
    else {
      // Longer than a whole line (a URL, a long compound): cut where the line is full.
      for (const piece of word)
        for (const ch of piece.text) {
          const w = measure(ch, piece.font, size);
          if (line.length > 0 && lineWidth + w > width) endLine();
          add({ font: piece.font, text: ch, width: w });
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
}
