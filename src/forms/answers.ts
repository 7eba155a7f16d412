// What a visitor sent, read against the published version they answered (SPEC §9): only the version's fields are
// kept, each checked for presence, type and size. Problems are codes; the page says them in the form's language.
// Pure.
import { isValidEmail } from "../persons/person-rules.ts";
import type { FormAnswers, FormField } from "./definition.ts";
import type { FormLanguage } from "./rules.ts";

/** Each answer at most this many characters; a long text more. */
export const ANSWER_MAX = 2000;
export const LONG_TEXT_MAX = 10_000;
/** The whole urlencoded body (the hosted page's POST). */
export const BODY_MAX_BYTES = 64 * 1024;

export type AnswerProblemCode =
  | "required"
  | "email"
  | "phone"
  | "date"
  | "choice"
  | "too-long"
  | "no-mail-domain";
export type AnswerProblem = { key: string; code: AnswerProblemCode; limit?: number };

/** The urlencoded body as the page sees it: a name given more than once (check-boxes) gives every value. */
export type PostedValues = Record<string, string | string[]>;

export function postedValues(body: string): PostedValues {
  const params = new URLSearchParams(body);
  const out: PostedValues = {};
  for (const key of new Set(params.keys())) {
    const all = params.getAll(key);
    out[key] = all.length === 1 ? all[0]! : all;
  }
  return out;
}

const first = (value: string | string[] | undefined): string =>
  Array.isArray(value) ? (value[0] ?? "") : (value ?? "");
const every = (value: string | string[] | undefined): string[] =>
  Array.isArray(value) ? value : value === undefined || value === "" ? [] : [value];

/** A calendar date written YYYY-MM-DD (what input type=date sends), and a real one: no 2026-02-30. */
export function isIsoDate(value: string): boolean {
  const match = /^(\d{4})-(\d{2})-(\d{2})$/.exec(value);
  if (!match) return false;
  const date = new Date(Date.UTC(Number(match[1]), Number(match[2]) - 1, Number(match[3])));
  return date.toISOString().slice(0, 10) === value;
}

/** A phone number as people write it: digits with spaces, dashes, dots, brackets and a leading +; 5 to 15 digits. */
export function isPhoneLike(value: string): boolean {
  const digits = value.replace(/\D/g, "").length;
  return /^\+?[0-9 ().-]+$/.test(value) && digits >= 5 && digits <= 15;
}

/** An option's value on the page and in the answers: its text in the form's language. */
export const optionValue = (option: { nb: string; en: string }, language: FormLanguage) =>
  option[language].trim();

/** The answers to keep and every problem; a field absent from the version is never kept. */
export function readAnswers(
  fields: FormField[],
  posted: PostedValues,
  language: FormLanguage,
): { answers: FormAnswers; problems: AnswerProblem[] } {
  const answers: FormAnswers = {};
  const problems: AnswerProblem[] = [];
  for (const field of fields) {
    const raw = posted[field.key];
    if (field.kind === "consent" || field.kind === "subscription") {
      const ticked = first(raw) !== "";
      answers[field.key] = ticked ? "on" : "";
      if (field.required && !ticked) problems.push({ key: field.key, code: "required" });
      continue;
    }
    if (field.kind === "free" && field.type === "multi-choice") {
      const allowed = new Set((field.options ?? []).map((o) => optionValue(o, language)));
      const chosen = [...new Set(every(raw))];
      answers[field.key] = chosen;
      if (chosen.some((c) => !allowed.has(c))) problems.push({ key: field.key, code: "choice" });
      else if (field.required && chosen.length === 0) problems.push({ key: field.key, code: "required" });
      continue;
    }
    const value = first(raw).replace(/\r\n/g, "\n").trim();
    answers[field.key] = value;
    const max = field.kind === "free" && field.type === "long-text" ? LONG_TEXT_MAX : ANSWER_MAX;
    if (value.length > max) {
      problems.push({ key: field.key, code: "too-long", limit: max });
      continue;
    }
    if (value === "") {
      if (field.required) problems.push({ key: field.key, code: "required" });
      continue;
    }
    const problem = typeProblem(field, value, language);
    if (problem) problems.push({ key: field.key, code: problem });
  }
  return { answers, problems };
}

function typeProblem(field: FormField, value: string, language: FormLanguage): AnswerProblemCode | null {
  if (field.kind === "mapped") {
    if (field.maps === "email") return isValidEmail(value) ? null : "email";
    if (field.maps === "mobile") return isPhoneLike(value) ? null : "phone";
    return null;
  }
  if (field.kind !== "free") return null;
  if (field.type === "date") return isIsoDate(value) ? null : "date";
  if (field.type === "choice") {
    const allowed = (field.options ?? []).map((o) => optionValue(o, language));
    return allowed.includes(value) ? null : "choice";
  }
  return null;
}

/** The submitted address, lower-cased, from the field mapped to the e-mail; null when the form has none. */
export function emailOf(fields: FormField[], answers: FormAnswers): string | null {
  const field = fields.find((f) => f.kind === "mapped" && f.maps === "email");
  const value = field ? first(answers[field.key]).trim() : "";
  return value ? value.toLowerCase() : null;
}

/** The submitter's name from the fields mapped to first and last name, for lists. */
export function nameOf(fields: FormField[], answers: FormAnswers): string | null {
  const part = (maps: string) => {
    const field = fields.find((f) => f.kind === "mapped" && f.maps === maps);
    return field ? first(answers[field.key]).trim() : "";
  };
  const name = [part("first_name"), part("last_name")].filter(Boolean).join(" ");
  return name || null;
}

/**
 * Values a link may fill in: only fields marked pre-fillable, never the e-mail (an address in a URL never says who
 * the visitor is), never `t` (the signed person token's parameter).
 */
export function prefillValues(fields: FormField[], query: Record<string, unknown>): PostedValues {
  const out: PostedValues = {};
  for (const field of fields) {
    if (field.key === "t" || !("prefill" in field) || !field.prefill) continue;
    if (field.kind === "mapped" && field.maps === "email") continue;
    const value = query[field.key];
    if (typeof value === "string") out[field.key] = value.slice(0, ANSWER_MAX);
    else if (Array.isArray(value))
      out[field.key] = value
        .filter((v): v is string => typeof v === "string")
        .map((v) => v.slice(0, ANSWER_MAX));
  }
  return out;
}
