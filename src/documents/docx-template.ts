// Word templates for document mailings (SPEC §13): reading an uploaded DOCX safely, the merge fields it uses, and one
// merged DOCX with a letter per recipient. Pure of the database: the caller brings the merge contexts.
//
// docxtemplater finds the `[[…]]` and `[%…%]` tags on each paragraph's text, however Word split them over runs, and
// gathers each into one run; our own Liquid engine (mailings/merge-fields.ts) then evaluates the whole body, so
// filters, fallbacks and conditions mean in a letter what they mean in an e-mail.
import { open, rm } from "node:fs/promises";
import Docxtemplater from "docxtemplater";
import PizZip from "pizzip";
import {
  checkTemplate,
  compileTemplate,
  type MergeContext,
  renderTemplate,
  type TemplateCheck,
} from "../mailings/merge-fields.ts";
import { AppError } from "../shared/errors.ts";
import { listEntries, readEntry, type ZipEntry, ZipProblem, ZipWriter } from "./zip.ts";

export { starterTemplate } from "./docx-starter.ts";

/** An upload unpacking to more than this, or compressed more than `ratio` to 1, is refused before inflating. */
export const TEMPLATE_LIMITS = { totalBytes: 50 * 1024 * 1024, ratio: 100, imageBytes: 10 * 1024 * 1024 };

const DOCUMENT = "word/document.xml";
// Markers stand for the tags while we look at the XML around them; private-use characters never occur in a template.
const MARK_OPEN = "\uE000";
const MARK_CLOSE = "\uE001";
const MARKER = /\uE000(\d+)\uE001/g;

type Tag = { source: string; name: string | null };
type Prepared = { zip: Buffer; entries: ZipEntry[]; head: string; body: string; tail: string };

function invalid(message: string, details: Record<string, unknown> = {}): AppError {
  return new AppError("DOCUMENT_TEMPLATE_INVALID", message, details);
}

function unpack(docx: Buffer): { entries: ZipEntry[]; files: Map<string, Buffer> } {
  try {
    const entries = listEntries(docx, TEMPLATE_LIMITS);
    if (!entries.some((e) => e.name === DOCUMENT))
      throw invalid(`The file is not a Word document (DOCX): it has no ${DOCUMENT}`, { entry: DOCUMENT });
    const image = entries.find(
      (e) => e.name.startsWith("word/media/") && e.size > TEMPLATE_LIMITS.imageBytes,
    );
    if (image)
      throw invalid(`The image ${image.name} is larger than ${TEMPLATE_LIMITS.imageBytes / 1024 / 1024} MB`, {
        entry: image.name,
        size: image.size,
        limit: TEMPLATE_LIMITS.imageBytes,
      });
    const files = new Map<string, Buffer>();
    // Only the XML parts are templated; images are checked by size and copied as they are.
    for (const e of entries)
      if (/\.(xml|rels)$/i.test(e.name) && !e.name.endsWith("/")) files.set(e.name, readEntry(docx, e));
    return { entries, files };
  } catch (error) {
    if (error instanceof ZipProblem)
      throw invalid(`The file is not a usable Word document (DOCX): ${error.message}`, error.details);
    throw error;
  }
}

// Word turns typed quotes into curly ones and spaces into no-break spaces; inside a tag they must be plain again.
function plainTagText(text: string): string {
  return text
    .replace(/[\u201C\u201D\u201E\u00AB\u00BB]/g, '"')
    .replace(/[\u2018\u2019\u201A]/g, "'")
    .replace(/\u00A0/g, " ");
}

type DocxError = {
  properties?: { id?: string; explanation?: string; file?: string; context?: string; errors?: DocxError[] };
};

