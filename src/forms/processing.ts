// What happens to a stored submission (SPEC §9): double opt-in first when the form asks for it, then processing by
// the form's mode — automatic (find the person by e-mail, else create them), automatic only when the e-mail matches,
// or manual (a user links, creates or rejects; http/routes/form-submissions.ts). Every status change is one guarded
// UPDATE (`where status = …`): two processes handling one submission change it once, and only the one whose UPDATE
// took it writes the person.
import type { Selectable } from "kysely";
import { createCompany } from "../companies/companies.ts";
import type { Db } from "../db/connect.ts";
import type { Database, FormSubmissionStatus } from "../db/schema.ts";
import { confirmToken } from "../deliveries/form-link.ts";
import { enqueueFormResponse } from "../mailings/form-response.ts";
import { recordConsent, setSubscription } from "../persons/consent.ts";
import { getPerson, insertPerson, type PersonInput, updatePerson } from "../persons/persons.ts";
import { addProjectMembers } from "../projects/store.ts";
import { addSelectionMembers } from "../selections/store.ts";
import { readSettings } from "../settings/store.ts";
import { isoNow } from "../shared/clock.ts";
import { AppError, notFound } from "../shared/errors.ts";
import {
  type FormActions,
  type FormAnswers,
  type FormField,
  type MappedField,
  NO_ACTIONS,
} from "./definition.ts";
import type { FormDeps } from "./deps.ts";
import { sendFormMail } from "./mail.ts";
import { escapeHtml, languageOf, TEXT } from "./mail-texts.ts";
import { answerText, type CrmValues, planPersonUpdate } from "./person-update.ts";

export type ProcessingResult = "processed" | "awaiting-confirmation" | "awaiting-manual" | "rejected";

export type SubmissionRow = Selectable<Database["form_submissions"]>;
export type FormRow = Selectable<Database["forms"]>;

export type LoadedSubmission = {
  submission: SubmissionRow;
  form: FormRow;
  /** The fields of the version the visitor answered. */
  fields: FormField[];
  answers: FormAnswers;
  actions: FormActions;
};

export async function loadSubmission(db: Db, submissionId: number): Promise<LoadedSubmission> {
  const submission = await db
    .selectFrom("form_submissions")
    .selectAll()
    .where("id", "=", submissionId)
    .executeTakeFirst();
  if (!submission) throw notFound("form submission", submissionId);
  const form = await db
    .selectFrom("forms")
    .selectAll()
    .where("id", "=", submission.form_id)
    .executeTakeFirstOrThrow();
  const version = await db
    .selectFrom("form_versions")
    .select("definition")
    .where("form_id", "=", form.id)
    .where("version", "=", submission.version)
    .executeTakeFirst();
  const definition = JSON.parse(version?.definition ?? form.definition) as { fields?: FormField[] };
  return {
    submission,
    form,
    fields: definition.fields ?? [],
    answers: JSON.parse(submission.answers) as FormAnswers,
    actions: { ...NO_ACTIONS, ...(JSON.parse(form.actions || "{}") as Partial<FormActions>) },
  };
}

const resultOf = (status: FormSubmissionStatus): ProcessingResult =>
  status === "processed"
    ? "processed"
    : status === "awaiting-confirmation"
      ? "awaiting-confirmation"
      : status === "submitted"
        ? "awaiting-manual"
        : "rejected";

/** The submission's address: the e-mail field's answer, else what the hosted page stored in email_lower. */
function emailOf(loaded: LoadedSubmission): string | null {
  const field = loaded.fields.find((f) => f.kind === "mapped" && f.maps === "email");
  const answered = field ? answerText(loaded.answers, field.key) : "";
  return answered || loaded.submission.email_lower || null;
}

/**
 * Called by the hosted page once a submission is stored (status "submitted"): asks for confirmation when the form
 * has double opt-in and the submission is not confirmed yet, else processes it by the form's mode. A submission
 * already past "submitted" is left as it is (expired and rejected both answer "rejected").
 */
export async function handleNewSubmission(deps: FormDeps, submissionId: number): Promise<ProcessingResult> {
  await expireOverdueConfirmations(deps.db);
  const loaded = await loadSubmission(deps.db, submissionId);
  if (loaded.submission.status !== "submitted") return resultOf(loaded.submission.status);
  if (loaded.form.double_opt_in && !loaded.submission.confirmed_at) return requestConfirmation(deps, loaded);
  return processByMode(deps, loaded);
}

