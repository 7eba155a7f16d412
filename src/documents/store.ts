// A document mailing's files and template: the generated document's state, the uploaded Word template, one
// recipient's letter as a preview, and "edit again" after a document was generated.
import { createReadStream } from "node:fs";
import { mkdtemp, readFile, rm, stat } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Writable } from "node:stream";
import type { Db } from "../db/connect.ts";
import { loadRecipientValues } from "../mailings/merge-values.ts";
import { addressedToCompany } from "../mailings/postal-address.ts";
import { customFieldKeys, requireEditable } from "../mailings/store.ts";
import { transition } from "../mailings/transition.ts";
import { readLetterhead } from "../settings/letterhead.ts";
import { AppError, notFound, validationFailed } from "../shared/errors.ts";
import { composeLetter, letterContext, prepareDocument } from "./compose.ts";
import { inspectTemplate, mergeTemplate } from "./docx-template.ts";
import { documentSetup, documentsDir } from "./generate.ts";
import { createLetterWriter, type LetterWarning } from "./letter-pdf.ts";
import { convertToPdf, findLibreOffice } from "./libreoffice.ts";

export const DOCX_TYPE = "application/vnd.openxmlformats-officedocument.wordprocessingml.document";

export type DocumentState = {
  status: "generating" | "ready" | "failed";
  format: "pdf" | "docx" | null;
  letters: number;
  lettersDone: number;
  pages: number | null;
  bytes: number | null;
  note: string | null;
  error: string | null;
  warnings: Array<{ deliveryId: number; warnings: LetterWarning[] }>;
  createdAt: string;
  finishedAt: string | null;
};

async function requireDocumentMailing(db: Db, mailingId: number) {
  const m = await db
    .selectFrom("mailings")
    .select(["id", "type", "status"])
    .where("id", "=", mailingId)
    .executeTakeFirst();
  if (!m) throw notFound("mailing", mailingId);
  if (m.type !== "document")
    throw validationFailed(`mailing ${mailingId} is not a document mailing`, [
      { field: "type", message: "only document mailings have a document", kind: "wrong-mailing-type" },
    ]);
  return m;
}

/** The mailing's newest document (the one being generated, else the last ready one), or null before the first. */
export async function documentState(db: Db, mailingId: number): Promise<DocumentState | null> {
  await requireDocumentMailing(db, mailingId);
  const row = await db
    .selectFrom("document_files")
    .selectAll()
    .where("mailing_id", "=", mailingId)
    .orderBy("id", "desc")
    .executeTakeFirst();
  if (!row) return null;
  return {
    status: row.error && row.status === "generating" ? "failed" : row.status,
    format: row.format,
    letters: row.letters,
    lettersDone: row.letters_done,
    pages: row.pages,
    bytes: row.bytes === null ? null : Number(row.bytes),
    note: row.note,
    error: row.error,
    warnings: row.warnings ? JSON.parse(row.warnings) : [],
    createdAt: row.created_at,
    finishedAt: row.finished_at,
  };
}

/** The newest ready file, to stream: never a file still being written. */
export async function readyDocument(
  db: Db,
  dataDir: string,
  mailingId: number,
): Promise<{ path: string; format: "pdf" | "docx"; bytes: number; fileName: string }> {
  const m = await requireDocumentMailing(db, mailingId);
  const row = await db
    .selectFrom("document_files")
    .select(["file_name", "format"])
    .where("mailing_id", "=", mailingId)
    .where("status", "=", "ready")
    .orderBy("id", "desc")
    .executeTakeFirst();
  if (!row?.file_name || !row.format) throw notFound("generated document of mailing", m.id);
  const path = join(documentsDir(dataDir), row.file_name);
  const size = await stat(path).catch(() => null);
  if (!size)
    throw new AppError(
      "NOT_FOUND",
      `the document of mailing ${m.id} was generated on another machine or removed`,
      {
        file: row.file_name,
      },
    );
  return { path, format: row.format, bytes: size.size, fileName: `mailing-${m.id}.${row.format}` };
}

export const openDocument = (path: string) => createReadStream(path);

