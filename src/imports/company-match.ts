// Which company each imported row belongs to: found by org number or name, else created once per batch.

import { chunked, type Executor } from "../db/bulk-sql.ts";
import type { CompanyValues } from "./rows.ts";
import type { BatchRecord } from "./store.ts";

export type KnownCompany = {
  id: number;
  name_lower: string;
  org_number: string | null;
  street: string | null;
  postcode: string | null;
  city: string | null;
  country: string | null;
  domain: string | null;
};

const COMPANY_FILL = ["street", "postcode", "city", "country", "domain"] as const;

/** The company names (lower-case) and org numbers a batch's rows name: what `matchCompanies` looks up. */
export function companyKeys(records: BatchRecord[]): { names: string[]; orgs: string[] } {
  const wanted = records.filter((r) => r.company).map((r) => r.company!);
  return {
    names: [...new Set(wanted.map((c) => c.name.toLowerCase()))],
    orgs: [...new Set(wanted.flatMap((c) => (c.orgNumber ? [c.orgNumber] : [])))],
  };
}

export const COMPANY_COLUMNS = [
  "id",
  "name_lower",
  "org_number",
  "street",
  "postcode",
  "city",
  "country",
  "domain",
] as const;

async function lookupCompanies(db: Executor, names: string[], orgs: string[]): Promise<KnownCompany[]> {
  const found: KnownCompany[] = [];
  for (const chunk of chunked(
    [...names.map((n) => ["name", n] as const), ...orgs.map((o) => ["org", o] as const)],
    1,
  )) {
    const chunkNames = chunk.filter(([kind]) => kind === "name").map(([, v]) => v);
    const chunkOrgs = chunk.filter(([kind]) => kind === "org").map(([, v]) => v);
    const rows = await db
      .selectFrom("companies")
      .select(COMPANY_COLUMNS)
      .where((eb) =>
        eb.or([
          ...(chunkNames.length > 0 ? [eb("name_lower", "in", chunkNames)] : []),
          ...(chunkOrgs.length > 0 ? [eb("org_number", "in", chunkOrgs)] : []),
        ]),
      )
      .orderBy("id")
      .execute();
    found.push(...rows);
  }
  return found;
}

/**
 * Finds each record's company: by org number when the row has one, else by name among companies without a different
 * org number. The ones not found are listed to create (once per batch); `fill` holds empty fields rows can fill in.
 * `planned` (a dry run's) holds the companies earlier batches would have created, and gets this batch's added.
 * `found`: the companies named by `companyKeys`, ordered by id, when the caller read them already.
 */
export async function matchCompanies(
  db: Executor,
  records: BatchRecord[],
  planned?: KnownCompany[],
  found?: KnownCompany[],
) {
  const byOrg = new Map<string, KnownCompany>();
  const byName = new Map<string, KnownCompany[]>();
  const remember = (company: KnownCompany) => {
    if (company.org_number) byOrg.set(company.org_number, company);
    const list = byName.get(company.name_lower) ?? [];
    list.push(company);
    byName.set(company.name_lower, list);
  };
  const { names, orgs } = companyKeys(records);
  if (names.length > 0) for (const row of found ?? (await lookupCompanies(db, names, orgs))) remember(row);
  // A dry run writes nothing, so the companies earlier batches would have created are remembered here instead.
  for (const company of planned ?? []) remember(company);
  const toCreate: Array<{ values: CompanyValues; known: KnownCompany }> = [];
  const fill = new Map<number, Partial<Record<(typeof COMPANY_FILL)[number], string>>>();
  const companyOf = new Map<BatchRecord, KnownCompany>();
  for (const record of records) {
    const c = record.company;
    if (!c) continue;
    const nameLower = c.name.toLowerCase();
    let known =
      (c.orgNumber ? byOrg.get(c.orgNumber) : undefined) ??
      byName.get(nameLower)?.find((k) => !k.org_number || !c.orgNumber || k.org_number === c.orgNumber);
    if (!known) {
      known = {
        id: 0,
        name_lower: nameLower,
        org_number: c.orgNumber ?? null,
        street: null,
        postcode: null,
        city: null,
        country: null,
        domain: null,
      };
      for (const field of COMPANY_FILL) known[field] = c[field] ?? null;
      remember(known);
      planned?.push(known);
      toCreate.push({ values: c, known });
    } else {
      // Rows only fill a company's empty fields: a person list does not overwrite company data.
      for (const field of COMPANY_FILL) {
        const value = c[field];
        if (value === undefined || known[field] !== null) continue;
        known[field] = value;
        if (known.id !== 0) fill.set(known.id, { ...fill.get(known.id), [field]: value });
      }
    }
    companyOf.set(record, known);
  }
  return { toCreate, fill, companyOf };
}

export type CompanyMatch = Awaited<ReturnType<typeof matchCompanies>>;

/**
 * Creates the batch's new companies and fills in empty fields of found ones; gives each record its company id.
 * `match`: what `matchCompanies` decided for these records, when the caller has it (it fills in the found companies'
 * objects, so it cannot be asked twice about the same ones).
 */
export async function createCompanies(
  trx: Executor,
  records: BatchRecord[],
  now: string,
  found?: KnownCompany[],
  match?: CompanyMatch,
) {
  const { toCreate, fill, companyOf } = match ?? (await matchCompanies(trx, records, undefined, found));
  for (const chunk of chunked(toCreate, 10)) {
    const rows = await trx
      .insertInto("companies")
      .values(
        chunk.map(({ values, known }) => ({
          name: values.name,
          name_lower: known.name_lower,
          org_number: known.org_number,
          street: known.street,
          postcode: known.postcode,
          city: known.city,
          country: known.country,
          domain: known.domain,
          created_at: now,
          updated_at: now,
        })),
      )
      .returning(["id", "name_lower", "org_number"])
      .execute();
    // Each (name, org number) is created once per batch, so the returned rows map back without relying on order.
    const byKey = new Map(rows.map((r) => [`${r.name_lower}\u0000${r.org_number ?? ""}`, r.id]));
    for (const { known } of chunk)
      known.id = byKey.get(`${known.name_lower}\u0000${known.org_number ?? ""}`)!;
  }
  for (const [id, values] of fill)
    await trx
      .updateTable("companies")
      .set({ ...values, updated_at: now })
      .where("id", "=", id)
      .execute();
  return {
    created: toCreate.length,
    idOf: (record: BatchRecord): number | null => companyOf.get(record)?.id ?? null,
  };
}
