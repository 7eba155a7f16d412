// What the Confirm step warns about in an e-mail that some recipients cannot read: images without alt text, text
// below WCAG's contrast, links and subjects that say nothing, an e-mail that is one big image. Read from the
// compiled, CSS-inlined HTML (and the MJML source, whose images MJML gives alt="" when the author gave none).
// Warnings, never problems: they do not block sending. Pure.
import { parse, parseFragment } from "parse5";
import { BLACK, contrastRatio, over, parseColor, type Rgba, toHex, WHITE } from "./contrast.ts";

export type AccessibilityWarning = { key: string; message: string } & (
  | { code: "image-without-alt"; src: string; count: number }
  | {
      code: "low-contrast-text";
      foreground: string;
      background: string;
      /** Rounded down to two decimals, so a ratio shown as 4.5 really is 4.5. */
      ratio: number;
      required: number;
      text: string;
      count: number;
    }
  | { code: "vague-link-text"; text: string; count: number }
  | { code: "vague-subject"; subject: string }
  | { code: "image-only-email"; textLength: number; images: number }
);
export type AccessibilityCode = AccessibilityWarning["code"];

type Node = {
  nodeName: string;
  value?: string;
  attrs?: Array<{ name: string; value: string }>;
  childNodes?: Node[];
  content?: Node;
};

// Normalised (lower case, no punctuation): link texts that do not say where the link goes, in Norwegian and English.
const VAGUE_LINK_TEXT = new Set([
  "klikk her",
  "klikk",
  "trykk her",
  "trykk",
  "her",
  "les mer",
  "les mer her",
  "mer",
  "se mer",
  "se her",
  "mer info",
  "mer informasjon",
  "lenke",
  "lenken",
  "denne lenken",
  "link",
  "linken",
  "click here",
  "click",
  "tap here",
  "here",
  "read more",
  "more",
  "see more",
  "more info",
  "learn more",
  "this link",
  "this",
  "go",
]);
// A subject says what the e-mail is about; a greeting or a word for "news" alone does not.
const VAGUE_SUBJECT = new Set([
  ...VAGUE_LINK_TEXT,
  "hei",
  "hallo",
  "hi",
  "hello",
  "info",
  "informasjon",
  "information",
  "nyhetsbrev",
  "newsletter",
  "nyheter",
  "news",
  "viktig",
  "important",
  "oppdatering",
  "update",
  "melding",
  "message",
  "test",
  "ingen emne",
  "no subject",
  "uten tittel",
  "untitled",
]);

