// A composed letter's body, stored as a small HTML subset, read into the blocks the PDF renderer lays out. Merge
// fields are already in (HTML-escaped) when this runs. Pure.
import { parseFragment } from "parse5";
import { IMAGE_MAX_BYTES, IMAGE_MAX_PIXELS, readImageHeader } from "./letter-images.ts";
import type { BodyBlock, Run } from "./letter-pdf.ts";

type Node = {
  nodeName: string;
  value?: string;
  attrs?: Array<{ name: string; value: string }>;
  childNodes?: Node[];
};

type Style = { bold: boolean; italic: boolean };

const BLOCK_TAGS = new Set([
  "p",
  "div",
  "h1",
  "h2",
  "h3",
  "h4",
  "h5",
  "h6",
  "blockquote",
  "section",
  "article",
  "header",
  "footer",
  "pre",
  "table",
  "tr",
  "address",
  "figure",
  "center",
  "hr",
]);
const HEADING_TAGS = new Set(["h1", "h2", "h3", "h4", "h5", "h6"]);
// Their text is not the letter's: a stylesheet, a script, a document title.
const SKIPPED_TAGS = new Set(["script", "style", "head", "title", "template", "noscript"]);

const DATA_URL = /^data:image\/(png|jpeg|jpg);base64,/i;

/** The image as a block, or why it cannot be one. `n` counts the body's images from 1 for the message. */
function readImage(n: number, attrs: Node["attrs"]): BodyBlock | string {
  const src = (attrs?.find((a) => a.name === "src")?.value ?? "").trim();
  const match = DATA_URL.exec(src);
  if (!match)
    return `image ${n}: not a PNG or JPEG embedded as a data: URL (${src.slice(0, 40) || "no src"})`;
  const base64 = src.slice(match[0].length).replace(/\s+/g, "");
  // Checked on the encoded length before decoding, so a 200 MB paste is refused without holding it twice.
  const estimated = Math.floor((base64.length * 3) / 4);
  if (estimated > IMAGE_MAX_BYTES + 2)
    return `image ${n}: ${(estimated / 1048576).toFixed(1)} MB, more than the ${IMAGE_MAX_BYTES / 1048576} MB a letter image may have`;
  const data = Buffer.from(base64, "base64");
  if (data.length > IMAGE_MAX_BYTES)
    return `image ${n}: ${(data.length / 1048576).toFixed(1)} MB, more than the ${IMAGE_MAX_BYTES / 1048576} MB a letter image may have`;
  const header = readImageHeader(data);
  if (!header) return `image ${n}: the data is not a readable PNG or JPEG image`;
  if (header.width > IMAGE_MAX_PIXELS || header.height > IMAGE_MAX_PIXELS)
    return `image ${n}: ${header.width}×${header.height} pixels, more than the ${IMAGE_MAX_PIXELS}×${IMAGE_MAX_PIXELS} a letter image may have`;
  if (header.width === 0 || header.height === 0) return `image ${n}: the image has no pixels`;
  // A width attribute is in CSS pixels, 96 to the inch.
  const width = Number(attrs?.find((a) => a.name === "width")?.value);
  return Number.isFinite(width) && width > 0
    ? { kind: "image", data, widthMm: (width / 96) * 25.4 }
    : { kind: "image", data };
}

/** Whitespace as a browser shows it: collapsed, none at a line's start or end, none around a line break. */
function tidy(runs: Run[]): Run[] {
  const out: Run[] = [];
  let previous = "\n"; // the start of a paragraph behaves as a line break
  for (const run of runs) {
    let text = "";
    for (const ch of run.text) {
      if (ch === " " && (previous === " " || previous === "\n")) continue;
      if (ch === "\n" && previous === " ") {
        // A space before a line break goes: from this run, or else from the run before it.
        if (text.endsWith(" ")) text = text.slice(0, -1);
        else trimLastSpace(out);
      }
      text += ch;
      previous = ch;
    }
    if (text) pushRun(out, { ...run, text });
  }
  trimLastSpace(out);
  while (out.length > 0 && /^\n*$/.test(out.at(-1)!.text)) out.pop();
  const last = out.at(-1);
  if (last) last.text = last.text.replace(/\n+$/, "");
  return out.filter((r) => r.text.length > 0);
}

