// What in a finished message makes spam filters suspicious, found without SpamAssassin: too little text for its
// images (the open pixel counts, as it does for filters), an image-only mail, a missing or short text part, link
// text that names another domain than the link goes to, URL shorteners, shouting subjects, attachments filters
// fear, and HTML that Gmail clips. Warnings the marketer can dismiss, never problems. Pure.
import { parse } from "parse5";

export type ContentFinding = { key: string; message: string } & (
  | {
      code: "low-text-to-image";
      textLength: number;
      /** Images, the open pixel and spacers included. */
      images: number;
      /** The warning would not be there without the 1×1 images (the open pixel). */
      pixelTipsIt: boolean;
    }
  | { code: "image-only"; textLength: number; images: number }
  | { code: "short-text-part"; textLength: number }
  | { code: "link-domain-mismatch"; text: string; shownDomain: string; targetDomain: string }
  | { code: "url-shortener"; url: string; domain: string }
  | { code: "shouting-subject"; subject: string; kind: "all-caps" | "exclamation-marks" }
  | { code: "risky-attachment"; filename: string; kind: "executable" | "macro-document" | "archive" }
  | { code: "html-too-large"; bytes: number; limit: number }
);
export type ContentCheckCode = ContentFinding["code"];

export type ContentCheckInput = {
  subject: string;
  /** The HTML part as a recipient gets it (merged, tracked links, open pixel). */
  html: string;
  text: string;
  attachments: Array<{ filename: string }>;
  /** The URL a link had in the content before tracking rewrote it; identity for links that were not rewritten. */
  originalUrl?: (href: string) => string;
};

/** SpamAssassin's HTML_IMAGE_ONLY_* rules look at HTML with images and less than 3,200 bytes of text; below this they score most. */
export const TEXT_PER_IMAGE_LIMIT = 400;
/** Less visible text than this next to images reads as one big image. */
export const IMAGE_ONLY_TEXT_LIMIT = 100;
/** A text part shorter than this says less than the HTML part: filters compare the two. */
export const SHORT_TEXT_PART = 50;
/** Gmail clips a message whose HTML is larger than about 102 KB and hides the rest behind a link. */
export const HTML_SIZE_LIMIT = 102_400;

export const URL_SHORTENERS = new Set([
  "bit.ly",
  "bitly.com",
  "tinyurl.com",
  "t.co",
  "goo.gl",
  "ow.ly",
  "is.gd",
  "buff.ly",
  "rebrand.ly",
  "cutt.ly",
  "shorturl.at",
  "t.ly",
  "rb.gy",
  "tiny.cc",
  "s.id",
  "v.gd",
  "lnkd.in",
  "soo.gd",
  "bl.ink",
]);
const EXECUTABLE = new Set([
  "exe",
  "scr",
  "bat",
  "cmd",
  "com",
  "pif",
  "js",
  "jse",
  "vbs",
  "vbe",
  "jar",
  "msi",
  "ps1",
  "hta",
  "lnk",
  "wsf",
]);
const MACRO_DOCUMENT = new Set(["docm", "dotm", "xlsm", "xltm", "xlam", "pptm", "potm", "ppsm"]);
const ARCHIVE = new Set(["zip", "rar", "7z", "gz", "tgz", "iso"]);

