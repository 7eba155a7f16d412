// The HTML of the pages a recipient opens from a message (unsubscribe, manage subscriptions, an unknown link), in the
// recipient's language. Pure: the route looks the recipient up and sends what these return. They face every
// recipient, so they meet WCAG 2.1 AA on their own: lang, a title, one h1 in a main landmark, labelled controls,
// AA contrast, a visible focus ring, status text announced, no sideways scrolling at 320 px.
import type { SubscriptionsTarget } from "./subscriptions.ts";

export type PageLanguage = "nb" | "en";

const TEXT = {
  nb: {
    unsubscribeTitle: "Meld deg av",
    question: (type: string | null) =>
      type ? `Vil du melde deg av «${type}»?` : "Vil du slutte å få markedsføring på e-post fra oss?",
    addressLabel: "Adresse",
    unsubscribeButton: "Meld meg av",
    unsubscribed: "Du er meldt av. Det kan ta litt tid før alle utsendelser som allerede er på vei, stopper.",
    unknownTitle: "Ugyldig lenke",
    unknown: "Lenken er ugyldig.",
    subscriptionsTitle: "Dine abonnementer",
    intro: "Velg hva vi skal sende deg på e-post. Gjelder adressen",
    typesLegend: "Abonnementer",
    allLegend: "All markedsføring",
    allMarketing: "Meld meg av all markedsføring på e-post",
    allWithdrawn: "Du får ingen markedsføring på e-post fra oss.",
    save: "Lagre valgene",
    saved: "Valgene dine er lagret.",
  },
  en: {
    unsubscribeTitle: "Unsubscribe",
    question: (type: string | null) =>
      type ? `Unsubscribe from “${type}”?` : "Stop receiving marketing e-mail from us?",
    addressLabel: "Address",
    unsubscribeButton: "Unsubscribe",
    unsubscribed: "You are unsubscribed. Mail already on its way may still arrive.",
    unknownTitle: "Invalid link",
    unknown: "This link is not valid.",
    subscriptionsTitle: "Your subscriptions",
    intro: "Choose what we send you by e-mail. For the address",
    typesLegend: "Subscriptions",
    allLegend: "All marketing",
    allMarketing: "Unsubscribe from all marketing e-mail",
    allWithdrawn: "You receive no marketing e-mail from us.",
    save: "Save my choices",
    saved: "Your choices are saved.",
  },
} as const;

export const escapeHtml = (s: string) => s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

// #0b5394 on white is 7.4:1, #52606d 6.3:1, #1f2933 14.7:1; the focus ring is the text colour, 3:1 and more
// against white and against the button.
const STYLE = `body{font-family:system-ui,sans-serif;max-width:32rem;margin:3rem auto;padding:0 1rem;color:#1f2933;
line-height:1.5;overflow-wrap:anywhere}
h1{font-size:1.6rem;line-height:1.25}
button{font:inherit;min-height:2.75rem;padding:.6rem 1.2rem;background:#0b5394;color:#fff;border:0;border-radius:4px;cursor:pointer}
button:hover{background:#083d6e}
:focus-visible{outline:3px solid #1f2933;outline-offset:2px}
input[type=checkbox]{width:1.5rem;height:1.5rem;margin:0;flex:none}
label{display:flex;gap:.75rem;align-items:flex-start;margin:.8rem 0}label small{display:block;color:#52606d}
fieldset{border:0;padding:0;margin:1rem 0}legend{font-weight:600;padding:0}
.saved{background:#e3f9e5;color:#05400a;padding:.6rem 1rem;border-radius:4px}
@media (prefers-reduced-motion: reduce){*{transition:none!important}}`;

/** A whole page in the recipient pages' accessible style (also the forms' confirmation pages). */
export function page(language: PageLanguage, title: string, body: string): string {
  return `<!doctype html><html lang="${language}"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1"><meta name="robots" content="noindex">
<title>${escapeHtml(title)}</title><style>${STYLE}</style></head>
<body><main>${body}</main></body></html>`;
}

/** The answer to a link that is malformed, forged or unknown; its language is not known, so it is Norwegian. */
export function unknownLinkPage(language: PageLanguage = "nb"): string {
  const t = TEXT[language];
  return page(language, t.unknownTitle, `<h1>${t.unknownTitle}</h1><p>${t.unknown}</p>`);
}

/** The question a GET shows: nothing changes until the button POSTs. */
export function unsubscribeQuestionPage(
  language: PageLanguage,
  email: string,
  subscriptionTypeName: string | null,
): string {
  const t = TEXT[language];
  return page(
    language,
    t.unsubscribeTitle,
    `<h1>${t.unsubscribeTitle}</h1><p>${escapeHtml(t.question(subscriptionTypeName))}</p>
<p>${t.addressLabel}: ${escapeHtml(email)}</p><form method="post"><button type="submit">${t.unsubscribeButton}</button></form>`,
  );
}

/** After unsubscribing, or when there is nothing left to unsubscribe from. */
export function unsubscribedPage(language: PageLanguage): string {
  const t = TEXT[language];
  return page(
    language,
    t.unsubscribeTitle,
    `<h1>${t.unsubscribeTitle}</h1><p role="status">${t.unsubscribed}</p>`,
  );
}

/** The form shows the stored state; `shown` tells the POST which boxes were on the page (an unticked box sends nothing). */
export function subscriptionsPage(target: SubscriptionsTarget, saved: boolean): string {
  const t = TEXT[target.language];
  const types = target.types
    .map((type) => {
      const id = `type-${type.id}`;
      const description = type.description
        ? `<small id="${id}-help">${escapeHtml(type.description)}</small>`
        : "";
      return `<label for="${id}"><input type="checkbox" id="${id}" name="${id}"${type.subscribed ? " checked" : ""}${
        type.description ? ` aria-describedby="${id}-help"` : ""
      }>
<span>${escapeHtml(type.name)}${description}</span></label>`;
    })
    .join("\n");
  const typesFieldset =
    target.types.length > 0 ? `<fieldset><legend>${t.typesLegend}</legend>${types}</fieldset>` : "";
  const all = target.allMarketingWithdrawn
    ? `<p>${t.allWithdrawn}</p>`
    : `<fieldset><legend>${t.allLegend}</legend><label for="all-marketing"><input type="checkbox" id="all-marketing" name="all-marketing"><span>${t.allMarketing}</span></label></fieldset>`;
  return page(
    target.language,
    t.subscriptionsTitle,
    `<h1>${t.subscriptionsTitle}</h1>${saved ? `<p class="saved" role="status">${t.saved}</p>` : ""}
<p>${t.intro} ${escapeHtml(target.email)}.</p>
<form method="post"><input type="hidden" name="shown" value="${target.types.map((type) => type.id).join(",")}">
${typesFieldset}${all}<button type="submit">${t.save}</button></form>`,
  );
}
