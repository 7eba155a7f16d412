// Generating a document mailing (SPEC §13): one background job per mailing, leased like a delivery, that writes every
// letter into one file in DATA_DIR/documents and then, in one transaction, marks the letters *generated*, the file
// ready and the mailing finished. A crash leaves the lease to run out and the next worker starts the file again from
// the first letter; a file is offered for download only once its row says ready, after it was synced and renamed.
import { createWriteStream } from "node:fs";
import { mkdir, open, readdir, rename, rm, stat } from "node:fs/promises";
import { join } from "node:path";
import { sql } from "kysely";
import type { Db } from "../db/connect.ts";
import { loadRecipientValues } from "../mailings/merge-values.ts";
import { addressedToCompany } from "../mailings/postal-address.ts";
import { transition } from "../mailings/transition.ts";
import { readLetterhead } from "../settings/letterhead.ts";
import { isoNow } from "../shared/clock.ts";
import { AppError, validationFailed } from "../shared/errors.ts";
import { composeLetter, type DocumentSetup, letterContext, prepareDocument } from "./compose.ts";
import { createLetterWriter, type LetterWarning } from "./letter-pdf.ts";

const PAGE = 500;

export type GeneratorDeps = {
  db: Db;
  dataDir: string;
  owner: string;
  leaseMs: number;
  log?: (line: string) => void;
};

export const documentsDir = (dataDir: string) => join(dataDir, "documents");

type Taken = { id: number; mailing_id: number; runs: number };

/** Takes the lease on one document waiting to be generated, if any; two workers never hold the same one. */
async function takeGeneration(deps: GeneratorDeps): Promise<Taken | null> {
  const now = isoNow();
  const until = new Date(Date.now() + deps.leaseMs).toISOString();
  const free = sql`(lease_owner is null or lease_expires_at < ${now})`;
  const result =
    await sql<Taken>`update document_files set lease_owner = ${deps.owner}, lease_expires_at = ${until},
      runs = runs + 1, error = null
    where id = (select f.id from document_files f join mailings m on m.id = f.mailing_id
                where f.status = 'generating' and m.status = 'sending'
                  and (f.lease_owner is null or f.lease_expires_at < ${now})
                order by f.id limit 1)
      and status = 'generating' and ${free}
    returning id, mailing_id, runs`.execute(deps.db);
  return result.rows[0] ?? null;
}

/** Extends the lease and records progress; false when the lease was lost or the mailing was paused or cancelled. */
async function stillOurs(
  deps: GeneratorDeps,
  fileId: number,
  mailingId: number,
  done: number,
): Promise<boolean> {
  const result = await deps.db
    .updateTable("document_files")
    .set({ lease_expires_at: new Date(Date.now() + deps.leaseMs).toISOString(), letters_done: done })
    .where("id", "=", fileId)
    .where("lease_owner", "=", deps.owner)
    .where("status", "=", "generating")
    .where((eb) =>
      eb.exists(
        eb.selectFrom("mailings").select("id").where("id", "=", mailingId).where("status", "=", "sending"),
      ),
    )
    .executeTakeFirst();
  return Number(result.numUpdatedRows) === 1;
}

/**
 * How long LibreOffice may take for a merged Word document: 7.4 s for 500 letters and 188 s for 10,000 were measured
 * here, so 40 ms a letter, and never under two minutes (its start-up alone can take seconds on a busy machine).
 */
export const conversionTimeoutMs = (letters: number) => Math.max(120_000, letters * 40);

export async function documentSetup(db: Db, mailingId: number) {
  const m = await db
    .selectFrom("mailings")
    .leftJoin("users", "users.id", "mailings.created_by")
    .leftJoin("projects", "projects.id", "mailings.project_id")
    .select([
      "mailings.id",
      "mailings.name",
      "mailings.doc_heading",
      "mailings.doc_attention_mode",
      "mailings.doc_attention_text",
      "mailings.doc_our_ref",
      "mailings.doc_source",
      "mailings.doc_order",
      "mailings.doc_odd_pages",
      "mailings.doc_template",
      "mailings.content",
      "users.name as sender_name",
      "users.email as sender_email",
      "projects.name as project_name",
      "projects.description as project_description",
    ])
    .where("mailings.id", "=", mailingId)
    .executeTakeFirstOrThrow();
  const setup: DocumentSetup = {
    mailingId,
    name: m.name,
    heading: m.doc_heading,
    attentionMode: m.doc_attention_mode ?? "name-else-text",
    attentionText: m.doc_attention_text,
    ourRef: m.doc_our_ref,
    body: m.doc_source === "word" ? null : m.content,
    sender: m.sender_name ? { name: m.sender_name, email: m.sender_email } : null,
    project: m.project_name ? { name: m.project_name, description: m.project_description } : null,
  };
  return {
    setup,
    source: m.doc_source ?? "composed",
    order: m.doc_order ?? "list",
    oddPages: m.doc_odd_pages === 1,
    template: m.doc_template ? Buffer.from(m.doc_template) : null,
  };
}