/** An e-mail with images and less visible text than this reads as one big image. */
export const IMAGE_ONLY_TEXT_LIMIT = 100;
const NORMAL_RATIO = 4.5;
const LARGE_RATIO = 3;
// Not rendered, or not text a reader sees.
const SKIPPED = new Set(["head", "style", "script", "title", "template", "noscript", "#comment"]);
const HEADING_EM: Record<string, number> = { h1: 2, h2: 1.5, h3: 1.17, h4: 1, h5: 0.83, h6: 0.67 };
const BOLD = new Set(["b", "strong", "th", "h1", "h2", "h3", "h4", "h5", "h6"]);
const MERGE_TAG = /\[\[[\s\S]*?\]\]|\[%[\s\S]*?%\]/g;
const CONDITION = /\[%[\s\S]*?%\]/g;
const HAS_MERGE_TAG = /\[\[|\[%/;

/** What a reader sees at a point in the tree; null colours are unknown (a background image, a merge tag, a name). */
type Look = { color: Rgba | null; background: Rgba | null; fontPx: number; bold: boolean };

export function accessibilityWarnings(input: {
  html: string;
  subject: string | null;
  mjml?: string | null;
}): AccessibilityWarning[] {
  const found = new Found();
  if (input.mjml) for (const src of mjmlImagesWithoutAlt(input.mjml)) found.image(src);
  const doc = parse(input.html) as unknown as Node;
  let text = "";
  let images = 0;

  const visit = (node: Node, look: Look) => {
    if (SKIPPED.has(node.nodeName)) return;
    if (node.nodeName === "#text") {
      const value = (node.value ?? "").replace(CONDITION, "");
      // MJML sets font-size:0 on layout cells to close the gaps between columns; text there is not seen.
      if (!value.trim() || look.fontPx <= 1) return;
      text += ` ${value}`;
      checkContrast(value, look, found);
      return;
    }
    const style = inlineStyle(node);
    if (isHidden(style)) return;
    const own = lookOf(node, style, look);
    if (node.nodeName === "img") {
      if (attr(node, "alt") === undefined) found.image(attr(node, "src") ?? "");
      if (!isPixel(node)) images++;
    }
    if (node.nodeName === "a" && attr(node, "href") !== undefined) checkLink(node, found);
    for (const child of node.childNodes ?? []) visit(child, own);
    if (node.content) visit(node.content, own);
  };
  visit(doc, { color: BLACK, background: WHITE, fontPx: 16, bold: false });

  const subject = input.subject?.trim() ?? "";
  const subjectWords = normalise(subject.replace(MERGE_TAG, " "));
  if (subject && !(subjectWords === "" && HAS_MERGE_TAG.test(subject)) && VAGUE_SUBJECT.has(subjectWords))
    found.add({
      code: "vague-subject",
      key: `vague-subject:${subjectWords}`,
      subject,
      message: `The subject "${subject}" does not say what the e-mail is about`,
    });
  const textLength = text.replace(/\s+/g, " ").trim().length;
  if (images > 0 && textLength < IMAGE_ONLY_TEXT_LIMIT)
    found.add({
      code: "image-only-email",
      key: "image-only-email",
      textLength,
      images,
      message: `The e-mail is mostly images (${textLength} characters of text): a reader without images gets little`,
    });
  return found.list();
}

/** Each warning once, by key, counting repeats. */
class Found {
  private byKey = new Map<string, AccessibilityWarning>();

  add(warning: AccessibilityWarning): void {
    const seen = this.byKey.get(warning.key);
    if (!seen) this.byKey.set(warning.key, warning);
    else if ("count" in seen) seen.count++;
  }

  image(src: string): void {
    this.add({
      code: "image-without-alt",
      key: `image-without-alt:${src}`,
      src,
      count: 1,
      message: `An image has no alt text (${src || "no src"}): write what it shows, or alt="" if it is decoration`,
    });
  }

  list(): AccessibilityWarning[] {
    return [...this.byKey.values()];
  }
}

function checkContrast(text: string, look: Look, found: Found): void {
  if (!look.color || !look.background) return;
  const foreground = over(look.color, look.background);
  const ratio = contrastRatio(foreground, look.background);
  // WCAG's large text: 18 pt (24 px), or 14 pt (18.66 px) bold.
  const large = look.fontPx >= 24 || (look.bold && look.fontPx >= 18.66);
  const required = large ? LARGE_RATIO : NORMAL_RATIO;
  if (ratio >= required) return;
  const [fg, bg] = [toHex(foreground), toHex(look.background)];
  const shown = Math.floor(ratio * 100) / 100;
  found.add({
    code: "low-contrast-text",
    key: `low-contrast-text:${fg}/${bg}`,
    foreground: fg,
    background: bg,
    ratio: shown,
    required,
    text: text.replace(/\s+/g, " ").trim().slice(0, 60),
    count: 1,
    message: `Text in ${fg} on ${bg} has a contrast of ${shown}:1; it needs at least ${required}:1`,
  });
}

function checkLink(link: Node, found: Found): void {
  const label = attr(link, "aria-label")?.trim();
  // An image without alt inside the link is reported as such; its link is then no more vague than the image.
  if (!label && containsImageWithoutAlt(link)) return;
  const name = label || linkText(link).replace(/\s+/g, " ").trim();
  const words = normalise(name.replace(MERGE_TAG, (tag) => (tag.startsWith("[[") ? " x " : " ")));
  if (words !== "" && !VAGUE_LINK_TEXT.has(words)) return;
  if (words === "" && HAS_MERGE_TAG.test(name)) return;
  found.add({
    code: "vague-link-text",
    key: `vague-link-text:${words}`,
    text: name,
    count: 1,
    message: name
      ? `The link text "${name}" does not say where the link goes`
      : "A link has no text: a screen reader can only read out its address",
  });
}

/** The link's text as a screen reader reads it: its text and its images' alt text. */
function linkText(node: Node): string {
  if (node.nodeName === "#text") return node.value ?? "";
  if (SKIPPED.has(node.nodeName) || isHidden(inlineStyle(node))) return "";
  if (node.nodeName === "img") return ` ${attr(node, "alt") ?? ""} `;
  return (node.childNodes ?? []).map(linkText).join("");
}

function containsImageWithoutAlt(node: Node): boolean {
  if (node.nodeName === "img") return attr(node, "alt") === undefined;
  return (node.childNodes ?? []).some(containsImageWithoutAlt);
}

/** `mj-image` without `alt`, unless `mj-attributes` gives every image one. */
function mjmlImagesWithoutAlt(mjml: string): string[] {
  const images: Node[] = [];
  let defaultAlt = false;
  const visit = (node: Node, inAttributes: boolean) => {
    if (node.nodeName === "mj-image") {
      if (inAttributes) defaultAlt ||= attr(node, "alt") !== undefined;
      else if (attr(node, "alt") === undefined) images.push(node);
    }
    const inside = inAttributes || node.nodeName === "mj-attributes";
    for (const child of node.childNodes ?? []) visit(child, inside);
  };
  visit(parseFragment(mjml) as unknown as Node, false);
  return defaultAlt ? [] : images.map((img) => attr(img, "src") ?? "");
}

function lookOf(node: Node, style: Map<string, string>, parent: Look): Look {
  const look = { ...parent };
  const color = style.get("color") ?? (node.nodeName === "font" ? attr(node, "color") : undefined);
  if (color !== undefined) look.color = colorOrInherit(color, parent.color);
  // Mail clients, like browsers, show a link without a colour of its own in blue.
  else if (node.nodeName === "a" && attr(node, "href") !== undefined)
    look.color = { r: 0, g: 0, b: 0xee, a: 1 };

  const background = style.get("background-color") ?? backgroundShorthand(style.get("background"));
  const image =
    style.get("background-image")?.includes("url(") ||
    style.get("background")?.includes("url(") ||
    attr(node, "background");
  if (image) look.background = null;
  else {
    const bg = background ?? attr(node, "bgcolor");
    if (bg !== undefined) {
      const parsed = colorOrInherit(bg, parent.background);
      // An opaque colour is known over anything; a translucent one only over a known colour.
      look.background =
        parsed && parsed.a === 1
          ? parsed
          : parsed && parent.background
            ? over(parsed, parent.background)
            : null;
    }
  }

  const heading = HEADING_EM[node.nodeName];
  look.fontPx =
    fontSize(style.get("font-size"), parent.fontPx) ?? (heading ? heading * parent.fontPx : parent.fontPx);
  const weight = style.get("font-weight");
  look.bold =
    weight === undefined
      ? parent.bold || BOLD.has(node.nodeName)
      : weight === "bold" || weight === "bolder" || Number(weight) >= 700;
  return look;
}

function colorOrInherit(value: string, inherited: Rgba | null): Rgba | null {
  if (HAS_MERGE_TAG.test(value)) return null;
  const parsed = parseColor(value);
  return parsed === "inherit" ? inherited : parsed;
}

/** The colour in `background: #fff url(…) no-repeat`, if it has one. */
function backgroundShorthand(value: string | undefined): string | undefined {
  if (!value) return undefined;
  const tokens = value.replace(/url\([^)]*\)/g, " ").match(/#[0-9a-f]+|rgba?\([^)]*\)|[a-z]+/gi) ?? [];
  return tokens.find((t) => parseColor(t) !== null);
}

function fontSize(value: string | undefined, parentPx: number): number | undefined {
  const m = value && /^([\d.]+)(px|pt|em|rem|%)$/.exec(value.trim());
  if (!m) return undefined;
  const n = Number(m[1]);
  return { px: n, pt: (n * 4) / 3, em: n * parentPx, rem: n * 16, "%": (n / 100) * parentPx }[m[2]!];
}

function inlineStyle(node: Node): Map<string, string> {
  const style = new Map<string, string>();
  for (const declaration of (attr(node, "style") ?? "").split(";")) {
    const colon = declaration.indexOf(":");
    if (colon < 0) continue;
    const value = declaration
      .slice(colon + 1)
      .replace(/!important/i, "")
      .trim();
    style.set(declaration.slice(0, colon).trim().toLowerCase(), value);
  }
  return style;
}

/** Hidden from every reader, like MJML's preheader. */
function isHidden(style: Map<string, string>): boolean {
  const maxHeight = style.get("max-height");
  return (
    style.get("display") === "none" ||
    style.get("visibility") === "hidden" ||
    style.get("opacity") === "0" ||
    ((maxHeight === "0" || maxHeight === "0px") && style.get("overflow") === "hidden")
  );
}

/** A tracking pixel or spacer: not what "one big image" means. */
function isPixel(img: Node): boolean {
  const small = (name: string) => {
    const v = attr(img, name);
    return v !== undefined && Number.parseInt(v, 10) <= 2;
  };
  return small("width") || small("height");
}

function attr(node: Node, name: string): string | undefined {
  return node.attrs?.find((a) => a.name === name)?.value;
}

function normalise(text: string): string {
  return text
    .toLowerCase()
    .replace(/[^\p{L}\p{N}\s]/gu, " ")
    .replace(/\s+/g, " ")
    .trim();
}
