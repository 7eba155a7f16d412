// Persons: create, update, read and list, with their addresses, interests and custom fields. Every write validated.
import { type Expression, type Kysely, sql, type Transaction } from "kysely";
import type { Db } from "../db/connect.ts";
import type { Database } from "../db/schema.ts";
import { suppressedAmong } from "../privacy/suppression.ts";
import { isoNow } from "../shared/clock.ts";
import { type FieldProblem, invalid, missingReference, notFound } from "../shared/errors.ts";
import { recordConsent } from "./consent.ts";
import {
  blankToNull,
  type EmailInput,
  escapeLike,
  fullName,
  normaliseEmails,
  searchName,
  toE164,
  toMobileE164,
} from "./person-rules.ts";

type Executor = Kysely<Database> | Transaction<Database>;

export type PersonInput = {
  firstName?: string | null;
  middleName?: string | null;
  lastName?: string | null;
  title?: string | null;
  mrmrs?: string | null;
  emails?: EmailInput[];
  mobile?: string | null;
  phone?: string | null;
  language?: string | null;
  street?: string | null;
  postcode?: string | null;
  city?: string | null;
  country?: string | null;
  companyId?: number | null;
  ourContactId?: number | null;
  formerEmployee?: boolean;
  interests?: string[];
  customFields?: Record<string, string | null>;
};

export type Person = {
  id: number;
  firstName: string | null;
  middleName: string | null;
  lastName: string | null;
  fullName: string;
  title: string | null;
  mrmrs: string | null;
  email: string | null;
  emails: Array<{ address: string; primary: boolean }>;
  mobile: string | null;
  phone: string | null;
  language: string | null;
  street: string | null;
  postcode: string | null;
  city: string | null;
  country: string | null;
  companyId: number | null;
  companyName: string | null;
  ourContactId: number | null;
  formerEmployee: boolean;
  interests: string[];
  customFields: Record<string, string>;
  consents: Array<{ purpose: string; legalBasis: string; source: string; updatedAt: string }>;
  subscriptions: Array<{ typeId: number; typeName: string; status: string; updatedAt: string }>;
  createdAt: string;
  updatedAt: string;
};

export type PersonSummary = Pick<
  Person,
  | "id"
  | "firstName"
  | "lastName"
  | "fullName"
  | "email"
  | "mobile"
  | "companyId"
  | "companyName"
  | "formerEmployee"
>;

export type ContactsOptions = { defaultCountry: string };

const LANGUAGE = /^[a-z]{2,3}(-[A-Z]{2})?$/;

type PersonColumns = {
  first_name?: string | null;
  middle_name?: string | null;
  last_name?: string | null;
  title?: string | null;
  mrmrs?: string | null;
  mobile?: string | null;
  phone?: string | null;
  language?: string | null;
  street?: string | null;
  postcode?: string | null;
  city?: string | null;
  country?: string | null;
  company_id?: number | null;
  our_contact_id?: number | null;
  former_employee?: number;
};