/** Processing by mode after the submission is (confirmed and) "submitted"; it stays "submitted" when it waits. */
export async function processByMode(deps: FormDeps, loaded: LoadedSubmission): Promise<ProcessingResult> {
  const mode = loaded.form.processing_mode;
  if (mode === "manual") {
    await notifyUsers(deps, loaded, true);
    return "awaiting-manual";
  }
  const match = await matchingPerson(deps.db, loaded);
  if (match === null && mode === "automatic-if-match") {
    await notifyUsers(deps, loaded, true);
    return "awaiting-manual";
  }
  try {
    const done = await processSubmission(deps, loaded.submission.id, match ?? "create", null);
    if (done) return "processed";
  } catch (error) {
    // Refused by a rule (an address the CRM will not take, a selection since deleted…): it waits for a user, who
    // sees the same refusal when they process it.
    if (!(error instanceof AppError)) throw error;
    await notifyUsers(deps, loaded, true);
    return "awaiting-manual";
  }
  return resultOf((await loadSubmission(deps.db, loaded.submission.id)).submission.status);
}

/**
 * The person processing links the submission to without asking: the one a signed [[link.form.*]] token named when
 * that person has the submitted address, else the (oldest) person with the address.
 */
export async function matchingPerson(db: Db, loaded: LoadedSubmission): Promise<number | null> {
  const email = emailOf(loaded)?.toLowerCase();
  if (!email) return null;
  const rows = await db
    .selectFrom("person_emails")
    .select("person_id")
    .where("address_lower", "=", email)
    .orderBy("person_id")
    .execute();
  const prefill = loaded.submission.prefill_person_id;
  if (prefill !== null && rows.some((r) => r.person_id === prefill)) return prefill;
  return rows[0]?.person_id ?? null;
}

// ---- double opt-in -------------------------------------------------------------------------------------------

async function requestConfirmation(deps: FormDeps, loaded: LoadedSubmission): Promise<ProcessingResult> {
  const email = emailOf(loaded);
  // The core's validation requires an e-mail field for double opt-in; without an address there is no one to ask.
  if (!email) return processByMode(deps, loaded);
  const { formConfirmHours } = await readSettings(deps.db);
  const now = new Date();
  const expires = new Date(now.getTime() + formConfirmHours * 3_600_000);
  const claimed = await deps.db
    .updateTable("form_submissions")
    .set({
      status: "awaiting-confirmation",
      confirm_sent_at: now.toISOString(),
      confirm_expires_at: expires.toISOString(),
    })
    .where("id", "=", loaded.submission.id)
    .where("status", "=", "submitted")
    .where("confirmed_at", "is", null)
    .executeTakeFirst();
  if (Number(claimed.numUpdatedRows) === 0)
    return resultOf((await loadSubmission(deps.db, loaded.submission.id)).submission.status);
  const language = languageOf(loaded.form.language);
  const t = TEXT[language];
  const link = `${deps.send.publicUrl}/f/${encodeURIComponent(loaded.form.slug)}/confirm/${confirmToken(
    deps.send.keys,
    loaded.submission.id,
    expires,
  )}`;
  const sentence = t.confirmSentence(loaded.form.name, formConfirmHours);
  await sendFormMail(
    deps.db,
    deps.send.publicUrl,
    {
      accountId: loaded.form.sending_account_id,
      fromName: loaded.form.name,
      responseMailingId: loaded.actions.responseMailingId,
    },
    {
      to: email,
      subject: t.confirmSubject(loaded.form.name),
      text: `${sentence}\n\n${t.confirmLink}: ${link}\n\n${t.confirmIgnore}\n`,
      html: `<!doctype html><html lang="${language}"><body><p>${escapeHtml(sentence)}</p><p><a href="${escapeHtml(
        link,
      )}">${t.confirmLink}</a></p><p>${escapeHtml(t.confirmIgnore)}</p></body></html>`,
    },
  );
  return "awaiting-confirmation";
}

/**
 * Marks every submission whose confirmation link has run out "expired". Run on each new submission and each
 * confirmation page, so a list read after them is right; a lone overdue submission is also caught by its own link.
 */
