// Saved templates per mailing type (e-mail and SMS), and a mailing's attachments (≤ 25 MB together).

import type { Db } from "../db/connect.ts";
import { isoNow } from "../shared/clock.ts";
import { AppError, type FieldProblem, invalid, notFound } from "../shared/errors.ts";
import { attachmentName } from "./attachment-names.ts";
import { STARTER_TEMPLATES, type StarterLanguage, starterTemplate } from "./starter-templates.ts";
import { getMailing, requireEditable } from "./store.ts";

/** The template types there are: an e-mail template holds HTML or MJML, an SMS template a text. */
export type TemplateType = "email" | "sms";

type TemplateRow = {
  id: number;
  name: string;
  type: string;
  subject: string | null;
  content_format: "html" | "mjml" | "text";
  content: string;
  sms_normalize: number;
  sms_opt_out_line: string | null;
  updated_at: string;
};

function summaryOf(r: TemplateRow) {
  const sms = r.type === "sms";
  return {
    id: r.id,
    name: r.name,
    type: r.type as TemplateType,
    subject: r.subject,
    contentFormat: r.content_format,
    /** An SMS template's text, short enough for a list; null for e-mail. */
    smsText: sms ? r.content : null,
    smsNormalize: sms && r.sms_normalize === 1,
    smsOptOutLine: sms ? r.sms_opt_out_line : null,
    updatedAt: r.updated_at,
  };
}

export async function listTemplates(db: Db, type?: TemplateType) {
  let query = db
    .selectFrom("templates")
    .select([
      "id",
      "name",
      "type",
      "subject",
      "content_format",
      "content",
      "sms_normalize",
      "sms_opt_out_line",
      "updated_at",
    ])
    .orderBy("name");
  if (type) query = query.where("type", "=", type);
  return (await query.execute()).map(summaryOf);
}

export async function getTemplate(db: Db, id: number) {
  const r = await db.selectFrom("templates").selectAll().where("id", "=", id).executeTakeFirst();
  if (!r) throw notFound("template", id);
  return { ...summaryOf(r), content: r.content, textContent: r.text_content };
}

export type TemplateInput = {
  name: string;
  type?: TemplateType;
  subject?: string | null;
  contentFormat?: "html" | "mjml";
  content?: string;
  textContent?: string | null;
  smsText?: string;
  smsNormalize?: boolean;
  smsOptOutLine?: string | null;
};

/** The fields of one type that a template of the other type must not carry, so nothing given is silently dropped. */
const EMAIL_ONLY = ["subject", "contentFormat", "content", "textContent"] as const;
const SMS_ONLY = ["smsText", "smsNormalize", "smsOptOutLine"] as const;

function templateProblems(input: TemplateInput): FieldProblem[] {
  const problems: FieldProblem[] = [];
  if (!input.name.trim()) problems.push({ field: "name", message: "must not be empty", kind: "empty" });
  const type = input.type ?? "email";
  const foreign = type === "sms" ? EMAIL_ONLY : SMS_ONLY;
  for (const field of foreign)
    if (input[field] !== undefined && input[field] !== null)
      problems.push({
        field,
        message: `is not a field of an ${type === "sms" ? "SMS" : "e-mail"} template`,
        kind: "not-allowed",
      });
  if (type === "sms") {
    if (!input.smsText?.trim())
      problems.push({ field: "smsText", message: "an SMS template needs a text", kind: "required" });
    if (input.smsOptOutLine && /[\r\n]/.test(input.smsOptOutLine))
      problems.push({ field: "smsOptOutLine", message: "must be one line", kind: "one-line" });
  } else {
    if (!input.contentFormat)
      problems.push({ field: "contentFormat", message: "is required: html or mjml", kind: "required" });
    if (input.content === undefined)
      problems.push({ field: "content", message: "is required", kind: "required" });
  }
  return problems;
}

export async function createTemplate(db: Db, input: TemplateInput) {
  const problems = templateProblems(input);
  if (problems.length > 0) throw invalid(problems);
  const now = isoNow();
  const sms = input.type === "sms";
  const row = await db
    .insertInto("templates")
    .values({
      name: input.name.trim(),
      type: sms ? "sms" : "email",
      subject: sms ? null : (input.subject ?? null),
      content_format: sms ? "text" : input.contentFormat!,
      content: sms ? input.smsText! : input.content!,
      text_content: sms ? null : (input.textContent ?? null),
      sms_normalize: sms && input.smsNormalize ? 1 : 0,
      sms_opt_out_line: sms ? (input.smsOptOutLine ?? null) : null,
      created_at: now,
      updated_at: now,
    })
    .returning("id")
    .executeTakeFirstOrThrow();
  return getTemplate(db, row.id);
}

export async function deleteTemplate(db: Db, id: number) {
  const result = await db.deleteFrom("templates").where("id", "=", id).executeTakeFirst();
  if (Number(result.numDeletedRows) === 0) throw notFound("template", id);
}

export async function saveAsTemplate(db: Db, mailingId: number, name: string) {
  const m = await getMailing(db, mailingId);
  if (m.type === "sms") {
    if (!m.smsText?.trim())
      throw invalid([{ field: "smsText", message: "the mailing has no text to save", kind: "empty" }]);
    return createTemplate(db, {
      name,
      type: "sms",
      smsText: m.smsText,
      smsNormalize: m.smsNormalize,
      smsOptOutLine: m.smsOptOutLine,
    });
  }
  if (!m.content)
    throw invalid([{ field: "content", message: "the mailing has no content to save", kind: "empty" }]);
  return createTemplate(db, {
    name,
    subject: m.subject,
    contentFormat: m.contentFormat,
    content: m.content,
    textContent: m.textContent,
  });
}

