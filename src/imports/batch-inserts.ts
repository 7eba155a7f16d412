// The writes one batch makes: person updates, persons and their addresses, the consent attestation, interests,
// custom values and selection members. Each runs inside the batch's transaction. SQLite gets multi-row inserts;
// PostgreSQL gets COPY for plain inserts and one set-based statement over array parameters (unnest) for each upsert.

import { sql } from "kysely";
import { chunked, type Executor, insertRows } from "../db/bulk-sql.ts";
import type { Dialect } from "../db/connect.ts";
import type { PgSession } from "../db/pg-copy.ts";
import { type LegalBasis, searchName } from "../persons/person-rules.ts";
import type { BatchContext, BatchRecord } from "./store.ts";

/** Where a batch writes: the transaction, its dialect, and on PostgreSQL the session's COPY (null on SQLite). */
export type BatchWriter = {
  trx: Executor;
  dialect: Dialect;
  copy: PgSession["copy"] | null;
};

/** What one existing person gets from the batch: the changed columns and the search name of the result. */
export type PersonUpdate = { id: number; changes: PersonChanges; searchName: string };

/** The columns a row changes on an existing person. */
export type PersonChanges = {
  first_name?: string;
  middle_name?: string;
  last_name?: string;
  title?: string;
  mrmrs?: string;
  mobile?: string;
  phone?: string;
  language?: string;
  company_id?: number;
};

const UPDATE_COLUMNS = [
  "first_name",
  "middle_name",
  "last_name",
  "title",
  "mrmrs",
  "mobile",
  "phone",
  "language",
  "company_id",
] as const;

/** Updates existing persons: only the columns a row changes (a blank cell changes nothing), one update per person. */
export async function updatePersons(
  writer: BatchWriter,
  updates: PersonUpdate[],
  now: string,
): Promise<void> {
  const { trx } = writer;
  if (updates.length === 0) return;
  if (writer.dialect !== "postgres") {
    for (const { id, changes, searchName } of updates)
      await trx
        .updateTable("persons")
        .set({ ...changes, search_name: searchName, updated_at: now })
        .where("id", "=", id)
        .execute();
    return;
  }
  // A null in a column's array leaves that column as it is.
  const column = (name: (typeof UPDATE_COLUMNS)[number]) => updates.map((u) => u.changes[name] ?? null);
  await sql`update persons p set
      first_name = coalesce(u.first_name, p.first_name), middle_name = coalesce(u.middle_name, p.middle_name),
      last_name = coalesce(u.last_name, p.last_name), title = coalesce(u.title, p.title),
      mrmrs = coalesce(u.mrmrs, p.mrmrs), mobile = coalesce(u.mobile, p.mobile), phone = coalesce(u.phone, p.phone),
      language = coalesce(u.language, p.language), company_id = coalesce(u.company_id, p.company_id),
      search_name = u.search_name, updated_at = ${now}
    from unnest(${updates.map((u) => u.id)}::int[], ${column("first_name")}::text[], ${column("middle_name")}::text[],
      ${column("last_name")}::text[], ${column("title")}::text[], ${column("mrmrs")}::text[],
      ${column("mobile")}::text[], ${column("phone")}::text[], ${column("language")}::text[],
      ${column("company_id")}::int[], ${updates.map((u) => u.searchName)}::text[])
      as u(id, first_name, middle_name, last_name, title, mrmrs, mobile, phone, language, company_id, search_name)
    where p.id = u.id`.execute(trx);
}

const PERSON_INSERT = [
  "first_name",
  "middle_name",
  "last_name",
  "search_name",
  "title",
  "mrmrs",
  "mobile",
  "phone",
  "language",
  "company_id",
  "former_employee",
  "created_at",
  "updated_at",
] as const;

function personRow(record: BatchRecord, companyId: number | null, now: string): unknown[] {
  const p = record.person;
  const names = {
    first_name: p.firstName ?? null,
    middle_name: p.middleName ?? null,
    last_name: p.lastName ?? null,
  };
  return [
    names.first_name,
    names.middle_name,
    names.last_name,
    searchName(names),
    p.title ?? null,
    p.mrmrs ?? null,
    p.mobile ?? null,
    p.phone ?? null,
    p.language ?? null,
    companyId,
    0,
    now,
    now,
  ];
}

const EMAIL_INSERT = ["person_id", "address", "address_lower", "is_primary", "created_at"] as const;

