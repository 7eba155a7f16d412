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
 * Processing's first pass over a stored submission, run by the queue (forms/queue.ts) after the visitor's thank-you
 * page: asks for confirmation when the form has double opt-in and the submission is not confirmed yet, else processes
 * it by the form's mode. Then the submission is marked handled. A submission already past "submitted" is left as it
 * is (expired and rejected both answer "rejected"), except one whose confirmation e-mail a killed process never sent.
 * Throws when the pass must be tried again (a confirmation e-mail the server did not take, the database gone): the
 * submission stays unhandled and the queue's sweep tries it again once the lease has run out.
 */
export async function handleNewSubmission(deps: FormDeps, submissionId: number): Promise<ProcessingResult> {
  const loaded = await loadSubmission(deps.db, submissionId);
  const result = await firstPass(deps, loaded);
  await deps.db
    .updateTable("form_submissions")
    .set({ handled_at: isoNow(), claimed_until: null })
    .where("id", "=", submissionId)
    .where("handled_at", "is", null)
    .execute();
  return result;
}

async function firstPass(deps: FormDeps, loaded: LoadedSubmission): Promise<ProcessingResult> {
  const { submission } = loaded;
  if (submission.status === "awaiting-confirmation" && submission.handled_at === null) {
    await mailConfirmation(deps, loaded, new Date(submission.confirm_expires_at ?? Date.now()));
    return "awaiting-confirmation";
  }
  if (submission.status !== "submitted") return resultOf(submission.status);
  if (loaded.form.double_opt_in && !submission.confirmed_at) return requestConfirmation(deps, loaded);
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
  await mailConfirmation(deps, loaded, expires);
  return "awaiting-confirmation";
}

/**
 * The confirmation e-mail. At least once: a process killed between the status change and the handled mark sends it
 * again after restart, and a temporary refusal is thrown so the queue tries again; a permanent one (no such mailbox)
 * is final, the link simply never arrives and the submission expires.
 */
