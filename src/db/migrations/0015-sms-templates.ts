// SMS templates: a template of type "sms" keeps its text in `content` (format "text") and, beside it, the two SMS
// settings a marketer saves with a text: GSM-7 normalising and the opt-out line.
import type { Kysely } from "kysely";

// biome-ignore lint/suspicious/noExplicitAny: migrations build tables before the typed schema exists.
type AnyDb = Kysely<any>;

export async function up(db: AnyDb): Promise<void> {
  await db.schema
    .alterTable("templates")
    .addColumn("sms_normalize", "integer", (c) => c.notNull().defaultTo(0))
    .execute();
  await db.schema.alterTable("templates").addColumn("sms_opt_out_line", "text").execute();
}
