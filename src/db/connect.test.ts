import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { sql } from "kysely";
import { afterAll, describe, expect, it } from "vitest";
import { POSTGRES_URL, testDialects } from "../../test/helpers/dialects.ts";
import { openDatabase, PREPARED } from "./connect.ts";

describe("SQLite connection with kept statements", () => {
  const dir = mkdtempSync(join(tmpdir(), "utsend-connect-"));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it("runs a query again after a stream of the same query was left part-way", async () => {
    const handle = await openDatabase({ databaseUrl: `sqlite:${join(dir, "a.db")}`, dataDir: dir });
    try {
      await sql`create table t (n integer)`.execute(handle.db);
      await sql`insert into t values (1), (2), (3)`.execute(handle.db);
      const query = handle.db
        .selectFrom("t" as never)
        .select(sql<number>`n`.as("n"))
        .orderBy(sql`n`);
      for await (const row of query.stream()) {
        expect(row.n).toBe(1);
        break;
      }
      expect((await query.execute()).map((r) => r.n)).toEqual([1, 2, 3]);
      await sql`insert into t values (4)`.execute(handle.db);
      const streamed: number[] = [];
      for await (const row of query.stream()) streamed.push(row.n);
      expect(streamed).toEqual([1, 2, 3, 4]);
      expect((await query.execute()).map((r) => r.n)).toEqual([1, 2, 3, 4]);
    } finally {
      await handle.close();
    }
  });

  it("keeps working past the number of statements it keeps", async () => {
    const handle = await openDatabase({ databaseUrl: `sqlite:${join(dir, "b.db")}`, dataDir: dir });
    try {
      for (let i = 0; i < 250; i++) {
        const { rows } = await sql<{ v: number }>`select ${sql.raw(String(i))} + 0 as v`.execute(handle.db);
        expect(rows[0]!.v).toBe(i);
      }
      const again = await sql<{ v: number }>`select 7 + 0 as v`.execute(handle.db);
      expect(again.rows[0]!.v).toBe(7);
    } finally {
      await handle.close();
    }
  });
});

describe.each((await testDialects()).filter((dialect) => dialect === "postgres"))(
  "%s connection with prepared statements",
  () => {
    it("prepares a marked statement once per connection, by its text, and leaves the others unprepared", async () => {
      const handle = await openDatabase({
        databaseUrl: POSTGRES_URL,
        dataDir: tmpdir(),
        databaseSchema: "public",
      });
      try {
        const names = await handle.db.connection().execute(async (conn) => {
          const sum = (values: number[]) =>
            sql<{
              n: number;
            }>`${sql.raw(PREPARED)}select sum(v)::int as n from unnest(${values}::int[]) as t(v)`;
          const twice = (values: number[]) =>
            sql<{
              n: number;
            }>`${sql.raw(PREPARED)}select 2 * sum(v)::int as n from unnest(${values}::int[]) as t(v)`;
          expect((await sum([1, 2, 3]).execute(conn)).rows[0]!.n).toBe(6);
          expect((await sum([4, 5]).execute(conn)).rows[0]!.n).toBe(9);
          expect((await twice([4, 5]).execute(conn)).rows[0]!.n).toBe(18);
          expect((await sql<{ n: number }>`select ${3}::int as n`.execute(conn)).rows[0]!.n).toBe(3);
          return (
            await sql<{
              statement: string;
            }>`select statement from pg_prepared_statements order by statement`.execute(conn)
          ).rows.map((row) => row.statement);
        });
        expect(names).toEqual([
          `${PREPARED}select 2 * sum(v)::int as n from unnest($1::int[]) as t(v)`,
          `${PREPARED}select sum(v)::int as n from unnest($1::int[]) as t(v)`,
        ]);
      } finally {
        await handle.close();
      }
    });
  },
);
