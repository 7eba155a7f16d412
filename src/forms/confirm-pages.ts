// The double opt-in pages (SPEC §9), in the form's language and the recipient pages' accessible style: the question
// a GET shows (one Confirm button that POSTs: a link scanner that fetches the link confirms nothing), the thanks,
// and the expired link that offers the form again. Pure.
import { escapeHtml, page } from "../recipient-pages/pages.ts";
import { type Language, TEXT } from "./mail-texts.ts";

export function confirmQuestionPage(language: Language, formName: string): string {
  const t = TEXT[language];
  return page(
    language,
    t.pageTitle,
    `<h1>${t.pageTitle}</h1><p>${escapeHtml(t.pageQuestion(formName))}</p>
<form method="post"><button type="submit">${t.pageButton}</button></form>`,
  );
}

export function confirmedPage(language: Language): string {
  const t = TEXT[language];
  return page(language, t.confirmedTitle, `<h1>${t.confirmedTitle}</h1><p role="status">${t.confirmed}</p>`);
}

export function expiredPage(language: Language, formUrl: string): string {
  const t = TEXT[language];
  return page(
    language,
    t.expiredTitle,
    `<h1>${t.expiredTitle}</h1><p role="status">${t.expired}</p><p><a href="${escapeHtml(formUrl)}">${t.formAgain}</a></p>`,
  );
}