export async function createPersons(
  writer: BatchWriter,
  fresh: BatchRecord[],
  companyIdOf: (record: BatchRecord) => number | null,
  personIdOf: Map<BatchRecord, number>,
  now: string,
): Promise<void> {
  const { trx, dialect, copy } = writer;
  if (fresh.length === 0) return;
  if (copy) {
    // The ids come from the persons' own sequence first, so rows and ids pair up without RETURNING; then COPY.
    const { rows } = await sql<{ id: number }>`select nextval(pg_get_serial_sequence('persons', 'id')) as id
      from generate_series(1, ${fresh.length})`.execute(trx);
    const ids = rows.map((r) => Number(r.id)).sort((a, b) => a - b);
    fresh.forEach((record, i) => {
      personIdOf.set(record, ids[i]!);
    });
    await copy(
      "persons",
      ["id", ...PERSON_INSERT],
      fresh.map((record) => [personIdOf.get(record)!, ...personRow(record, companyIdOf(record), now)]),
    );
    await copy(
      "person_emails",
      EMAIL_INSERT,
      fresh.map((record) => [personIdOf.get(record)!, record.email, record.emailLower, 1, now]),
    );
    return;
  }
  for (const chunk of chunked(fresh, PERSON_INSERT.length)) {
    const values = chunk.map((record) => personRow(record, companyIdOf(record), now));
    const { rows } = await insertRows<{ id: number }>(
      trx,
      dialect,
      "persons",
      PERSON_INSERT,
      values,
      "returning id",
    );
    // Ids are handed out in VALUES order; RETURNING's order is not promised, so sort before pairing them up.
    const ids = rows.map((r) => r.id).sort((a, b) => a - b);
    chunk.forEach((record, i) => {
      personIdOf.set(record, ids[i]!);
    });
  }
  for (const chunk of chunked(fresh, EMAIL_INSERT.length))
    await insertRows(
      trx,
      dialect,
      "person_emails",
      EMAIL_INSERT,
      chunk.map((record) => [personIdOf.get(record)!, record.email, record.emailLower, 1, now]),
    );
}

/**
 * Sets e-marketing consent to the attested basis and appends it to the history; never over a withdrawal. `recorded`
 * replaces the attestation for persons the import must keep out of marketing (a suppressed address).
 */
export async function recordConsents(
  writer: BatchWriter,
  personIds: number[],
  context: BatchContext,
  now: string,
  recorded: { legalBasis: LegalBasis; source: string } = context.attestation,
): Promise<number> {
  const { trx, dialect } = writer;
  const { legalBasis, source } = recorded;
  if (personIds.length === 0) return 0;
  const historyColumns = ["person_id", "purpose_id", "change", "source", "comment", "user_id", "created_at"];
  const history = (personId: number) => [
    personId,
    context.purposeId,
    legalBasis,
    "import",
    source,
    context.userId,
    now,
  ];
  if (dialect === "postgres") {
    // One statement, one round trip: the consents upserted and the history appended.
    await sql`with ids as (select unnest(${personIds}::int[]) as person_id),
      upserted as (
        insert into person_consents (person_id, purpose_id, legal_basis, source, updated_at)
        select person_id, ${context.purposeId}::int, ${legalBasis}::text, 'import', ${now}::text from ids
        on conflict (person_id, purpose_id) do update set legal_basis = excluded.legal_basis, source = excluded.source,
          updated_at = excluded.updated_at where person_consents.legal_basis <> 'withdrawn')
      insert into consent_history (person_id, purpose_id, change, source, comment, user_id, created_at)
      select person_id, ${context.purposeId}::int, ${legalBasis}::text, 'import', ${source}::text,
        ${context.userId}::int, ${now}::text from ids`.execute(trx);
    return personIds.length;
  }
  const consentColumns = ["person_id", "purpose_id", "legal_basis", "source", "updated_at"];
  for (const chunk of chunked(personIds, historyColumns.length)) {
    await insertRows(
      trx,
      dialect,
      "person_consents",
      consentColumns,
      chunk.map((personId) => [personId, context.purposeId, legalBasis, "import", now]),
      `on conflict (person_id, purpose_id) do update set legal_basis = excluded.legal_basis, source = excluded.source,
       updated_at = excluded.updated_at where person_consents.legal_basis <> 'withdrawn'`,
    );
    await insertRows(trx, dialect, "consent_history", historyColumns, chunk.map(history));
  }
  return personIds.length;
}

