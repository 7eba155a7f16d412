// The store of a mailing's imported recipients: the import, its rows in batches, and the step that makes it a
// source of the mailing. Rows of an import that never completed belong to no source and are never sent to.

import { chunked, type Executor, insertRows } from "../db/bulk-sql.ts";
import type { Db, Dialect } from "../db/connect.ts";
import type { Database } from "../db/schema.ts";
import { blockedAmong } from "../deliveries/blocks.ts";
import { isoNow } from "../shared/clock.ts";

export type StoredRecipientRow = {
  row: number;
  email: string;
  emailLower: string;
  name: string | null;
  mobile: string | null;
  /** Other mapped values by merge-field name (firstname, lastname, title … and custom field keys). */
  fields: Record<string, string> | null;
};

/** Imports older than this that never completed were cut short (a crash); their rows are removed. */
const ABANDONED_AFTER_MS = 24 * 60 * 60 * 1000;

export async function beginImport(
  db: Db,
  input: {
    mailingId: number;
    fileName: string | null;
    format: Database["recipient_imports"]["format"];
    consentSource: string | null;
    userId: number | null;
  },
): Promise<number> {
  const now = isoNow();
  await db
    .deleteFrom("recipient_imports")
    .where("mailing_id", "=", input.mailingId)
    .where("completed_at", "is", null)
    .where("created_at", "<", new Date(Date.now() - ABANDONED_AFTER_MS).toISOString())
    .execute();
  const row = await db
    .insertInto("recipient_imports")
    .values({
      mailing_id: input.mailingId,
      file_name: input.fileName,
      format: input.format,
      rows: 0,
      consent_source: input.consentSource,
      user_id: input.userId,
      created_at: now,
      completed_at: null,
    })
    .returning("id")
    .executeTakeFirstOrThrow();
  return row.id;
}

const ROW_COLUMNS = ["import_id", "sheet_row", "email", "email_lower", "name", "mobile", "fields"];

/** Writes one batch of rows in one transaction. */
export async function storeRows(
  handle: { db: Db; dialect: Dialect },
  importId: number,
  rows: StoredRecipientRow[],
): Promise<void> {
  if (rows.length === 0) return;
  await handle.db.transaction().execute(async (trx) => {
    for (const chunk of chunked(rows, ROW_COLUMNS.length))
      await insertRows(
        trx,
        handle.dialect,
        "recipient_import_rows",
        ROW_COLUMNS,
        chunk.map((r) => [
          importId,
          r.row,
          r.email,
          r.emailLower,
          r.name,
          r.mobile,
          r.fields ? JSON.stringify(r.fields) : null,
        ]),
      );
  });
}

/** Completes the import and adds it as the mailing's latest source, in one transaction; returns the source id. */
export async function completeImport(db: Db, mailingId: number, importId: number, rows: number) {
  // Loaded when an import completes: the merge values (importedFields, below) are read by the document generator's
  // thread, which need not load the recipient lists and, through them, the person rules' validators.
  const { addSource } = await import("./recipients.ts");
  return db.transaction().execute(async (trx) => {
    await trx
      .updateTable("recipient_imports")
      .set({ rows, completed_at: isoNow() })
      .where("id", "=", importId)
      .execute();
    return addSource(trx as unknown as Db, mailingId, { kind: "import", refId: importId });
  });
}

export async function discardImport(db: Db, importId: number): Promise<void> {
  await db.deleteFrom("recipient_imports").where("id", "=", importId).execute();
}

/** For a batch's addresses: the CRM person each belongs to (lowest id), and which are blocked for marketing. */
export async function lookUpAddresses(
  db: Executor,
  emailsLower: string[],
): Promise<{ personOf: Map<string, number>; blocked: Set<string> }> {
  const personOf = new Map<string, number>();
  const blocked = new Set<string>();
  for (const chunk of chunked(emailsLower, 1)) {
    const persons = await db
      .selectFrom("person_emails")
      .select(["address_lower", "person_id"])
      .where("address_lower", "in", chunk)
      .execute();
    for (const p of persons) {
      const known = personOf.get(p.address_lower);
      if (known === undefined || p.person_id < known) personOf.set(p.address_lower, p.person_id);
    }
    for (const address of await blockedAmong(db, chunk)) blocked.add(address);
  }
  return { personOf, blocked };
}