type LetterRow = {
  id: number;
  recipient_id: number;
  address: string;
  address_key: string;
  position: number;
  sort_postcode: string;
};

/** The mailing's letters in print order (by list position, or by postcode first), a page at a time. */
async function* lettersInOrder(
  db: Db,
  mailingId: number,
  order: "list" | "postcode",
): AsyncGenerator<LetterRow[]> {
  let after: LetterRow | null = null;
  for (;;) {
    const keyset: ReturnType<typeof sql> = after
      ? order === "postcode"
        ? sql`and (coalesce(r.postcode, ''), r.position, d.id) > (${after.sort_postcode}, ${after.position}, ${after.id})`
        : sql`and (r.position, d.id) > (${after.position}, ${after.id})`
      : sql``;
    const rows: LetterRow[] = (
      await sql<LetterRow>`select d.id, d.recipient_id, d.address, d.address_key, r.position,
          coalesce(r.postcode, '') as sort_postcode
        from deliveries d join mailing_recipients r on r.id = d.recipient_id
        where d.mailing_id = ${mailingId} and d.channel = 'document' and d.status = 'pending' ${keyset}
        order by ${order === "postcode" ? sql`coalesce(r.postcode, ''), ` : sql``}r.position, d.id
        limit ${PAGE}`.execute(db)
    ).rows.map((r) => ({ ...r, position: Number(r.position) }));
    if (rows.length === 0) return;
    yield rows;
    after = rows.at(-1)!;
  }
}

/** Writes each letter's page range onto its delivery, a page of letters per statement. */
async function recordPages(
  db: Db,
  pages: Array<{ id: number; first: number; count: number }>,
): Promise<void> {
  if (pages.length === 0) return;
  const values = pages.map((p) => sql`(${String(p.id)}, ${String(p.first)}, ${String(p.count)})`);
  await sql`update deliveries set first_page = cast(v.column2 as integer), page_count = cast(v.column3 as integer)
    from (values ${sql.join(values)}) as v where deliveries.id = cast(v.column1 as integer)`.execute(db);
}

class LostLease extends Error {}

