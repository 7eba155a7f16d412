// A batch on PostgreSQL in few round trips: one statement reads what the batch needs (as JSON), one statement of
// data-modifying CTEs writes it. Each round trip waits for the other process, and a machine whose cores are busy
// lengthens that wait most; a batch made some dozen of them, now it makes four (BEGIN with the lock, read, write, COMMIT).
import { sql } from "kysely";
import type { Executor } from "../db/bulk-sql.ts";
import { hashesOf } from "../privacy/suppression.ts";
import type { PersonUpdate } from "./batch-inserts.ts";
import { COMPANY_COLUMNS, companyKeys, type KnownCompany } from "./company-match.ts";
import type { BatchContext, BatchRecord, ExistingPerson } from "./store.ts";

/**
 * The persons owning each address, primary address first, then the oldest person; `keys` is one text[] parameter.
 * The lateral subquery (OFFSET 0 keeps the planner from flattening it) looks each address up in the index: planned as
 * a join or `= any(…)`, PostgreSQL took a sequential scan of all addresses once the table passed some 47,000 rows.
 */
export function personsByAddress(keys: string[], purposeId: number) {
  return sql<
    ExistingPerson & { address_lower: string }
  >`select k.address_lower, p.id, p.first_name, p.middle_name,
      p.last_name, p.title, p.mrmrs, p.mobile, p.phone, p.language, p.company_id, pc.legal_basis as consent
    from unnest(${keys}::text[]) as k(address_lower)
    cross join lateral (select e.person_id, e.is_primary from person_emails e
      where e.address_lower = k.address_lower offset 0) as e
    join persons p on p.id = e.person_id
    left join person_consents pc on pc.person_id = p.id and pc.purpose_id = ${purposeId}::int
    order by e.is_primary desc, p.id`;
}

export type BatchRead = {
  existing: Map<string, ExistingPerson>;
  suppressed: Set<string>;
  companies: KnownCompany[];
  /** Interests the rows name that exist: lower-case name → id. */
  interests: Map<string, number>;
};

/** Everything a batch looks up, in one statement: its persons, the suppressed addresses, companies and interests. */
export async function readBatch(
  trx: Executor,
  records: BatchRecord[],
  context: BatchContext,
): Promise<BatchRead> {
  const byHash = context.attestation.newConsent
    ? new Map<string, string[]>()
    : hashesOf(
        context.suppressionKey,
        records.map((r) => r.emailLower),
      );
  const { names, orgs } = companyKeys(records);
  const interestNames = [...new Set(records.flatMap((r) => r.interests.map((name) => name.toLowerCase())))];
  const { rows } = await sql<{
    persons: Array<ExistingPerson & { address_lower: string }>;
    suppressed: string[];
    companies: KnownCompany[];
    interests: Array<{ id: number; name_lower: string }>;
  }>`select
    (select coalesce(json_agg(t), '[]') from (${personsByAddress(
      records.map((r) => r.emailLower),
      context.purposeId,
    )}) as t) as persons,
    (select coalesce(json_agg(address_hash), '[]') from suppressions
      where address_hash = any(${[...byHash.keys()]}::text[])) as suppressed,
    (select coalesce(json_agg(t order by t.id), '[]') from (select ${sql.join(COMPANY_COLUMNS.map((c) => sql.ref(c)))}
      from companies where name_lower = any(${names}::text[]) or org_number = any(${orgs}::text[])) as t) as companies,
    (select coalesce(json_agg(t), '[]') from (select id, name_lower from interests
      where name_lower = any(${interestNames}::text[])) as t) as interests`.execute(trx);
  const read = rows[0]!;
  const existing = new Map<string, ExistingPerson>();
  for (const { address_lower, ...person } of read.persons)
    if (!existing.has(address_lower)) existing.set(address_lower, person);
  return {
    existing,
    suppressed: new Set(read.suppressed.flatMap((hash) => byHash.get(hash) ?? [])),
    companies: read.companies,
    interests: new Map(read.interests.map((row) => [row.name_lower, row.id])),
  };
}

/** A batch's writes as `writePlanned` takes them: persons by reference (below), each list already without repeats. */
export type PlannedWrites = {
  updates: PersonUpdate[];
  /** New persons, in the order their references count (the first is -1). */
  fresh: Array<{ record: BatchRecord; companyId: number | null; searchName: string }>;
  /** Consent to record: the person, the legal basis and the history entry's comment. */
  consents: Array<{ ref: number; legalBasis: string; comment: string }>;
  interests: Array<[ref: number, interestId: number]>;
  customValues: Array<[ref: number, fieldId: number, value: string]>;
  members: number[];
};

/**
 * Writes a batch in one statement. A person is named by reference: an existing person by their id, the n-th new
 * person by -n, whose id the statement takes from the persons' sequence. The foreign keys are checked when the
 * statement ends, so the new persons' addresses, consents and interests may refer to rows the same statement made.
 * Returns the selection members added.
 */
