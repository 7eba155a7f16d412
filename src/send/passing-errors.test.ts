// What the send loop treats as passing (try the claims again) rather than as the mailing's fault (pause it): a real
// deadlock from PostgreSQL and a real busy SQLite database, not error objects made up to look like them.
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import Database from "better-sqlite3";
import pg from "pg";
import { describe, expect, it } from "vitest";
import { POSTGRES_URL, testDialects } from "../../test/helpers/dialects.ts";
import { isPassingDatabaseError } from "./worker.ts";

const dialects = await testDialects();

describe("errors that pass when tried again", () => {
  it.runIf(dialects.includes("postgres"))("a PostgreSQL deadlock", async () => {
    const table = `passing_${process.pid}`;
    const a = new pg.Client({ connectionString: POSTGRES_URL });
    const b = new pg.Client({ connectionString: POSTGRES_URL });
    await a.connect();
    await b.connect();
    try {
      await a.query(`create table ${table} (id int primary key, n int)`);
      await a.query(`insert into ${table} values (1, 0), (2, 0)`);
      await a.query("begin");
      await b.query("begin");
      await a.query(`update ${table} set n = 1 where id = 1`);
      await b.query(`update ${table} set n = 1 where id = 2`);
      // Each now waits for the row the other holds: PostgreSQL ends one of them with 40P01.
      const results = await Promise.allSettled([
        a.query(`update ${table} set n = 2 where id = 2`),
        b.query(`update ${table} set n = 2 where id = 1`),
      ]);
      const failed = results.filter((r) => r.status === "rejected").map((r) => r.reason as Error);
      expect(failed).toHaveLength(1);
      expect(isPassingDatabaseError(failed[0])).toBe(true);
    } finally {
      await a.query("rollback").catch(() => {});
      await b.query("rollback").catch(() => {});
      await a.query(`drop table if exists ${table}`);
      await a.end();
      await b.end();
    }
  });

  it("a busy SQLite database", () => {
    const dir = mkdtempSync(join(tmpdir(), "utsend-busy-"));
    const file = join(dir, "busy.db");
    const holder = new Database(file);
    const other = new Database(file, { timeout: 0 });
    try {
      holder.exec("create table t (n int); begin immediate; insert into t values (1)");
      let error: unknown = null;
      try {
        other.exec("begin immediate");
      } catch (e) {
        error = e;
      }
      expect(isPassingDatabaseError(error)).toBe(true);
    } finally {
      holder.close();
      other.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it("not a mailing's own problem", () => {
    expect(isPassingDatabaseError(new Error("sending domain not found"))).toBe(false);
    expect(isPassingDatabaseError(Object.assign(new Error("unique violation"), { code: "23505" }))).toBe(
      false,
    );
    expect(isPassingDatabaseError(null)).toBe(false);
  });
});