/** Checks the scalar fields and turns them into columns; problems name the field. */
export function personColumns(
  input: PersonInput,
  options: ContactsOptions,
  problems: FieldProblem[],
): PersonColumns {
  const columns: PersonColumns = {};
  const text = (
    key:
      | "firstName"
      | "middleName"
      | "lastName"
      | "title"
      | "mrmrs"
      | "street"
      | "postcode"
      | "city"
      | "country",
    column: keyof PersonColumns,
  ) => {
    const value = blankToNull(input[key]);
    if (value !== undefined) (columns as Record<string, unknown>)[column] = value;
  };
  text("firstName", "first_name");
  text("middleName", "middle_name");
  text("lastName", "last_name");
  text("title", "title");
  text("mrmrs", "mrmrs");
  text("street", "street");
  text("postcode", "postcode");
  text("city", "city");
  text("country", "country");
  const mobile = blankToNull(input.mobile);
  if (mobile !== undefined) {
    if (mobile === null) columns.mobile = null;
    else {
      const e164 = toMobileE164(mobile, options.defaultCountry);
      if (e164) columns.mobile = e164;
      else
        problems.push({
          field: "mobile",
          message: `"${mobile}" is not a valid mobile number`,
          kind: "not-a-mobile",
        });
    }
  }
  const phone = blankToNull(input.phone);
  if (phone !== undefined) {
    if (phone === null) columns.phone = null;
    else {
      const e164 = toE164(phone, options.defaultCountry);
      if (e164) columns.phone = e164;
      else
        problems.push({
          field: "phone",
          message: `"${phone}" is not a valid phone number`,
          kind: "not-a-phone",
        });
    }
  }
  const language = blankToNull(input.language);
  if (language !== undefined) {
    if (language !== null && !LANGUAGE.test(language))
      problems.push({
        field: "language",
        message: `"${language}" is not a language code such as nb or en`,
        kind: "not-a-language",
      });
    else columns.language = language;
  }
  if (input.companyId !== undefined) columns.company_id = input.companyId;
  if (input.ourContactId !== undefined) columns.our_contact_id = input.ourContactId;
  if (input.formerEmployee !== undefined) columns.former_employee = input.formerEmployee ? 1 : 0;
  return columns;
}

async function checkReferences(db: Executor, columns: PersonColumns): Promise<void> {
  if (columns.company_id != null) {
    const found = await db
      .selectFrom("companies")
      .select("id")
      .where("id", "=", columns.company_id)
      .executeTakeFirst();
    if (!found) throw missingReference("companyId", "company", columns.company_id);
  }
  if (columns.our_contact_id != null) {
    const found = await db
      .selectFrom("users")
      .select("id")
      .where("id", "=", columns.our_contact_id)
      .executeTakeFirst();
    if (!found) throw missingReference("ourContactId", "user", columns.our_contact_id);
  }
}

async function customFieldIds(
  db: Executor,
  values: Record<string, string | null>,
  problems: FieldProblem[],
): Promise<Map<string, { id: number; type: string }>> {
  const keys = Object.keys(values);
  const fields = new Map<string, { id: number; type: string }>();
  if (keys.length === 0) return fields;
  const rows = await db
    .selectFrom("custom_fields")
    .select(["id", "key", "type"])
    .where("key", "in", keys)
    .execute();
  for (const row of rows) fields.set(row.key, { id: row.id, type: row.type });
  for (const key of keys) {
    const field = fields.get(key);
    const value = values[key];
    if (!field) {
      problems.push({
        field: `customFields.${key}`,
        message: `no custom field "${key}" exists`,
        kind: "unknown-reference",
        params: { what: "customField", id: key },
      });
      continue;
    }
    if (value == null || value === "") continue;
    if (value.length > 2000)
      problems.push({
        field: `customFields.${key}`,
        message: "longer than 2000 characters",
        kind: "maxLength",
        params: { limit: 2000 },
      });
    if (field.type === "number" && !/^-?\d+(\.\d+)?$/.test(value))
      problems.push({
        field: `customFields.${key}`,
        message: `"${value}" is not a number`,
        kind: "not-a-number",
      });
    if (field.type === "date" && (!/^\d{4}-\d{2}-\d{2}$/.test(value) || Number.isNaN(Date.parse(value))))
      problems.push({
        field: `customFields.${key}`,
        message: `"${value}" is not a date (YYYY-MM-DD)`,
        kind: "not-a-date",
      });
    if (field.type === "boolean" && value !== "true" && value !== "false")
      problems.push({
        field: `customFields.${key}`,
        message: `"${value}" is not true or false`,
        kind: "not-a-boolean",
      });
  }
  return fields;
}

