// The import's database work: one lookup and one transaction per batch, multi-row inserts, consent never re-granted.
import { sql } from "kysely";
import { chunked, type Executor } from "../db/bulk-sql.ts";
import type { Db, Dialect } from "../db/connect.ts";
import type { PgSession } from "../db/pg-copy.ts";
import { type LegalBasis, searchName } from "../persons/person-rules.ts";
import { suppressedAmong } from "../privacy/suppression.ts";
import { isoNow } from "../shared/clock.ts";
import { AppError, notFound } from "../shared/errors.ts";
import {
  addInterests,
  addMembers,
  createPersons,
  customValues,
  interestIds,
  interestLinks,
  type PersonChanges,
  type PersonUpdate,
  recordConsents,
  setCustomValues,
  updatePersons,
} from "./batch-inserts.ts";
import { type CompanyMatch, createCompanies, type KnownCompany, matchCompanies } from "./company-match.ts";
import type { CustomFieldInfo } from "./mapping.ts";
import { type BatchRead, personsByAddress, readBatch, writePlanned } from "./pg-batch.ts";
import type { ImportRecord, PersonValues } from "./rows.ts";

/** A batch's addresses are looked up on the suppression list in one query (under both databases' parameter limits). */
const SUPPRESSION_CHUNK = 5_000;

/** A valid row ready to write; `repeatOf` is the row that first had its e-mail when that was in an earlier batch. */
export type BatchRecord = ImportRecord & { repeatOf: number | null };

/**
 * What the importer attests for every row. `newConsent`: the file records consent given anew (legal basis consent),
 * which alone lets consent be recorded for an address on the suppression list.
 */
export type Attestation = {
  legalBasis: Exclude<LegalBasis, "withdrawn">;
  source: string;
  newConsent: boolean;
};

export type BatchContext = {
  purposeId: number;
  attestation: Attestation;
  userId: number | null;
  selectionId: number | null;
  customFieldIds: Set<number>;
  /** The suppression list's key, read once per import. */
  suppressionKey: string;
};

export type BatchResult = {
  created: number;
  updated: number;
  companiesCreated: number;
  consentRecorded: number;
  consentWithdrawnKept: number;
  /** Rows whose address is on the suppression list: no consent recorded (a new person's is recorded as withdrawn). */
  consentSuppressedKept: number;
  addedToSelection: number;
  /** First occurrences that matched a person already in the CRM. */
  matches: Array<{ row: number; email: string; personId: number }>;
};

/**
 * How a batch written beside the one before it (PostgreSQL, a second connection) keeps the result the one-after-another
 * result. The batch reads in its own transaction while the earlier one writes; `afterRead` is told what it found and
 * what it would share with other batches, and answers true when the batch must read again because it waited for the
 * earlier batch to commit. `beforeCommit` waits for the earlier batch, so batches commit in file order and a failure
 * rolls back every batch after it.
 */
export type BatchGate = {
  afterRead(read: { personIds: number[]; createsShared: boolean }): Promise<boolean>;
  beforeCommit(): Promise<void>;
};

export type ExistingPerson = {
  id: number;
  first_name: string | null;
  middle_name: string | null;
  last_name: string | null;
  title: string | null;
  mrmrs: string | null;
  mobile: string | null;
  phone: string | null;
  language: string | null;
  company_id: number | null;
  consent: string | null;
};

