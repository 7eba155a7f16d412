import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { sql } from "kysely";
import { afterAll, describe, expect, it } from "vitest";
import { openDatabase } from "./connect.ts";

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
