// The last DNS check of each sending domain (SPF, DKIM, DMARC, bounce domain), kept so the settings page and the
// mailing warnings show it without asking DNS again.
import type { Kysely } from "kysely";

// biome-ignore lint/suspicious/noExplicitAny: migrations change tables before the typed schema exists.
type AnyDb = Kysely<any>;

export async function up(db: AnyDb): Promise<void> {
  // One column per statement: SQLite's ALTER TABLE adds one at a time.
  await db.schema.alterTable("sending_domains").addColumn("dns_status", "text").execute(); // pass | warn | fail | unknown
  await db.schema.alterTable("sending_domains").addColumn("dns_result", "text").execute(); // JSON: spf, dkim, dmarc, bounce
  await db.schema.alterTable("sending_domains").addColumn("dns_checked_at", "text").execute();
}