export async function writePlanned(
  trx: Executor,
  writes: PlannedWrites,
  context: BatchContext,
  now: string,
): Promise<number> {
  const person = (
    key: "first_name" | "middle_name" | "last_name" | "title" | "mrmrs" | "mobile" | "phone" | "language",
  ) => writes.fresh.map(({ record }) => record.person[CAMEL[key]] ?? null);
  const update = (key: keyof PersonUpdate["changes"]) => writes.updates.map((u) => u.changes[key] ?? null);
  // `ref` of each list, as the id: new persons' through the sequence numbers the statement took.
  const idOf = (list: string) => sql.raw(`coalesce(f.id, ${list}.ref)`);
  const { rows } = await sql<{ added: number }>`with fresh as materialized (
      select nextval((select pg_get_serial_sequence('persons', 'id')::regclass))::int as id, -u.ord::int as ref, u.*
      from unnest(${person("first_name")}::text[], ${person("middle_name")}::text[], ${person("last_name")}::text[],
        ${writes.fresh.map((f) => f.searchName)}::text[], ${person("title")}::text[],
        ${person("mrmrs")}::text[], ${person("mobile")}::text[], ${person("phone")}::text[],
        ${person("language")}::text[], ${writes.fresh.map((f) => f.companyId)}::int[],
        ${writes.fresh.map(({ record }) => record.email)}::text[],
        ${writes.fresh.map(({ record }) => record.emailLower)}::text[])
        with ordinality as u(first_name, middle_name, last_name, search_name, title, mrmrs, mobile, phone, language,
          company_id, address, address_lower, ord)),
    created as (insert into persons (id, first_name, middle_name, last_name, search_name, title, mrmrs, mobile, phone,
        language, company_id, former_employee, created_at, updated_at)
      select id, first_name, middle_name, last_name, search_name, title, mrmrs, mobile, phone, language, company_id, 0,
        ${now}, ${now} from fresh),
    addresses as (insert into person_emails (person_id, address, address_lower, is_primary, created_at)
      select id, address, address_lower, 1, ${now} from fresh),
    -- A null in a column's array leaves that column as it is: a blank cell changes nothing.
    updated as (update persons p set
        first_name = coalesce(u.first_name, p.first_name), middle_name = coalesce(u.middle_name, p.middle_name),
        last_name = coalesce(u.last_name, p.last_name), title = coalesce(u.title, p.title),
        mrmrs = coalesce(u.mrmrs, p.mrmrs), mobile = coalesce(u.mobile, p.mobile), phone = coalesce(u.phone, p.phone),
        language = coalesce(u.language, p.language), company_id = coalesce(u.company_id, p.company_id),
        search_name = u.search_name, updated_at = ${now}
      from unnest(${writes.updates.map((u) => u.id)}::int[], ${update("first_name")}::text[],
        ${update("middle_name")}::text[], ${update("last_name")}::text[], ${update("title")}::text[],
        ${update("mrmrs")}::text[], ${update("mobile")}::text[], ${update("phone")}::text[],
        ${update("language")}::text[], ${update("company_id")}::int[],
        ${writes.updates.map((u) => u.searchName)}::text[])
        as u(id, first_name, middle_name, last_name, title, mrmrs, mobile, phone, language, company_id, search_name)
      where p.id = u.id),
    consenting as (select ${idOf("c")} as person_id, c.legal_basis, c.comment
      from unnest(${writes.consents.map((c) => c.ref)}::int[], ${writes.consents.map((c) => c.legalBasis)}::text[],
        ${writes.consents.map((c) => c.comment)}::text[]) as c(ref, legal_basis, comment)
      left join fresh f on f.ref = c.ref),
    -- A withdrawal is never overwritten; the history gets the attestation either way, as recordConsents does.
    consents as (insert into person_consents (person_id, purpose_id, legal_basis, source, updated_at)
      select person_id, ${context.purposeId}::int, legal_basis, 'import', ${now} from consenting
      on conflict (person_id, purpose_id) do update set legal_basis = excluded.legal_basis, source = excluded.source,
        updated_at = excluded.updated_at where person_consents.legal_basis <> 'withdrawn'),
    history as (insert into consent_history (person_id, purpose_id, change, source, comment, user_id, created_at)
      select person_id, ${context.purposeId}::int, legal_basis, 'import', comment, ${context.userId}::int, ${now}
      from consenting),
    interests as (insert into person_interests (person_id, interest_id, created_at)
      select ${idOf("i")}, i.interest_id, ${now}
      from unnest(${writes.interests.map(([ref]) => ref)}::int[], ${writes.interests.map(([, id]) => id)}::int[])
        as i(ref, interest_id)
      left join fresh f on f.ref = i.ref
      on conflict (person_id, interest_id) do nothing),
    custom as (insert into person_custom_values (person_id, field_id, value)
      select ${idOf("v")}, v.field_id, v.value
      from unnest(${writes.customValues.map(([ref]) => ref)}::int[], ${writes.customValues.map(([, id]) => id)}::int[],
        ${writes.customValues.map(([, , value]) => value)}::text[]) as v(ref, field_id, value)
      left join fresh f on f.ref = v.ref
      on conflict (person_id, field_id) do update set value = excluded.value),
    members as (insert into selection_members (selection_id, person_id, added_at)
      select ${context.selectionId}::int, ${idOf("m")}, ${now}
      from unnest(${writes.members}::int[]) as m(ref)
      left join fresh f on f.ref = m.ref
      where ${context.selectionId}::int is not null
      on conflict (selection_id, person_id) do nothing
      returning 1)
    select (select count(*) from members)::int as added`.execute(trx);
  return rows[0]!.added;
}

const CAMEL = {
  first_name: "firstName",
  middle_name: "middleName",
  last_name: "lastName",
  title: "title",
  mrmrs: "mrmrs",
  mobile: "mobile",
  phone: "phone",
  language: "language",
} as const;
