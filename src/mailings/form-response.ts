// Form-response mailings (SPEC §9): an e-mail linked to one form that answers each processed submission of it. The
// submitter becomes one recipient row (keyed by the submission: answered once) with one pending delivery in the same
// ledger as every e-mail, so the worker sends it with tracking, bounces and unsubscribe as any e-mail. Reads the
// forms tables with Kysely directly: mailings/ may not import forms/ (forms/ imports mailings/).
import { sql } from "kysely";
import type { StoredBlockReason } from "../db/block-reasons.ts";
import type { Db } from "../db/connect.ts";
import { blockCauseOf } from "../deliveries/blocks.ts";
import { emailMessageId } from "../deliveries/identity.ts";
import { checkAddress } from "../privacy/suppression.ts";
import { isoNow } from "../shared/clock.ts";
import { AppError, notFound, validationFailed } from "../shared/errors.ts";
import { escapeHtml, FormReceipt, type MergeValue } from "./merge-fields.ts";

/** A form field as this module reads it from a stored definition (forms/definition.ts FormField, its common part). */
type StoredField = { key: string; label: { nb: string; en: string } };

function fieldsOf(definition: string): StoredField[] {
  const parsed = JSON.parse(definition) as { fields?: StoredField[] };
  return Array.isArray(parsed.fields) ? parsed.fields : [];
}

/** The definition of the form's latest published version, else its draft; null when there is no such form. */
async function latestDefinition(db: Db, formId: number): Promise<string | null> {
  const version = await db
    .selectFrom("form_versions")
    .select("definition")
    .where("form_id", "=", formId)
    .orderBy("version", "desc")
    .executeTakeFirst();
  if (version) return version.definition;
  const form = await db.selectFrom("forms").select("definition").where("id", "=", formId).executeTakeFirst();
  return form?.definition ?? null;
}

/** The fields of the form's latest version, with their labels: the insert menu's `form.<key>` entries. */
export async function formFields(
  db: Db,
  formId: number,
): Promise<Array<{ key: string; nb: string; en: string }>> {
  const definition = await latestDefinition(db, formId);
  return definition === null
    ? []
    : fieldsOf(definition).map((f) => ({ key: f.key, nb: f.label?.nb ?? f.key, en: f.label?.en ?? f.key }));
}

/**
 * The `form.*` keys a form-response mailing may use: its form's field keys (latest version) and `receipt`. Without a
 * linked form none: every `form.*` is an unknown merge field.
 */
export async function formFieldKeys(db: Db, formId: number | null): Promise<string[]> {
  if (formId === null) return [];
  const definition = await latestDefinition(db, formId);
  return definition === null ? [] : [...fieldsOf(definition).map((f) => f.key), "receipt"];
}

/** One answer as merge text: a multi-choice joined with ", ". */
function answerText(value: unknown): string {
  if (Array.isArray(value)) return value.map(String).join(", ");
  return value == null ? "" : String(value);
}

/**
 * The `form` merge context of a submission: each answer by its field key (raw text; the HTML engine escapes it like
 * any value) and `receipt`, every field of the answered version with its label in `language` and the answer.
 */
export function formContext(
  definition: string,
  answersJson: string,
  language: "nb" | "en",
): Record<string, MergeValue | FormReceipt> {
  const answers = JSON.parse(answersJson) as Record<string, unknown>;
  const fields = fieldsOf(definition);
  const context: Record<string, MergeValue | FormReceipt> = {};
  for (const [key, value] of Object.entries(answers)) context[key] = answerText(value);
  const rows = fields.map((f) => ({
    label: f.label?.[language] || f.label?.nb || f.label?.en || f.key,
    value: answerText(answers[f.key]),
  }));
  const cell = "padding:4px 12px 4px 0;text-align:left;vertical-align:top";
  const html =
    `<table role="presentation" cellpadding="0" cellspacing="0" style="border-collapse:collapse">` +
    rows
      .map(
        (r) =>
          `<tr><th scope="row" style="${cell};font-weight:bold">${escapeHtml(r.label)}</th>` +
          `<td style="${cell}">${escapeHtml(r.value).replace(/\r?\n/g, "<br>")}</td></tr>`,
      )
      .join("") +
    `</table>`;
  const text = rows.map((r) => `${r.label}: ${r.value}`).join("\n");
  context.receipt = new FormReceipt(html, text);
  return context;
}

