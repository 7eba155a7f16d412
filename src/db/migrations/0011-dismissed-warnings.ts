// Accessibility warnings a marketer has looked at and dismissed for one mailing (the Confirm step lists them as
// dismissed instead of nagging). Keyed by the warning's stable key, so an edit that brings a new fault warns again.
import type { Kysely } from "kysely";

// biome-ignore lint/suspicious/noExplicitAny: migrations build tables before the typed schema exists.
type AnyDb = Kysely<any>;

export async function up(db: AnyDb): Promise<void> {
  await db.schema
    .createTable("mailing_dismissed_warnings")
    .addColumn("mailing_id", "integer", (c) => c.notNull().references("mailings.id").onDelete("cascade"))
    .addColumn("warning_key", "text", (c) => c.notNull())
    .addColumn("dismissed_by", "integer", (c) => c.references("users.id").onDelete("set null"))
    .addColumn("dismissed_at", "text", (c) => c.notNull())
    .addPrimaryKeyConstraint("mailing_dismissed_warnings_pk", ["mailing_id", "warning_key"])
    .execute();
}