async function mailConfirmation(deps: FormDeps, loaded: LoadedSubmission, expires: Date): Promise<void> {
  const email = emailOf(loaded);
  if (!email) return;
  const { formConfirmHours } = await readSettings(deps.db);
  const language = languageOf(loaded.form.language);
  const t = TEXT[language];
  const link = `${deps.send.publicUrl}/f/${encodeURIComponent(loaded.form.slug)}/confirm/${confirmToken(
    deps.send.keys,
    loaded.submission.id,
    expires,
  )}`;
  const sentence = t.confirmSentence(loaded.form.name, formConfirmHours);
  const outcome = await sendFormMail(
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
  if (outcome.kind === "temporary")
    throw new Error(
      `the confirmation e-mail to submission ${loaded.submission.id} was not taken: ${outcome.reply}`,
    );
}

/**
 * Marks every submission whose confirmation link has run out "expired" (the queue's sweep runs it; the index
 * form_submissions_confirm_expiry holds only the submissions that wait for a confirmation). A confirmation page
 * expires its own submission at once.
 */
export async function expireOverdueConfirmations(
  db: Db,
  now = isoNow(),
  submissionId: number | null = null,
): Promise<number> {
  let query = db
    .updateTable("form_submissions")
    .set({ status: "expired" })
    .where("status", "=", "awaiting-confirmation")
    .where("confirm_expires_at", "<=", now);
  if (submissionId !== null) query = query.where("id", "=", submissionId);
  const result = await query.executeTakeFirst();
  return Number(result.numUpdatedRows);
}

export type ConfirmOutcome = "confirmed" | "already-confirmed" | "expired" | "unknown";

/**
 * The visitor pressed Confirm: "awaiting-confirmation" → "submitted" with confirmed_at (one guarded UPDATE; of two
 * presses one wins), back in the queue (handled_at null), then processed by mode at once; a process killed before
 * that leaves it to the queue's sweep. Past its expiry the submission becomes "expired" instead.
 */
export async function confirmSubmission(deps: FormDeps, submissionId: number): Promise<ConfirmOutcome> {
  const now = isoNow();
  const confirmed = await deps.db
    .updateTable("form_submissions")
    .set({ status: "submitted", confirmed_at: now, handled_at: null })
    .where("id", "=", submissionId)
    .where("status", "=", "awaiting-confirmation")
    .where("confirmed_at", "is", null)
    .where("confirm_expires_at", ">", now)
    .executeTakeFirst();
  if (Number(confirmed.numUpdatedRows) === 1) {
    await handleNewSubmission(deps, submissionId);
    return "confirmed";
  }
  await expireOverdueConfirmations(deps.db, now, submissionId);
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
 * to "processed" under a lease (claimed_until), then writes the person, their consents and subscriptions, runs the
 * form's actions, records the person and answers with the form-response mailing, and only then lets go of the
 * lease. False when it was no longer "submitted" (another process or user took it). When a write fails the
 * submission goes back to "submitted" and the error is thrown; what was already written stays (processing it again
 * finds the person by e-mail). A process killed on the way leaves the lease to run out: recoverCutProcessings.
 */
export async function processSubmission(
  deps: FormDeps,
  submissionId: number,
  target: number | "create",
  userId: number | null,
): Promise<boolean> {
  const db = deps.db;
  if (target !== "create") await getPerson(db, target);
  const now = new Date();
  const taken = await db
    .updateTable("form_submissions")
    .set({
      status: "processed",
      processed_at: now.toISOString(),
      processed_by: userId,
      claimed_until: new Date(now.getTime() + deps.config.leaseSeconds * 1000).toISOString(),
    })
    .where("id", "=", submissionId)
    .where("status", "=", "submitted")
    .executeTakeFirst();
  if (Number(taken.numUpdatedRows) === 0) return false;
  const loaded = await loadSubmission(db, submissionId);
  try {
    const written = await writePerson(deps, loaded, target, userId);
    await runActions(deps, loaded, written.personId);
    await db
      .updateTable("form_submissions")
      .set({ person_id: written.personId, company_id: written.companyId })
      .where("id", "=", submissionId)
      .execute();
  } catch (error) {
    await db
      .updateTable("form_submissions")
      .set({ status: "submitted", processed_at: null, processed_by: null, claimed_until: null })
      .where("id", "=", submissionId)
      .where("status", "=", "processed")
      .where("person_id", "is", null)
      .execute();
    throw error;
  }
  if (loaded.actions.responseMailingId !== null)
    await respondTo(deps, loaded.actions.responseMailingId, submissionId);
  await db
    .updateTable("form_submissions")
    .set({ claimed_until: null })
    .where("id", "=", submissionId)
    .execute();
  await notifyUsers(deps, loaded, false);
  return true;
}

/**
 * What a killed process left half-way through processSubmission, found by its lease having run out: with no person
 * recorded yet, the submission goes back to "submitted" (the queue processes it again when its first pass was not
 * through, else it waits for a user again); with the person recorded, only the form-response answer may be missing,
 * and enqueueFormResponse is idempotent per submission. How many it recovered.
 */
export async function recoverCutProcessings(deps: FormDeps, now = isoNow()): Promise<number> {
  const cut = await deps.db
    .selectFrom("form_submissions")
    .select(["id", "person_id"])
    .where("claimed_until", "is not", null)
    .where("claimed_until", "<=", now)
    .where("status", "=", "processed")
    .orderBy("id")
    .limit(500)
    .execute();
  let recovered = 0;
  for (const row of cut) {
    if (row.person_id === null) {
      const back = await deps.db
        .updateTable("form_submissions")
        .set({ status: "submitted", processed_at: null, processed_by: null, claimed_until: null })
        .where("id", "=", row.id)
        .where("status", "=", "processed")
        .where("person_id", "is", null)
        .where("claimed_until", "<=", now)
        .executeTakeFirst();
      recovered += Number(back.numUpdatedRows);
      continue;
    }
    const loaded = await loadSubmission(deps.db, row.id);
    if (loaded.actions.responseMailingId !== null)
      await respondTo(deps, loaded.actions.responseMailingId, row.id);
    const done = await deps.db
      .updateTable("form_submissions")
      .set({ claimed_until: null })
      .where("id", "=", row.id)
      .where("claimed_until", "<=", now)
      .executeTakeFirst();
    recovered += Number(done.numUpdatedRows);
  }
  return recovered;
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