/** For recipient rows that answer a submission: their `form` merge context, by recipient id. */
export async function formContextsOf(
  db: Db,
  recipientIds: number[],
): Promise<Map<number, Record<string, MergeValue | FormReceipt>>> {
  const result = new Map<number, Record<string, MergeValue | FormReceipt>>();
  if (recipientIds.length === 0) return result;
  const rows = await db
    .selectFrom("mailing_recipients as r")
    .innerJoin("form_submissions as s", "s.id", "r.form_submission_id")
    .innerJoin("forms as f", "f.id", "s.form_id")
    .leftJoin("form_versions as v", (j) =>
      j.onRef("v.form_id", "=", "s.form_id").onRef("v.version", "=", "s.version"),
    )
    .select(["r.id", "s.answers", "v.definition as version_definition", "f.definition", "f.language"])
    .where("r.id", "in", recipientIds)
    .execute();
  for (const row of rows)
    result.set(
      row.id,
      formContext(row.version_definition ?? row.definition, row.answers, row.language === "en" ? "en" : "nb"),
    );
  return result;
}

export type FormResponseResult =
  /** A delivery is pending for the submitter; the worker sends it. */
  | { outcome: "queued"; recipientId: number; deliveryId: number }
  /** The submitter is recorded as left out, with the reason (SPEC §9 Decision). */
  | { outcome: "left-out"; recipientId: number; reason: StoredBlockReason }
  /** The submission was already answered (or left out) by this mailing: nothing new. */
  | { outcome: "already"; recipientId: number }
  /** The mailing is not live (not started, finished or cancelled): nothing is sent. */
  | { outcome: "not-live" };

/**
 * Answers one processed submission with the form-response mailing: in one transaction the submitter
 * (submission.person_id) becomes a recipient and gets one pending delivery, unless their address is unsubscribed
 * from the mailing's subscription type, complained or blocked; then the recipient is recorded as left out with the
 * reason. No marketing consent is needed: the message answers the person's own request (SPEC §9 Decision).
 * Idempotent per (mailing, submission). A sending or paused mailing takes it (a paused one sends it on resume).
 * `db` may be a transaction (the one that processes the submission); then everything happens in it.
 */
