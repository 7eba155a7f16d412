// A mailing's content before merging: MJML to HTML, CSS inlined, the text part derived, the preview sanitised.
import { convert } from "html-to-text";
import juice from "juice";
import sanitizeHtml from "sanitize-html";
import { validationFailed } from "../shared/errors.ts";

export type ContentWarning = { message: string; line?: number };

/** HTML as written, or MJML compiled to HTML; MJML validation problems come back as warnings with their line. */
export async function renderSourceHtml(
  format: "html" | "mjml",
  source: string,
): Promise<{ html: string; warnings: ContentWarning[] }> {
  if (format === "html") return { html: source, warnings: [] };
  const { default: mjml2html } = await import("mjml");
  try {
    // mj-include reads files from the server's disk: never for content written by users.
    const result = await mjml2html(source, {
      validationLevel: "soft",
      ignoreIncludes: true,
      keepComments: false,
    });
    const warnings: ContentWarning[] = result.errors.map((e) => ({
      message: `${e.tagName}: ${e.message}`,
      line: e.line,
    }));
    return { html: result.html, warnings: [...warnings, ...lostMergeTags(source, result.html)] };
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    throw validationFailed(`Invalid MJML: ${message}`, [
      { field: "content", message, kind: "template-syntax" },
    ]);
  }
}

// MJML silently drops text between its elements, so `[% if %]` between two mj-sections vanishes.
function lostMergeTags(source: string, html: string): ContentWarning[] {
  const left = new Map<string, number>();
  for (const [tag] of html.matchAll(MERGE_TAG)) left.set(tag, (left.get(tag) ?? 0) + 1);
  const lost: ContentWarning[] = [];
  for (const match of source.matchAll(MERGE_TAG)) {
    const count = left.get(match[0]) ?? 0;
    if (count > 0) left.set(match[0], count - 1);
    else
      lost.push({
        message: `the merge tag ${match[0]} is lost in the HTML: put merge tags and conditions inside mj-text, mj-button or mj-raw`,
        line: source.slice(0, match.index).split("\n").length,
      });
  }
  return lost;
}

// Merge tags are swapped for plain words while a parser rewrites the HTML, so that neither entity encoding,
// whitespace folding, line wrapping nor link formatting can change what is inside them.
const MERGE_TAG = /\[\[[\s\S]*?\]\]|\[%[\s\S]*?%\]/g;

function protectMergeTags(html: string): { protectedHtml: string; restore: (s: string) => string } {
  let prefix = "zmergetag";
  while (html.toLowerCase().includes(prefix)) prefix += "z";
  const tags: string[] = [];
  const protectedHtml = html.replace(MERGE_TAG, (tag) => `${prefix}${tags.push(tag) - 1}q`);
  const placeholder = new RegExp(`${prefix}(\\d+)q`, "gi");
  return { protectedHtml, restore: (s) => s.replace(placeholder, (_, i: string) => tags[Number(i)] ?? "") };
}

/** Moves `<style>` rules into style attributes (once per mailing, before merging); merge tags are kept intact. */
export function inlineCss(html: string): string {
  const { protectedHtml, restore } = protectMergeTags(html);
  return restore(juice(protectedHtml, { preserveImportant: true }));
}

/**
 * The text part as a text-mode template: the merge tags survive and are merged per recipient.
 * Links are written `text <url>` because `[url]` around a merge tag would read as `[[[ … ]]]`.
 */
export function textFromHtml(html: string): string {
  const { protectedHtml, restore } = protectMergeTags(html);
  const heading = { options: { uppercase: false } };
  const text = convert(protectedHtml, {
    wordwrap: 78,
    selectors: [
      { selector: "a", options: { linkBrackets: ["<", ">"], hideLinkHrefIfSameAsText: true } },
      { selector: "img", format: "skip" },
      ...["h1", "h2", "h3", "h4", "h5", "h6"].map((selector) => ({ selector, ...heading })),
    ],
  });
  return restore(text);
}

/** Merged HTML made safe to show in the editor's (sandboxed) preview: no scripts, handlers or script URLs. */
export function sanitizeForPreview(html: string): string {
  return sanitizeHtml(html, {
    allowedTags: [
      ...sanitizeHtml.defaults.allowedTags,
      "html",
      "head",
      "body",
      "style",
      "title",
      "img",
      "center",
      "font",
    ],
    allowVulnerableTags: true,
    allowedAttributes: {
      "*": [
        "style",
        "class",
        "id",
        "align",
        "valign",
        "width",
        "height",
        "bgcolor",
        "background",
        "border",
        "cellpadding",
        "cellspacing",
        "role",
        "dir",
        "lang",
        "title",
        "colspan",
        "rowspan",
        "color",
        "face",
        "size",
      ],
      a: ["href", "name", "target", "rel"],
      img: ["src", "alt", "srcset"],
    },
    allowedSchemes: ["http", "https", "mailto", "tel"],
    allowedSchemesByTag: { img: ["http", "https", "data", "cid"] },
    allowedSchemesAppliedToAttributes: ["href", "src", "cite", "background"],
    allowProtocolRelative: false,
    transformTags: {
      a: sanitizeHtml.simpleTransform("a", { target: "_blank", rel: "noopener noreferrer" }),
    },
  });
}