/** Persons owning any of the addresses (primary address first, then the oldest person), with their e-marketing consent. */
async function findByEmails(
  db: Executor,
  dialect: Dialect,
  emailsLower: string[],
  purposeId: number,
): Promise<Map<string, ExistingPerson>> {
  const found = new Map<string, ExistingPerson>();
  // PostgreSQL takes the batch's addresses as one array parameter; SQLite as bound values, in chunks under its limit.
  for (const chunk of dialect === "postgres" ? [emailsLower] : chunked(emailsLower, 1)) {
    const rows =
      dialect === "postgres"
        ? (await personsByAddress(chunk, purposeId).execute(db)).rows
        : await db
            .selectFrom("person_emails as e")
            .innerJoin("persons as p", "p.id", "e.person_id")
            .leftJoin("person_consents as pc", (join) =>
              join.onRef("pc.person_id", "=", "p.id").on("pc.purpose_id", "=", purposeId),
            )
            .select([
              "e.address_lower",
              "p.id",
              "p.first_name",
              "p.middle_name",
              "p.last_name",
              "p.title",
              "p.mrmrs",
              "p.mobile",
              "p.phone",
              "p.language",
              "p.company_id",
              "pc.legal_basis as consent",
            ])
            .where("e.address_lower", "in", chunk)
            .orderBy("e.is_primary", "desc")
            .orderBy("p.id")
            .execute();
    for (const { address_lower, ...person } of rows)
      if (!found.has(address_lower)) found.set(address_lower, person);
  }
  return found;
}

const PERSON_COLUMNS: Array<[keyof PersonValues, keyof PersonChanges & keyof ExistingPerson]> = [
  ["firstName", "first_name"],
  ["middleName", "middle_name"],
  ["lastName", "last_name"],
  ["title", "title"],
  ["mrmrs", "mrmrs"],
  ["mobile", "mobile"],
  ["phone", "phone"],
  ["language", "language"],
];

/** The columns a row changes: cells that hold something different; a blank cell changes nothing. */
function personChanges(
  existing: ExistingPerson,
  values: PersonValues,
  companyId: number | null,
): PersonChanges {
  const changes: PersonChanges = {};
  for (const [key, column] of PERSON_COLUMNS) {
    const value = values[key];
    if (value !== undefined && value !== existing[column])
      (changes as Record<string, string>)[column] = value;
  }
  if (companyId !== null && companyId !== existing.company_id) changes.company_id = companyId;
  return changes;
}

const emptyResult = (): BatchResult => ({
  created: 0,
  updated: 0,
  companiesCreated: 0,
  consentRecorded: 0,
  consentWithdrawnKept: 0,
  consentSuppressedKept: 0,
  addedToSelection: 0,
  matches: [],
});

/**
 * What writing the batch would do, without writing: the dry run's per-batch counts. `plannedCompanies` is kept by the
 * caller across the batches of one run, so a company repeated in later batches is counted once, as a real run does.
 */
export async function previewBatch(
  db: Db,
  dialect: Dialect,
  records: BatchRecord[],
  context: BatchContext,
  plannedCompanies: KnownCompany[],
): Promise<BatchResult> {
  const result = emptyResult();
  const { existing, suppressed, companies } = await readFor(db, dialect, records, context);
  const { toCreate } = await matchCompanies(db, records, plannedCompanies, companies);
  result.companiesCreated = toCreate.length;
  const memberIds: number[] = [];
  for (const record of records) {
    if (record.repeatOf !== null) continue;
    const person = existing.get(record.emailLower);
    if (!person) {
      result.created++;
      if (suppressed.has(record.emailLower)) result.consentSuppressedKept++;
      else result.consentRecorded++;
      result.addedToSelection++;
      continue;
    }
    result.updated++;
    result.matches.push({ row: record.row, email: record.email, personId: person.id });
    if (person.consent === "withdrawn") result.consentWithdrawnKept++;
    else if (suppressed.has(record.emailLower)) result.consentSuppressedKept++;
    else result.consentRecorded++;
    memberIds.push(person.id);
  }
  if (context.selectionId !== null && memberIds.length > 0) {
    const members = new Set<number>();
    for (const chunk of chunked(memberIds, 1)) {
      const rows = await db
        .selectFrom("selection_members")
        .select("person_id")
        .where("selection_id", "=", context.selectionId)
        .where("person_id", "in", chunk)
        .execute();
      for (const row of rows) members.add(row.person_id);
    }
    result.addedToSelection += new Set(memberIds.filter((id) => !members.has(id))).size;
  }
  if (context.selectionId === null) result.addedToSelection = 0;
  return result;
}

