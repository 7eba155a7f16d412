// Builders for forms and submissions in tests, written straight to the tables (the form store is another part):
// a published form at version 1 and a stored submission in status "submitted", as the hosted page leaves it.
import type { Db } from "../db/connect.ts";
import type { FormProcessingMode } from "../db/schema.ts";
import { keyringFromSecret } from "../deliveries/tokens.ts";
import { isoNow } from "../shared/clock.ts";
import { loadConfig } from "../shared/config.ts";
import {
  type FormActions,
  type FormAnswers,
  type FormField,
  type MappedField,
  NO_ACTIONS,
} from "./definition.ts";
import type { FormDeps } from "./deps.ts";

let counter = 0;

const text = (nb: string, en = nb) => ({ nb, en });

export const CONSENT_TEXT = text("Ja, send meg nyheter på e-post", "Yes, send me news by e-mail");

/** Name, e-mail, mobile, company, an e-marketing consent check-box and a free message field. */
export function standardFields(extra: FormField[] = []): FormField[] {
  const mapped = (key: string, maps: MappedField): FormField => ({
    key,
    label: text(key),
    required: false,
    kind: "mapped",
    maps,
    prefill: true,
  });
  return [
    mapped("fornavn", "first_name"),
    mapped("etternavn", "last_name"),
    mapped("epost", "email"),
    mapped("mobil", "mobile"),
    mapped("firma", "company_name"),
    {
      key: "samtykke",
      label: text("Samtykke", "Consent"),
      required: false,
      kind: "consent",
      purposeKey: "e-marketing",
      text: CONSENT_TEXT,
    },
    {
      key: "melding",
      label: text("Melding"),
      required: false,
      kind: "free",
      type: "long-text",
      prefill: false,
    },
    ...extra,
  ];
}

export type FormOptions = {
  fields?: FormField[];
  mode?: FormProcessingMode;
  doubleOptIn?: boolean;
  allowCompanyCreate?: boolean;
  proofOfWork?: boolean;
  actions?: Partial<FormActions>;
  sendingAccountId?: number | null;
  language?: "nb" | "en";
};

export async function aForm(db: Db, options: FormOptions = {}) {
  const n = ++counter;
  const now = isoNow();
  const definition = JSON.stringify({ fields: options.fields ?? standardFields() });
  const form = await db
    .insertInto("forms")
    .values({
      name: `Skjema ${n}`,
      slug: `skjema-${n}-${Math.random().toString(36).slice(2, 7)}`,
      language: options.language ?? "nb",
      status: "published",
      published_version: 1,
      definition,
      processing_mode: options.mode ?? "automatic",
      double_opt_in: options.doubleOptIn ? 1 : 0,
      sending_account_id: options.sendingAccountId ?? null,
      allow_company_create: options.allowCompanyCreate ? 1 : 0,
      proof_of_work: options.proofOfWork ? 1 : 0,
      thank_you_text: null,
      redirect_url: null,
      deactivate_at: null,
      deactivate_after: null,
      actions: JSON.stringify({ ...NO_ACTIONS, ...options.actions }),
      created_by: null,
      created_at: now,
      updated_at: now,
    })
    .returning(["id", "slug", "name"])
    .executeTakeFirstOrThrow();
  await db
    .insertInto("form_versions")
    .values({ form_id: form.id, version: 1, definition, published_at: now })
    .execute();
  return form;
}

export async function aSubmission(
  db: Db,
  formId: number,
  answers: FormAnswers,
  options: { prefillPersonId?: number } = {},
) {
  const emailKey = Object.keys(answers).find((k) => k === "epost");
  const email = emailKey ? String(answers[emailKey]).trim().toLowerCase() : null;
  const row = await db
    .insertInto("form_submissions")
    .values({
      form_id: formId,
      version: 1,
      answers: JSON.stringify(answers),
      email_lower: email || null,
      ip: "127.0.0.0",
      user_agent: "test",
      submitted_at: isoNow(),
      status: "submitted",
      reject_reason: null,
      person_id: null,
      company_id: null,
      prefill_person_id: options.prefillPersonId ?? null,
      confirm_sent_at: null,
      confirm_expires_at: null,
      confirmed_at: null,
      processed_at: null,
      processed_by: null,
    })
    .returning("id")
    .executeTakeFirstOrThrow();
  return row.id;
}

export function formDeps(db: Db, publicUrl = "http://127.0.0.1:9"): FormDeps {
  return {
    db,
    config: loadConfig({}, { defaultCountry: "NO" }),
    send: { keys: keyringFromSecret("test-secret"), publicUrl },
  };
}