export async function expireOverdueConfirmations(db: Db, now = isoNow()): Promise<number> {
  const result = await db
    .updateTable("form_submissions")
    .set({ status: "expired" })
    .where("status", "=", "awaiting-confirmation")
    .where("confirm_expires_at", "<=", now)
    .executeTakeFirst();
  return Number(result.numUpdatedRows);
}

export type ConfirmOutcome = "confirmed" | "already-confirmed" | "expired" | "unknown";

/**
 * The visitor pressed Confirm: "awaiting-confirmation" → "submitted" with confirmed_at (one guarded UPDATE; of two
 * presses one wins), then processing by mode. Past its expiry the submission becomes "expired" instead.
 */
export async function confirmSubmission(deps: FormDeps, submissionId: number): Promise<ConfirmOutcome> {
  const now = isoNow();
  const confirmed = await deps.db
    .updateTable("form_submissions")
    .set({ status: "submitted", confirmed_at: now })
    .where("id", "=", submissionId)
    .where("status", "=", "awaiting-confirmation")
    .where("confirmed_at", "is", null)
    .where("confirm_expires_at", ">", now)
    .executeTakeFirst();
  if (Number(confirmed.numUpdatedRows) === 1) {
    await processByMode(deps, await loadSubmission(deps.db, submissionId));
    return "confirmed";
  }
  await expireOverdueConfirmations(deps.db, now);
  const row = await deps.db
    .selectFrom("form_submissions")
    .select(["status", "confirmed_at"])
    .where("id", "=", submissionId)
    .executeTakeFirst();
  if (!row) return "unknown";
  if (row.status === "expired") return "expired";
  if (row.confirmed_at !== null) return "already-confirmed";
  return "unknown";
}

// ---- processing ----------------------------------------------------------------------------------------------

/**
 * Processes a "submitted" submission for `target` (an existing person, or "create"): takes it with one guarded UPDATE
 * to "processed", then writes the person, their consents and subscriptions and runs the form's actions. False when
 * it was no longer "submitted" (another process or user took it). When a write fails the submission goes back to
 * "submitted" and the error is thrown; what was already written stays (processing it again finds the person by
 * e-mail).
 */
export async function processSubmission(
  deps: FormDeps,
  submissionId: number,
  target: number | "create",
  userId: number | null,
): Promise<boolean> {
  const db = deps.db;
  if (target !== "create") await getPerson(db, target);
  const taken = await db
    .updateTable("form_submissions")
    .set({ status: "processed", processed_at: isoNow(), processed_by: userId })
    .where("id", "=", submissionId)
    .where("status", "=", "submitted")
    .executeTakeFirst();
  if (Number(taken.numUpdatedRows) === 0) return false;
  const loaded = await loadSubmission(db, submissionId);
  let written: { personId: number; companyId: number | null };
  try {
    written = await writePerson(deps, loaded, target, userId);
    await runActions(deps, loaded, written.personId);
    await db
      .updateTable("form_submissions")
      .set({ person_id: written.personId, company_id: written.companyId })
      .where("id", "=", submissionId)
      .execute();
  } catch (error) {
    await db
      .updateTable("form_submissions")
      .set({ status: "submitted", processed_at: null, processed_by: null })
      .where("id", "=", submissionId)
      .where("status", "=", "processed")
      .where("person_id", "is", null)
      .execute();
    throw error;
  }
  await notifyUsers(deps, loaded, false);
  if (loaded.actions.responseMailingId !== null)
    await respondTo(deps, loaded.actions.responseMailingId, submissionId);
  return true;
}

/**
 * The form-response mailing (SPEC §9) answers each processed submission whose form names one: one delivery through
 * the ledger (enqueueFormResponse is idempotent per submission, and leaves out blocked or unsubscribed addresses with
 * the reason). A mailing that was deleted or is no longer a form response answers nothing; the submission stays
 * processed, since the visitor's answer is already stored.
 */
export async function respondTo(deps: FormDeps, mailingId: number, submissionId: number): Promise<void> {
  try {
    await enqueueFormResponse(deps.db, mailingId, submissionId);
  } catch (error) {
    if (error instanceof AppError && (error.code === "NOT_FOUND" || error.code === "MAILING_WRONG_STATUS"))
      return;
    throw error;
  }
}