async function writeRelations(
  trx: Executor,
  personId: number,
  input: PersonInput,
  emails: ReturnType<typeof normaliseEmails> | undefined,
  fields: Map<string, { id: number; type: string }>,
  now: string,
): Promise<void> {
  if (emails) {
    await trx.deleteFrom("person_emails").where("person_id", "=", personId).execute();
    if (emails.length > 0)
      await trx
        .insertInto("person_emails")
        .values(
          emails.map((e) => ({
            person_id: personId,
            address: e.address,
            address_lower: e.addressLower,
            is_primary: e.primary ? 1 : 0,
            created_at: now,
          })),
        )
        .execute();
  }
  if (input.interests) {
    await trx.deleteFrom("person_interests").where("person_id", "=", personId).execute();
    const byLower = new Map<string, string>();
    for (const name of input.interests.map((n) => n.trim()).filter((n) => n !== ""))
      if (!byLower.has(name.toLowerCase())) byLower.set(name.toLowerCase(), name);
    const names = [...byLower.values()];
    for (const name of names) {
      const interestId = await ensureInterest(trx, name, now);
      await trx
        .insertInto("person_interests")
        .values({ person_id: personId, interest_id: interestId, created_at: now })
        .execute();
    }
  }
  if (input.customFields) {
    for (const [key, value] of Object.entries(input.customFields)) {
      const field = fields.get(key);
      if (!field) continue;
      await trx
        .deleteFrom("person_custom_values")
        .where("person_id", "=", personId)
        .where("field_id", "=", field.id)
        .execute();
      if (value != null && value !== "")
        await trx
          .insertInto("person_custom_values")
          .values({ person_id: personId, field_id: field.id, value })
          .execute();
    }
  }
}

export async function ensureInterest(db: Executor, name: string, now: string): Promise<number> {
  const nameLower = name.toLowerCase();
  const existing = await db
    .selectFrom("interests")
    .select("id")
    .where("name_lower", "=", nameLower)
    .executeTakeFirst();
  if (existing) return existing.id;
  const row = await db
    .insertInto("interests")
    .values({ name, name_lower: nameLower, created_at: now })
    .returning("id")
    .executeTakeFirstOrThrow();
  return row.id;
}

/**
 * A person saved with an address from the suppression list is kept out of marketing: their e-marketing consent is
 * recorded as withdrawn (unless it is already), whatever the consent filter says. Only new consent, recorded with
 * `newConsent` and where it came from, brings them back (consent.ts).
 */
async function keepSuppressedOut(db: Db, personId: number, added: string[]): Promise<void> {
  const suppressed = await suppressedAmong(db, added);
  if (suppressed.size === 0) return;
  const current = await db
    .selectFrom("person_consents as pc")
    .innerJoin("consent_purposes as cp", "cp.id", "pc.purpose_id")
    .select("pc.legal_basis")
    .where("pc.person_id", "=", personId)
    .where("cp.key", "=", "e-marketing")
    .executeTakeFirst();
  if (current?.legal_basis === "withdrawn") return;
  await recordConsent(db, personId, {
    purpose: "e-marketing",
    legalBasis: "withdrawn",
    source: "manual",
    comment: "an address of the person is on the suppression list",
  });
}

export async function createPerson(db: Db, input: PersonInput, options: ContactsOptions): Promise<Person> {
  return getPerson(db, await insertPerson(db, input, options));
}

/** createPerson without reading the person back (six queries): for callers that only need the id. */
export async function insertPerson(db: Db, input: PersonInput, options: ContactsOptions): Promise<number> {
  const problems: FieldProblem[] = [];
  const columns = personColumns(input, options, problems);
  const emails = input.emails ? normaliseEmails(input.emails, problems) : [];
  if (!columns.first_name && !columns.last_name && emails.length === 0 && !input.emails?.length)
    problems.push({
      field: "lastName",
      message: "a person needs a name or an e-mail address",
      kind: "name-or-email",
    });
  const fields = await customFieldIds(db, input.customFields ?? {}, problems);
  if (problems.length > 0) throw invalid(problems);
  await checkReferences(db, columns);
  const now = isoNow();
  const id = await db.transaction().execute(async (trx) => {
    const row = await trx
      .insertInto("persons")
      .values({
        ...columns,
        search_name: searchName({
          first_name: columns.first_name ?? null,
          middle_name: columns.middle_name ?? null,
          last_name: columns.last_name ?? null,
        }),
        former_employee: columns.former_employee ?? 0,
        created_at: now,
        updated_at: now,
      })
      .returning("id")
      .executeTakeFirstOrThrow();
    await writeRelations(trx, row.id, input, emails, fields, now);
    return row.id;
  });
  await keepSuppressedOut(
    db,
    id,
    emails.map((e) => e.addressLower),
  );
  return id;
}