/**
 * Writes one batch in one transaction: a crash leaves the batch wholly written or not at all. Persons are matched by
 * e-mail and updated (non-blank cells only) or created; consent is recorded unless the person withdrew it. On
 * PostgreSQL the batch runs on one of the import's own connections (`session`, which holds `lockImports`), beside the
 * batch before it when `gate` says how.
 */
export async function writeBatch(
  handle: { db: Db; dialect: Dialect },
  records: BatchRecord[],
  context: BatchContext,
  session: PgSession | null = null,
  gate: BatchGate | null = null,
): Promise<BatchResult> {
  const now = isoNow();
  if (handle.dialect === "postgres") {
    if (!session) throw new AppError("INTERNAL", "a PostgreSQL import writes through its own connection");
    return session.transaction(() => writeRecords(session.db, "postgres", records, context, now, gate));
  }
  return handle.db.transaction().execute(async (trx) => {
    // Take the write lock first: SQLite never has to upgrade a read transaction that another writer has overtaken.
    await sql`update import_mappings set name = name where 1 = 0`.execute(trx);
    return writeRecords(trx, handle.dialect, records, context, now);
  });
}

/**
 * What a batch needs to know: its persons and suppressed addresses; on PostgreSQL also its companies and interests, all
 * in one statement (pg-batch.ts), where SQLite's companies and interests are looked up as they are written.
 */
async function readFor(
  trx: Executor,
  dialect: Dialect,
  records: BatchRecord[],
  context: BatchContext,
): Promise<Partial<BatchRead> & Pick<BatchRead, "existing" | "suppressed">> {
  if (dialect === "postgres") return readBatch(trx, records, context);
  const emails = records.map((r) => r.emailLower);
  return {
    existing: await findByEmails(trx, dialect, emails, context.purposeId),
    suppressed: context.attestation.newConsent
      ? new Set<string>()
      : await suppressedAmong(trx, emails, { key: context.suppressionKey, chunk: SUPPRESSION_CHUNK }),
  };
}

/** What a batch writes, decided from what the database holds; `personOf` gives the person of any record. */
type BatchPlan = {
  result: BatchResult;
  updates: PersonUpdate[];
  /** Records whose address no person has: each becomes a new person. */
  fresh: BatchRecord[];
  /** First occurrences whose person gets the attested consent. */
  consenting: BatchRecord[];
  /** New persons for suppressed addresses: recorded as withdrawn. */
  keptOut: BatchRecord[];
};

function planBatch(
  records: BatchRecord[],
  read: Pick<BatchRead, "existing" | "suppressed">,
  companyIdOf: (record: BatchRecord) => number | null,
): BatchPlan {
  const { existing, suppressed } = read;
  const result = emptyResult();
  const fresh: BatchRecord[] = [];
  // Two rows of the batch may name one person (by two of their addresses): their changes are folded, later cells win.
  const updates = new Map<number, { person: ExistingPerson; changes: PersonChanges }>();
  for (const record of records) {
    const person = existing.get(record.emailLower);
    if (!person) {
      fresh.push(record);
      continue;
    }
    if (record.repeatOf === null) {
      result.updated++;
      result.matches.push({ row: record.row, email: record.email, personId: person.id });
    }
    const changes = personChanges(person, record.person, companyIdOf(record));
    if (Object.keys(changes).length === 0) continue;
    const earlier = updates.get(person.id);
    if (earlier) Object.assign(earlier.changes, changes);
    else updates.set(person.id, { person, changes });
  }
  result.created = fresh.filter((r) => r.repeatOf === null).length;

  // An address on the suppression list gets no consent from the file unless it attests new consent; a person the
  // import creates for it is recorded as withdrawn, so no consent filter setting lets them into marketing.
  const consenting: BatchRecord[] = [];
  const keptOut: BatchRecord[] = [];
  for (const record of records) {
    if (record.repeatOf !== null) continue;
    const before = existing.get(record.emailLower);
    if (before?.consent === "withdrawn") result.consentWithdrawnKept++;
    else if (suppressed.has(record.emailLower)) {
      result.consentSuppressedKept++;
      if (!before) keptOut.push(record);
    } else consenting.push(record);
  }
  return {
    result,
    updates: [...updates.values()].map(({ person, changes }) => ({
      id: person.id,
      changes,
      searchName: searchName({ ...person, ...changes }),
    })),
    fresh,
    consenting,
    keptOut,
  };
}