/** "submitted" → "rejected" with the user's reason; false when it was no longer "submitted". */
export async function rejectSubmission(
  db: Db,
  submissionId: number,
  reason: string,
  userId: number | null,
): Promise<boolean> {
  const result = await db
    .updateTable("form_submissions")
    .set({ status: "rejected", reject_reason: reason, processed_at: isoNow(), processed_by: userId })
    .where("id", "=", submissionId)
    .where("status", "=", "submitted")
    .executeTakeFirst();
  return Number(result.numUpdatedRows) === 1;
}

const COLUMN_INPUT: Partial<Record<MappedField, keyof PersonInput>> = {
  first_name: "firstName",
  last_name: "lastName",
  mobile: "mobile",
  title: "title",
  street: "street",
  postcode: "postcode",
  city: "city",
  country: "country",
};

async function crmValues(db: Db, personId: number): Promise<CrmValues> {
  const person = await getPerson(db, personId);
  const values: CrmValues = {
    first_name: person.firstName,
    last_name: person.lastName,
    email: person.email,
    mobile: person.mobile,
    title: person.title,
    company_name: person.companyName,
    street: person.street,
    postcode: person.postcode,
    city: person.city,
    country: person.country,
  };
  const custom = await db
    .selectFrom("person_custom_values")
    .select(["field_id", "value"])
    .where("person_id", "=", personId)
    .execute();
  for (const row of custom) values[`custom:${row.field_id}`] = row.value;
  return values;
}

/** Creates or updates the person from the answers; the person and the company they ended up with. */
async function writePerson(
  deps: FormDeps,
  loaded: LoadedSubmission,
  target: number | "create",
  userId: number | null,
): Promise<{ personId: number; companyId: number | null }> {
  const db = deps.db;
  const settings = await readSettings(db);
  const current = target === "create" ? null : await crmValues(db, target);
  const plan = planPersonUpdate(
    loaded.fields,
    loaded.answers,
    languageOf(loaded.form.language),
    current,
    settings.formOverwritableFields,
  );
  const input: PersonInput = {};
  const customIds: number[] = [];
  for (const [field, value] of Object.entries(plan.set) as Array<[MappedField, string]>) {
    const key = COLUMN_INPUT[field];
    if (key) (input as Record<string, unknown>)[key] = value;
    else if (field.startsWith("custom:")) customIds.push(Number(field.slice("custom:".length)));
  }
  if (customIds.length > 0) {
    const rows = await db
      .selectFrom("custom_fields")
      .select(["id", "key"])
      .where("id", "in", customIds)
      .execute();
    input.customFields = Object.fromEntries(rows.map((r) => [r.key, plan.set[`custom:${r.id}`] ?? null]));
  }
  const companyId = plan.companyName
    ? await companyFor(deps, plan.companyName, Boolean(loaded.form.allow_company_create))
    : null;
  if (companyId !== null) input.companyId = companyId;
  const options = { defaultCountry: deps.config.defaultCountry };
  let personId: number;
  if (target === "create") {
    const email = plan.email ?? emailOf(loaded);
    if (email) input.emails = [{ address: email }];
    personId = await withoutRefusedFields(input, (i) => insertPerson(db, i, options));
  } else {
    personId = target;
    if (Object.keys(input).length > 0)
      await withoutRefusedFields(input, (i) => updatePerson(db, personId, i, options));
  }
  const source = {
    source: "form" as const,
    comment: `form "${loaded.form.name}"`,
    userId,
    formId: loaded.form.id,
  };
  // The person's own form is new consent, also for an address on the suppression list (privacy/README.md).
  for (const consent of plan.consents)
    await recordConsent(db, personId, {
      ...source,
      purpose: consent.purposeKey,
      legalBasis: "consent",
      newConsent: true,
      consentText: consent.text,
    });
  await subscribe(db, personId, plan.subscriptionTypeIds, source, true);
  await subscribe(db, personId, loaded.actions.subscribeTypeIds, source, false);
  // Only the company is wanted here: reading the whole person again costs six queries per submission.
  const person = await db
    .selectFrom("persons")
    .select("company_id")
    .where("id", "=", personId)
    .executeTakeFirstOrThrow();
  return { personId, companyId: person.company_id };
}

/**
 * A ticked subscription check-box subscribes the person (their own choice, even after an unsubscribe); a form's
 * subscribe action does not bring back someone who unsubscribed from the type. Already subscribed: nothing recorded.
 */
