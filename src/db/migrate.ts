// Runs the migrations in order with Kysely's Migrator; the same files serve SQLite and PostgreSQL.
import type { Kysely } from "kysely";
import { type MigrationProvider, Migrator } from "kysely/migration";
import type { DbHandle } from "./connect.ts";
import * as initial from "./migrations/0001-initial.ts";
import * as imports from "./migrations/0002-imports.ts";
import * as mailings from "./migrations/0003-mailings.ts";
import * as inbound from "./migrations/0004-inbound.ts";

// biome-ignore lint/suspicious/noExplicitAny: migrations run before the typed schema exists.
type DialectMigration = { up(db: Kysely<any>, dialect: DbHandle["dialect"]): Promise<void> };

const migrations: Record<string, DialectMigration> = {
  "0001-initial": initial,
  "0002-imports": imports,
  "0003-mailings": mailings,
  "0004-inbound": inbound,
};

export async function migrateToLatest(handle: DbHandle): Promise<string[]> {
  const provider: MigrationProvider = {
    getMigrations: async () =>
      Object.fromEntries(
        Object.entries(migrations).map(([name, m]) => [name, { up: (db) => m.up(db, handle.dialect) }]),
      ),
  };
  // Kysely looks for its own tables across schemas unless told which one: name ours.
  const migrator = new Migrator({
    db: handle.db,
    provider,
    ...(handle.schema ? { migrationTableSchema: handle.schema } : {}),
  });
  const { error, results } = await migrator.migrateToLatest();
  if (error) throw error;
  return (results ?? []).filter((r) => r.status === "Success").map((r) => r.migrationName);
}