/** Runs docxtemplater once per delimiter pair; every tag becomes a marker in one run, the tags are collected. */
function gatherTags(files: Map<string, Buffer>): { xml: Map<string, string>; tags: Tag[] } {
  const tags: Tag[] = [];
  let zip = new PizZip();
  for (const [name, data] of files) zip.file(name, data);
  for (const [start, end] of [
    ["[%", "%]"],
    ["[[", "]]"],
  ] as const) {
    const module = {
      name: "UtsendMergeTags",
      // One matcher for every tag, above docxtemplater's own (#loops, @raw XML, -dash): Liquid gives tags their meaning.
      // (docxtemplater's matcher takes a RegExp as the prefix, though its typings say string.)
      matchers: (): [string, string, { priority: number }][] => [
        [/^([\s\S]*)$/ as unknown as string, "utsend-tag", { priority: 1000 }],
      ],
      render(part: { module?: string; value: string }) {
        if (part.module !== "utsend-tag") return null;
        const text = plainTagText(part.value);
        const name = start === "[%" ? (/^-?\s*(\w+)/.exec(text)?.[1] ?? null) : null;
        tags.push({ source: `${start}${text}${end}`, name });
        return { value: `${MARK_OPEN}${tags.length - 1}${MARK_CLOSE}`, errors: [] };
      },
    };
    try {
      const doc = new Docxtemplater(zip, {
        delimiters: { start, end },
        modules: [module],
        syntax: { changeDelimiterPrefix: null },
        errorLogging: false,
      });
      doc.render({});
      const next = new PizZip();
      for (const name of files.keys()) next.file(name, doc.getZip().file(name)?.asText() ?? "");
      zip = next;
    } catch (error) {
      const problems = ((error as DocxError).properties?.errors ?? [error as DocxError]).map((e) => ({
        problem: e.properties?.explanation ?? String(error),
        file: e.properties?.file,
        tag: e.properties?.context,
      }));
      throw invalid(
        `The template's merge fields cannot be read: ${problems.map((p) => p.problem).join("; ")}`,
        { problems },
      );
    }
  }
  const xml = new Map<string, string>();
  for (const name of files.keys()) xml.set(name, zip.file(name)?.asText() ?? "");
  return { xml, tags };
}

const BLOCK_OPEN = new Set(["if", "unless", "case", "comment", "raw"]);
const BLOCK_MIDDLE = new Set(["elsif", "else", "when"]);
const BLOCK_END = new Set(["endif", "endunless", "endcase", "endcomment", "endraw"]);
const BLOCK_TAG = /^(if|unless|case|comment|raw|elsif|else|when|end\w+)$/;

// A paragraph in the body that holds nothing but one `[% … %]` tag is replaced by the tag, so a condition around whole
// paragraphs leaves no empty paragraphs behind. Section breaks, bookmarks and drawings keep their paragraph.
function unwrapTagParagraphs(body: string, tags: Tag[]): string {
  let depth = 0;
  let start = -1;
  let out = "";
  let copied = 0;
  for (const m of body.matchAll(/<(\/?)w:(\w+)\b[^>]*?(\/?)>/g)) {
    const [, closing, name, selfClosing] = m;
    if (selfClosing) continue;
    if (!closing) {
      if (depth === 0 && name === "p") start = m.index;
      depth++;
      continue;
    }
    depth--;
    if (depth !== 0 || name !== "p" || start < 0) continue;
    const end = m.index + m[0].length;
    const paragraph = body.slice(start, end);
    const marks = [...paragraph.matchAll(MARKER)];
    const text = paragraph.replace(/<[^>]*>/g, "").replace(MARKER, "");
    const tag = marks.length === 1 ? tags[Number(marks[0]?.[1])] : undefined;
    if (
      tag?.name &&
      BLOCK_TAG.test(tag.name) &&
      text.trim() === "" &&
      !/<w:(sectPr|bookmarkStart|drawing|pict|object|fldChar|fldSimple)\b/.test(paragraph)
    ) {
      out += body.slice(copied, start) + (marks[0]?.[0] ?? "");
      copied = end;
    }
    start = -1;
  }
  return out + body.slice(copied);
}

/**
 * A condition's parts must sit at the same place in the XML tree (all in one paragraph's text, or each at the same
 * level), or dropping a branch would cut the XML apart.
 */
function checkBlocksAlign(body: string, tags: Tag[]): void {
  const path: string[] = [];
  const open: { tag: Tag; where: string }[] = [];
  for (const m of body.matchAll(/<(\/?)([\w:.-]+)[^>]*?(\/?)>|\uE000(\d+)\uE001/g)) {
    if (m[4] === undefined) {
      if (m[3]) continue;
      if (m[1]) path.pop();
      else path.push(m[2] ?? "");
      continue;
    }
    const tag = tags[Number(m[4])];
    if (!tag?.name) continue;
    const where = path.join("/");
    if (BLOCK_OPEN.has(tag.name)) open.push({ tag, where });
    else if (BLOCK_MIDDLE.has(tag.name) || BLOCK_END.has(tag.name)) {
      const block = open.at(-1);
      if (!block) continue; // Liquid reports the stray tag with its own words
      if (block.where !== where)
        throw invalid(
          `${block.tag.source} and ${tag.source} are in different parts of the document (for example one in a table and one outside it); put them in the same paragraph, or each in a paragraph of its own next to each other`,
          { tag: block.tag.source, other: tag.source },
        );
      if (BLOCK_END.has(tag.name)) open.pop();
    }
  }
}