/** For a batch's mobile numbers (E.164): the CRM person with that mobile (lowest id), and which numbers are blocked. */
export async function lookUpMobiles(
  db: Executor,
  mobiles: string[],
): Promise<{ personOf: Map<string, number>; blocked: Set<string> }> {
  const personOf = new Map<string, number>();
  const blocked = new Set<string>();
  for (const chunk of chunked(mobiles, 1)) {
    const persons = await db
      .selectFrom("persons")
      .select(["mobile", "id"])
      .where("mobile", "in", chunk)
      .execute();
    for (const p of persons) {
      const known = personOf.get(p.mobile!);
      if (known === undefined || p.id < known) personOf.set(p.mobile!, p.id);
    }
    for (const number of await blockedAmong(db, chunk)) blocked.add(number);
  }
  return { personOf, blocked };
}

/** A copy of a mailing's import for another mailing (copying a mailing copies its sources); returns its id. */
export async function copyImport(db: Db, importId: number, toMailingId: number): Promise<number | null> {
  const original = await db
    .selectFrom("recipient_imports")
    .selectAll()
    .where("id", "=", importId)
    .executeTakeFirst();
  if (!original) return null;
  const { id: _id, ...rest } = original;
  const copy = await db
    .insertInto("recipient_imports")
    .values({ ...rest, mailing_id: toMailingId, created_at: isoNow() })
    .returning("id")
    .executeTakeFirstOrThrow();
  await db
    .insertInto("recipient_import_rows")
    .columns(["import_id", "sheet_row", "email", "email_lower", "name", "mobile", "fields"])
    .expression((eb) =>
      eb
        .selectFrom("recipient_import_rows")
        .select([
          eb.val(copy.id).as("import_id"),
          "sheet_row",
          "email",
          "email_lower",
          "name",
          "mobile",
          "fields",
        ])
        .where("import_id", "=", importId),
    )
    .execute();
  return copy.id;
}

/**
 * The stored merge values of import-only recipients, by recipient id. Their rows are found by source and address,
 * or by mobile number for a row without an address (an SMS mailing's).
 */
export async function importedFields(
  db: Db,
  recipients: Array<{
    id: number;
    source_id: number | null;
    email_lower: string | null;
    mobile?: string | null;
  }>,
): Promise<Map<number, { mobile: string | null; fields: Record<string, string> }>> {
  const out = new Map<number, { mobile: string | null; fields: Record<string, string> }>();
  const sourceIds = [...new Set(recipients.flatMap((r) => (r.source_id ? [r.source_id] : [])))];
  const addresses = [...new Set(recipients.flatMap((r) => (r.email_lower ? [r.email_lower] : [])))];
  const mobiles = [...new Set(recipients.flatMap((r) => (!r.email_lower && r.mobile ? [r.mobile] : [])))];
  if (sourceIds.length === 0 || addresses.length + mobiles.length === 0) return out;
  const rows = await db
    .selectFrom("mailing_sources as s")
    .innerJoin("recipient_import_rows as r", "r.import_id", "s.ref_id")
    .select(["s.id as source_id", "r.email_lower", "r.mobile", "r.fields"])
    .where("s.kind", "=", "import")
    .where("s.id", "in", sourceIds)
    .where((eb) =>
      eb.or([
        ...(addresses.length ? [eb("r.email_lower", "in", addresses)] : []),
        ...(mobiles.length ? [eb.and([eb("r.email_lower", "=", ""), eb("r.mobile", "in", mobiles)])] : []),
      ]),
    )
    .execute();
  const keyOf = (r: { email_lower: string | null; mobile?: string | null }) =>
    r.email_lower ? `@${r.email_lower}` : `#${r.mobile}`;
  const byKey = new Map(rows.map((r) => [`${r.source_id}:${keyOf(r)}`, r]));
  for (const recipient of recipients) {
    const row = byKey.get(`${recipient.source_id}:${keyOf(recipient)}`);
    if (row)
      out.set(recipient.id, {
        mobile: row.mobile,
        fields: row.fields ? (JSON.parse(row.fields) as Record<string, string>) : {},
      });
  }
  return out;
}
