// Opens the database: embedded SQLite (WAL) by default, PostgreSQL when the URL says so. Same Kysely API for both.
import { mkdirSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import SQLite from "better-sqlite3";
import { Kysely, PostgresAdapter, PostgresDialect, type SqliteDatabase, SqliteDialect, sql } from "kysely";
import pg from "pg";
import type { Database } from "./schema.ts";

export type Dialect = "sqlite" | "postgres";
export type Db = Kysely<Database>;
export type DbHandle = {
  db: Db;
  dialect: Dialect;
  /** PostgreSQL schema in use (the search_path); undefined on SQLite. */
  schema?: string;
  describe: string;
  close(): Promise<void>;
};

export type DbOptions = { databaseUrl: string; dataDir: string; databaseSchema?: string };

const INT8_OID = 20;

/** The pg pool behind each PostgreSQL handle's Kysely, for what Kysely cannot do (COPY: `src/db/pg-copy.ts`). */
const postgresPools = new WeakMap<Db, pg.Pool>();

/** The pool a PostgreSQL `db` from `openDatabase` runs on; undefined for SQLite and for a Kysely made elsewhere. */
export function postgresPoolOf(db: Db): pg.Pool | undefined {
  return postgresPools.get(db);
}

/** Whether `db` (a transaction too) runs on PostgreSQL: for code that has only the Kysely, not the handle. */
export function runsOnPostgres(db: Db): boolean {
  return db.getExecutor().adapter instanceof PostgresAdapter;
}

export async function openDatabase(options: DbOptions): Promise<DbHandle> {
  const url = options.databaseUrl;
  if (/^postgres(ql)?:\/\//.test(url)) return openPostgres(url, options.databaseSchema ?? "public");
  const file = url.startsWith("sqlite:") ? url.slice("sqlite:".length) : join(options.dataDir, "utsend.db");
  return openSqlite(file);
}

function openSqlite(file: string): DbHandle {
  if (file !== ":memory:") mkdirSync(dirname(resolve(file)), { recursive: true });
  const database = new SQLite(file);
  database.pragma("journal_mode = WAL");
  database.pragma("synchronous = NORMAL");
  database.pragma("foreign_keys = ON");
  // Several worker processes share the file: wait for a lock instead of failing at once.
  database.pragma("busy_timeout = 10000");
  // SQLite's own lower() folds only ASCII; criteria compare Nordic names (Ø, Å, Æ) as PostgreSQL does.
  database.function("lower", { deterministic: true }, (value: unknown) =>
    value == null ? null : String(value).toLowerCase(),
  );
  const db = new Kysely<Database>({ dialect: new SqliteDialect({ database: withStatementCache(database) }) });
  return { db, dialect: "sqlite", describe: `SQLite ${file}`, close: () => db.destroy() };
}

const CACHED_STATEMENTS = 100;

/**
 * Kysely prepares every query anew, and better-sqlite3 compiles SQL on each prepare: for a 1,000-row insert that is
 * as slow as running it. Statements are kept by their SQL text (least recently used out first); a statement still
 * being iterated (a streamed query) is busy, and a query with the same text then gets a fresh one.
 */
function withStatementCache(database: SQLite.Database): SqliteDatabase {
  const cache = new Map<string, SQLite.Statement>();
  return {
    close: () => database.close(),
    prepare(text: string) {
      const cached = cache.get(text);
      if (cached && !cached.busy) {
        cache.delete(text);
        cache.set(text, cached);
        return cached;
      }
      const statement = database.prepare(text);
      if (!cached) {
        cache.set(text, statement);
        if (cache.size > CACHED_STATEMENTS) cache.delete(cache.keys().next().value!);
      }
      return statement;
    },
  };
}

async function openPostgres(url: string, schema: string): Promise<DbHandle> {
  // count(*) and bigint come back as strings from pg; our numbers stay far below 2^53.
  const types = {
    getTypeParser: (oid: number, format?: "text" | "binary") =>
      oid === INT8_OID ? (value: string) => Number(value) : pg.types.getTypeParser(oid, format ?? "text"),
  };
  const pool = new pg.Pool({ connectionString: url, max: 10, types, options: `-c search_path=${schema}` });
  const db = new Kysely<Database>({ dialect: new PostgresDialect({ pool }) });
  postgresPools.set(db, pool);
  await sql`create schema if not exists ${sql.id(schema)}`.execute(db);
  const safeUrl = url.replace(/\/\/[^@/]*@/, "//");
  return {
    db,
    dialect: "postgres",
    schema,
    describe: `PostgreSQL ${safeUrl} schema ${schema}`,
    close: () => db.destroy(),
  };
}