/** The body as one Liquid template, the XML before and after it, with every tag checked. */
function prepare(docx: Buffer): Prepared & { tags: Tag[]; source: string } {
  const { entries, files } = unpack(docx);
  const { xml, tags } = gatherTags(files);
  for (const [name, text] of xml) {
    const mark = name !== DOCUMENT && name.startsWith("word/") ? MARKER.exec(text) : null;
    MARKER.lastIndex = 0;
    if (mark)
      throw invalid(
        `Merge fields work only in the letter's text, not in headers, footers or notes: ${tags[Number(mark[1])]?.source} is in ${name}`,
        { file: name, tag: tags[Number(mark[1])]?.source },
      );
  }
  const document = xml.get(DOCUMENT) ?? "";
  const bodyOpen = /<w:body\b[^>]*>/.exec(document);
  const bodyClose = document.lastIndexOf("</w:body>");
  if (!bodyOpen || bodyClose < 0)
    throw invalid(`The file is not a Word document (DOCX): ${DOCUMENT} has no body`);
  let bodyEnd = bodyClose;
  const sectPr = document.lastIndexOf("<w:sectPr", bodyClose);
  // The body's own section properties (page size, margins, headers) close it; a letter per recipient shares them.
  if (sectPr > bodyOpen.index && !document.slice(sectPr, bodyClose).includes("</w:p>")) bodyEnd = sectPr;
  const head = document.slice(0, bodyOpen.index + bodyOpen[0].length);
  const tail = document.slice(bodyEnd);
  // Newlines between elements mean nothing and in text show as spaces; after this, every newline comes from a value.
  let body = document
    .slice(head.length, bodyEnd)
    .replace(/(^|>)[ \t]*[\r\n]\s*(?=<|$)/g, "$1")
    .replace(/[\r\n]+/g, " ");
  body = unwrapTagParagraphs(body, tags);
  checkBlocksAlign(body, tags);
  const source = body.replace(MARKER, (_, i: string) => tags[Number(i)]?.source ?? "");
  return { zip: docx, entries, head, body, tail, tags, source };
}

export type InspectOptions = { customFieldKeys?: readonly string[] };

/** Reads an uploaded template: the merge variables it uses and those a document mailing does not have. */
/** The template checked as Liquid: a syntax error is refused, naming the tag it is at. */
function checked(prepared: { source: string; tags: Tag[] }, options: InspectOptions): TemplateCheck {
  const check = checkTemplate(prepared.source, {
    customFieldKeys: options.customFieldKeys ?? [],
    allowed: "document",
  });
  const error = check.errors[0];
  if (error) {
    const at = error.line ? tagAt(prepared.source, error.line, error.column ?? 1, prepared.tags) : undefined;
    throw invalid(`A merge field in the template is wrong: ${error.message}${at ? ` (at ${at})` : ""}`, {
      problem: error.message,
      ...(at ? { tag: at } : {}),
    });
  }
  return check;
}

/** Reads an uploaded template: the merge variables it uses and those a document mailing does not have. */
export async function inspectTemplate(
  docx: Buffer,
  options: InspectOptions = {},
): Promise<{ variables: string[]; unknownVariables: string[] }> {
  const check = checked(prepare(docx), options);
  return { variables: check.variables, unknownVariables: check.unknownVariables };
}

/** The letter's body as the one Liquid template every letter is merged from (XML with the tags), for reports. */
export function templateSource(docx: Buffer): string {
  return prepare(docx).source;
}

// Liquid counts lines and columns in the XML we built; the user knows the tag, so name the tag nearest before it.
function tagAt(source: string, line: number, column: number, tags: Tag[]): string | undefined {
  const lines = source.split("\n");
  const offset = lines.slice(0, line - 1).reduce((n, l) => n + l.length + 1, 0) + column - 1;
  let found: string | undefined;
  for (const t of tags) {
    const at = source.indexOf(t.source);
    if (at >= 0 && at <= offset) found = t.source;
  }
  return found;
}

// Control characters XML cannot hold (tab, CR and LF are turned into Word's own elements before this).
const XML_UNSAFE = /\p{Cc}|[\uFFFE\uFFFF]/gu;
const PAGE_BREAK = '<w:p><w:r><w:br w:type="page"/></w:r></w:p>';

