// Inbound messages fetched from a mailbox (IMAP) carry the key of where they came from, unique, so a poller that
// crashed between storing a message and removing it from the mailbox finds the row instead of storing it twice.
import type { Kysely } from "kysely";
import type { Dialect } from "../connect.ts";

// biome-ignore lint/suspicious/noExplicitAny: migrations build tables before the typed schema exists.
type AnyDb = Kysely<any>;

export async function up(db: AnyDb, _dialect: Dialect): Promise<void> {
  // Null for mail received by SMTP: both databases let any number of nulls share a unique index.
  await db.schema.alterTable("inbound_messages").addColumn("source_key", "text").execute();
  await db.schema
    .createIndex("inbound_messages_source_key")
    .on("inbound_messages")
    .column("source_key")
    .unique()
    .execute();
}