export async function updatePerson(
  db: Db,
  id: number,
  input: PersonInput,
  options: ContactsOptions,
): Promise<Person> {
  const existing = await db.selectFrom("persons").selectAll().where("id", "=", id).executeTakeFirst();
  if (!existing) throw notFound("person", id);
  const problems: FieldProblem[] = [];
  const columns = personColumns(input, options, problems);
  const emails = input.emails ? normaliseEmails(input.emails, problems) : undefined;
  const fields = await customFieldIds(db, input.customFields ?? {}, problems);
  if (problems.length > 0) throw invalid(problems);
  await checkReferences(db, columns);
  const now = isoNow();
  const merged = { ...existing, ...columns };
  const before = new Set(
    (await db.selectFrom("person_emails").select("address_lower").where("person_id", "=", id).execute()).map(
      (e) => e.address_lower,
    ),
  );
  await db.transaction().execute(async (trx) => {
    await trx
      .updateTable("persons")
      .set({ ...columns, search_name: searchName(merged), updated_at: now })
      .where("id", "=", id)
      .execute();
    await writeRelations(trx, id, input, emails, fields, now);
  });
  const added = (emails ?? []).map((e) => e.addressLower).filter((a) => !before.has(a));
  await keepSuppressedOut(db, id, added);
  return getPerson(db, id);
}

export async function deletePerson(db: Db, id: number): Promise<void> {
  const result = await db.deleteFrom("persons").where("id", "=", id).executeTakeFirst();
  if (Number(result.numDeletedRows) === 0) throw notFound("person", id);
}

export async function getPerson(db: Db, id: number): Promise<Person> {
  const row = await db
    .selectFrom("persons as p")
    .leftJoin("companies as c", "c.id", "p.company_id")
    .selectAll("p")
    .select("c.name as company_name")
    .where("p.id", "=", id)
    .executeTakeFirst();
  if (!row) throw notFound("person", id);
  const [emails, interests, custom, consents, subscriptions] = await Promise.all([
    db
      .selectFrom("person_emails")
      .select(["address", "is_primary"])
      .where("person_id", "=", id)
      .orderBy("is_primary", "desc")
      .orderBy("id")
      .execute(),
    db
      .selectFrom("person_interests as pi")
      .innerJoin("interests as i", "i.id", "pi.interest_id")
      .select("i.name")
      .where("pi.person_id", "=", id)
      .orderBy("i.name")
      .execute(),
    db
      .selectFrom("person_custom_values as v")
      .innerJoin("custom_fields as f", "f.id", "v.field_id")
      .select(["f.key", "v.value"])
      .where("v.person_id", "=", id)
      .execute(),
    db
      .selectFrom("person_consents as pc")
      .innerJoin("consent_purposes as cp", "cp.id", "pc.purpose_id")
      .select(["cp.key", "pc.legal_basis", "pc.source", "pc.updated_at"])
      .where("pc.person_id", "=", id)
      .orderBy("cp.id")
      .execute(),
    db
      .selectFrom("person_subscriptions as ps")
      .innerJoin("subscription_types as st", "st.id", "ps.type_id")
      .select(["st.id", "st.name", "ps.status", "ps.updated_at"])
      .where("ps.person_id", "=", id)
      .orderBy("st.id")
      .execute(),
  ]);
  return {
    id: row.id,
    firstName: row.first_name,
    middleName: row.middle_name,
    lastName: row.last_name,
    fullName: fullName(row),
    title: row.title,
    mrmrs: row.mrmrs,
    email: emails.find((e) => e.is_primary === 1)?.address ?? null,
    emails: emails.map((e) => ({ address: e.address, primary: e.is_primary === 1 })),
    mobile: row.mobile,
    phone: row.phone,
    language: row.language,
    street: row.street,
    postcode: row.postcode,
    city: row.city,
    country: row.country,
    companyId: row.company_id,
    companyName: row.company_name,
    ourContactId: row.our_contact_id,
    formerEmployee: row.former_employee === 1,
    interests: interests.map((i) => i.name),
    customFields: Object.fromEntries(custom.map((c) => [c.key, c.value])),
    consents: consents.map((c) => ({
      purpose: c.key,
      legalBasis: c.legal_basis,
      source: c.source,
      updatedAt: c.updated_at,
    })),
    subscriptions: subscriptions.map((s) => ({
      typeId: s.id,
      typeName: s.name,
      status: s.status,
      updatedAt: s.updated_at,
    })),
    createdAt: row.created_at,
    updatedAt: row.updated_at,
  };
}

