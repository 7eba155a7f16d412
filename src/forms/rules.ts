// The rules a form's settings obey (SPEC §9): a definition the hosted page can show and processing can use, the
// slug in its address, the https redirect. Pure: the store passes in what the database knows (purposes, types,
// custom fields), so every rule here is tested without one.
import type { FieldProblem } from "../shared/errors.ts";
import {
  type FormDefinition,
  type FormField,
  FREE_FIELD_TYPES,
  type LocalText,
  MAPPED_FIELDS,
} from "./definition.ts";

export const FORM_LANGUAGES = ["nb", "en"] as const;
export type FormLanguage = (typeof FORM_LANGUAGES)[number];
export const PROCESSING_MODES = ["automatic", "automatic-if-match", "manual"] as const;
export type ProcessingMode = (typeof PROCESSING_MODES)[number];
export type FormStatus = "draft" | "published" | "unpublished";
export type InactiveReason = "draft" | "unpublished" | "date" | "count";

/** A field's key: the answer's key, the HTML name and `[[form.<key>]]`; starts with a letter so it never meets ours. */
export const KEY_PATTERN = /^[a-z][a-z0-9_-]{0,39}$/;
/** /f/<slug>: lower-case letters, digits and inner hyphens. */
export const SLUG_PATTERN = /^[a-z0-9](?:[a-z0-9-]{0,62}[a-z0-9])?$/;
export const MAX_FIELDS = 100;
const MAX_LABEL = 500;
const MAX_HELP = 2000;
const MAX_OPTIONS = 100;

/** What the database knows that a definition may refer to; null skips that check (a pure preview). */
export type KnownReferences = {
  purposeKeys: ReadonlySet<string>;
  subscriptionTypeIds: ReadonlySet<number>;
  customFieldIds: ReadonlySet<number>;
};

export type DefinitionSettings = { processingMode: ProcessingMode; doubleOptIn: boolean };

function textProblems(
  text: LocalText | undefined,
  field: string,
  max: number,
  problems: FieldProblem[],
): void {
  for (const language of FORM_LANGUAGES) {
    const value = text?.[language];
    if (typeof value !== "string" || !value.trim())
      problems.push({ field: `${field}.${language}`, message: "must not be empty", kind: "empty" });
    else if (value.length > max)
      problems.push({
        field: `${field}.${language}`,
        message: `must be at most ${max} characters`,
        kind: "maxLength",
        params: { limit: max },
      });
  }
}

function customFieldId(maps: string): number | null {
  const match = /^custom:([1-9][0-9]{0,9})$/.exec(maps);
  return match ? Number(match[1]) : null;
}

function fieldProblems(
  field: FormField,
  at: string,
  known: KnownReferences | null,
  problems: FieldProblem[],
): void {
  if (typeof field.key !== "string" || !KEY_PATTERN.test(field.key))
    problems.push({
      field: `${at}.key`,
      message: "must start with a-z and hold only a-z, 0-9, _ and - (at most 40)",
      kind: "allowed-characters",
      params: { characters: "a–z 0–9 _ -" },
    });
  textProblems(field.label, `${at}.label`, MAX_LABEL, problems);
  if (field.help !== undefined) {
    for (const language of FORM_LANGUAGES)
      if ((field.help[language] ?? "").length > MAX_HELP)
        problems.push({
          field: `${at}.help.${language}`,
          message: `must be at most ${MAX_HELP} characters`,
          kind: "maxLength",
          params: { limit: MAX_HELP },
        });
  }
  switch (field.kind) {
    case "mapped": {
      const custom = customFieldId(field.maps);
      if (custom === null && !(MAPPED_FIELDS as readonly string[]).includes(field.maps))
        problems.push({
          field: `${at}.maps`,
          message: `is not a field a form can fill (${field.maps})`,
          kind: "unknown-field",
          params: { name: field.maps },
        });
      else if (custom !== null && known && !known.customFieldIds.has(custom))
        problems.push({
          field: `${at}.maps`,
          message: `custom field ${custom} does not exist`,
          kind: "unknown-reference",
          params: { what: "customField", id: custom },
        });
      return;
    }
    case "consent":
      textProblems(field.text, `${at}.text`, MAX_HELP, problems);
      if (known && !known.purposeKeys.has(field.purposeKey))
        problems.push({
          field: `${at}.purposeKey`,
          message: `consent purpose "${field.purposeKey}" does not exist`,
          kind: "unknown-reference",
          params: { what: "consentPurpose", id: field.purposeKey },
        });
      return;
    case "subscription":
      if (known && !known.subscriptionTypeIds.has(field.subscriptionTypeId))
        problems.push({
          field: `${at}.subscriptionTypeId`,
          message: `subscription type ${field.subscriptionTypeId} does not exist`,
          kind: "unknown-reference",
          params: { what: "subscriptionType", id: field.subscriptionTypeId },
        });
      return;
    case "free": {
      if (!(FREE_FIELD_TYPES as readonly string[]).includes(field.type)) {
        problems.push({
          field: `${at}.type`,
          message: `is not a field type (${field.type})`,
          kind: "enum",
          params: { values: FREE_FIELD_TYPES.join(", ") },
        });
        return;
      }
      const choosing = field.type === "choice" || field.type === "multi-choice";
      const options = field.options ?? [];
      if (choosing && options.length === 0)
        problems.push({
          field: `${at}.options`,
          message: "a choice needs at least one option",
          kind: "minItems",
          params: { limit: 1 },
        });
      if (!choosing && options.length > 0)
        problems.push({
          field: `${at}.options`,
          message: `a ${field.type} field has no options`,
          kind: "not-allowed",
        });
      if (options.length > MAX_OPTIONS)
        problems.push({
          field: `${at}.options`,
          message: `at most ${MAX_OPTIONS} options`,
          kind: "maxItems",
          params: { limit: MAX_OPTIONS },
        });
      options.forEach((option, i) => {
        textProblems(option, `${at}.options[${i}]`, MAX_LABEL, problems);
      });
      for (const language of FORM_LANGUAGES) {
        const texts = options.map((o) => o[language]?.trim());
        if (new Set(texts).size !== texts.length)
          problems.push({
            field: `${at}.options`,
            message: `two options say the same (${language})`,
            kind: "uniqueItems",
          });
      }
      return;
    }
    default:
      problems.push({
        field: `${at}.kind`,
        message: "must be mapped, consent, subscription or free",
        kind: "enum",
        params: { values: "mapped, consent, subscription, free" },
      });
  }
}

