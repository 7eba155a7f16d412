// Inbound mail to the bounce domains: every message accepted at SMTP is stored first (raw), then processed, so a
// crash between the 250 and the outcome loses nothing: rows left in `received` are processed again.
import type { CreateTableBuilder, Kysely } from "kysely";
import type { Dialect } from "../connect.ts";
import { withId } from "./0001-initial.ts";

// biome-ignore lint/suspicious/noExplicitAny: migrations build tables before the typed schema exists.
type AnyDb = Kysely<any>;
type Table = CreateTableBuilder<string, never>;

export async function up(db: AnyDb, dialect: Dialect): Promise<void> {
  const blob = dialect === "postgres" ? "bytea" : "blob";
  await withId(db.schema.createTable("inbound_messages") as Table, dialect)
    .addColumn("received_at", "text", (c) => c.notNull())
    .addColumn("envelope_from", "text", (c) => c.notNull())
    .addColumn("recipient", "text", (c) => c.notNull())
    .addColumn("route", "text", (c) => c.notNull()) // verp | unsubscribe | feedback-loop
    .addColumn("size", "integer", (c) => c.notNull())
    .addColumn("raw", blob, (c) => c.notNull())
    .addColumn("status", "text", (c) => c.notNull()) // received | processed | failed | ignored
    .addColumn("kind", "text") // the classifier's kind, or "unsubscribe"
    .addColumn("delivery_id", "integer")
    .addColumn("detail", "text")
    .addColumn("processed_at", "text")
    .execute();
  await db.schema
    .createIndex("inbound_messages_status")
    .on("inbound_messages")
    .columns(["status", "received_at"])
    .execute();
  await db.schema
    .createIndex("inbound_messages_delivery")
    .on("inbound_messages")
    .column("delivery_id")
    .execute();
}