export async function addInterests(
  writer: BatchWriter,
  records: BatchRecord[],
  personIdOf: Map<BatchRecord, number>,
  now: string,
): Promise<void> {
  const { trx, dialect } = writer;
  const names = new Map<string, string>();
  for (const record of records)
    for (const name of record.interests)
      if (!names.has(name.toLowerCase())) names.set(name.toLowerCase(), name);
  if (names.size === 0) return;
  const idOf = new Map<string, number>();
  const lookup = async () => {
    for (const chunk of chunked([...names.keys()], 1)) {
      const rows = await trx
        .selectFrom("interests")
        .select(["id", "name_lower"])
        .where("name_lower", "in", chunk)
        .execute();
      for (const row of rows) idOf.set(row.name_lower, row.id);
    }
  };
  await lookup();
  const missing = [...names].filter(([lower]) => !idOf.has(lower));
  if (missing.length > 0) {
    for (const chunk of chunked(missing, 3))
      await trx
        .insertInto("interests")
        .values(chunk.map(([lower, name]) => ({ name, name_lower: lower, created_at: now })))
        .onConflict((oc) => oc.column("name_lower").doNothing())
        .execute();
    await lookup();
  }
  const links = new Map<string, [number, number]>();
  for (const record of records) {
    const personId = personIdOf.get(record)!;
    for (const name of record.interests) {
      const interestId = idOf.get(name.toLowerCase())!;
      links.set(`${personId}:${interestId}`, [personId, interestId]);
    }
  }
  if (dialect === "postgres") {
    const pairs = [...links.values()];
    await sql`insert into person_interests (person_id, interest_id, created_at)
      select person_id, interest_id, ${now}
      from unnest(${pairs.map(([p]) => p)}::int[], ${pairs.map(([, i]) => i)}::int[]) as u(person_id, interest_id)
      on conflict (person_id, interest_id) do nothing`.execute(trx);
    return;
  }
  for (const chunk of chunked([...links.values()], 3))
    await insertRows(
      trx,
      dialect,
      "person_interests",
      ["person_id", "interest_id", "created_at"],
      chunk.map(([personId, interestId]) => [personId, interestId, now]),
      "on conflict (person_id, interest_id) do nothing",
    );
}

export async function setCustomValues(
  writer: BatchWriter,
  records: BatchRecord[],
  personIdOf: Map<BatchRecord, number>,
  fieldIds: Set<number>,
): Promise<void> {
  const { trx, dialect } = writer;
  const values = new Map<string, [number, number, string]>();
  for (const record of records) {
    const personId = personIdOf.get(record)!;
    for (const [fieldId, value] of record.custom)
      if (fieldIds.has(fieldId)) values.set(`${personId}:${fieldId}`, [personId, fieldId, value]);
  }
  if (values.size === 0) return;
  if (dialect === "postgres") {
    const rows = [...values.values()];
    await sql`insert into person_custom_values (person_id, field_id, value)
      select * from unnest(${rows.map((r) => r[0])}::int[], ${rows.map((r) => r[1])}::int[], ${rows.map((r) => r[2])}::text[])
      on conflict (person_id, field_id) do update set value = excluded.value`.execute(trx);
    return;
  }
  for (const chunk of chunked([...values.values()], 3))
    await insertRows(
      trx,
      dialect,
      "person_custom_values",
      ["person_id", "field_id", "value"],
      chunk,
      "on conflict (person_id, field_id) do update set value = excluded.value",
    );
}

export async function addMembers(
  writer: BatchWriter,
  selectionId: number,
  personIds: number[],
  now: string,
): Promise<number> {
  const { trx, dialect } = writer;
  if (personIds.length === 0) return 0;
  if (dialect === "postgres") {
    const result = await sql`insert into selection_members (selection_id, person_id, added_at)
      select ${selectionId}, person_id, ${now} from unnest(${personIds}::int[]) as person_id
      on conflict (selection_id, person_id) do nothing`.execute(trx);
    return Number(result.numAffectedRows ?? 0);
  }
  let added = 0;
  for (const chunk of chunked(personIds, 3)) {
    const { count } = await insertRows(
      trx,
      dialect,
      "selection_members",
      ["selection_id", "person_id", "added_at"],
      chunk.map((personId) => [selectionId, personId, now]),
      "on conflict (selection_id, person_id) do nothing",
    );
    added += count;
  }
  return added;
}
