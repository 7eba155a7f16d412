// One suite, every database: yields a fresh, migrated SQLite file and a fresh PostgreSQL schema for each test file.
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { sql } from "kysely";
import pg from "pg";
import { type DbHandle, type Dialect, openDatabase } from "../../src/db/connect.ts";
import { migrateToLatest } from "../../src/db/migrate.ts";
import { partAvailable } from "./requirements.ts";

export const POSTGRES_URL = process.env.UTSEND_TEST_POSTGRES_URL ?? "postgres://postgres@127.0.0.1:5432/test";

let postgresReachable: Promise<boolean> | undefined;

export function postgresAvailable(): Promise<boolean> {
  postgresReachable ??= (async () => {
    const client = new pg.Client({ connectionString: POSTGRES_URL, connectionTimeoutMillis: 3000 });
    try {
      await client.connect();
      await client.query("select 1");
      return true;
    } catch {
      return false;
    } finally {
      await client.end().catch(() => {});
    }
  })();
  return postgresReachable;
}

/** The dialects this run tests: SQLite always; PostgreSQL when reachable (a failure when UTSEND_REQUIRE_ALL=1). */
export async function testDialects(): Promise<Dialect[]> {
  const hasPg = partAvailable("PostgreSQL", await postgresAvailable(), `nothing answers at ${POSTGRES_URL}`);
  return hasPg ? ["sqlite", "postgres"] : ["sqlite"];
}

export type TestDb = DbHandle & { url: string; schema: string; dispose(): Promise<void> };

/** A fresh migrated database of the dialect (up to `migrateUntil`, for migration tests), owned by the caller. */
export async function freshDatabase(
  dialect: Dialect,
  options: { migrateUntil?: string } = {},
): Promise<TestDb> {
  if (dialect === "sqlite") {
    const dir = mkdtempSync(join(tmpdir(), "utsend-test-"));
    const url = `sqlite:${join(dir, "test.db")}`;
    const handle = await openDatabase({ databaseUrl: url, dataDir: dir });
    await migrateToLatest(handle, options.migrateUntil);
    return {
      ...handle,
      url,
      schema: "main",
      dispose: async () => {
        await handle.close();
        rmSync(dir, { recursive: true, force: true });
      },
    };
  }
  const schema = `t_${process.pid}_${Math.random().toString(36).slice(2, 10)}`;
  const handle = await openDatabase({ databaseUrl: POSTGRES_URL, dataDir: tmpdir(), databaseSchema: schema });
  await migrateToLatest(handle, options.migrateUntil);
  return {
    ...handle,
    url: POSTGRES_URL,
    schema: schema,
    dispose: async () => {
      await sql`drop schema if exists ${sql.id(schema)} cascade`.execute(handle.db);
      await handle.close();
    },
  };
}
