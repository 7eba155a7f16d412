// Selections by form behaviour (SPEC §9, issue 16): "submitted / confirmed on form X in a period" is an EXISTS
// correlated on the person, so form_submissions needs an index that starts with person_id; the form and the
// submission time follow, so one index range answers "this person, this form, since then".
import type { Kysely } from "kysely";
import type { Dialect } from "../connect.ts";

// biome-ignore lint/suspicious/noExplicitAny: migrations build tables before the typed schema exists.
type AnyDb = Kysely<any>;

export async function up(db: AnyDb, _dialect: Dialect): Promise<void> {
  await db.schema
    .createIndex("form_submissions_by_person")
    .on("form_submissions")
    .columns(["person_id", "form_id", "submitted_at"])
    .execute();
}