/** A plain page break before the letter: on its first paragraph when it starts with one, else a paragraph of its own. */
function startOnNewPage(letter: string): string {
  const p = /^\s*<w:p(\s[^>]*)?>/.exec(letter);
  if (!p) return PAGE_BREAK + letter;
  const rest = letter.slice(p[0].length);
  if (rest.startsWith("<w:pPr/>")) return `${p[0]}<w:pPr><w:pageBreakBefore/></w:pPr>${rest.slice(8)}`;
  if (!rest.startsWith("<w:pPr>") && !rest.startsWith("<w:pPr "))
    return `${p[0]}<w:pPr><w:pageBreakBefore/></w:pPr>${rest}`;
  if (/^<w:pPr[^>]*>(?:(?!<\/w:pPr>)[\s\S])*<w:pageBreakBefore\b/.test(rest)) return letter;
  // The schema orders pPr's children: pStyle, keepNext, keepLines, then pageBreakBefore.
  return (
    p[0] +
    rest.replace(
      /^(<w:pPr[^>]*>(?:<w:pStyle\b[^>]*\/>)?(?:<w:keepNext\b[^>]*\/>)?(?:<w:keepLines\b[^>]*\/>)?)/,
      "$1<w:pageBreakBefore/>",
    )
  );
}

/** A bookmark in a letter's first paragraph, which LibreOffice exports as a PDF named destination on its first page. */
export const letterMark = (n: number) => `UtsendLetter${n}`;

function markLetter(letter: string, n: number): string {
  const mark = `<w:bookmarkStart w:id="${900_000_000 + n}" w:name="${letterMark(n)}"/><w:bookmarkEnd w:id="${900_000_000 + n}"/>`;
  // The first paragraph, even inside a table's first cell: a bookmark before it would land on the previous page.
  const p = /<w:p(?:\s[^>]*)?>(?:<w:pPr\/>|<w:pPr(?:\s[^>]*)?>(?:(?!<\/w:pPr>)[\s\S])*<\/w:pPr>)?/.exec(
    letter,
  );
  if (!p) return `<w:p>${mark}</w:p>${letter}`;
  const at = p.index + p[0].length;
  return letter.slice(0, at) + mark + letter.slice(at);
}

type SectionStart = "nextPage" | "oddPage";

/** The section properties with their type set to start as asked (the schema puts w:type after the notes). */
function startingSection(sectPr: string, start: SectionStart): string {
  const type = `<w:type w:val="${start}"/>`;
  if (/^<w:sectPr\b[^>]*\/>$/.test(sectPr)) return `${sectPr.slice(0, -2)}>${type}</w:sectPr>`;
  return sectPr
    .replace(/<w:type\b[^>]*\/>/, "")
    .replace(
      /^(<w:sectPr\b[^>]*>(?:<w:(?:headerReference|footerReference)\b[^>]*\/>|<w:(footnotePr|endnotePr)\b[^>]*>(?:(?!<\/w:\2>)[\s\S])*<\/w:\2>|<w:(?:footnotePr|endnotePr)\b[^>]*\/>)*)/,
      `$1${type}`,
    );
}

/**
 * A letter's first section starts on a new (or an odd) page: a section the template has inside the letter, else the
 * one that ends it (`ending`, the template's page setup).
 */
function startSection(
  letter: string,
  finalSection: string,
  start: SectionStart,
): { letter: string; ending: string } {
  const inner = /<w:sectPr\b(?:[^>]*\/>|[\s\S]*?<\/w:sectPr>)/.exec(letter);
  if (!inner) return { letter, ending: startingSection(finalSection, start) };
  return {
    letter:
      letter.slice(0, inner.index) +
      startingSection(inner[0], start) +
      letter.slice(inner.index + inner[0].length),
    ending: finalSection,
  };
}

/** Ends the letter with a section of the template's page setup: in its last paragraph, else an empty one after it. */
function endSection(letter: string, sectPr: string): string {
  let depth = 0;
  let start = -1;
  let last: { start: number; end: number } | null = null;
  for (const m of letter.matchAll(/<(\/?)w:(\w+)\b[^>]*?(\/?)>/g)) {
    const [, closing, name, selfClosing] = m;
    if (selfClosing) continue;
    if (!closing) {
      if (depth === 0 && name === "p") start = m.index;
      depth++;
      continue;
    }
    depth--;
    if (depth === 0 && name === "p" && start >= 0) last = { start, end: m.index + m[0].length };
  }
  const after = last ? letter.slice(last.end) : "";
  // Only markers (bookmark ends, proofing marks) may follow the paragraph that ends the section.
  if (!last || !/^(?:\s*<w:\w+\b[^>]*\/>)*\s*$/.test(after))
    return `${letter}<w:p><w:pPr>${sectPr}</w:pPr></w:p>`;
  const paragraph = letter.slice(last.start, last.end);
  if (/<w:sectPr\b/.test(paragraph)) return `${letter}<w:p><w:pPr>${sectPr}</w:pPr></w:p>`;
  let ended: string;
  const open = /^<w:p(?:\s[^>]*)?>/.exec(paragraph)![0];
  const rest = paragraph.slice(open.length);
  if (rest.startsWith("<w:pPr/>")) ended = `${open}<w:pPr>${sectPr}</w:pPr>${rest.slice(8)}`;
  else if (/^<w:pPr[\s>]/.test(rest)) {
    // sectPr comes after the paragraph mark's properties and before a tracked change of them.
    const change = rest.indexOf("<w:pPrChange");
    const close = rest.indexOf("</w:pPr>");
    const at = change >= 0 && change < close ? change : close;
    ended = open + rest.slice(0, at) + sectPr + rest.slice(at);
  } else ended = `${open}<w:pPr>${sectPr}</w:pPr>${rest}`;
  return letter.slice(0, last.start) + ended + after;
}