const TYPE_NAMES: Record<string, string> = {
  email: "an e-mail",
  sms: "an SMS",
  document: "a document",
  form: "a form-response",
};

export async function applyTemplate(db: Db, mailingId: number, templateId: number) {
  await requireEditable(db, mailingId);
  const m = await getMailing(db, mailingId);
  const t = await getTemplate(db, templateId);
  if (t.type !== m.type)
    throw invalid([
      {
        field: "templateId",
        message: `template ${t.id} is ${TYPE_NAMES[t.type] ?? t.type} template; this is ${TYPE_NAMES[m.type] ?? m.type} mailing`,
        kind: "wrong-mailing-type",
      },
    ]);
  const now = isoNow();
  const origin = `template:${t.id}`;
  if (t.type === "sms") {
    await db
      .updateTable("mailings")
      .set({
        sms_text: t.content,
        sms_normalize: t.smsNormalize ? 1 : 0,
        sms_opt_out_line: t.smsOptOutLine,
        template_origin: origin,
        updated_at: now,
      })
      .where("id", "=", mailingId)
      .execute();
    return getMailing(db, mailingId);
  }
  await db
    .updateTable("mailings")
    .set({
      content_format: t.contentFormat as "html" | "mjml",
      content: t.content,
      text_content: t.textContent,
      template_origin: origin,
      updated_at: now,
      ...(t.subject ? { subject: t.subject } : {}),
    })
    .where("id", "=", mailingId)
    .execute();
  return getMailing(db, mailingId);
}

/** The starter templates (see starter-templates.ts), without their MJML; one language when given. */
export function listStarters(language?: StarterLanguage) {
  return STARTER_TEMPLATES.filter((t) => !language || t.language === language).map(
    ({ mjml: _mjml, ...summary }) => summary,
  );
}

export function getStarter(key: string) {
  const starter = starterTemplate(key);
  if (!starter) throw notFound("starter template", key);
  return starter;
}

/** A starter template as a saved template of the user's own, to edit and keep. */
export async function copyStarter(db: Db, key: string, name?: string) {
  const starter = getStarter(key);
  return createTemplate(db, {
    name: name?.trim() || starter.name,
    subject: starter.subject,
    contentFormat: "mjml",
    content: starter.mjml,
  });
}

/** Starts an e-mail or form-response mailing's content from a starter template (its subject only when it has none). */
export async function applyStarter(db: Db, mailingId: number, key: string) {
  await requireEditable(db, mailingId);
  const m = await getMailing(db, mailingId);
  const starter = getStarter(key);
  if (m.type !== "email" && m.type !== "form")
    throw invalid([
      {
        field: "key",
        message: `starter templates are e-mails; this is ${TYPE_NAMES[m.type] ?? m.type} mailing`,
        kind: "wrong-mailing-type",
      },
    ]);
  await db
    .updateTable("mailings")
    .set({
      content_format: "mjml",
      content: starter.mjml,
      text_content: null,
      template_origin: `starter:${starter.key}`,
      updated_at: isoNow(),
      ...(m.subject?.trim() ? {} : { subject: starter.subject }),
    })
    .where("id", "=", mailingId)
    .execute();
  return getMailing(db, mailingId);
}

export const ATTACHMENTS_LIMIT = 25 * 1024 * 1024;

export async function listAttachments(db: Db, mailingId: number) {
  const rows = await db
    .selectFrom("mailing_attachments")
    .select(["id", "filename", "content_type", "size"])
    .where("mailing_id", "=", mailingId)
    .orderBy("id")
    .execute();
  const items = rows.map((r) => ({
    id: r.id,
    filename: r.filename,
    contentType: r.content_type,
    size: r.size,
  }));
  return { items, totalSize: items.reduce((a, i) => a + i.size, 0), limit: ATTACHMENTS_LIMIT };
}

export async function addAttachment(
  db: Db,
  mailingId: number,
  file: { filename: string; contentType: string; data: Buffer },
) {
  await requireEditable(db, mailingId);
  const checked = attachmentName(file.filename);
  if (!checked.ok) throw invalid([checked.problem]);
  const filename = checked.name;
  if (file.data.length === 0)
    throw invalid([{ field: "body", message: "the file is empty", kind: "needs-body" }]);
  const { totalSize } = await listAttachments(db, mailingId);
  if (totalSize + file.data.length > ATTACHMENTS_LIMIT)
    throw new AppError(
      "PAYLOAD_TOO_LARGE",
      `attachments may be 25 MB together; this one would make ${((totalSize + file.data.length) / 1048576).toFixed(1)} MB`,
      {
        field: "body",
      },
    );
  const row = await db
    .insertInto("mailing_attachments")
    .values({
      mailing_id: mailingId,
      filename,
      content_type: file.contentType,
      size: file.data.length,
      data: file.data,
      created_at: isoNow(),
    })
    .returning("id")
    .executeTakeFirstOrThrow();
  return { id: row.id, filename, contentType: file.contentType, size: file.data.length };
}

export async function deleteAttachment(db: Db, mailingId: number, id: number) {
  await requireEditable(db, mailingId);
  const result = await db
    .deleteFrom("mailing_attachments")
    .where("mailing_id", "=", mailingId)
    .where("id", "=", id)
    .executeTakeFirst();
  if (Number(result.numDeletedRows) === 0) throw notFound("attachment", id);
}
