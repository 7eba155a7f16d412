// Deliveries of any channel: the address a delivery goes to is an e-mail address, an E.164 number or a postal
// address reference (`address`, with `address_key` as the form it is matched on), the channel says which, and the
// Message-ID, which only e-mail has, may be empty. Sending accounts' `kind` is whatever the channels register.
// Written so one text serves both databases: SQLite renames columns in place, and an ALTER that would loosen NOT NULL
// (which SQLite cannot do) is done as add, copy, drop, rename.
import { type Kysely, sql } from "kysely";
import type { Dialect } from "../connect.ts";

// biome-ignore lint/suspicious/noExplicitAny: migrations build tables before the typed schema exists.
type AnyDb = Kysely<any>;

export async function up(db: AnyDb, _dialect: Dialect): Promise<void> {
  await db.schema
    .alterTable("deliveries")
    .addColumn("channel", "text", (c) => c.notNull().defaultTo("email"))
    .execute();
  await db.schema.alterTable("deliveries").renameColumn("email", "address").execute();
  await db.schema.alterTable("deliveries").renameColumn("email_lower", "address_key").execute();

  await db.schema.alterTable("deliveries").addColumn("email_message_id", "text").execute();
  await sql`update deliveries set email_message_id = message_id`.execute(db);
  await db.schema.dropIndex("deliveries_message_id").execute();
  await db.schema.alterTable("deliveries").dropColumn("message_id").execute();
  await db.schema.alterTable("deliveries").renameColumn("email_message_id", "message_id").execute();
  await db.schema.createIndex("deliveries_message_id").on("deliveries").column("message_id").execute();
}