/** Every problem of a definition, each named by its path (`definition.fields[2].key`); empty when it is sound. */
export function definitionProblems(
  definition: FormDefinition,
  settings: DefinitionSettings,
  known: KnownReferences | null,
): FieldProblem[] {
  const problems: FieldProblem[] = [];
  const fields = definition.fields;
  if (fields.length > MAX_FIELDS)
    problems.push({
      field: "definition.fields",
      message: `at most ${MAX_FIELDS} fields`,
      kind: "maxItems",
      params: { limit: MAX_FIELDS },
    });
  const keys = new Map<string, number>();
  const mapped = new Map<string, number>();
  const purposes = new Map<string, number>();
  const types = new Map<number, number>();
  fields.forEach((field, i) => {
    const at = `definition.fields[${i}]`;
    fieldProblems(field, at, known, problems);
    const once = <K>(seen: Map<K, number>, value: K, name: string, message: string) => {
      const first = seen.get(value);
      if (first === undefined) seen.set(value, i);
      else
        problems.push({
          field: `${at}.${name}`,
          message: `${message} as fields[${first}]`,
          kind: "uniqueItems",
        });
    };
    once(keys, field.key, "key", `"${field.key}" is the same key`);
    if (field.kind === "mapped") once(mapped, field.maps, "maps", `fills ${field.maps}, the same CRM field`);
    if (field.kind === "consent") once(purposes, field.purposeKey, "purposeKey", "asks the same consent");
    if (field.kind === "subscription")
      once(types, field.subscriptionTypeId, "subscriptionTypeId", "offers the same subscription");
  });
  if (settings.processingMode === "automatic" || settings.doubleOptIn) {
    const email = fields.find((f) => f.kind === "mapped" && f.maps === "email");
    const why = settings.doubleOptIn ? "double opt-in" : "automatic processing";
    if (!email)
      problems.push({
        field: "definition.fields",
        message: `${why} needs a field mapped to the e-mail address`,
        kind: "needs-email-field",
      });
    else if (!email.required)
      problems.push({
        field: `definition.fields[${fields.indexOf(email)}].required`,
        message: `the e-mail field must be required with ${why}`,
        kind: "email-field-required",
      });
  }
  return problems;
}

/** Why a redirect address is refused, or null: absolute https only, so a thank-you never leaves TLS. */
export function redirectProblem(url: string): string | null {
  if (url.length > 2000) return "must be at most 2000 characters";
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return "is not an absolute address";
  }
  if (parsed.protocol !== "https:") return "must start with https://";
  if (parsed.username || parsed.password) return "must not carry a user name or password";
  return null;
}

export function slugProblem(slug: string): string | null {
  return SLUG_PATTERN.test(slug)
    ? null
    : "must be 1–64 lower-case letters, digits and hyphens, not starting or ending with a hyphen";
}

const FOLDED: Record<string, string> = { æ: "ae", ø: "o", å: "a", ä: "a", ö: "o", ü: "u", ß: "ss" };

/** A slug from a form's name: "Påmelding – Sommerfest 2026" → "pamelding-sommerfest-2026"; "form" when nothing is left. */
export function slugFromName(name: string): string {
  const slug = name
    .toLowerCase()
    .replace(/[æøåäöüß]/g, (c) => FOLDED[c] ?? c)
    .normalize("NFKD")
    .replace(/[\u0300-\u036f]/g, "")
    .replace(/[^a-z0-9]+/g, "-")
    .replace(/^-+|-+$/g, "")
    .slice(0, 56)
    .replace(/-+$/, "");
  return slug || "form";
}

/** Why a form takes no submissions now, or null when it does. */
export function inactiveReason(
  form: { status: FormStatus; deactivateAt: string | null; deactivateAfter: number | null },
  submissions: number,
  now: string,
): InactiveReason | null {
  if (form.status === "draft") return "draft";
  if (form.status === "unpublished") return "unpublished";
  if (form.deactivateAt !== null && form.deactivateAt <= now) return "date";
  if (form.deactivateAfter !== null && submissions >= form.deactivateAfter) return "count";
  return null;
}