export async function enqueueFormResponse(
  db: Db,
  mailingId: number,
  submissionId: number,
): Promise<FormResponseResult> {
  // Inside the caller's transaction when given one (processing may answer in the transaction that processes).
  const inTransaction = <T>(work: (t: Db) => Promise<T>): Promise<T> =>
    db.isTransaction ? work(db) : db.transaction().execute((trx) => work(trx as unknown as Db));
  return inTransaction(async (t) => {
    const mailing = await t
      .selectFrom("mailings")
      .select(["id", "type", "status", "form_id", "from_address", "subscription_type_id"])
      .where("id", "=", mailingId)
      .executeTakeFirst();
    if (!mailing) throw notFound("mailing", mailingId);
    if (mailing.type !== "form")
      throw new AppError("MAILING_WRONG_STATUS", `mailing ${mailingId} is not a form-response mailing`, {
        field: "type",
      });
    const submission = await t
      .selectFrom("form_submissions")
      .select(["id", "form_id", "status", "person_id", "email_lower"])
      .where("id", "=", submissionId)
      .executeTakeFirst();
    if (!submission) throw notFound("form submission", submissionId);
    if (submission.form_id !== mailing.form_id)
      throw validationFailed(
        `submission ${submissionId} answers form ${submission.form_id}, not the form of mailing ${mailingId}`,
        [{ field: "submissionId", message: "belongs to another form", kind: "other-form" }],
      );
    if (submission.status !== "processed" || submission.person_id === null)
      throw validationFailed(
        `submission ${submissionId} is ${submission.status}${submission.person_id === null ? " without a person" : ""}; only a processed submission with a person is answered`,
        [{ field: "submissionId", message: "not processed", kind: "not-processed" }],
      );
    const existing = await t
      .selectFrom("mailing_recipients")
      .select("id")
      .where("mailing_id", "=", mailingId)
      .where("form_submission_id", "=", submissionId)
      .executeTakeFirst();
    if (existing) return { outcome: "already", recipientId: existing.id };
    if (mailing.status !== "sending" && mailing.status !== "paused") return { outcome: "not-live" };

    const personId = submission.person_id;
    const person = await t
      .selectFrom("persons")
      .select(["id", "company_id", "first_name", "last_name", "mobile"])
      .where("id", "=", personId)
      .executeTakeFirstOrThrow();
    // The address the person gave in the form when it is theirs, else their primary address.
    const emails = await t
      .selectFrom("person_emails")
      .select(["address", "address_lower", "is_primary"])
      .where("person_id", "=", personId)
      .execute();
    const email =
      emails.find((e) => e.address_lower === submission.email_lower) ??
      emails.find((e) => e.is_primary === 1);
    const reason = await leftOutReason(
      t,
      mailing.subscription_type_id,
      personId,
      email?.address_lower ?? null,
    );
    const now = isoNow();
    const name = [person.first_name, person.last_name].filter((p) => p?.trim()).join(" ") || null;
    const inserted = await t
      .insertInto("mailing_recipients")
      .values({
        mailing_id: mailingId,
        position: submissionId,
        person_id: personId,
        company_id: person.company_id,
        email: email?.address ?? null,
        email_lower: email?.address_lower ?? null,
        mobile: person.mobile,
        name,
        source_id: null,
        form_submission_id: submissionId,
        status: reason ? "blocked" : "eligible",
        block_reason: reason,
        created_at: now,
      })
      .onConflict((oc) => oc.columns(["mailing_id", "form_submission_id"]).doNothing())
      .returning("id")
      .executeTakeFirst();
    if (!inserted) {
      // Another process answered the same submission a moment ago.
      const other = await t
        .selectFrom("mailing_recipients")
        .select("id")
        .where("mailing_id", "=", mailingId)
        .where("form_submission_id", "=", submissionId)
        .executeTakeFirstOrThrow();
      return { outcome: "already", recipientId: other.id };
    }
    await countRecipient(t, mailingId, reason ? "blocked" : "eligible");
    if (reason) return { outcome: "left-out", recipientId: inserted.id, reason };
    const domain = mailing.from_address!.split("@")[1]!.toLowerCase();
    const delivery = await t
      .insertInto("deliveries")
      .values({
        mailing_id: mailingId,
        recipient_id: inserted.id,
        attempt: 1,
        person_id: personId,
        channel: "email",
        address: email!.address,
        address_key: email!.address_lower,
        status: "pending",
        message_id: emailMessageId({ mailingId, recipientId: inserted.id, attempt: 1 }, domain),
        lease_owner: null,
        lease_expires_at: null,
        tries: 0,
        next_try_at: now,
        last_reply: null,
        bounce_kind: null,
        sent_at: null,
        parts: null,
        provider_code: null,
        reported_at: null,
        first_page: null,
        page_count: null,
        first_opened_at: null,
        first_clicked_at: null,
        created_at: now,
        updated_at: now,
      })
      .returning("id")
      .executeTakeFirstOrThrow();
    return { outcome: "queued", recipientId: inserted.id, deliveryId: delivery.id };
  });
}

/**
 * Why the submitter gets no answer, or null. SPEC §9 Decision: unsubscribed from the mailing's type, complained,
 * blocked. Marketing consent is not asked for, so a withdrawal of all marketing (which also puts the address on the
 * suppression list) does not stop it; a complaint on the suppression list does.
 */
async function leftOutReason(
  db: Db,
  typeId: number | null,
  personId: number,
  addressLower: string | null,
): Promise<StoredBlockReason | null> {
  if (!addressLower) return "no-email";
  const cause = await blockCauseOf(db, addressLower);
  if (cause === "complained") return "complained";
  if (cause !== null) return "blocked-address";
  if ((await checkAddress(db, addressLower))?.reason === "complained") return "complained";
  if (typeId !== null) {
    const unsubscribed = await db
      .selectFrom("person_subscriptions")
      .select("person_id")
      .where("person_id", "=", personId)
      .where("type_id", "=", typeId)
      .where("status", "=", "unsubscribed")
      .executeTakeFirst();
    if (unsubscribed) return "unsubscribed";
  }
  return null;
}

/** +1 on the list's eligible or blocked count (the counters storeRecipientCounts writes for a resolved list). */
async function countRecipient(db: Db, mailingId: number, status: "eligible" | "blocked"): Promise<void> {
  await db
    .insertInto("mailing_counters")
    .values({ mailing_id: mailingId, name: `recipients:${status}`, shard: 0, value: 1 })
    .onConflict((oc) =>
      oc.columns(["mailing_id", "name", "shard"]).doUpdateSet({ value: sql`mailing_counters.value + 1` }),
    )
    .execute();
}