async function subscribe(
  db: Db,
  personId: number,
  typeIds: number[],
  source: { source: "form"; comment: string; userId: number | null; formId: number },
  ownChoice: boolean,
): Promise<void> {
  for (const typeId of typeIds) {
    const current = await db
      .selectFrom("person_subscriptions")
      .select("status")
      .where("person_id", "=", personId)
      .where("type_id", "=", typeId)
      .executeTakeFirst();
    if (current?.status === "subscribed" || (current?.status === "unsubscribed" && !ownChoice)) continue;
    await setSubscription(db, personId, { ...source, typeId, status: "subscribed" });
  }
}

/**
 * A field the CRM refuses (a mobile number that is not one, a custom value of the wrong type) is left out rather
 * than losing the submission; the answer stays in the submission. Anything else refused is thrown.
 */
async function withoutRefusedFields<T>(
  input: PersonInput,
  write: (input: PersonInput) => Promise<T>,
): Promise<T> {
  try {
    return await write(input);
  } catch (error) {
    const fields =
      (error instanceof AppError && (error.details as { fields?: Array<{ field: string }> })?.fields) || [];
    if (!(error instanceof AppError) || error.code !== "VALIDATION_FAILED" || fields.length === 0)
      throw error;
    const next: PersonInput = { ...input, customFields: { ...input.customFields } };
    for (const { field } of fields) {
      if (field.startsWith("customFields.")) delete next.customFields![field.slice("customFields.".length)];
      else if (field in COLUMN_INPUT_BY_KEY) delete (next as Record<string, unknown>)[field];
      else throw error;
    }
    return write(next);
  }
}

const COLUMN_INPUT_BY_KEY: Record<string, true> = Object.fromEntries(
  Object.values(COLUMN_INPUT).map((key) => [key, true as const]),
);

/** The company with this name (any case); created when the form allows it and none exists, else null. */
async function companyFor(deps: FormDeps, name: string, allowCreate: boolean): Promise<number | null> {
  const found = await deps.db
    .selectFrom("companies")
    .select("id")
    .where("name_lower", "=", name.toLowerCase())
    .orderBy("id")
    .executeTakeFirst();
  if (found) return found.id;
  if (!allowCreate) return null;
  return (await createCompany(deps.db, { name }, deps.config.defaultCountry)).id;
}

async function runActions(deps: FormDeps, loaded: LoadedSubmission, personId: number): Promise<void> {
  const { actions } = loaded;
  for (const selectionId of actions.addToSelectionIds)
    await addSelectionMembers(deps.db, selectionId, [personId]);
  for (const projectId of actions.addToProjectIds) await addProjectMembers(deps.db, projectId, [personId]);
  if (actions.addInterests.length > 0 || actions.removeInterests.length > 0) {
    const removed = new Set(actions.removeInterests.map((n) => n.trim().toLowerCase()));
    const interests = [...(await getPerson(deps.db, personId)).interests, ...actions.addInterests].filter(
      (name) => !removed.has(name.trim().toLowerCase()),
    );
    await updatePerson(deps.db, personId, { interests }, { defaultCountry: deps.config.defaultCountry });
  }
}

/** Tells the form's chosen users that a submission was processed or waits for them (nb or en, as each user reads). */
async function notifyUsers(deps: FormDeps, loaded: LoadedSubmission, waiting: boolean): Promise<void> {
  if (loaded.actions.notifyUserIds.length === 0) return;
  const users = await deps.db
    .selectFrom("users")
    .select(["email", "language"])
    .where("id", "in", loaded.actions.notifyUserIds)
    .where("disabled", "=", 0)
    .execute();
  const link = `${deps.send.publicUrl}/forms/${loaded.form.id}/submissions/${loaded.submission.id}`;
  for (const user of users) {
    const t = TEXT[languageOf(user.language)];
    const sentence = t.notifyText(loaded.form.name, waiting);
    await sendFormMail(
      deps.db,
      deps.send.publicUrl,
      { accountId: loaded.form.sending_account_id, fromName: "utsend", responseMailingId: null },
      {
        to: user.email,
        subject: t.notifySubject(loaded.form.name, waiting),
        text: `${sentence}\n\n${t.notifyOpen}: ${link}\n`,
        html: `<p>${escapeHtml(sentence)}</p><p><a href="${escapeHtml(link)}">${t.notifyOpen}</a></p>`,
      },
    );
  }
}
