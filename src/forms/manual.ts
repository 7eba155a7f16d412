// Manual processing (SPEC §9): a user links a waiting submission to a person, creates a new person from it, or
// rejects it with a reason. Each is the guarded change of processing.ts: a submission someone else handled first
// answers FORM_SUBMISSION_WRONG_STATUS, never a second person.
import type { Db } from "../db/connect.ts";
import type { FormSubmissionStatus } from "../db/schema.ts";
import { AppError, missingReference, notFound } from "../shared/errors.ts";
import type { FormAnswers, FormField } from "./definition.ts";
import type { FormDeps } from "./deps.ts";
import { loadSubmission, processSubmission, rejectSubmission } from "./processing.ts";
import { type Suggestion, suggestionsFor } from "./suggestions.ts";

export type SubmissionDetail = {
  id: number;
  version: number;
  status: FormSubmissionStatus;
  answers: FormAnswers;
  fields: FormField[];
  ip: string | null;
  userAgent: string | null;
  submittedAt: string;
  confirmedAt: string | null;
  processedAt: string | null;
  personId: number | null;
  companyId: number | null;
  rejectReason: string | null;
  suggestions: Suggestion[];
};

/** The submission of this form, or NOT_FOUND (also when it belongs to another form). */
async function submissionOf(db: Db, formId: number, submissionId: number) {
  const row = await db
    .selectFrom("form_submissions")
    .select(["id", "status"])
    .where("id", "=", submissionId)
    .where("form_id", "=", formId)
    .executeTakeFirst();
  if (!row) throw notFound("form submission", submissionId);
  return row;
}

/** The API's submission detail (forms-api contract); suggestions only while it waits for a user. */
export async function submissionDetail(
  db: Db,
  formId: number,
  submissionId: number,
  defaultCountry = "NO",
): Promise<SubmissionDetail> {
  await submissionOf(db, formId, submissionId);
  const { submission: s, fields, answers } = await loadSubmission(db, submissionId);
  return {
    id: s.id,
    version: s.version,
    status: s.status,
    answers,
    fields,
    ip: s.ip,
    userAgent: s.user_agent,
    submittedAt: s.submitted_at,
    confirmedAt: s.confirmed_at,
    processedAt: s.processed_at,
    personId: s.person_id,
    companyId: s.company_id,
    rejectReason: s.reject_reason,
    suggestions: s.status === "submitted" ? await suggestionsFor(db, s.id, defaultCountry) : [],
  };
}

async function wrongStatus(db: Db, submissionId: number): Promise<AppError> {
  const row = await db
    .selectFrom("form_submissions")
    .select("status")
    .where("id", "=", submissionId)
    .executeTakeFirst();
  const status = row?.status ?? "unknown";
  return new AppError(
    "FORM_SUBMISSION_WRONG_STATUS",
    `the submission is ${status}; only a submitted one waiting for processing can be linked, created or rejected`,
    { status },
  );
}

export async function linkSubmission(
  deps: FormDeps,
  formId: number,
  submissionId: number,
  personId: number,
  userId: number,
): Promise<SubmissionDetail> {
  await submissionOf(deps.db, formId, submissionId);
  const person = await deps.db
    .selectFrom("persons")
    .select("id")
    .where("id", "=", personId)
    .executeTakeFirst();
  if (!person) throw missingReference("personId", "person", personId);
  if (!(await processSubmission(deps, submissionId, personId, userId)))
    throw await wrongStatus(deps.db, submissionId);
  return submissionDetail(deps.db, formId, submissionId, deps.config.defaultCountry);
}

export async function createFromSubmission(
  deps: FormDeps,
  formId: number,
  submissionId: number,
  userId: number,
): Promise<SubmissionDetail> {
  await submissionOf(deps.db, formId, submissionId);
  if (!(await processSubmission(deps, submissionId, "create", userId)))
    throw await wrongStatus(deps.db, submissionId);
  return submissionDetail(deps.db, formId, submissionId, deps.config.defaultCountry);
}

export async function rejectWithReason(
  deps: FormDeps,
  formId: number,
  submissionId: number,
  reason: string,
  userId: number,
): Promise<SubmissionDetail> {
  await submissionOf(deps.db, formId, submissionId);
  if (!(await rejectSubmission(deps.db, submissionId, reason.trim(), userId)))
    throw await wrongStatus(deps.db, submissionId);
  return submissionDetail(deps.db, formId, submissionId, deps.config.defaultCountry);
}