/** Generates one waiting document, if there is one; returns whether it took one. */
export async function generateNextDocument(deps: GeneratorDeps): Promise<boolean> {
  const taken = await takeGeneration(deps);
  if (!taken) return false;
  const { db } = deps;
  const dir = documentsDir(deps.dataDir);
  await mkdir(dir, { recursive: true });
  // A run that stopped half-way left its part file (or a renamed file it never recorded): start clean.
  for (const name of await readdir(dir))
    if (name.startsWith(`document-${taken.id}.`) || name.startsWith(`document-${taken.id}-`))
      await rm(join(dir, name), { force: true });
  const part = join(dir, `document-${taken.id}-run${taken.runs}.part`);
  try {
    const result = await writeDocument(deps, taken, part);
    const finalName = `document-${taken.id}.${result.format}`;
    // The bytes are on disk before the row says ready: a crash after this leaves a file nobody is offered.
    const handle = await open(result.path, "r+");
    await handle.sync();
    await handle.close();
    await rename(result.path, join(dir, finalName));
    const bytes = (await stat(join(dir, finalName))).size;
    const now = isoNow();
    const replaced = await db.transaction().execute(async (trx) => {
      const ready = await trx
        .updateTable("document_files")
        .set({
          status: "ready",
          format: result.format,
          file_name: finalName,
          pages: result.pages,
          bytes,
          note: result.note,
          warnings: result.warnings.length ? JSON.stringify(result.warnings) : null,
          letters_done: result.letters,
          letters: result.letters,
          lease_owner: null,
          lease_expires_at: null,
          finished_at: now,
        })
        .where("id", "=", taken.id)
        .where("lease_owner", "=", deps.owner)
        .where("status", "=", "generating")
        .executeTakeFirst();
      if (Number(ready.numUpdatedRows) !== 1) throw new LostLease();
      await trx
        .updateTable("deliveries")
        .set({ status: "generated", sent_at: now, updated_at: now })
        .where("mailing_id", "=", taken.mailing_id)
        .where("channel", "=", "document")
        .where("status", "=", "pending")
        .execute();
      await transition(trx, taken.mailing_id, "finish", { now, also: { finished_at: now } });
      // Only the newest document is kept.
      return trx
        .deleteFrom("document_files")
        .where("mailing_id", "=", taken.mailing_id)
        .where("id", "<>", taken.id)
        .returning("file_name")
        .execute();
    });
    for (const old of replaced) if (old.file_name) await rm(join(dir, old.file_name), { force: true });
    deps.log?.(`mailing ${taken.mailing_id}: document generated, ${result.letters} letters, ${bytes} bytes`);
  } catch (error) {
    await rm(part, { force: true });
    await rm(`${part}.docx`, { force: true });
    if (error instanceof LostLease) {
      // Paused or cancelled: give the lease back at once, so resuming starts again without waiting for it to run out.
      await db
        .updateTable("document_files")
        .set({ lease_owner: null, lease_expires_at: null })
        .where("id", "=", taken.id)
        .where("lease_owner", "=", deps.owner)
        .execute();
      deps.log?.(`mailing ${taken.mailing_id}: generation stopped (paused, cancelled or taken over)`);
      return true;
    }
    // The mailing waits, paused, with the reason on its document; resuming it generates again. Unless another worker
    // took the lease over meanwhile (a page that outlasted the lease): its run cleared our part file, which is likely
    // what failed here, and it goes on; pausing the mailing under it would leave a ready document on a paused mailing.
    const message = (error as Error).message;
    const failed = await db
      .updateTable("document_files")
      .set({ error: message, lease_owner: null, lease_expires_at: null })
      .where("id", "=", taken.id)
      .where("lease_owner", "=", deps.owner)
      .where("status", "=", "generating")
      .executeTakeFirst();
    if (Number(failed.numUpdatedRows) !== 1) {
      deps.log?.(
        `mailing ${taken.mailing_id}: generation stopped, taken over by another worker (${message})`,
      );
      return true;
    }
    await transition(db, taken.mailing_id, "pause");
    deps.log?.(`mailing ${taken.mailing_id}: document generation failed: ${message}`);
  }
  return true;
}

type Written = {
  path: string;
  format: "pdf" | "docx";
  letters: number;
  pages: number | null;
  note: string | null;
  warnings: Array<{ deliveryId: number; warnings: LetterWarning[] }>;
};

