import { sql } from "kysely";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { freshDatabase, type TestDb, testDialects } from "../../test/helpers/dialects.ts";
import { personsByAddress } from "./pg-batch.ts";

const dialects = (await testDialects()).filter((d) => d === "postgres");

describe.each(dialects)("a batch's address lookup on %s", (dialect) => {
  let db: TestDb;
  beforeAll(async () => {
    db = await freshDatabase(dialect);
    // 60,000 persons with two addresses each, the second primary, and fresh statistics: planned as `= any(…)`, the
    // lookup of 1,000 addresses was a sequential scan of all of them past some 47,000.
    await sql`insert into persons (id, search_name, created_at, updated_at)
      select g, 'p' || g, 'now', 'now' from generate_series(1, 60000) as g`.execute(db.db);
    await sql`insert into person_emails (person_id, address, address_lower, is_primary, created_at)
      select g, 'P' || g || '@old.example', 'p' || g || '@old.example', 0, 'now' from generate_series(1, 60000) as g
      union all
      select g, 'p' || g || '@example.no', 'p' || g || '@example.no', 1, 'now' from generate_series(1, 60000) as g`.execute(
      db.db,
    );
    // A second person holding one of the addresses: the primary holder comes first, then the oldest person.
    await sql`insert into person_emails (person_id, address, address_lower, is_primary, created_at)
      values (2, 'p7@old.example', 'p7@old.example', 0, 'now')`.execute(db.db);
    await sql`analyze persons, person_emails`.execute(db.db);
  }, 60_000);
  afterAll(async () => db.dispose());

  const keys = Array.from({ length: 1000 }, (_, i) => `p${i * 50 + 7}@old.example`);

  it("looks each address up in the index, whatever the table's size", async () => {
    const { rows } = await sql<{ "QUERY PLAN": string }>`explain ${personsByAddress(keys, 1)}`.execute(db.db);
    const plan = rows.map((r) => r["QUERY PLAN"]).join("\n");
    expect(plan).toContain("Index Scan using person_emails_address on person_emails");
    expect(plan).not.toMatch(/Seq Scan on person_emails/);
  });

  it("finds the person of every address that exists, the oldest first among non-primary holders", async () => {
    const { rows } = await personsByAddress([...keys, "nobody@example.no"], 1).execute(db.db);
    expect(new Set(rows.map((r) => r.address_lower))).toEqual(new Set(keys));
    expect(rows.filter((r) => r.address_lower === "p7@old.example").map((r) => r.id)).toEqual([2, 7]);
  });
});
