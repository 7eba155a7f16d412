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

/** Longest name a posted field may have: a field's key is at most 40 characters, the stamp and honeypot shorter. */
export const NAME_MAX = 100;

/**
 * Why a body is not one our page could have sent: a `%` not followed by two hex digits, bytes that are not UTF-8
 * (percent-encoded, or raw and already replaced by U+FFFD when the body was read as text), a control character
 * (NUL and the like; tab and line breaks are text), or a name longer than any field's.
 */
export type MalformedBody = "bad-percent" | "not-utf8" | "control-character" | "long-name";

export type PostedBody = { ok: true; values: PostedValues } | { ok: false; malformed: MalformedBody };

// C0 controls except tab, line feed and carriage return, and DEL: no one types them, and PostgreSQL refuses NUL.
// biome-ignore lint/suspicious/noControlCharactersInRegex: finding control characters is the point
const CONTROL = /[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f]/;

/**
 * Reads the body strictly, where URLSearchParams would keep a stray `%` as text and turn bad bytes into U+FFFD:
 * what it cannot read exactly is refused, never stored half-decoded.
 */
export function postedValues(body: string): PostedBody {
  if (body.includes("\uFFFD")) return { ok: false, malformed: "not-utf8" };
  const out: PostedValues = {};
  for (const pair of body.split("&")) {
    if (pair === "") continue;
    const at = pair.indexOf("=");
    const name = decodePart(at === -1 ? pair : pair.slice(0, at));
    const value = decodePart(at === -1 ? "" : pair.slice(at + 1));
    if (!name.ok) return name;
    if (!value.ok) return value;
    if (name.text.length > NAME_MAX) return { ok: false, malformed: "long-name" };
    if (CONTROL.test(name.text) || CONTROL.test(value.text))
      return { ok: false, malformed: "control-character" };
    const earlier = out[name.text];
    out[name.text] =
      earlier === undefined
        ? value.text
        : Array.isArray(earlier)
          ? [...earlier, value.text]
          : [earlier, value.text];
  }
  return { ok: true, values: out };
}

type Decoded = { ok: true; text: string } | { ok: false; malformed: MalformedBody };

function decodePart(part: string): Decoded {
  const spaced = part.replace(/\+/g, " ");
  if (/%(?![0-9A-Fa-f]{2})/.test(spaced)) return { ok: false, malformed: "bad-percent" };
  try {
    return { ok: true, text: decodeURIComponent(spaced) };
  } catch {
    // Well-formed escapes that decode to no UTF-8 (%ff, a lone continuation byte, an encoded surrogate).
    return { ok: false, malformed: "not-utf8" };
  }
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