function trimLastSpace(runs: Run[]): void {
  const last = runs.at(-1);
  if (last?.text.endsWith(" ")) {
    last.text = last.text.slice(0, -1);
    if (!last.text) runs.pop();
  }
}

/** Appends a run, joined to the one before when they look the same. */
function pushRun(runs: Run[], run: Run): void {
  const last = runs.at(-1);
  if (last && Boolean(last.bold) === Boolean(run.bold) && Boolean(last.italic) === Boolean(run.italic))
    last.text += run.text;
  else runs.push(run);
}

/** Blocks in reading order, and one sentence per image that was left out (the caller makes them a clear error). */
export function parseLetterBody(html: string): { blocks: BodyBlock[]; problems: string[] } {
  const blocks: BodyBlock[] = [];
  const problems: string[] = [];
  let runs: Run[] = [];
  let list: { block: Extract<BodyBlock, { kind: "list" }>; images: BodyBlock[] } | null = null;
  let images = 0;

  const flush = () => {
    const tidied = tidy(runs);
    runs = [];
    if (tidied.length === 0) return;
    // In a list, each item's text is flushed on its own; stray text between items becomes an item too.
    if (list) list.block.items.push(tidied);
    else blocks.push({ kind: "paragraph", runs: tidied });
  };

  const text = (value: string, style: Style) => {
    const collapsed = value.replace(/[ \t\n\r\f]+/g, " ");
    if (collapsed) runs.push({ text: collapsed, ...styleOf(style) });
  };

  const walk = (node: Node, style: Style) => {
    const tag = node.nodeName;
    if (tag === "#text") return text(node.value ?? "", style);
    if (tag.startsWith("#") || SKIPPED_TAGS.has(tag)) return;
    const children = (inner: Style) => {
      for (const child of node.childNodes ?? []) walk(child, inner);
    };
    if (tag === "br") {
      runs.push({ text: "\n", ...styleOf(style) });
    } else if (tag === "img") {
      images++;
      const image = readImage(images, node.attrs);
      if (typeof image === "string") problems.push(image);
      else if (list)
        list.images.push(image); // a list is not broken by a picture: it follows the list
      else {
        flush();
        blocks.push(image);
      }
    } else if (tag === "strong" || tag === "b") {
      children({ ...style, bold: true });
    } else if (tag === "em" || tag === "i") {
      children({ ...style, italic: true });
    } else if (tag === "ul" || tag === "ol") {
      flush();
      if (list) {
        // A nested list's items join the outer list: letters have one level.
        children(style);
        flush();
      } else {
        list = { block: { kind: "list", ordered: tag === "ol", items: [] }, images: [] };
        children(style);
        flush();
        const done: NonNullable<typeof list> = list;
        list = null;
        if (done.block.items.length > 0) blocks.push(done.block);
        blocks.push(...done.images);
      }
    } else if (tag === "li") {
      flush();
      children(style);
      flush();
    } else if (BLOCK_TAGS.has(tag)) {
      flush();
      children(HEADING_TAGS.has(tag) ? { ...style, bold: true } : style);
      flush();
    } else if (tag === "td" || tag === "th") {
      children(style);
      text(" ", style);
    } else {
      children(style);
    }
  };

  for (const node of (parseFragment(html) as unknown as Node).childNodes ?? []) walk(node, NORMAL);
  flush();
  return { blocks, problems };
}

const NORMAL: Style = { bold: false, italic: false };

function styleOf(style: Style): Omit<Run, "text"> {
  return { ...(style.bold ? { bold: true } : {}), ...(style.italic ? { italic: true } : {}) };
}
