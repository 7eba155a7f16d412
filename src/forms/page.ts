// The hosted page's HTML (/f/<slug>): the form, the thank-you, "closed" and refusal pages, in the form's language,
// with the letterhead's logo and brand colour. Pure. Like the recipient pages it meets WCAG 2.1 AA on its own: lang,
// a title, one h1 in a main landmark, labelled controls, AA contrast (whatever the brand colour), a visible focus ring,
// no sideways scrolling at 320 px.
import { brandColours, isBrandColour } from "../settings/brand-colour.ts";
import { type FormMarkupInput, formMarkup } from "./form-markup.ts";
import type { FormLanguage } from "./rules.ts";
import { escapeHtml, TEXT } from "./texts.ts";

export type PageFrame = {
  language: FormLanguage;
  /** The form's name: the page's h1 and title. */
  title: string;
  /** The letterhead's company name and whether it has a logo (served at /f/<slug>/logo). */
  companyName: string;
  logoUrl: string | null;
  /** The letterhead's `#rrggbb`, or null for the default blue. */
  brandColor: string | null;
  /** Inside an embedding iframe: no outer margins, and the script that tells the parent page its height. */
  embed: boolean;
  frameScriptUrl: string;
};

// #0b5394 on white is 7.8:1, #52606d 6.3:1, #1f2933 14.7:1, #a61b1b 7.1:1; the focus ring is the text colour.
const STYLE = `body{font-family:system-ui,sans-serif;max-width:36rem;margin:2rem auto;padding:0 1rem;color:#1f2933;
line-height:1.5;overflow-wrap:anywhere}body.embed{margin:0 auto;padding:.5rem}
h1{font-size:1.6rem;line-height:1.25}h2{font-size:1.15rem}
.logo{max-height:4rem;max-width:12rem;display:block;margin-bottom:1rem}
.field{margin:1.2rem 0;border:0;padding:0}.field>label,legend{display:block;font-weight:600;padding:0}
.req{font-weight:400;color:#52606d}.help{color:#52606d;margin:.2rem 0}
input[type=text],input[type=email],input[type=tel],input[type=date],textarea{font:inherit;width:100%;box-sizing:border-box;
padding:.5rem;border:1px solid #52606d;border-radius:4px;min-height:2.75rem}
.option,.check{display:flex;gap:.6rem;align-items:flex-start;margin:.5rem 0}.check{flex-wrap:wrap}
.check .help,.check .error{flex-basis:100%}
input[type=checkbox],input[type=radio]{width:1.4rem;height:1.4rem;margin:.1rem 0 0;flex:none}
.option label,.check label{font-weight:400}.consent-text{display:block;color:#1f2933;font-size:.95rem}
.invalid input:not([type=checkbox]):not([type=radio]),.invalid textarea{border:2px solid #a61b1b}
.error{color:#a61b1b;font-weight:600;margin:.2rem 0}
.summary{border:3px solid #a61b1b;padding:0 1rem;margin:1rem 0;border-radius:4px}.summary a{color:#a61b1b}
.notice{background:#fff4e5;color:#5c3300;padding:.6rem 1rem;border-radius:4px}
.hp{position:absolute;left:-10000px;top:auto;width:1px;height:1px;overflow:hidden}
button{font:inherit;min-height:2.75rem;padding:.6rem 1.2rem;background:#0b5394;color:#fff;border:0;border-radius:4px;cursor:pointer}
button:hover{background:#083d6e}
:focus-visible{outline:3px solid #1f2933;outline-offset:2px}
@media (prefers-reduced-motion: reduce){*{transition:none!important}}`;

/**
 * The brand colour over the default: the button with the text colour computed for contrast, an accent under the
 * heading, and the focus ring when the colour shows on white. Only a checked #rrggbb reaches the CSS.
 */
export function brandStyle(brandColor: string | null): string {
  if (!brandColor || !isBrandColour(brandColor)) return "";
  const c = brandColours(brandColor);
  return `
h1{border-bottom:.25rem solid ${c.brand};padding-bottom:.4rem}
button{background:${c.brand};color:${c.onBrand}}button:hover{background:${c.hover}}
:focus-visible{outline-color:${c.focusRing}}`;
}

function page(frame: PageFrame, heading: string, body: string): string {
  const logo = frame.logoUrl
    ? `<img class="logo" src="${escapeHtml(frame.logoUrl)}" alt="${escapeHtml(frame.companyName)}">`
    : "";
  const script = frame.embed
    ? `<script src="${escapeHtml(frame.frameScriptUrl)}" data-frame async></script>`
    : "";
  return `<!doctype html><html lang="${frame.language}"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1"><meta name="robots" content="noindex">
<title>${escapeHtml(heading)}</title><style>${STYLE}${brandStyle(frame.brandColor)}</style>${script}</head>
<body${frame.embed ? ' class="embed"' : ""}><main>${logo}<h1>${escapeHtml(heading)}</h1>${body}</main></body></html>`;
}

export function formPage(
  frame: PageFrame,
  form: Omit<FormMarkupInput, "language">,
  notice: string | null = null,
): string {
  const noticeHtml = notice ? `<p class="notice" role="alert">${escapeHtml(notice)}</p>` : "";
  return page(frame, frame.title, noticeHtml + formMarkup({ ...form, language: frame.language }));
}

/** The thank-you: the form's own text (escaped; blank lines make paragraphs), else the default. */
export function thankYouPage(frame: PageFrame, text: string | null): string {
  const t = TEXT[frame.language];
  const paragraphs = (text?.trim() ? text.trim() : t.thanks)
    .split(/\n\s*\n/)
    .map((p) => `<p>${escapeHtml(p).replace(/\n/g, "<br>")}</p>`)
    .join("");
  return page(frame, frame.title, `<div role="status"><h2>${t.thanksTitle}</h2>${paragraphs}</div>`);
}

export function closedPage(frame: PageFrame): string {
  const t = TEXT[frame.language];
  return page(frame, t.closedTitle, `<p>${t.closed}</p>`);
}

export function notFoundPage(frame: PageFrame): string {
  const t = TEXT[frame.language];
  return page(frame, t.notFoundTitle, `<p>${t.notFound}</p>`);
}

export function tooManyPage(frame: PageFrame): string {
  const t = TEXT[frame.language];
  return page(frame, t.tooManyTitle, `<p>${t.tooMany}</p>`);
}

export function tooLargePage(frame: PageFrame): string {
  const t = TEXT[frame.language];
  return page(frame, t.tooLargeTitle, `<p>${t.tooLarge}</p>`);
}

/** A body our page could not have sent (bad encoding, another content type): nothing in it is kept. */
export function unreadablePage(frame: PageFrame): string {
  const t = TEXT[frame.language];
  return page(frame, t.unreadableTitle, `<p>${t.unreadable}</p>`);
}
