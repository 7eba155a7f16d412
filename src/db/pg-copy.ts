// PostgreSQL bulk writes on a connection held for a whole import: its transactions, and COPY … FROM STDIN (pg-copy-streams).
import { Readable } from "node:stream";
import { pipeline } from "node:stream/promises";
import { Kysely, PostgresDialect, type PostgresPool, type PostgresPoolClient } from "kysely";
import type pg from "pg";
import { from as copyFrom } from "pg-copy-streams";
import { type Db, postgresPoolOf } from "./connect.ts";
import type { Database } from "./schema.ts";

/** One pooled connection, and a Kysely that runs every query on it (so both see the same transaction). */
export type PgSession = {
  client: pg.PoolClient;
  db: Db;
  /** Runs `work` in one transaction on the connection: committed when it returns, rolled back when it throws. */
  transaction<T>(work: () => Promise<T>): Promise<T>;
  /** COPY `rows` into `table` (its `columns`, in order); returns the rows written. */
  copy(table: string, columns: readonly string[], rows: Iterable<readonly unknown[]>): Promise<number>;
  release(): Promise<void>;
};

/**
 * Takes a connection from the pool behind `db` (a PostgreSQL handle from `openDatabase`). `flushEachCommit: false`
 * lets a commit return before its WAL reaches the disk (`synchronous_commit = off`, for this connection only): a
 * server crash may then lose the last moments of commits, but never half of a transaction.
 */
export async function openPgSession(db: Db, options: { flushEachCommit?: boolean } = {}): Promise<PgSession> {
  const pool = postgresPoolOf(db);
  if (!pool) throw new Error("COPY needs a PostgreSQL database opened by openDatabase");
  const client = await pool.connect();
  const lazyCommit = options.flushEachCommit === false;
  if (lazyCommit) await client.query("set synchronous_commit = off");
  // Kysely asks its pool for a connection per query and releases it after: here always the same one, never returned.
  const shared = {
    query: client.query.bind(client),
    release: () => {},
  } as unknown as PostgresPoolClient;
  const single: PostgresPool = { connect: async () => shared, end: async () => {}, options: pool.options };
  const sessionDb = new Kysely<Database>({ dialect: new PostgresDialect({ pool: single }) });
  let broken = false;
  return {
    client,
    db: sessionDb,
    async transaction(work) {
      await client.query("begin");
      try {
        const result = await work();
        await client.query("commit");
        return result;
      } catch (error) {
        await client.query("rollback").catch(() => {
          broken = true;
        });
        throw error;
      }
    },
    async copy(table, columns, rows) {
      const stream = client.query(copyFrom(`copy ${table} (${columns.join(", ")}) from stdin`));
      await pipeline(Readable.from(copyText(rows)), stream);
      return stream.rowCount;
    },
    async release() {
      await sessionDb.destroy();
      if (lazyCommit && !broken)
        await client.query("reset synchronous_commit").catch(() => {
          broken = true;
        });
      // A connection whose rollback failed is in an unknown state: the pool closes it instead of reusing it.
      client.release(broken);
    },
  };
}

const CHUNK_CHARS = 64 * 1024;

/** COPY's text format, in chunks of about 64 KiB: tab between columns, `\N` for null, newline after each row. */
export function* copyText(rows: Iterable<readonly unknown[]>): Generator<string> {
  let chunk = "";
  for (const row of rows) {
    for (let i = 0; i < row.length; i++) {
      if (i > 0) chunk += "\t";
      chunk += copyField(row[i]);
    }
    chunk += "\n";
    if (chunk.length >= CHUNK_CHARS) {
      yield chunk;
      chunk = "";
    }
  }
  if (chunk !== "") yield chunk;
}

const ESCAPES: Record<string, string> = { "\\": "\\\\", "\n": "\\n", "\r": "\\r", "\t": "\\t" };

/**
 * One value in COPY's text format. Backslash, newline, carriage return and tab are escaped (a backslash is what
 * makes `\N` or `\.` in a value plain text). NUL cannot be stored in PostgreSQL text at all: the import refuses such
 * a cell as invalid before it gets here, so one reaching COPY is a bug and fails loudly.
 */
export function copyField(value: unknown): string {
  if (value === null || value === undefined) return "\\N";
  if (typeof value === "number") {
    if (!Number.isFinite(value)) throw new Error(`COPY cannot write the number ${value}`);
    return String(value);
  }
  if (typeof value === "boolean") return value ? "t" : "f";
  const text = String(value);
  if (text.includes("\u0000")) throw new Error("PostgreSQL text cannot hold a NUL character (U+0000)");
  return /[\\\n\r\t]/.test(text) ? text.replace(/[\\\n\r\t]/g, (c) => ESCAPES[c]!) : text;
}
