// The writes one batch makes on SQLite: person updates, persons and their addresses, the consent attestation,
// interests, custom values and selection members, as multi-row statements inside the batch's transaction (SQLite works
// in the import's own process, so there is no round trip to save). PostgreSQL writes a batch in one statement:
// pg-batch.ts. The pure parts (which links and values a batch sets) serve both.

import { chunked, type Executor, insertRows } from "../db/bulk-sql.ts";
import { type LegalBasis, searchName } from "../persons/person-rules.ts";
import type { BatchContext, BatchRecord } from "./store.ts";

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

/** Updates existing persons: only the columns a row changes (a blank cell changes nothing), one update per person. */
export async function updatePersons(trx: Executor, updates: PersonUpdate[], now: string): Promise<void> {
  for (const { id, changes, searchName } of updates)
    await trx
      .updateTable("persons")
      .set({ ...changes, search_name: searchName, updated_at: now })
      .where("id", "=", id)
      .execute();
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
  trx: Executor,
  fresh: BatchRecord[],
  companyIdOf: (record: BatchRecord) => number | null,
  personIdOf: Map<BatchRecord, number>,
  now: string,
): Promise<void> {
  for (const chunk of chunked(fresh, PERSON_INSERT.length)) {
    const values = chunk.map((record) => personRow(record, companyIdOf(record), now));
    const { rows } = await insertRows<{ id: number }>(
      trx,
      "sqlite",
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
      "sqlite",
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
  trx: Executor,
  personIds: number[],
  context: BatchContext,
  now: string,
  recorded: { legalBasis: LegalBasis; source: string } = context.attestation,
): Promise<void> {
  const { legalBasis, source } = recorded;
  const historyColumns = ["person_id", "purpose_id", "change", "source", "comment", "user_id", "created_at"];
  const consentColumns = ["person_id", "purpose_id", "legal_basis", "source", "updated_at"];
  for (const chunk of chunked(personIds, historyColumns.length)) {
    await insertRows(
      trx,
      "sqlite",
      "person_consents",
      consentColumns,
      chunk.map((personId) => [personId, context.purposeId, legalBasis, "import", now]),
      `on conflict (person_id, purpose_id) do update set legal_basis = excluded.legal_basis, source = excluded.source,
       updated_at = excluded.updated_at where person_consents.legal_basis <> 'withdrawn'`,
    );
    await insertRows(
      trx,
      "sqlite",
      "consent_history",
      historyColumns,
      chunk.map((personId) => [
        personId,
        context.purposeId,
        legalBasis,
        "import",
        source,
        context.userId,
        now,
      ]),
    );
  }
}

/**
 * The ids of the interests the rows name (lower-case name → id), creating the missing ones. `found`: the ones that
 * exist, when the caller read them already.
 */
export async function interestIds(
  trx: Executor,
  records: BatchRecord[],
  now: string,
  found?: Map<string, number>,
): Promise<Map<string, number>> {
  const names = new Map<string, string>();
  for (const record of records)
    for (const name of record.interests)
      if (!names.has(name.toLowerCase())) names.set(name.toLowerCase(), name);
  const idOf = new Map<string, number>(found);
  if (names.size === 0) return idOf;
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
  if (!found) await lookup();
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
  return idOf;
}

/** Each (person, interest) pair the rows name, once; interests are only ever added. */
export function interestLinks(
  records: BatchRecord[],
  personOf: (record: BatchRecord) => number,
  idOf: Map<string, number>,
): Array<[person: number, interest: number]> {
  const links = new Map<string, [number, number]>();
  for (const record of records) {
    const personId = personOf(record);
    for (const name of record.interests) {
      const interestId = idOf.get(name.toLowerCase())!;
      links.set(`${personId}:${interestId}`, [personId, interestId]);
    }
  }
  return [...links.values()];
}

/** Each (person, custom field) value the rows set, the later row's winning; fields that no longer exist are left out. */
export function customValues(
  records: BatchRecord[],
  personOf: (record: BatchRecord) => number,
  fieldIds: Set<number>,
): Array<[person: number, field: number, value: string]> {
  const values = new Map<string, [number, number, string]>();
  for (const record of records) {
    const personId = personOf(record);
    for (const [fieldId, value] of record.custom)
      if (fieldIds.has(fieldId)) values.set(`${personId}:${fieldId}`, [personId, fieldId, value]);
  }
  return [...values.values()];
}

export async function addInterests(
  trx: Executor,
  links: Array<[number, number]>,
  now: string,
): Promise<void> {
  for (const chunk of chunked(links, 3))
    await insertRows(
      trx,
      "sqlite",
      "person_interests",
      ["person_id", "interest_id", "created_at"],
      chunk.map(([personId, interestId]) => [personId, interestId, now]),
      "on conflict (person_id, interest_id) do nothing",
    );
}

export async function setCustomValues(trx: Executor, values: Array<[number, number, string]>): Promise<void> {
  for (const chunk of chunked(values, 3))
    await insertRows(
      trx,
      "sqlite",
      "person_custom_values",
      ["person_id", "field_id", "value"],
      chunk,
      "on conflict (person_id, field_id) do update set value = excluded.value",
    );
}

export async function addMembers(
  trx: Executor,
  selectionId: number,
  personIds: number[],
  now: string,
): Promise<number> {
  let added = 0;
  for (const chunk of chunked(personIds, 3)) {
    const { count } = await insertRows(
      trx,
      "sqlite",
      "selection_members",
      ["selection_id", "person_id", "added_at"],
      chunk.map((personId) => [selectionId, personId, now]),
      "on conflict (selection_id, person_id) do nothing",
    );
    added += count;
  }
  return added;
}
