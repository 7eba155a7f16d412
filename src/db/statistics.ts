// PostgreSQL plans a statement from table statistics that autovacuum refreshes only now and then. A statement run
// right after a large insert (a mailing's recipient list, its deliveries) is otherwise planned as if the table were
// still small: resolving 5,000 recipients took 31 s and planning their deliveries 22 s that way, a claim lost its
// LIMIT. ANALYZE samples a bounded number of rows, so it costs milliseconds whatever the size, and inside a
// transaction it counts that transaction's own inserts. SQLite's planner needs nothing of the kind here.
import { sql } from "kysely";
import { type Db, runsOnPostgres } from "./connect.ts";

type Table = "mailing_recipients" | "deliveries" | "persons" | "person_emails" | "selection_members";

export async function refreshStatistics(db: Db, tables: Table[]): Promise<void> {
  if (!runsOnPostgres(db)) return;
  await sql`analyze ${sql.join(tables.map((t) => sql.table(t)))}`.execute(db);
}
