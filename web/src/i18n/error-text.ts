// An API error in the UI's language: the sentence for its code (errors.codes.<CODE> in nb.json and en.json), with the
// details the server gave filled in. Where the server's own sentence names the specifics a person needs (which row,
// which image, what the mail server replied), it follows as the details.
import { ApiError, type FieldProblem } from "../api/client.ts";
import type { MessageKey, Translate } from "./i18n.tsx";

/** Codes whose server message says more than their sentence can (where, what exactly). */
const WITH_SPECIFICS = new Set([
  "VALIDATION_FAILED",
  "IMPORT_FILE_INVALID",
  "IMPORT_MAPPING_INVALID",
  "DOCUMENT_TEMPLATE_INVALID",
  "DOCUMENT_CONVERSION_FAILED",
  "SMTP_CONNECTION_FAILED",
  "SENDING_ACCOUNT_UNUSABLE",
  "BOUNCE_MAILBOX_FAILED",
  "CONFIG_INVALID",
]);

/**
 * One field's problem in the UI's language, from its kind and params ("må ha høyst 200 tegn"). A problem of kind
 * `invalid` (an ajv keyword the server has no word for) or of a kind this build does not know is shown with the
 * server's sentence. A problem in a template says where (", linje 3, kolonne 7").
 */
export function fieldProblemText(t: Translate, problem: FieldProblem): string {
  const kind = problem.kind;
  if (!kind || kind === "invalid") return problem.message;
  const key = `errors.validation.${kind}`;
  const params: Record<string, string | number> = { ...problem.params };
  // A bound is also the count its sentence's plural follows ("1 tegn", "200 tegn").
  if (problem.params?.limit !== undefined) params.count = problem.params.limit;
  // Format and type names in words ("en e-postadresse"); one this build does not name stays as the server said it.
  const named = (group: string, word: string) => {
    const wordKey = `errors.${group}.${word}`;
    const text = t(wordKey as MessageKey);
    return text === wordKey ? word : text;
  };
  if (problem.params?.format) params.format = named("validationFormats", problem.params.format);
  if (problem.params?.what) params.what = named("validationReferences", problem.params.what);
  if (problem.params?.type)
    params.type = problem.params.type
      .split(", ")
      .map((word) => named("validationTypes", word))
      .join(", ");
  const text = t(key as MessageKey, params);
  if (text === key) return problem.message;
  const { line, column, given } = problem.params ?? {};
  // A field of several values (a `;`-separated address list) names the ones refused: the sentence alone cannot.
  const said = given === undefined ? text : `${text}: ${given}`;
  return line === undefined
    ? said
    : `${said} (${t("errors.validationPosition", { line, column: column ?? 1 })})`;
}

/** Codes whose sentence says all a field needs ("Dette finnes allerede."), shown beside the field they name. */
const SAID_BY_CODE = new Set(["CONFLICT", "REFERENCE_NOT_FOUND"]);

/** Field path → its problem in the UI's language, for showing API validation errors beside form fields. */
export function fieldErrors(error: unknown, t: Translate): Record<string, string> {
  if (!(error instanceof ApiError)) return {};
  const out: Record<string, string> = {};
  for (const problem of error.fieldProblems) {
    // A single `details.field` (a duplicate, a missing reference) has no kind: the code's sentence, without the
    // field's name in it, says it beside the field.
    const key = `errors.codes.${error.code}`;
    const sentence = !problem.kind && SAID_BY_CODE.has(error.code) ? t(key as MessageKey) : key;
    out[problem.field] ??=
      sentence === key ? fieldProblemText(t, problem) : sentence.replace(/ \(\{\w+\}\)|\{\w+\}/g, "");
  }
  return out;
}

export function errorText(t: Translate, error: unknown): string {
  if (!(error instanceof ApiError)) return error instanceof Error ? error.message : String(error);
  const key = `errors.codes.${error.code}`;
  const sentence = t(key as MessageKey);
  if (sentence === key) return error.message;
  const details = (error.details ?? {}) as Record<string, unknown>;
  // "{name}" takes the detail of that name; " ({name})" goes away with it when the server gave none.
  const text = sentence.replace(
    / \(\{(\w+)\}\)|\{(\w+)\}/g,
    (_whole: string, inParens?: string, bare?: string) => {
      const value = details[(inParens ?? bare)!];
      if (typeof value !== "string" && typeof value !== "number") return "";
      return inParens ? ` (${value})` : String(value);
    },
  );
  // A validation error's specifics are its fields, each said in the UI's language.
  const problems = error.code === "VALIDATION_FAILED" ? error.fieldProblems : [];
  if (problems.length > 0)
    return `${text} ${problems.map((p) => `${p.field}: ${fieldProblemText(t, p)}`).join("; ")}`;
  return WITH_SPECIFICS.has(error.code) && error.message
    ? `${text} ${t("errors.detailsLabel")}: ${error.message}`
    : text;
}
