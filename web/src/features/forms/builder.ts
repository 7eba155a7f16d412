// The form builder's state, pure: adding, removing, moving and changing fields of a definition, a field's key from
// its label, and the problems the builder shows before the server is asked (the server validates again). No React,
// no I/O: unit-tested in builder.test.ts.
import type {
  FormActions,
  FormDefinition,
  FormField,
  FreeFieldType,
  LocalText,
  MappedField,
  ProcessingMode,
} from "./types.ts";

/** The CRM fields a form may fill, with the label a new field of that kind starts with (the user may change it). */
export const MAPPED_LABELS: Record<Exclude<MappedField, `custom:${number}`>, LocalText> = {
  first_name: { nb: "Fornavn", en: "First name" },
  last_name: { nb: "Etternavn", en: "Last name" },
  email: { nb: "E-post", en: "E-mail" },
  mobile: { nb: "Mobil", en: "Mobile" },
  title: { nb: "Stilling", en: "Job title" },
  company_name: { nb: "Firma", en: "Company" },
  street: { nb: "Adresse", en: "Address" },
  postcode: { nb: "Postnummer", en: "Postcode" },
  city: { nb: "Poststed", en: "City" },
  country: { nb: "Land", en: "Country" },
};

const KEY_PATTERN = /^[A-Za-z0-9_-]+$/;
const MAX_KEY = 40;

/** A field key from a label: lower case, æ/ø/å and accents spelt in ASCII, runs of anything else as one "_". */
export function keyFromLabel(label: string): string {
  const ascii = label
    .toLowerCase()
    .replace(/æ/g, "ae")
    .replace(/ø/g, "o")
    .replace(/å/g, "a")
    .replace(/ß/g, "ss")
    .normalize("NFD")
    .replace(/[\u0300-\u036f]/g, "");
  const key = ascii
    .replace(/[^a-z0-9]+/g, "_")
    .replace(/^_+|_+$/g, "")
    .slice(0, MAX_KEY)
    .replace(/_+$/, "");
  return key || "field";
}

/** `base`, or `base_2`, `base_3` … : the first not in `taken`. */
export function uniqueKey(base: string, taken: Iterable<string>): string {
  const used = new Set(taken);
  if (!used.has(base)) return base;
  for (let n = 2; ; n++) {
    const candidate = `${base}_${n}`;
    if (!used.has(candidate)) return candidate;
  }
}

const keysOf = (definition: FormDefinition) => definition.fields.map((f) => f.key);

/** What the "Add field" menu offers, before it becomes a field with a key unique in the form. */
export type NewField =
  | { kind: "mapped"; maps: MappedField; label?: LocalText }
  | { kind: "consent"; purposeKey: string; purposeName: string }
  | { kind: "subscription"; subscriptionTypeId: number; typeName: string }
  | { kind: "free"; type: FreeFieldType };

const FREE_LABELS: Record<FreeFieldType, LocalText> = {
  text: { nb: "Tekst", en: "Text" },
  "long-text": { nb: "Melding", en: "Message" },
  choice: { nb: "Valg", en: "Choice" },
  "multi-choice": { nb: "Flervalg", en: "Multiple choice" },
  date: { nb: "Dato", en: "Date" },
  hidden: { nb: "Skjult felt", en: "Hidden field" },
};

export function isChoice(field: FormField): boolean {
  return field.kind === "free" && (field.type === "choice" || field.type === "multi-choice");
}

/** The field `spec` describes, its key made from its English label (else Norwegian) and unique in `definition`. */
export function makeField(definition: FormDefinition, spec: NewField): FormField {
  const taken = keysOf(definition);
  switch (spec.kind) {
    case "mapped": {
      const label =
        spec.label ??
        (spec.maps.startsWith("custom:")
          ? { nb: spec.maps, en: spec.maps }
          : MAPPED_LABELS[spec.maps as keyof typeof MAPPED_LABELS]);
      // A mapped field's key is what it fills: "email", "first_name", "custom_3".
      const key = uniqueKey(keyFromLabel(spec.maps), taken);
      return { kind: "mapped", key, maps: spec.maps, label, required: spec.maps === "email", prefill: false };
    }
    case "consent":
      return {
        kind: "consent",
        key: uniqueKey(keyFromLabel(`consent_${spec.purposeKey}`), taken),
        purposeKey: spec.purposeKey,
        label: { nb: spec.purposeName, en: spec.purposeName },
        text: {
          nb: `Ja, jeg samtykker til: ${spec.purposeName}`,
          en: `Yes, I consent to: ${spec.purposeName}`,
        },
        required: false,
      };
    case "subscription":
      return {
        kind: "subscription",
        key: uniqueKey(keyFromLabel(`subscribe_${spec.typeName}`), taken),
        subscriptionTypeId: spec.subscriptionTypeId,
        label: { nb: `Abonner på ${spec.typeName}`, en: `Subscribe to ${spec.typeName}` },
        required: false,
      };
    case "free": {
      const label = FREE_LABELS[spec.type];
      const field: FormField = {
        kind: "free",
        key: uniqueKey(keyFromLabel(label.en), taken),
        type: spec.type,
        label: { ...label },
        required: false,
        prefill: spec.type === "hidden",
      };
      if (spec.type === "choice" || spec.type === "multi-choice") field.options = [];
      return field;
    }
  }
}

export function addField(definition: FormDefinition, spec: NewField): FormDefinition {
  return { fields: [...definition.fields, makeField(definition, spec)] };
}

export function removeField(definition: FormDefinition, index: number): FormDefinition {
  return { fields: definition.fields.filter((_, i) => i !== index) };
}

