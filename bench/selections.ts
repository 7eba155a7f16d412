// `npm run bench -- selections`: evaluates a dynamic selection over 100,000 persons on SQLite and PostgreSQL.
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { sql } from "kysely";
import { type DbHandle, type Dialect, openDatabase } from "../src/db/connect.ts";
import { migrateToLatest } from "../src/db/migrate.ts";
import { listPersons } from "../src/persons/persons.ts";
import { criteriaPersonIds } from "../src/selections/compile.ts";
import type { Criteria } from "../src/selections/criteria.ts";
import { formatMs, timeRuns } from "./stats.ts";

const PERSONS = Number(process.env.BENCH_PERSONS ?? 100_000);
const POSTGRES_URL = process.env.UTSEND_TEST_POSTGRES_URL ?? "postgres://postgres@127.0.0.1:5432/test";
const CITIES = ["Oslo", "Bergen", "Trondheim", "Stavanger", "Tromsø", "Ålesund", "Bodø", "Drammen"];

const criteria: Criteria = {
  match: "all",
  criteria: [
    { type: "consent", purpose: "e-marketing", state: "active" },
    { type: "interest", op: "has", interest: "Kurs" },
    {
      type: "group",
      match: "any",
      criteria: [
        { type: "field", field: "company.city", op: "eq", value: "Oslo" },
        { type: "field", field: "company.city", op: "eq", value: "Bergen" },
      ],
    },
    { type: "field", field: "person.email", op: "isNotEmpty" },
  ],
};

async function seed(handle: DbHandle): Promise<void> {
  const db = handle.db;
  const now = new Date().toISOString();
  const companies = Array.from({ length: 1000 }, (_, i) => ({
    name: `Firma ${i} AS`,
    name_lower: `firma ${i} as`,
    city: CITIES[i % CITIES.length]!,
    created_at: now,
    updated_at: now,
  }));
  await db.insertInto("companies").values(companies).execute();
  const interest = await db
    .insertInto("interests")
    .values({ name: "Kurs", name_lower: "kurs", created_at: now })
    .returning("id")
    .executeTakeFirstOrThrow();
  const purpose = await db
    .selectFrom("consent_purposes")
    .select("id")
    .where("key", "=", "e-marketing")
    .executeTakeFirstOrThrow();
  const batch = 2000;
  for (let start = 0; start < PERSONS; start += batch) {
    await db.transaction().execute(async (trx) => {
      const rows = Array.from({ length: Math.min(batch, PERSONS - start) }, (_, k) => {
        const i = start + k;
        return {
          first_name: `Navn${i}`,
          last_name: `Etternavn${i % 997}`,
          search_name: `navn${i} etternavn${i % 997}`,
          company_id: (i % 1000) + 1,
          former_employee: 0,
          created_at: now,
          updated_at: now,
        };
      });
      const inserted = await trx.insertInto("persons").values(rows).returning("id").execute();
      const ids = inserted.map((r) => r.id);
      await trx
        .insertInto("person_emails")
        .values(
          ids
            .filter((id) => id % 10 !== 0)
            .map((id) => ({
              person_id: id,
              address: `p${id}@example.no`,
              address_lower: `p${id}@example.no`,
              is_primary: 1,
              created_at: now,
            })),
        )
        .execute();
      await trx
        .insertInto("person_consents")
        .values(
          ids
            .filter((id) => id % 3 !== 0)
            .map((id) => ({
              person_id: id,
              purpose_id: purpose.id,
              legal_basis: id % 17 === 0 ? ("withdrawn" as const) : ("consent" as const),
              source: "import",
              updated_at: now,
            })),
        )
        .execute();
      await trx
        .insertInto("person_interests")
        .values(
          ids
            .filter((id) => id % 5 === 0)
            .map((id) => ({ person_id: id, interest_id: interest.id, created_at: now })),
        )
        .execute();
    });
  }
  if (handle.dialect === "postgres") await sql`analyze`.execute(db);
  else await sql`analyze`.execute(db);
}

async function benchDialect(dialect: Dialect): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), "bench-sel-"));
  const schema = `bench_sel_${process.pid}`;
  const handle =
    dialect === "sqlite"
      ? await openDatabase({ databaseUrl: `sqlite:${join(dir, "bench.db")}`, dataDir: dir })
      : await openDatabase({ databaseUrl: POSTGRES_URL, dataDir: dir, databaseSchema: schema });
  try {
    await migrateToLatest(handle);
    const seedStart = performance.now();
    await seed(handle);
    console.log(
      `${dialect}: seeded ${PERSONS} persons in ${((performance.now() - seedStart) / 1000).toFixed(1)} s`,
    );
    let total = 0;
    const evaluate = async () => {
      const page = await listPersons(
        handle.db,
        {},
        { limit: 50, offset: 0 },
        await criteriaPersonIds(handle.db, criteria),
      );
      total = page.total;
    };
    await evaluate(); // warm-up: statement caches, page cache
    const timing = await timeRuns(7, evaluate);
    console.log(
      `${dialect}: dynamic selection over ${PERSONS} persons → ${total} members; count + first page of 50: ${formatMs(timing)}`,
    );
  } finally {
    if (dialect === "postgres") await sql`drop schema if exists ${sql.id(schema)} cascade`.execute(handle.db);
    await handle.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

export async function benchSelections(): Promise<void> {
  await benchDialect("sqlite");
  await benchDialect("postgres");
}
