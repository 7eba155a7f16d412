// The hosted page's <form>: every field with its <label>, help linked by aria-describedby, required marked in words,
// each error beside its field (aria-invalid) and a summary at the top linking to them, autofocus on the first field
// in error; the honeypot and the signed stamp as hidden inputs; the proof-of-work widget when the form asks for it.
// Pure; the builder's preview shows the same markup.
import { type AnswerProblem, optionValue, type PostedValues } from "./answers.ts";
import type { FormField, MappedField } from "./definition.ts";
import { POW_FIELD } from "./proof-of-work.ts";
import type { FormLanguage } from "./rules.ts";
import { escapeHtml, problemText, TEXT } from "./texts.ts";

export type FormMarkupInput = {
  language: FormLanguage;
  fields: FormField[];
  /** What the visitor entered (or a link pre-filled); never the honeypot. */
  values: PostedValues;
  problems: AnswerProblem[];
  /** Absent in the builder's preview. */
  stamp?: { name: string; value: string };
  honeypot: string;
  /** Consent texts are each purpose's; subscription check-boxes show the type's name when the label is empty. */
  subscriptionNames?: ReadonlyMap<number, string>;
  /** Where the proof-of-work widget's scripts and challenge are (routes/form-pow.ts); absent when the form asks none. */
  proofOfWork?: { scriptUrls: string[]; challengeUrl: string };
};

/** Autocomplete tokens for mapped fields (WCAG 1.3.5: a browser may fill them, assistive tech may mark them). */
const AUTOCOMPLETE: Partial<Record<MappedField, string>> = {
  first_name: "given-name",
  last_name: "family-name",
  email: "email",
  mobile: "tel",
  title: "organization-title",
  company_name: "organization",
  street: "address-line1",
  postcode: "postal-code",
  city: "address-level2",
  country: "country-name",
};

const idOf = (key: string) => `f-${key}`;
const attr = (value: string) => escapeHtml(value);
const first = (v: string | string[] | undefined) => (Array.isArray(v) ? (v[0] ?? "") : (v ?? ""));

function labelText(field: FormField, language: FormLanguage): string {
  const t = TEXT[language];
  const required = field.required ? ` <span class="req">(${t.required})</span>` : "";
  return `${escapeHtml(field.label[language])}${required}`;
}

function describedBy(field: FormField, problem: AnswerProblem | undefined): string {
  const ids = [
    ...(field.help?.nb || field.help?.en ? [`${idOf(field.key)}-help`] : []),
    ...(problem ? [`${idOf(field.key)}-error`] : []),
  ];
  return ids.length > 0 ? ` aria-describedby="${ids.join(" ")}"` : "";
}

function helpAndError(field: FormField, language: FormLanguage, problem: AnswerProblem | undefined): string {
  const help = field.help?.[language]
    ? `<p class="help" id="${idOf(field.key)}-help">${escapeHtml(field.help[language])}</p>`
    : "";
  const error = problem
    ? `<p class="error" id="${idOf(field.key)}-error">${escapeHtml(problemText(problem, language))}</p>`
    : "";
  return help + error;
}

function inputType(field: FormField): string {
  if (field.kind === "mapped")
    return field.maps === "email" ? "email" : field.maps === "mobile" ? "tel" : "text";
  if (field.kind === "free" && field.type === "date") return "date";
  return "text";
}

