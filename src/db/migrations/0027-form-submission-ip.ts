// The hosted page's per-IP limit counts a form's submissions from one (truncated) address in the last 10 minutes on
// every POST. With only (form_id, submitted_at) to go on, that count read every submission of the form in the
// window, 60,000 rows for a form taking 100 a second; this index reads only the address's own.
import type { Kysely } from "kysely";
import type { Dialect } from "../connect.ts";

// biome-ignore lint/suspicious/noExplicitAny: migrations build tables before the typed schema exists.
type AnyDb = Kysely<any>;

export async function up(db: AnyDb, _dialect: Dialect): Promise<void> {
  await db.schema
    .createIndex("form_submissions_by_ip")
    .on("form_submissions")
    .columns(["form_id", "ip", "submitted_at"])
    .execute();
}
