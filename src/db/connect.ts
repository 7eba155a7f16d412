// Opens the database: embedded SQLite (WAL) by default, PostgreSQL when the URL says so. Same Kysely API for both.
import { createHash } from "node:crypto";
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

/**
 * A statement whose text starts with this is prepared once per PostgreSQL connection (named by its text's hash) and
 * from then on only bound and executed: PostgreSQL neither parses nor plans it again. For hot statements whose text
 * does not change with their data (arrays as parameters), e.g. the group commit of clicks (`src/track/batch.ts`).
 */
export const PREPARED = "/* prepared */ ";

/** Statement names by text: the same text always gets the same name, a different text another. */
const preparedNames = new Map<string, string>();
function preparedName(text: string): string {
  let name = preparedNames.get(text);
  if (!name) {
    name = `utsend_${createHash("sha256").update(text).digest("hex").slice(0, 24)}`;
    if (preparedNames.size >= 1_000) preparedNames.delete(preparedNames.keys().next().value!);
    preparedNames.set(text, name);
  }
  return name;
}

/** Makes a new pool connection prepare the statements marked `PREPARED` (node-postgres keeps them per connection). */
function prepareMarked(client: pg.PoolClient): void {
  const query = client.query.bind(client) as (...args: unknown[]) => unknown;
  const marked = (...args: unknown[]) => {
    const [text, values] = args;
    return typeof text === "string" && text.startsWith(PREPARED)
      ? query({ name: preparedName(text), text, values })
      : query(...args);
  };
  Object.assign(client, { query: marked });
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
  pool.on("connect", prepareMarked);
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
