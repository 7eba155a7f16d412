// Multi-row SQL for large imports: statements sized under both databases' parameter limits, built as plain text.
import { CompiledQuery, type Kysely, type Transaction } from "kysely";
import type { Dialect } from "./connect.ts";
import type { Database } from "./schema.ts";

export type Executor = Kysely<Database> | Transaction<Database>;

/** SQLite allows 32,766 bound values per statement, PostgreSQL 65,535: multi-row inserts stay under both. */
const MAX_PARAMS = 30_000;

export function chunked<T>(rows: T[], columnsPerRow: number): T[][] {
  const size = Math.max(1, Math.floor(MAX_PARAMS / columnsPerRow));
  const out: T[][] = [];
  for (let i = 0; i < rows.length; i += size) out.push(rows.slice(i, i + size));
  return out;
}

const statements = new Map<string, string>();

/**
 * A multi-row INSERT as SQL text with bound values. Kysely's builder makes an object per value (some 40 million for
 * a million rows); that garbage, more than the data, is what grew the heap past 300 MB on large imports.
 */
export async function insertRows<R>(
  trx: Executor,
  dialect: Dialect,
  table: string,
  columns: readonly string[],
  rows: unknown[][],
  suffix = "",
): Promise<{ rows: R[]; count: number }> {
  const key = `${dialect} ${table} ${columns.join(",")} ${rows.length} ${suffix}`;
  let text = statements.get(key);
  if (text === undefined) {
    let n = 0;
    const tuple = () => `(${columns.map(() => (dialect === "postgres" ? `$${++n}` : "?")).join(", ")})`;
    text = `insert into ${table} (${columns.join(", ")}) values ${rows.map(tuple).join(", ")} ${suffix}`;
    if (statements.size >= 100) statements.clear();
    statements.set(key, text);
  }
  const result = await trx.executeQuery<R>(CompiledQuery.raw(text, rows.flat()));
  return { rows: result.rows, count: Number(result.numAffectedRows ?? 0) };
}
