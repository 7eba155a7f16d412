// Why a marketer dismissed a warning: a spam score that blocks sending is only let through with a reason, which the
// Confirm step shows beside it. Null for dismissals that need none (accessibility, utsend's own content checks).
import type { Kysely } from "kysely";

// biome-ignore lint/suspicious/noExplicitAny: migrations build tables before the typed schema exists.
type AnyDb = Kysely<any>;

export async function up(db: AnyDb): Promise<void> {
  await db.schema.alterTable("mailing_dismissed_warnings").addColumn("reason", "text").execute();
}