/** The field at `from` moved to position `to` (clamped to the list); the others keep their order. */
export function moveField(definition: FormDefinition, from: number, to: number): FormDefinition {
  const fields = [...definition.fields];
  if (from < 0 || from >= fields.length) return definition;
  const target = Math.max(0, Math.min(fields.length - 1, to));
  if (target === from) return definition;
  const [moved] = fields.splice(from, 1);
  fields.splice(target, 0, moved!);
  return { fields };
}

/** The field at `index` with `patch` applied (the kind-specific members only where the kind has them). */
export function updateField(
  definition: FormDefinition,
  index: number,
  patch: Partial<FormField>,
): FormDefinition {
  return {
    fields: definition.fields.map((field, i) =>
      i === index ? ({ ...field, ...patch } as FormField) : field,
    ),
  };
}

/**
 * A label change: the label, and the key made again from the new English label, unless the key was set by hand
 * (it differs from what the old label made) or the field fills a CRM field (its key is what it fills).
 */
export function relabelField(definition: FormDefinition, index: number, label: LocalText): FormDefinition {
  const field = definition.fields[index];
  if (!field) return definition;
  const oldSource = field.label.en || field.label.nb;
  const newSource = label.en || label.nb;
  const others = definition.fields.filter((_, i) => i !== index).map((f) => f.key);
  const keyFollowsLabel =
    field.kind === "free" &&
    field.key === uniqueKey(keyFromLabel(oldSource), others) &&
    newSource.trim() !== "";
  const key = keyFollowsLabel ? uniqueKey(keyFromLabel(newSource), others) : field.key;
  return updateField(definition, index, { label, key });
}

export function addOption(definition: FormDefinition, index: number): FormDefinition {
  const field = definition.fields[index];
  if (field?.kind !== "free") return definition;
  return updateField(definition, index, { options: [...(field.options ?? []), { nb: "", en: "" }] });
}

export function setOption(
  definition: FormDefinition,
  index: number,
  option: number,
  text: LocalText,
): FormDefinition {
  const field = definition.fields[index];
  if (field?.kind !== "free") return definition;
  return updateField(definition, index, {
    options: (field.options ?? []).map((o, i) => (i === option ? text : o)),
  });
}

export function removeOption(definition: FormDefinition, index: number, option: number): FormDefinition {
  const field = definition.fields[index];
  if (field?.kind !== "free") return definition;
  return updateField(definition, index, { options: (field.options ?? []).filter((_, i) => i !== option) });
}

/** A problem the builder shows: `code` names the message (forms.problems.<code>), `index` the field, if any. */
export type BuilderProblem = {
  code:
    | "labelMissing"
    | "keyInvalid"
    | "keyTaken"
    | "optionsMissing"
    | "optionEmpty"
    | "emailNeeded"
    | "emailTwice"
    | "consentTextMissing";
  index?: number;
  /** The field's key, for the message. */
  key?: string;
};

/** What is wrong with a definition, field by field in order, then the form-wide problems. */
export function definitionProblems(
  definition: FormDefinition,
  settings: { doubleOptIn: boolean; processingMode: ProcessingMode },
): BuilderProblem[] {
  const problems: BuilderProblem[] = [];
  const seen = new Set<string>();
  definition.fields.forEach((field, index) => {
    const key = field.key;
    if (!field.label.nb.trim() || !field.label.en.trim()) problems.push({ code: "labelMissing", index, key });
    if (!KEY_PATTERN.test(key) || key.length > MAX_KEY) problems.push({ code: "keyInvalid", index, key });
    else if (seen.has(key)) problems.push({ code: "keyTaken", index, key });
    seen.add(key);
    if (field.kind === "consent" && (!field.text.nb.trim() || !field.text.en.trim())) {
      problems.push({ code: "consentTextMissing", index, key });
    }
    if (isChoice(field) && field.kind === "free") {
      const options = field.options ?? [];
      if (options.length === 0) problems.push({ code: "optionsMissing", index, key });
      else if (options.some((o) => !o.nb.trim() || !o.en.trim()))
        problems.push({ code: "optionEmpty", index, key });
    }
  });
  const emails = definition.fields.filter((f) => f.kind === "mapped" && f.maps === "email").length;
  if (emails > 1) problems.push({ code: "emailTwice" });
  if (emails === 0 && (settings.doubleOptIn || settings.processingMode !== "manual")) {
    problems.push({ code: "emailNeeded" });
  }
  return problems;
}

/** Why a redirect URL is refused, or null: https only, with a host. An empty one means "show the thank-you text". */
export function redirectUrlProblem(value: string): "notHttps" | "invalid" | null {
  const text = value.trim();
  if (text === "") return null;
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    return "invalid";
  }
  if (url.protocol !== "https:") return "notHttps";
  if (!url.hostname) return "invalid";
  return null;
}

/** Why "deactivate after N submissions" is refused, or null: empty (never), or a whole number of at least 1. */
export function deactivateAfterProblem(value: string): "notPositive" | null {
  const text = value.trim();
  if (text === "") return null;
  return /^\d+$/.test(text) && Number(text) >= 1 ? null : "notPositive";
}

/** Interest names from a comma- or line-separated text, trimmed, without blanks or repeats. */
export function parseNames(text: string): string[] {
  return [
    ...new Set(
      text
        .split(/[,\n]/)
        .map((s) => s.trim())
        .filter(Boolean),
    ),
  ];
}

export function sameActions(a: FormActions, b: FormActions): boolean {
  return JSON.stringify(a) === JSON.stringify(b);
}
