// Companies: the organisations persons work for.
import { sql } from "kysely";
import type { Db } from "../db/connect.ts";
import { blankToNull, escapeLike, isValidEmail, toE164 } from "../persons/person-rules.ts";
import type { Page } from "../persons/persons.ts";
import { isoNow } from "../shared/clock.ts";
import { type FieldProblem, invalid, missingReference, notFound } from "../shared/errors.ts";

export type CompanyInput = {
  name?: string;
  orgNumber?: string | null;
  department?: string | null;
  street?: string | null;
  postcode?: string | null;
  city?: string | null;
  country?: string | null;
  domain?: string | null;
  phone?: string | null;
  email?: string | null;
  ourContactId?: number | null;
};

export type Company = {
  id: number;
  name: string;
  orgNumber: string | null;
  department: string | null;
  street: string | null;
  postcode: string | null;
  city: string | null;
  country: string | null;
  domain: string | null;
  phone: string | null;
  email: string | null;
  ourContactId: number | null;
  personCount: number;
  createdAt: string;
  updatedAt: string;
};

const DOMAIN = /^(?=.{1,253}$)([a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}$/i;

type CompanyColumns = Partial<{
  name: string;
  name_lower: string;
  org_number: string | null;
  department: string | null;
  street: string | null;
  postcode: string | null;
  city: string | null;
  country: string | null;
  domain: string | null;
  phone: string | null;
  email: string | null;
  our_contact_id: number | null;
}>;

function companyColumns(
  input: CompanyInput,
  defaultCountry: string,
  problems: FieldProblem[],
): CompanyColumns {
  const columns: CompanyColumns = {};
  if (input.name !== undefined) {
    const name = input.name.trim();
    if (name === "") problems.push({ field: "name", message: "must not be empty", kind: "empty" });
    columns.name = name;
    columns.name_lower = name.toLowerCase();
  }
  const simple = [
    ["orgNumber", "org_number"],
    ["department", "department"],
    ["street", "street"],
    ["postcode", "postcode"],
    ["city", "city"],
  ] as const;
  for (const [key, column] of simple) {
    const value = blankToNull(input[key]);
    if (value !== undefined) columns[column] = value;
  }
  const country = blankToNull(input.country);
  if (country !== undefined) {
    if (country !== null && !/^[A-Z]{2}$/.test(country))
      problems.push({
        field: "country",
        message: `"${country}" is not a two-letter country code such as NO`,
        kind: "not-a-country",
      });
    else columns.country = country;
  }
  const domain = blankToNull(input.domain);
  if (domain !== undefined) {
    if (domain !== null && !DOMAIN.test(domain))
      problems.push({ field: "domain", message: `"${domain}" is not a domain name`, kind: "not-a-domain" });
    else columns.domain = domain?.toLowerCase() ?? null;
  }
  const phone = blankToNull(input.phone);
  if (phone !== undefined) {
    const e164 = phone === null ? null : toE164(phone, country ?? defaultCountry);
    if (phone !== null && !e164)
      problems.push({
        field: "phone",
        message: `"${phone}" is not a valid phone number`,
        kind: "not-a-phone",
      });
    else columns.phone = e164;
  }
  const email = blankToNull(input.email);
  if (email !== undefined) {
    if (email !== null && !isValidEmail(email))
      problems.push({
        field: "email",
        message: `"${email}" is not a valid e-mail address`,
        kind: "format",
        params: { format: "email" },
      });
    else columns.email = email;
  }
  if (input.ourContactId !== undefined) columns.our_contact_id = input.ourContactId;
  return columns;
}

async function checkContact(db: Db, ourContactId: number | null | undefined): Promise<void> {
  if (ourContactId == null) return;
  const user = await db.selectFrom("users").select("id").where("id", "=", ourContactId).executeTakeFirst();
  if (!user) throw missingReference("ourContactId", "user", ourContactId);
}

export async function createCompany(db: Db, input: CompanyInput, defaultCountry: string): Promise<Company> {
  const problems: FieldProblem[] = [];
  if (input.name === undefined) problems.push({ field: "name", message: "is required", kind: "required" });
  const columns = companyColumns(input, defaultCountry, problems);
  if (problems.length > 0) throw invalid(problems);
  await checkContact(db, columns.our_contact_id);
  const now = isoNow();
  const row = await db
    .insertInto("companies")
    .values({
      ...columns,
      name: columns.name!,
      name_lower: columns.name_lower!,
      created_at: now,
      updated_at: now,
    })
    .returning("id")
    .executeTakeFirstOrThrow();
  return getCompany(db, row.id);
}

export async function updateCompany(db: Db, id: number, input: CompanyInput, defaultCountry: string) {
  const problems: FieldProblem[] = [];
  const columns = companyColumns(input, defaultCountry, problems);
  if (problems.length > 0) throw invalid(problems);
  await checkContact(db, columns.our_contact_id);
  const result = await db
    .updateTable("companies")
    .set({ ...columns, updated_at: isoNow() })
    .where("id", "=", id)
    .executeTakeFirst();
  if (Number(result.numUpdatedRows) === 0) throw notFound("company", id);
  return getCompany(db, id);
}

export async function deleteCompany(db: Db, id: number): Promise<void> {
  const result = await db.deleteFrom("companies").where("id", "=", id).executeTakeFirst();
  if (Number(result.numDeletedRows) === 0) throw notFound("company", id);
}

function companyQuery(db: Db) {
  return db
    .selectFrom("companies as c")
    .selectAll("c")
    .select((eb) =>
      eb
        .selectFrom("persons as p")
        .select((e) => e.fn.countAll<number>().as("n"))
        .whereRef("p.company_id", "=", "c.id")
        .as("person_count"),
    );
}

type CompanyRow = Awaited<ReturnType<ReturnType<typeof companyQuery>["executeTakeFirstOrThrow"]>>;

function toCompany(row: CompanyRow): Company {
  return {
    id: row.id,
    name: row.name,
    orgNumber: row.org_number,
    department: row.department,
    street: row.street,
    postcode: row.postcode,
    city: row.city,
    country: row.country,
    domain: row.domain,
    phone: row.phone,
    email: row.email,
    ourContactId: row.our_contact_id,
    personCount: Number(row.person_count ?? 0),
    createdAt: row.created_at,
    updatedAt: row.updated_at,
  };
}

export async function getCompany(db: Db, id: number): Promise<Company> {
  const row = await companyQuery(db).where("c.id", "=", id).executeTakeFirst();
  if (!row) throw notFound("company", id);
  return toCompany(row);
}

export async function listCompanies(
  db: Db,
  filter: { q?: string | undefined; city?: string | undefined },
  page: { limit: number; offset: number },
): Promise<Page<Company>> {
  let base = db.selectFrom("companies as c");
  if (filter.q) {
    const pattern = `%${escapeLike(filter.q.trim().toLowerCase())}%`;
    base = base.where((eb) =>
      eb.or([
        eb("c.name_lower", "like", sql<string>`${pattern} escape '\\'`),
        eb("c.org_number", "like", sql<string>`${pattern} escape '\\'`),
        eb("c.domain", "like", sql<string>`${pattern} escape '\\'`),
      ]),
    );
  }
  if (filter.city) base = base.where(sql`lower(c.city)`, "=", filter.city.toLowerCase());
  const countRow = await base.select((eb) => eb.fn.countAll<number>().as("n")).executeTakeFirstOrThrow();
  const ids = await base
    .select("c.id")
    .orderBy("c.name_lower")
    .orderBy("c.id")
    .limit(page.limit)
    .offset(page.offset)
    .execute();
  const rows =
    ids.length === 0
      ? []
      : await companyQuery(db)
          .where(
            "c.id",
            "in",
            ids.map((r) => r.id),
          )
          .orderBy("c.name_lower")
          .orderBy("c.id")
          .execute();
  return { items: rows.map(toCompany), total: Number(countRow.n), limit: page.limit, offset: page.offset };
}
