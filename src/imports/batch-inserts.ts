// The multi-row inserts one batch makes: persons and their addresses, the consent attestation, interests, custom
// values and selection members. Each runs inside the batch's transaction.

import { chunked, type Executor, insertRows } from "../db/bulk-sql.ts";
import type { Dialect } from "../db/connect.ts";
import { type LegalBasis, searchName } from "../persons/person-rules.ts";
import type { BatchContext, BatchRecord } from "./store.ts";

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

export async function createPersons(
  trx: Executor,
  dialect: Dialect,
  fresh: BatchRecord[],
  companyIdOf: (record: BatchRecord) => number | null,
  personIdOf: Map<BatchRecord, number>,
  now: string,
): Promise<void> {
  for (const chunk of chunked(fresh, PERSON_INSERT.length)) {
    const values = chunk.map((record) => {
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
        companyIdOf(record),
        0,
        now,
        now,
      ];
    });
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
  const emailColumns = ["person_id", "address", "address_lower", "is_primary", "created_at"];
  for (const chunk of chunked(fresh, emailColumns.length))
    await insertRows(
      trx,
      dialect,
      "person_emails",
      emailColumns,
      chunk.map((record) => [personIdOf.get(record)!, record.email, record.emailLower, 1, now]),
    );
}

/**
 * Sets e-marketing consent to the attested basis and appends it to the history; never over a withdrawal. `recorded`
 * replaces the attestation for persons the import must keep out of marketing (a suppressed address).
 */
export async function recordConsents(
  trx: Executor,
  dialect: Dialect,
  personIds: number[],
  context: BatchContext,
  now: string,
  recorded: { legalBasis: LegalBasis; source: string } = context.attestation,
): Promise<number> {
  const { legalBasis, source } = recorded;
  const consentColumns = ["person_id", "purpose_id", "legal_basis", "source", "updated_at"];
  const historyColumns = ["person_id", "purpose_id", "change", "source", "comment", "user_id", "created_at"];
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
    await insertRows(
      trx,
      dialect,
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
  return personIds.length;
}

export async function addInterests(
  trx: Executor,
  dialect: Dialect,
  records: BatchRecord[],
  personIdOf: Map<BatchRecord, number>,
  now: string,
): Promise<void> {
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
  const links = new Map<string, unknown[]>();
  for (const record of records) {
    const personId = personIdOf.get(record)!;
    for (const name of record.interests) {
      const interestId = idOf.get(name.toLowerCase())!;
      links.set(`${personId}:${interestId}`, [personId, interestId, now]);
    }
  }
  for (const chunk of chunked([...links.values()], 3))
    await insertRows(
      trx,
      dialect,
      "person_interests",
      ["person_id", "interest_id", "created_at"],
      chunk,
      "on conflict (person_id, interest_id) do nothing",
    );
}

export async function setCustomValues(
  trx: Executor,
  dialect: Dialect,
  records: BatchRecord[],
  personIdOf: Map<BatchRecord, number>,
  fieldIds: Set<number>,
): Promise<void> {
  const values = new Map<string, unknown[]>();
  for (const record of records) {
    const personId = personIdOf.get(record)!;
    for (const [fieldId, value] of record.custom)
      if (fieldIds.has(fieldId)) values.set(`${personId}:${fieldId}`, [personId, fieldId, value]);
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
  trx: Executor,
  dialect: Dialect,
  selectionId: number,
  personIds: number[],
  now: string,
): Promise<number> {
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
