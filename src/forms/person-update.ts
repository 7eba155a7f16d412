// What a processed submission writes to its person (SPEC §9), decided without I/O: mapped answers fill empty CRM
// fields; a CRM field that has a value is overwritten only when the admin lets that field be overwritten
// (setting `formOverwritableFields`); a blank answer never clears anything. Ticked consent check-boxes become
// consents with the words the person ticked; an unticked one records nothing (a form never withdraws consent).
import type { FormAnswers, FormField, MappedField } from "./definition.ts";

/** The person's current values of the mapped fields (null: empty); `company_name` is their company's name. */
export type CrmValues = Partial<Record<MappedField, string | null>>;

export type PersonPlan = {
  /** Fields to write, with the answer (trimmed); never `email` or `company_name` (see below). */
  set: Partial<Record<MappedField, string>>;
  /** Fields whose answer differs from a CRM value that may not be overwritten: left as they are. */
  kept: MappedField[];
  /** The answered e-mail address (trimmed), or null. */
  email: string | null;
  /** The answered company name, when it may set the person's company (they have none, or it may be overwritten). */
  companyName: string | null;
  /** Ticked consent check-boxes: the purpose and the check-box's words in the form's language. */
  consents: Array<{ purposeKey: string; text: string }>;
  /** Ticked subscription check-boxes. */
  subscriptionTypeIds: number[];
};

/** The answer as one trimmed line of text: a multi-choice's options joined with ", "; "" when blank. */
export function answerText(answers: FormAnswers, key: string): string {
  const value = answers[key];
  if (Array.isArray(value))
    return value
      .map((v) => v.trim())
      .filter(Boolean)
      .join(", ");
  return (value ?? "").trim();
}

/** A check-box sends "on" when ticked and nothing (or "") when not. */
export function isTicked(answers: FormAnswers, key: string): boolean {
  const value = answerText(answers, key).toLowerCase();
  return value !== "" && value !== "off" && value !== "false" && value !== "0";
}

const same = (a: string, b: string) => a.trim().toLowerCase() === b.trim().toLowerCase();

/**
 * The plan for one submission. `current` is null for a person about to be created (every answer is written);
 * `overwritable` lists the mapped fields an answer may overwrite when the CRM already has a different value.
 */
export function planPersonUpdate(
  fields: FormField[],
  answers: FormAnswers,
  language: "nb" | "en",
  current: CrmValues | null,
  overwritable: readonly string[],
): PersonPlan {
  const plan: PersonPlan = {
    set: {},
    kept: [],
    email: null,
    companyName: null,
    consents: [],
    subscriptionTypeIds: [],
  };
  for (const field of fields) {
    if (field.kind === "consent") {
      if (isTicked(answers, field.key))
        plan.consents.push({
          purposeKey: field.purposeKey,
          text: field.text[language] || field.label[language],
        });
      continue;
    }
    if (field.kind === "subscription") {
      if (isTicked(answers, field.key) && !plan.subscriptionTypeIds.includes(field.subscriptionTypeId))
        plan.subscriptionTypeIds.push(field.subscriptionTypeId);
      continue;
    }
    if (field.kind !== "mapped") continue;
    const answer = answerText(answers, field.key);
    if (answer === "") continue;
    if (field.maps === "email") {
      plan.email = answer;
      continue;
    }
    const existing = current?.[field.maps]?.trim() ?? "";
    const writable = current === null || existing === "" || overwritable.includes(field.maps);
    if (existing !== "" && same(existing, answer)) continue;
    if (!writable) {
      plan.kept.push(field.maps);
      continue;
    }
    if (field.maps === "company_name") plan.companyName = answer;
    else plan.set[field.maps] = answer;
  }
  return plan;
}