/** Stores an uploaded Word template after reading it through (a bad file is refused whole, nothing stored). */
export async function uploadTemplate(
  db: Db,
  mailingId: number,
  fileName: string,
  data: Buffer,
): Promise<{ variables: string[]; unknownVariables: string[] }> {
  await requireDocumentMailing(db, mailingId);
  await requireEditable(db, mailingId);
  const found = await inspectTemplate(data, { customFieldKeys: await customFieldKeys(db) });
  await db
    .updateTable("mailings")
    .set({
      doc_template: data,
      doc_template_name: fileName,
      doc_template_unknown: JSON.stringify(found.unknownVariables),
      doc_source: "word",
      updated_at: new Date().toISOString(),
    })
    .where("id", "=", mailingId)
    .execute();
  return found;
}

export async function templateFile(db: Db, mailingId: number): Promise<{ name: string; data: Buffer }> {
  await requireDocumentMailing(db, mailingId);
  const row = await db
    .selectFrom("mailings")
    .select(["doc_template", "doc_template_name"])
    .where("id", "=", mailingId)
    .executeTakeFirstOrThrow();
  if (!row.doc_template) throw notFound("Word template of mailing", mailingId);
  return { name: row.doc_template_name ?? "template.docx", data: Buffer.from(row.doc_template) };
}

/** Back to draft after a document was generated (or the mailing cancelled); the last document stays downloadable. */
export async function editAgain(db: Db, mailingId: number): Promise<void> {
  const m = await requireDocumentMailing(db, mailingId);
  await db.transaction().execute(async (trx) => {
    const moved = await transition(trx, mailingId, "editAgain");
    if (moved.length === 0)
      throw new AppError(
        "MAILING_WRONG_STATUS",
        `mailing ${mailingId} is ${m.status}; only a generated (finished), paused or cancelled document can be edited again`,
        { status: m.status },
      );
    // The letters of the last run are what its file holds; the next Send plans them afresh. A run a failure stopped
    // is dropped with them (the last ready document stays).
    await trx.deleteFrom("deliveries").where("mailing_id", "=", mailingId).execute();
    await trx
      .deleteFrom("document_files")
      .where("mailing_id", "=", mailingId)
      .where("status", "<>", "ready")
      .execute();
  });
}

/** One recipient's letter, as the document would hold it: a PDF, or a DOCX when LibreOffice is missing. */
export async function previewLetter(
  db: Db,
  mailingId: number,
  recipientId: number,
  out: Writable,
): Promise<{ format: "pdf" | "docx" }> {
  await requireDocumentMailing(db, mailingId);
  const r = await db
    .selectFrom("mailing_recipients")
    .select(["id", "postal_address", "postal_key"])
    .where("mailing_id", "=", mailingId)
    .where("id", "=", recipientId)
    .executeTakeFirst();
  if (!r) throw notFound("recipient", recipientId);
  if (!r.postal_address)
    throw validationFailed("this recipient has no postal address, so gets no letter", [
      { field: "recipientId", message: "no postal address", kind: "no-postal-address" },
    ]);
  const doc = await documentSetup(db, mailingId);
  const prepared = prepareDocument(doc.setup);
  const values = await loadRecipientValues(db, [{ recipientId }]);
  const recipient = {
    addressLines: r.postal_address.split("\n"),
    toCompany: addressedToCompany(r.postal_key ?? ""),
    values: values.get(recipientId)!,
  };
  if (doc.source === "word") {
    if (!doc.template) throw notFound("Word template of mailing", mailingId);
    const dir = await mkdtemp(join(tmpdir(), "utsend-preview-"));
    try {
      const docx = join(dir, "letter.docx");
      await mergeTemplate(doc.template, [letterContext(prepared, recipient, new Date())], docx);
      const soffice = await findLibreOffice();
      const file = soffice ? await convertToPdf(docx, { outDir: dir, timeoutMs: 60_000 }) : docx;
      out.end(await readFile(file));
      return { format: soffice ? "pdf" : "docx" };
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  }
  const composed = composeLetter(prepared, recipient, new Date());
  if (composed.problems.length > 0)
    throw validationFailed(
      composed.problems.join("; "),
      composed.problems.map((message) => ({ field: "content", message, kind: "letter-image" })),
    );
  const letterhead = await readLetterhead(db);
  const writer = createLetterWriter(out, {
    letterhead: { ...letterhead, logo: letterhead.logo?.data ?? null },
    oddPages: false,
    language: "nb",
  });
  await writer.addLetter(composed.letter);
  await writer.finish();
  return { format: "pdf" };
}
