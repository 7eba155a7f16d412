// SMS mailings (SPEC §12): the mailing's sender and text, the recipient's mobile number, the parts and provider ids
// of each delivery, delivery reports kept until they can be matched (a report may come before the submit response
// is recorded), inbound replies, the SMS outbox, and per-account time zone (the sending window) and API address.
import type { CreateTableBuilder, Kysely } from "kysely";
import type { Dialect } from "../connect.ts";
import { withId } from "./0001-initial.ts";

// biome-ignore lint/suspicious/noExplicitAny: migrations build tables before the typed schema exists.
type AnyDb = Kysely<any>;
type Table = CreateTableBuilder<string, never>;

export async function up(db: AnyDb, dialect: Dialect): Promise<void> {
  const create = (name: string) => withId(db.schema.createTable(name) as Table, dialect);
  await db.schema.alterTable("mailings").addColumn("sms_sender", "text").execute();
  await db.schema.alterTable("mailings").addColumn("sms_text", "text").execute();
  await db.schema
    .alterTable("mailings")
    .addColumn("sms_normalize", "integer", (c) => c.notNull().defaultTo(0))
    .execute();
  await db.schema.alterTable("mailings").addColumn("sms_opt_out_line", "text").execute();

  await db.schema.alterTable("mailing_recipients").addColumn("mobile", "text").execute();

  await db.schema.alterTable("deliveries").addColumn("parts", "integer").execute();
  await db.schema.alterTable("deliveries").addColumn("provider_code", "text").execute();
  await db.schema.alterTable("deliveries").addColumn("reported_at", "text").execute();

  await db.schema.alterTable("sending_accounts").addColumn("time_zone", "text").execute();
  await db.schema.alterTable("sending_accounts").addColumn("api_url", "text").execute();

  await db.schema
    .alterTable("outbox_messages")
    .addColumn("channel", "text", (c) => c.notNull().defaultTo("email"))
    .execute();

  // Every id a provider gave a delivery's parts; its reports name one of them.
  await db.schema
    .createTable("sms_provider_ids")
    .addColumn("account_id", "integer", (c) => c.notNull())
    .addColumn("provider_message_id", "text", (c) => c.notNull())
    .addColumn("delivery_id", "integer", (c) => c.notNull().references("deliveries.id").onDelete("cascade"))
    .addPrimaryKeyConstraint("sms_provider_ids_pk", ["account_id", "provider_message_id"])
    .execute();
  await db.schema
    .createIndex("sms_provider_ids_delivery")
    .on("sms_provider_ids")
    .column("delivery_id")
    .execute();

  // Kept, not consumed: applying a report is idempotent, so the one that came early is applied when its id is known.
  await create("sms_reports")
    .addColumn("account_id", "integer", (c) => c.notNull())
    .addColumn("provider_message_id", "text", (c) => c.notNull())
    .addColumn("status", "text", (c) => c.notNull())
    .addColumn("code", "text")
    .addColumn("reported_at", "text", (c) => c.notNull())
    .addColumn("received_at", "text", (c) => c.notNull())
    .execute();
  await db.schema
    .createIndex("sms_reports_message")
    .on("sms_reports")
    .columns(["account_id", "provider_message_id"])
    .execute();

  await create("sms_inbound")
    .addColumn("account_id", "integer")
    .addColumn("from_number", "text", (c) => c.notNull())
    .addColumn("to_number", "text", (c) => c.notNull())
    .addColumn("text", "text", (c) => c.notNull())
    .addColumn("kind", "text", (c) => c.notNull())
    .addColumn("mailing_id", "integer", (c) => c.references("mailings.id").onDelete("set null"))
    .addColumn("person_id", "integer", (c) => c.references("persons.id").onDelete("set null"))
    .addColumn("received_at", "text", (c) => c.notNull())
    .execute();
  await db.schema.createIndex("sms_inbound_mailing").on("sms_inbound").column("mailing_id").execute();
}