function fieldMarkup(
  field: FormField,
  input: FormMarkupInput,
  problem: AnswerProblem | undefined,
  focus: boolean,
): string {
  const { language } = input;
  const id = idOf(field.key);
  const name = attr(field.key);
  const state = `${problem ? ' aria-invalid="true"' : ""}${describedBy(field, problem)}${focus ? " autofocus" : ""}`;
  const value = input.values[field.key];
  if (field.kind === "free" && field.type === "hidden")
    return `<input type="hidden" name="${name}" value="${attr(first(value))}">`;
  if (field.kind === "consent" || field.kind === "subscription") {
    const checked = first(value) !== "" ? " checked" : "";
    const text =
      field.kind === "consent" ? `<span class="consent-text">${escapeHtml(field.text[language])}</span>` : "";
    return `<div class="field check${problem ? " invalid" : ""}"><input type="checkbox" id="${id}" name="${name}" value="on"${checked}${field.required ? " required" : ""}${state}>
<label for="${id}">${labelText(field, language)}${text}</label>${helpAndError(field, language, problem)}</div>`;
  }
  if (field.kind === "free" && (field.type === "choice" || field.type === "multi-choice")) {
    const multi = field.type === "multi-choice";
    // Autofocus belongs to the first option only.
    const optionState = state.replace(" autofocus", "");
    const chosen = new Set(Array.isArray(value) ? value : value ? [value] : []);
    const options = (field.options ?? [])
      .map((option, i) => {
        const v = optionValue(option, language);
        const optionId = `${id}-${i}`;
        // The first option carries the field's id so the summary's link and autofocus land on the group.
        return `<div class="option"><input type="${multi ? "checkbox" : "radio"}" id="${i === 0 ? id : optionId}" name="${name}" value="${attr(v)}"${
          chosen.has(v) ? " checked" : ""
        }${!multi && field.required ? " required" : ""}${i === 0 ? state : optionState}>
<label for="${i === 0 ? id : optionId}">${escapeHtml(option[language])}</label></div>`;
      })
      .join("\n");
    return `<fieldset class="field${problem ? " invalid" : ""}"><legend>${labelText(field, language)}</legend>${helpAndError(field, language, problem)}
${options}</fieldset>`;
  }
  const required = field.required ? " required" : "";
  const autocomplete = field.kind === "mapped" ? AUTOCOMPLETE[field.maps as MappedField] : undefined;
  const common = `id="${id}" name="${name}"${required}${autocomplete ? ` autocomplete="${autocomplete}"` : ""}${state}`;
  const control =
    field.kind === "free" && field.type === "long-text"
      ? `<textarea ${common} rows="5" maxlength="10000">${escapeHtml(first(value))}</textarea>`
      : `<input type="${inputType(field)}" ${common} value="${attr(first(value))}"${inputType(field) === "date" ? "" : ' maxlength="2000"'}>`;
  return `<div class="field${problem ? " invalid" : ""}"><label for="${id}">${labelText(field, language)}</label>
${helpAndError(field, language, problem)}${control}</div>`;
}

/** The error summary: one link per field in error, in the form's order. */
function summary(input: FormMarkupInput): string {
  if (input.problems.length === 0) return "";
  const t = TEXT[input.language];
  const items = input.fields
    .flatMap((field) => {
      const problem = input.problems.find((p) => p.key === field.key);
      return problem
        ? [
            `<li><a href="#${idOf(field.key)}">${escapeHtml(field.label[input.language])}: ${escapeHtml(problemText(problem, input.language))}</a></li>`,
          ]
        : [];
    })
    .join("");
  return `<div class="summary" role="alert" aria-labelledby="summary-title"><h2 id="summary-title">${t.summaryTitle}</h2><ul>${items}</ul></div>`;
}

/**
 * The ALTCHA widget and a note for visitors without JavaScript, who cannot send this form. auto="onsubmit": the work
 * starts when Submit is pressed (after the browser's own checks), so a challenge never expires while a person types.
 */
function proofOfWorkMarkup(pow: NonNullable<FormMarkupInput["proofOfWork"]>, language: FormLanguage): string {
  const scripts = pow.scriptUrls.map((url) => `<script type="module" src="${attr(url)}"></script>`).join("");
  return `${scripts}<altcha-widget challenge="${attr(pow.challengeUrl)}" name="${POW_FIELD}" auto="onsubmit" language="${language}"></altcha-widget>
<noscript><p class="notice">${TEXT[language].powNoScript}</p></noscript>
`;
}

export function formMarkup(input: FormMarkupInput): string {
  const t = TEXT[input.language];
  const firstError = input.fields.find((f) => input.problems.some((p) => p.key === f.key))?.key;
  const fields = input.fields
    .map((field) =>
      fieldMarkup(
        field,
        input,
        input.problems.find((p) => p.key === field.key),
        field.key === firstError,
      ),
    )
    .join("\n");
  // The honeypot: off-screen, out of the tab order, and labelled for the rare person who meets it.
  const honeypot = `<div class="hp" aria-hidden="true"><label for="hp-${attr(input.honeypot)}">${t.honeypot}</label>
<input type="text" id="hp-${attr(input.honeypot)}" name="${attr(input.honeypot)}" value="" tabindex="-1" autocomplete="off"></div>`;
  const stamp = input.stamp
    ? `<input type="hidden" name="${attr(input.stamp.name)}" value="${attr(input.stamp.value)}">`
    : "";
  const pow = input.proofOfWork ? proofOfWorkMarkup(input.proofOfWork, input.language) : "";
  return `${summary(input)}<form method="post" accept-charset="utf-8">${stamp}
${fields}
${honeypot}${pow}<button type="submit">${t.submit}</button></form>`;
}