/** What a batch shares with the batches beside it: the persons it found, and whether it creates or fills shared rows. */
function sharedNeeds(
  records: BatchRecord[],
  read: Partial<BatchRead> & Pick<BatchRead, "existing">,
  match: CompanyMatch,
): { personIds: number[]; createsShared: boolean } {
  // What only one batch at a time may do: create a company or an interest, or fill in a company's empty fields.
  const createsShared =
    match.toCreate.length > 0 ||
    match.fill.size > 0 ||
    records.some((r) => r.interests.some((name) => !read.interests?.has(name.toLowerCase())));
  return { personIds: [...new Set([...read.existing.values()].map((p) => p.id))], createsShared };
}

const SUPPRESSED_CONSENT = {
  legalBasis: "withdrawn",
  source: "the address is on the suppression list",
} as const;

async function writeRecords(
  trx: Executor,
  dialect: Dialect,
  records: BatchRecord[],
  context: BatchContext,
  now: string,
  gate: BatchGate | null = null,
): Promise<BatchResult> {
  let read = await readFor(trx, dialect, records, context);
  let match = read.companies && (await matchCompanies(trx, records, undefined, read.companies));
  // Beside an earlier batch: read again for as long as the gate waited for that batch to commit (at most once).
  while (gate && match && (await gate.afterRead(sharedNeeds(records, read, match)))) {
    read = await readFor(trx, dialect, records, context);
    match = await matchCompanies(trx, records, undefined, read.companies);
  }
  const companies = await createCompanies(trx, records, now, read.companies, match);
  const plan = planBatch(records, read, companies.idOf);
  const { result } = plan;
  result.companiesCreated = companies.created;
  const interests = await interestIds(trx, records, now, read.interests);

  if (dialect === "postgres") {
    // New persons are named by reference (-1, -2 …) until the statement gives them ids: see writePlanned.
    const refs = new Map<BatchRecord, number>();
    plan.fresh.forEach((record, i) => {
      refs.set(record, -(i + 1));
    });
    const refOf = (record: BatchRecord) => read.existing.get(record.emailLower)?.id ?? refs.get(record)!;
    const consenting = [...new Set(plan.consenting.map(refOf))];
    result.consentRecorded = consenting.length;
    const consent = (list: number[], recorded: { legalBasis: string; source: string }) =>
      list.map((ref) => ({ ref, legalBasis: recorded.legalBasis, comment: recorded.source }));
    result.addedToSelection = await writePlanned(
      trx,
      {
        updates: plan.updates,
        fresh: plan.fresh.map((record) => ({
          record,
          companyId: companies.idOf(record),
          searchName: searchName({
            first_name: record.person.firstName ?? null,
            middle_name: record.person.middleName ?? null,
            last_name: record.person.lastName ?? null,
          }),
        })),
        consents: [
          ...consent(consenting, context.attestation),
          ...consent([...new Set(plan.keptOut.map(refOf))], SUPPRESSED_CONSENT),
        ],
        interests: interestLinks(records, refOf, interests),
        customValues: customValues(records, refOf, context.customFieldIds),
        members: context.selectionId === null ? [] : [...new Set(records.map(refOf))],
      },
      context,
      now,
    );
    await gate?.beforeCommit();
    return result;
  }

  const personIdOf = new Map<BatchRecord, number>();
  for (const record of records) {
    const person = read.existing.get(record.emailLower);
    if (person) personIdOf.set(record, person.id);
  }
  await updatePersons(trx, plan.updates, now);
  await createPersons(trx, plan.fresh, companies.idOf, personIdOf, now);
  const idOf = (record: BatchRecord) => personIdOf.get(record)!;
  const consenting = [...new Set(plan.consenting.map(idOf))];
  result.consentRecorded = consenting.length;
  await recordConsents(trx, consenting, context, now);
  await recordConsents(trx, [...new Set(plan.keptOut.map(idOf))], context, now, SUPPRESSED_CONSENT);
  await addInterests(trx, interestLinks(records, idOf, interests), now);
  await setCustomValues(trx, customValues(records, idOf, context.customFieldIds));
  if (context.selectionId !== null)
    result.addedToSelection = await addMembers(
      trx,
      context.selectionId,
      [...new Set(personIdOf.values())],
      now,
    );
  return result;
}