export type PersonFilter = {
  q?: string | undefined;
  companyId?: number | undefined;
  interest?: string | undefined;
  hasEmail?: boolean | undefined;
  hasMobile?: boolean | undefined;
  formerEmployee?: boolean | undefined;
};

/** A subquery yielding person ids (a selection's or project's members). */
export type PersonIdSet = Expression<number>;

export type Page<T> = { items: T[]; total: number; limit: number; offset: number };

/** Persons with their primary e-mail and company, filtered; `restrictTo` narrows to a subquery of person ids. */
export async function listPersons(
  db: Db,
  filter: PersonFilter,
  page: { limit: number; offset: number },
  restrictTo?: PersonIdSet,
): Promise<Page<PersonSummary>> {
  let base = db
    .selectFrom("persons as p")
    .leftJoin("companies as c", "c.id", "p.company_id")
    .leftJoin("person_emails as e", (join) =>
      join.onRef("e.person_id", "=", "p.id").on("e.is_primary", "=", 1),
    );
  if (restrictTo) base = base.where("p.id", "in", restrictTo);
  if (filter.q) {
    const pattern = `%${escapeLike(filter.q.trim().toLowerCase())}%`;
    base = base.where((eb) =>
      eb.or([
        eb("p.search_name", "like", sql<string>`${pattern} escape '\\'`),
        eb("e.address_lower", "like", sql<string>`${pattern} escape '\\'`),
        eb("c.name_lower", "like", sql<string>`${pattern} escape '\\'`),
      ]),
    );
  }
  if (filter.companyId !== undefined) base = base.where("p.company_id", "=", filter.companyId);
  if (filter.formerEmployee !== undefined)
    base = base.where("p.former_employee", "=", filter.formerEmployee ? 1 : 0);
  if (filter.hasEmail !== undefined) base = base.where("e.address", filter.hasEmail ? "is not" : "is", null);
  if (filter.hasMobile !== undefined) base = base.where("p.mobile", filter.hasMobile ? "is not" : "is", null);
  if (filter.interest) {
    const interest = filter.interest.toLowerCase();
    base = base.where((eb) =>
      eb.exists(
        eb
          .selectFrom("person_interests as pi")
          .innerJoin("interests as i", "i.id", "pi.interest_id")
          .select("pi.person_id")
          .whereRef("pi.person_id", "=", "p.id")
          .where("i.name_lower", "=", interest),
      ),
    );
  }
  const [countRow, rows] = await Promise.all([
    base.select((eb) => eb.fn.countAll<number>().as("n")).executeTakeFirstOrThrow(),
    base
      .select([
        "p.id",
        "p.first_name",
        "p.middle_name",
        "p.last_name",
        "p.mobile",
        "p.company_id",
        "p.former_employee",
        "c.name as company_name",
        "e.address as email",
      ])
      .orderBy("p.last_name")
      .orderBy("p.first_name")
      .orderBy("p.id")
      .limit(page.limit)
      .offset(page.offset)
      .execute(),
  ]);
  return {
    items: rows.map((r) => ({
      id: r.id,
      firstName: r.first_name,
      lastName: r.last_name,
      fullName: fullName(r),
      email: r.email,
      mobile: r.mobile,
      companyId: r.company_id,
      companyName: r.company_name,
      formerEmployee: r.former_employee === 1,
    })),
    total: Number(countRow.n),
    limit: page.limit,
    offset: page.offset,
  };
}
