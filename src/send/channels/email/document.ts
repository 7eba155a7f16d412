// The sent HTML as a document assistive technology can use: the recipient's language on <html> (WCAG 3.1.1), the
// subject as <title> (2.4.2), layout tables marked role="presentation" (1.3.1). Found once per mailing with a
// parser; per recipient only two markers are filled by a string replace, so the hot path never parses HTML.
import { parse } from "parse5";

type Range = { startOffset: number; endOffset: number };
type Location = Range & { startTag?: Range & { attrs?: Record<string, Range> }; endTag?: Range };
type Node = {
  nodeName: string;
  value?: string;
  attrs?: Array<{ name: string; value: string }>;
  sourceCodeLocation?: Location | null;
  childNodes?: Node[];
  content?: Node;
};

const LANG_MARKER = "utsend-recipient-lang";
const TITLE_MARKER = "utsend-subject-title";
const MARKERS = new RegExp(`${LANG_MARKER}|${TITLE_MARKER}`, "g");

/** The language the HTML declares for a recipient: the public pages' rule, English for "en" and Norwegian else. */
export function recipientLanguage(language: string | null | undefined): "nb" | "en" {
  return language === "en" ? "en" : "nb";
}

// MJML writes lang="und" (undetermined) on <html> and on its wrapper div unless <mjml lang> is set; an empty lang
// says the same. A language the author wrote is kept: they know what language the content is in.
const UNDETERMINED = new Set(["", "und"]);

/**
 * Marks where the recipient's language and the subject go, and marks layout tables. Merge tags are left as they are:
 * only insertions are made at offsets the parser reports, so nothing else in the source changes.
 */
export function markDocument(html: string): string {
  const doc = parse(html, { sourceCodeLocationInfo: true }) as unknown as Node;
  const edits: Array<{ at: number; end?: number; text: string }> = [];
  const htmlEl = doc.childNodes?.find((n) => n.nodeName === "html");
  const head = htmlEl?.childNodes?.find((n) => n.nodeName === "head");
  const doctype = doc.childNodes?.find((n) => n.nodeName === "#documentType");

  // <html lang>: a missing <html> start tag is written (its end tag may be left out in HTML).
  const htmlTag = htmlEl?.sourceCodeLocation?.startTag;
  if (!htmlTag) {
    edits.push({ at: doctype?.sourceCodeLocation?.endOffset ?? 0, text: `<html lang="${LANG_MARKER}">` });
  } else if (!htmlEl?.attrs?.some((a) => a.name === "lang")) {
    edits.push({ at: htmlTag.startOffset + "<html".length, text: ` lang="${LANG_MARKER}"` });
  }
  // The document's title is in <head>; an SVG's <title> in the body is not it.
  const title = head?.childNodes?.find((n) => n.nodeName === "title");
  const titleLoc = title?.sourceCodeLocation;
  if (titleLoc?.startTag && titleLoc.endTag) {
    if (!textOf(title!).trim())
      edits.push({ at: titleLoc.startTag.endOffset, end: titleLoc.endTag.startOffset, text: TITLE_MARKER });
  } else if (!title) {
    const after = head?.sourceCodeLocation?.startTag?.endOffset ?? htmlTag?.endOffset;
    // Without <html> the title goes right after the one this function writes.
    edits.push({
      at: after ?? doctype?.sourceCodeLocation?.endOffset ?? 0,
      text: `<title>${TITLE_MARKER}</title>`,
    });
  }

  walk(doc, (node) => {
    const at = node.sourceCodeLocation?.startTag;
    if (!at) return;
    const lang = node.attrs?.find((a) => a.name === "lang");
    const langAt = at.attrs?.lang;
    if (lang && langAt && UNDETERMINED.has(lang.value.trim().toLowerCase()))
      edits.push({ at: langAt.startOffset, end: langAt.endOffset, text: `lang="${LANG_MARKER}"` });
    if (node.nodeName === "table" && isLayoutTable(node))
      edits.push({ at: at.startOffset + "<table".length, text: ` role="presentation"` });
  });

  edits.sort((a, b) => a.at - b.at);
  let out = "";
  let from = 0;
  for (const edit of edits) {
    out += html.slice(from, edit.at) + edit.text;
    from = edit.end ?? edit.at;
  }
  return out + html.slice(from);
}

/** Per recipient: the language and the merged subject (HTML-escaped) in place of the markers. */
export function fillDocumentMarkers(html: string, language: "nb" | "en", subject: string): string {
  const title = escapeHtml(subject);
  return html.replace(MARKERS, (marker) => (marker === LANG_MARKER ? language : title));
}

/** A table without a role, headers or caption is there for layout: screen readers should not announce a grid. */
function isLayoutTable(table: Node): boolean {
  if (table.attrs?.some((a) => a.name === "role")) return false;
  let data = false;
  const visit = (node: Node) => {
    for (const child of node.childNodes ?? []) {
      if (child.nodeName === "th" || child.nodeName === "caption") data = true;
      // A nested table's headers are its own.
      else if (child.nodeName !== "table") visit(child);
    }
  };
  visit(table);
  return !data;
}

function walk(node: Node, visit: (node: Node) => void): void {
  visit(node);
  for (const child of node.childNodes ?? []) walk(child, visit);
  if (node.content) walk(node.content, visit);
}

function textOf(node: Node): string {
  return (node.childNodes ?? []).map((c) => (c.nodeName === "#text" ? (c.value ?? "") : textOf(c))).join("");
}

function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}
