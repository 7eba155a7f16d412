// The claim's index on PostgreSQL: (status, next_try_at, id), so a claim reads its batch in index order and stops
// after the batch. PostgreSQL's btree keeps equal keys in heap order, not id order, so with (status, next_try_at)
// the claim ordered by id and the planner walked the primary key past every delivery already sent: 50,000 rows
// filtered out, 49 ms a claim halfway through 100,000 (0.25 ms with this index). SQLite's indexes end with the rowid
// already, so there the old index serves the same order.
import { type Kysely, sql } from "kysely";
import type { Dialect } from "../connect.ts";

// biome-ignore lint/suspicious/noExplicitAny: migrations build tables before the typed schema exists.
type AnyDb = Kysely<any>;

export async function up(db: AnyDb, dialect: Dialect): Promise<void> {
  if (dialect !== "postgres") return;
  await sql`create index deliveries_claim_order on deliveries (status, next_try_at, id)`.execute(db);
  // Every query the old index served reads a prefix of the new one.
  await sql`drop index deliveries_queue`.execute(db);
}