export type MergeOptions = {
  /**
   * Duplex: each letter is a section of its own that starts on an odd page (`w:type oddPage`), so Word inserts the
   * blank pages. Not for LibreOffice's PDF export: it gives such a section's first page other header spacing, which
   * moves the address out of the envelope window; there the blank pages go in afterwards (pdf-pages.ts).
   */
  oddPages?: boolean;
  /**
   * Each letter a section of its own, starting on a new page (a page break otherwise): the DOCX a user gets, where
   * Word can then number each letter's pages from 1. Not for LibreOffice's PDF export, for the reason above.
   */
  sections?: boolean;
  /** A bookmark at the start of each letter (`letterMark(n)`, n from 1), for finding the letters in the PDF. */
  markLetters?: boolean;
};

/** One merged DOCX, a letter per context, each after the first on a new page; written to `outPath` as it merges. */
export async function mergeTemplate(
  docx: Buffer,
  contexts: AsyncIterable<MergeContext> | Iterable<MergeContext>,
  outPath: string,
  options: MergeOptions = {},
): Promise<{ letters: number }> {
  const prepared = prepare(docx);
  const finalSection =
    /^\s*(<w:sectPr\b(?:[^>]*\/>|[\s\S]*?<\/w:sectPr>))/.exec(prepared.tail)?.[1] ?? "<w:sectPr/>";
  const start: SectionStart | null = options.oddPages ? "oddPage" : options.sections ? "nextPage" : null;
  const tail = start ? prepared.tail.replace(finalSection, "").replace(/^\s*/, "") : prepared.tail;
  checked(prepared, {});
  const compiled = compileTemplate(prepared.source, "html", { field: "template" });
  let letters = 0;
  let drawingId = 0;
  let held: { letter: string; ending: string } | null = null;
  async function* documentXml(): AsyncGenerator<Buffer> {
    yield Buffer.from(prepared.head);
    for await (const context of contexts) {
      let letter: string;
      try {
        letter = renderTemplate(compiled, context, "template");
      } catch (error) {
        if (error instanceof AppError)
          throw invalid(`Letter ${letters + 1} cannot be merged: ${error.message}`, { letter: letters + 1 });
        throw error;
      }
      letter = letter
        .replace(/\r\n|\r|\n/g, '</w:t><w:br/><w:t xml:space="preserve">')
        .replace(/\t/g, '</w:t><w:tab/><w:t xml:space="preserve">')
        .replace(XML_UNSAFE, "")
        // Word wants each drawing's id unique in the document; the template's repeat in every letter.
        .replace(/(<wp:docPr\b[^>]*?\bid=")\d+"/g, (_, before: string) => `${before}${++drawingId}"`);
      letters++;
      if (options.markLetters) letter = markLetter(letter, letters);
      if (start) {
        // The letter before is held back until we know it is not the last: the last one's section is the body's own.
        if (held !== null) yield Buffer.from(endSection(held.letter, held.ending));
        held = startSection(letter, finalSection, start);
        continue;
      }
      if (letters > 1) letter = startOnNewPage(letter);
      yield Buffer.from(letter);
    }
    if (held !== null) yield Buffer.from(held.letter);
    yield Buffer.from(start ? (held?.ending ?? finalSection) + tail : prepared.tail);
  }
  const file = await open(outPath, "w");
  try {
    const zip = new ZipWriter(async (chunk) => {
      await file.write(chunk);
    });
    for (const entry of prepared.entries) {
      if (entry.name === DOCUMENT) await zip.addStream(DOCUMENT, documentXml());
      else await zip.copy(prepared.zip, entry);
    }
    await zip.finish();
  } catch (error) {
    // A half-written DOCX must not be mistaken for a result.
    await file.close();
    await rm(outPath, { force: true });
    throw error;
  }
  await file.close();
  return { letters };
}