async function writeDocument(deps: GeneratorDeps, taken: Taken, part: string): Promise<Written> {
  const { db } = deps;
  const doc = await documentSetup(db, taken.mailing_id);
  const prepared = prepareDocument(doc.setup);
  const now = new Date();
  const recipientsOf = async (rows: LetterRow[]) => {
    const values = await loadRecipientValues(
      db,
      rows.map((r) => ({ recipientId: r.recipient_id })),
    );
    return rows.map((r) => ({
      row: r,
      recipient: {
        addressLines: r.address.split("\n"),
        toCompany: addressedToCompany(r.address_key),
        values: values.get(r.recipient_id)!,
      },
    }));
  };
  let letters = 0;

  if (doc.source === "word") {
    if (!doc.template) throw new AppError("MAILING_NOT_READY", "the mailing has no Word template", {});
    // The Word path (docxtemplater, PizZip, LibreOffice, the PDF page finder) loads only for a Word job: the
    // generator's thread otherwise holds only what composed letters need (docs/documents.md, Speed and memory).
    const [{ mergeTemplate }, { convertToPdf, findLibreOffice }, { letterPages }] = await Promise.all([
      import("./docx-template.ts"),
      import("./libreoffice.ts"),
      import("./pdf-pages.ts"),
    ]);
    const docxPath = `${part}.docx`;
    const ids: number[] = [];
    async function* contexts() {
      for await (const rows of lettersInOrder(db, taken.mailing_id, doc.order)) {
        if (!(await stillOurs(deps, taken.id, taken.mailing_id, letters))) throw new LostLease();
        for (const { row, recipient } of await recipientsOf(rows)) {
          letters++;
          ids.push(row.id);
          yield letterContext(prepared, recipient, now);
        }
      }
    }
    const soffice = await findLibreOffice();
    // A DOCX result carries the odd-page section breaks for Word to print; LibreOffice gets plain page breaks and a
    // mark at each letter, and the blank pages go into its PDF (its odd-page sections move the address window).
    await mergeTemplate(
      doc.template,
      contexts(),
      docxPath,
      soffice ? { markLetters: true } : { oddPages: doc.oddPages, sections: true },
    );
    if (!soffice) {
      await rename(docxPath, part);
      return {
        path: part,
        format: "docx",
        letters,
        pages: null,
        note: "LibreOffice is not installed on the server that generated the document, so the result is a Word file (DOCX) instead of a PDF. Install LibreOffice (Debian: libreoffice-writer-nogui) and generate again for a PDF.",
        warnings: [],
      };
    }
    // LibreOffice took 7.4 s for 500 letters and 188 s for 10,000 here: the time it may take grows with the letters,
    // and the lease is renewed meanwhile so that no other worker starts the document again.
    const renew = setInterval(
      () => void stillOurs(deps, taken.id, taken.mailing_id, letters),
      deps.leaseMs / 3,
    );
    let pdf: string;
    try {
      pdf = await convertToPdf(docxPath, {
        outDir: documentsDir(deps.dataDir),
        timeoutMs: conversionTimeoutMs(letters),
        namedDestinations: true,
      });
    } finally {
      clearInterval(renew);
    }
    if (!(await stillOurs(deps, taken.id, taken.mailing_id, letters))) throw new LostLease();
    await rm(docxPath, { force: true });
    await rename(pdf, part);
    const placed = await letterPages(part, letters, { oddPages: doc.oddPages });
    for (let i = 0; i < ids.length; i += PAGE)
      await recordPages(
        db,
        ids.slice(i, i + PAGE).map((id, k) => ({ id, ...placed.letters[i + k]! })),
      );
    return { path: part, format: "pdf", letters, pages: placed.pages, note: null, warnings: [] };
  }

  const letterhead = await readLetterhead(db);
  const out = createWriteStream(part);
  const writer = createLetterWriter(out, {
    letterhead: {
      companyName: letterhead.companyName,
      addressLines: letterhead.addressLines,
      orgNumber: letterhead.orgNumber,
      phone: letterhead.phone,
      web: letterhead.web,
      logo: letterhead.logo?.data ?? null,
    },
    oddPages: doc.oddPages,
    language: "nb",
  });
  const warnings: Written["warnings"] = [];
  try {
    for await (const rows of lettersInOrder(db, taken.mailing_id, doc.order)) {
      if (!(await stillOurs(deps, taken.id, taken.mailing_id, letters))) throw new LostLease();
      const pages: Array<{ id: number; first: number; count: number }> = [];
      for (const { row, recipient } of await recipientsOf(rows)) {
        const composed = composeLetter(prepared, recipient, now);
        if (composed.problems.length > 0)
          throw validationFailed(
            `letter for ${recipient.addressLines[0]}: ${composed.problems.join("; ")}`,
            composed.problems.map((message) => ({ field: "content", message, kind: "letter-image" })),
            { deliveryId: row.id },
          );
        const placed = await writer.addLetter(composed.letter);
        if (placed.warnings.length > 0) warnings.push({ deliveryId: row.id, warnings: placed.warnings });
        pages.push({ id: row.id, first: placed.firstPage, count: placed.pageCount });
        letters++;
      }
      await recordPages(db, pages);
    }
    const { pages } = await writer.finish();
    return { path: part, format: "pdf", letters, pages, note: null, warnings };
  } catch (error) {
    out.destroy();
    throw error;
  }
}

/** Generates waiting documents until the signal aborts, resting when there are none. */
export async function runDocumentGenerator(
  deps: GeneratorDeps,
  signal: AbortSignal,
  idleMs = 500,
): Promise<void> {
  while (!signal.aborted) {
    const did = await generateNextDocument(deps);
    if (!did) await new Promise((resolve) => setTimeout(resolve, idleMs));
  }
}