/** The import lock's key: the import's number and the schema. */
const IMPORT_LOCK = "7160411, hashtext(current_schema())";

/**
 * Held by a PostgreSQL import's first connection while it writes: a second import into the same schema waits for it,
 * then matches against every person it created. (Per schema, so that imports into separate schemas, as the tests
 * make, do not wait for each other.) A connection that breaks drops it with the session.
 */
export async function lockImports(session: PgSession): Promise<void> {
  await session.client.query(`select pg_advisory_lock(${IMPORT_LOCK})`);
}

export async function unlockImports(session: PgSession): Promise<void> {
  await session.client.query(`select pg_advisory_unlock(${IMPORT_LOCK})`);
}

/** The id of the built-in e-marketing purpose, which the import's attestation is about. */
export async function eMarketingPurposeId(db: Db): Promise<number> {
  const row = await db
    .selectFrom("consent_purposes")
    .select("id")
    .where("key", "=", "e-marketing")
    .executeTakeFirst();
  if (!row) throw new AppError("INTERNAL", "the built-in e-marketing consent purpose is missing");
  return row.id;
}

export async function customFields(db: Db): Promise<CustomFieldInfo[]> {
  return db.selectFrom("custom_fields").select(["id", "key", "label", "type"]).orderBy("id").execute();
}

/** Checks that a selection exists and takes members (is static). */
export async function requireStaticSelection(db: Db, selectionId: number): Promise<void> {
  const row = await db
    .selectFrom("selections")
    .select("kind")
    .where("id", "=", selectionId)
    .executeTakeFirst();
  if (!row) throw notFound("selection", selectionId);
  if (row.kind !== "static")
    throw new AppError(
      "SELECTION_KIND_MISMATCH",
      `selection ${selectionId} is ${row.kind}; imported persons can only be added to a static selection`,
      {
        field: "selectionId",
      },
    );
}

export async function touchSelection(db: Db, selectionId: number): Promise<void> {
  await db.updateTable("selections").set({ updated_at: isoNow() }).where("id", "=", selectionId).execute();
}

/**
 * PostgreSQL plans each batch's lookup from table statistics. Autovacuum lags far behind an import that grows the
 * tables tenfold (or is off), and with statistics saying "nearly empty" every lookup scans all of person_emails.
 * SQLite needs nothing: it always uses the index for `in (…)` on an indexed column.
 */
export async function refreshStatistics(handle: { db: Db; dialect: Dialect }): Promise<void> {
  if (handle.dialect !== "postgres") return;
  // Only the tables' owner may analyze them; without the right the import still works, just slower. Only the columns
  // the batch lookups join and filter on: the sizes are what the plans need, and statistics of every column of
  // persons cost the server several per cent of an import.
  await sql`analyze persons (id), person_emails (address_lower, person_id), person_consents (person_id, purpose_id),
    companies (name_lower, org_number)`
    .execute(handle.db)
    .catch(() => {});
}