const SKIPPED = new Set(["head", "style", "script", "title", "template", "noscript", "#comment"]);
// A host name as people write it in text: "fjordlys.no", "www.fjordlys.no/salg", "https://fjordlys.no".
const DOMAIN_IN_TEXT = /^(?:https?:\/\/)?((?:[\p{L}\p{N}-]+\.)+[\p{L}]{2,})(?:[/:?#]\S*)?$/iu;

type Node = {
  nodeName: string;
  value?: string;
  attrs?: Array<{ name: string; value: string }>;
  childNodes?: Node[];
  content?: Node;
};

export function contentChecks(input: ContentCheckInput): ContentFinding[] {
  const original = input.originalUrl ?? ((href: string) => href);
  const findings = new Map<string, ContentFinding>();
  const add = (f: ContentFinding) => {
    if (!findings.has(f.key)) findings.set(f.key, f);
  };
  let text = "";
  let images = 0;
  let pixels = 0;

  const visit = (node: Node) => {
    if (SKIPPED.has(node.nodeName)) return;
    if (node.nodeName === "#text") {
      text += ` ${node.value ?? ""}`;
      return;
    }
    if (isHidden(node)) return;
    if (node.nodeName === "img") {
      if (isPixel(node)) pixels++;
      else images++;
    }
    if (node.nodeName === "a") {
      const href = attr(node, "href")?.trim();
      if (href) checkLink(original(href), linkText(node), add);
    }
    for (const child of node.childNodes ?? []) visit(child);
    if (node.content) visit(node.content);
  };
  visit(parse(input.html) as unknown as Node);

  const textLength = text.replace(/\s+/g, " ").trim().length;
  const tooLittleText = (count: number) => count > 0 && textLength < TEXT_PER_IMAGE_LIMIT * count;
  if (tooLittleText(images + pixels)) {
    const pixelTipsIt = !tooLittleText(images);
    add({
      code: "low-text-to-image",
      key: "low-text-to-image",
      textLength,
      images: images + pixels,
      pixelTipsIt,
      message: pixelTipsIt
        ? `Only ${textLength} characters of text next to the open pixel: spam filters read a short HTML mail with an image as image spam; without the pixel this warning goes away`
        : `Only ${textLength} characters of text for ${images + pixels} images: spam filters want at least ${TEXT_PER_IMAGE_LIMIT} characters per image`,
    });
  }
  if (images > 0 && textLength < IMAGE_ONLY_TEXT_LIMIT)
    add({
      code: "image-only",
      key: "image-only",
      textLength,
      images,
      message: `The mail is images with ${textLength} characters of text: filters cannot read images and distrust such mail`,
    });

  const textPart = input.text.replace(/\s+/g, " ").trim().length;
  if (textPart < SHORT_TEXT_PART)
    add({
      code: "short-text-part",
      key: "short-text-part",
      textLength: textPart,
      message:
        textPart === 0
          ? "The mail has no text part: filters expect plain text beside the HTML"
          : `The text part has only ${textPart} characters: filters expect it to say what the HTML says`,
    });

  const subject = input.subject.trim();
  const letters = subject.match(/\p{L}/gu) ?? [];
  if (letters.length >= 6 && !/\p{Ll}/u.test(subject))
    add({
      code: "shouting-subject",
      key: "shouting-subject:all-caps",
      subject,
      kind: "all-caps",
      message: `The subject "${subject}" is all capital letters: a classic spam sign`,
    });
  if (/!{3,}/.test(subject))
    add({
      code: "shouting-subject",
      key: "shouting-subject:exclamation-marks",
      subject,
      kind: "exclamation-marks",
      message: `The subject "${subject}" has a row of exclamation marks: a classic spam sign`,
    });

  for (const { filename } of input.attachments) {
    const extension = filename.toLowerCase().split(".").pop() ?? "";
    const kind = EXECUTABLE.has(extension)
      ? "executable"
      : MACRO_DOCUMENT.has(extension)
        ? "macro-document"
        : ARCHIVE.has(extension)
          ? "archive"
          : null;
    if (!kind) continue;
    add({
      code: "risky-attachment",
      key: `risky-attachment:${filename}`,
      filename,
      kind,
      message: {
        executable: `The attachment ${filename} is a program: most mail servers refuse or quarantine it`,
        "macro-document": `The attachment ${filename} is a document with macros: filters treat it as a likely virus`,
        archive: `The attachment ${filename} is an archive: filters cannot look inside all of them and some refuse them`,
      }[kind],
    });
  }

  const bytes = Buffer.byteLength(input.html, "utf8");
  if (bytes > HTML_SIZE_LIMIT)
    add({
      code: "html-too-large",
      key: "html-too-large",
      bytes,
      limit: HTML_SIZE_LIMIT,
      message: `The HTML is ${Math.round(bytes / 1024)} KB: Gmail clips mail over ${HTML_SIZE_LIMIT / 1024} KB and hides the rest, unsubscribe link included`,
    });
  return [...findings.values()];
}

function checkLink(url: string, shown: string, add: (f: ContentFinding) => void): void {
  const target = hostOf(url);
  if (!target) return;
  if (URL_SHORTENERS.has(target))
    add({
      code: "url-shortener",
      key: `url-shortener:${url}`,
      url,
      domain: target,
      message: `The link ${url} goes through the URL shortener ${target}: spammers hide their addresses behind them`,
    });
  const written = DOMAIN_IN_TEXT.exec(shown.replace(/\s+/g, " ").trim());
  const shownDomain = written?.[1]?.toLowerCase().replace(/^www\./, "");
  if (!shownDomain || sameSite(shownDomain, target)) return;
  add({
    code: "link-domain-mismatch",
    key: `link-domain-mismatch:${shownDomain}>${target}`,
    text: shown.trim(),
    shownDomain,
    targetDomain: target,
    message: `A link shows ${shownDomain} but goes to ${target}: filters take this for phishing`,
  });
}

/** The host of an http(s) URL, lower case, without www.; null for anything else (mailto:, merge fields). */
function hostOf(url: string): string | null {
  if (!/^https?:\/\//i.test(url) || /\[\[|\[%/.test(url)) return null;
  try {
    return new URL(url).hostname.toLowerCase().replace(/^www\./, "");
  } catch {
    return null;
  }
}

/** One is the other or a subdomain of it (shop.fjordlys.no and fjordlys.no are one site). */
function sameSite(a: string, b: string): boolean {
  return a === b || a.endsWith(`.${b}`) || b.endsWith(`.${a}`);
}

function linkText(node: Node): string {
  if (node.nodeName === "#text") return node.value ?? "";
  if (SKIPPED.has(node.nodeName)) return "";
  return (node.childNodes ?? []).map(linkText).join("");
}

function isHidden(node: Node): boolean {
  const style = (attr(node, "style") ?? "").replace(/\s+/g, "").toLowerCase();
  return style.includes("display:none") || style.includes("visibility:hidden");
}

/** The open pixel and spacers: 1×1 or 2×2 images. */
function isPixel(img: Node): boolean {
  const small = (name: string) => {
    const v = attr(img, name);
    return v !== undefined && Number.parseInt(v, 10) <= 2;
  };
  return small("width") && small("height");
}

function attr(node: Node, name: string): string | undefined {
  return node.attrs?.find((a) => a.name === name)?.value;
}
