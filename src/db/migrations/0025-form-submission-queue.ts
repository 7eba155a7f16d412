// Form submissions are processed after the visitor's thank-you page, by a queue in the database (forms/queue.ts):
// handled_at stays null until processing's first pass is through (processed, confirmation asked, left for a user,
// or refused), and claimed_until is the lease of the process working on it, so a process killed mid-way leaves a
// submission the next sweep finds. The partial indexes keep the sweeps to the few rows they look for.
import { type Kysely, sql } from "kysely";
import type { Dialect } from "../connect.ts";

// biome-ignore lint/suspicious/noExplicitAny: migrations build tables before the typed schema exists.
type AnyDb = Kysely<any>;

export async function up(db: AnyDb, _dialect: Dialect): Promise<void> {
  await db.schema.alterTable("form_submissions").addColumn("handled_at", "text").execute();
  await db.schema.alterTable("form_submissions").addColumn("claimed_until", "text").execute();
  // Submissions stored before the queue were handled inside their request.
  await db.updateTable("form_submissions").set({ handled_at: sql`submitted_at` }).execute();
  await db.schema
    .createIndex("form_submissions_unhandled")
    .on("form_submissions")
    .column("id")
    .where(sql.ref("handled_at"), "is", null)
    .execute();
  await db.schema
    .createIndex("form_submissions_claimed")
    .on("form_submissions")
    .column("claimed_until")
    .where(sql.ref("claimed_until"), "is not", null)
    .execute();
  await db.schema
    .createIndex("form_submissions_confirm_expiry")
    .on("form_submissions")
    .column("confirm_expires_at")
    .where(sql.ref("status"), "=", "awaiting-confirmation")
    .execute();
}
