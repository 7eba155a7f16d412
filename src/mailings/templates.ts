// Saved templates per mailing type, and a mailing's attachments (≤ 25 MB together).

import type { Db } from "../db/connect.ts";
import { isoNow } from "../shared/clock.ts";
import { AppError, invalid, notFound } from "../shared/errors.ts";
import { attachmentName } from "./attachment-names.ts";
import { getMailing, requireEditable } from "./store.ts";

export async function listTemplates(db: Db) {
  const rows = await db
    .selectFrom("templates")
    .select(["id", "name", "type", "subject", "content_format", "updated_at"])
    .orderBy("name")
    .execute();
  return rows.map((r) => ({
    id: r.id,
    name: r.name,
    type: r.type,
    subject: r.subject,
    contentFormat: r.content_format,
    updatedAt: r.updated_at,
  }));
}

export async function getTemplate(db: Db, id: number) {
  const r = await db.selectFrom("templates").selectAll().where("id", "=", id).executeTakeFirst();
  if (!r) throw notFound("template", id);
  return {
    id: r.id,
    name: r.name,
    type: r.type,
    subject: r.subject,
    contentFormat: r.content_format,
    content: r.content,
    textContent: r.text_content,
    updatedAt: r.updated_at,
  };
}

export async function createTemplate(
  db: Db,
  input: {
    name: string;
    subject?: string | null;
    contentFormat: "html" | "mjml";
    content: string;
    textContent?: string | null;
  },
) {
  if (!input.name.trim()) throw invalid([{ field: "name", message: "must not be empty" }]);
  const now = isoNow();
  const row = await db
    .insertInto("templates")
    .values({
      name: input.name.trim(),
      type: "email",
      subject: input.subject ?? null,
      content_format: input.contentFormat,
      content: input.content,
      text_content: input.textContent ?? null,
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
  if (!m.content) throw invalid([{ field: "content", message: "the mailing has no content to save" }]);
  return createTemplate(db, {
    name,
    subject: m.subject,
    contentFormat: m.contentFormat,
    content: m.content,
    textContent: m.textContent,
  });
}

export async function applyTemplate(db: Db, mailingId: number, templateId: number) {
  await requireEditable(db, mailingId);
  const t = await getTemplate(db, templateId);
  await db
    .updateTable("mailings")
    .set({
      content_format: t.contentFormat,
      content: t.content,
      text_content: t.textContent,
      template_origin: `template:${t.id}`,
      updated_at: isoNow(),
      ...(t.subject ? { subject: t.subject } : {}),
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
  if (file.data.length === 0) throw invalid([{ field: "body", message: "the file is empty" }]);
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
