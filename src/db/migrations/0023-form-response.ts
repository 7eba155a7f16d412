// Form-response mailings (SPEC §9): the recipient row a processed submission becomes, keyed by the submission so a
// submission is answered once however often processing asks (mailing_recipients.form_submission_id, unique per
// mailing); and at most one live (sending or paused) form-response mailing per form.
import { type Kysely, sql } from "kysely";
import type { Dialect } from "../connect.ts";

// biome-ignore lint/suspicious/noExplicitAny: migrations build tables before the typed schema exists.
type AnyDb = Kysely<any>;

export async function up(db: AnyDb, _dialect: Dialect): Promise<void> {
  await db.schema
    .alterTable("mailing_recipients")
    .addColumn("form_submission_id", "integer", (c) =>
      c.references("form_submissions.id").onDelete("set null"),
    )
    .execute();
  await db.schema
    .createIndex("mailing_recipients_form_submission")
    .on("mailing_recipients")
    .columns(["mailing_id", "form_submission_id"])
    .unique()
    .execute();
  // Partial unique indexes read the same on SQLite and PostgreSQL.
  await sql`create unique index mailings_one_live_form_response on mailings (form_id)
    where type = 'form' and status in ('sending', 'paused')`.execute(db);
}
