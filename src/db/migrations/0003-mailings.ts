// Mailings: sending accounts and domains, templates, mailings with their sources and resolved recipients,
// deliveries (the queue and ledger), append-only events, the local outbox, blocked addresses and the rate limiter.
import type { CreateTableBuilder, Kysely } from "kysely";
import type { Dialect } from "../connect.ts";
import { withId } from "./0001-initial.ts";

// biome-ignore lint/suspicious/noExplicitAny: migrations build tables before the typed schema exists.
type AnyDb = Kysely<any>;
type Table = CreateTableBuilder<string, never>;

export async function up(db: AnyDb, dialect: Dialect): Promise<void> {
  const create = (name: string) => withId(db.schema.createTable(name) as Table, dialect);
  const blob = dialect === "postgres" ? "bytea" : "blob";
  // PostgreSQL's "real" is 4 bytes: too coarse for millisecond clocks.
  const double = dialect === "postgres" ? "double precision" : "real";

  await create("sending_accounts")
    .addColumn("name", "text", (c) => c.notNull())
    .addColumn("kind", "text", (c) => c.notNull()) // smtp | outbox
    .addColumn("host", "text")
    .addColumn("port", "integer")
    .addColumn("secure", "integer", (c) => c.notNull().defaultTo(0))
    .addColumn("username", "text")
    .addColumn("password", "text")
    .addColumn("rate_per_second", double, (c) => c.notNull().defaultTo(10))
    .addColumn("max_connections", "integer", (c) => c.notNull().defaultTo(5))
    .addColumn("is_default", "integer", (c) => c.notNull().defaultTo(0))
    .addColumn("created_at", "text", (c) => c.notNull())
    .addColumn("updated_at", "text", (c) => c.notNull())
    .execute();

  await create("sending_domains")
    .addColumn("domain", "text", (c) => c.notNull().unique())
    .addColumn("dkim_selector", "text", (c) => c.notNull())
    .addColumn("dkim_private_key", "text", (c) => c.notNull())
    .addColumn("dkim_public_key", "text", (c) => c.notNull())
    .addColumn("bounce_domain", "text", (c) => c.notNull())
    .addColumn("created_at", "text", (c) => c.notNull())
    .execute();

  await create("templates")
    .addColumn("name", "text", (c) => c.notNull())
    .addColumn("type", "text", (c) => c.notNull())
    .addColumn("subject", "text")
    .addColumn("content_format", "text", (c) => c.notNull())
    .addColumn("content", "text", (c) => c.notNull())
    .addColumn("text_content", "text")
    .addColumn("created_at", "text", (c) => c.notNull())
    .addColumn("updated_at", "text", (c) => c.notNull())
    .execute();

  await create("mailings")
    .addColumn("name", "text", (c) => c.notNull())
    .addColumn("type", "text", (c) => c.notNull())
    .addColumn("status", "text", (c) => c.notNull())
    .addColumn("sending_account_id", "integer", (c) =>
      c.references("sending_accounts.id").onDelete("set null"),
    )
    .addColumn("goal_text", "text")
    .addColumn("goal_category", "text")
    .addColumn("folder", "text")
    .addColumn("selection_id", "integer", (c) => c.references("selections.id").onDelete("set null"))
    .addColumn("project_id", "integer", (c) => c.references("projects.id").onDelete("set null"))
    .addColumn("subscription_type_id", "integer", (c) =>
      c.references("subscription_types.id").onDelete("set null"),
    )
    .addColumn("subject", "text")
    .addColumn("from_name", "text")
    .addColumn("from_address", "text")
    .addColumn("from_mode", "text", (c) => c.notNull().defaultTo("fixed"))
    .addColumn("reply_to", "text")
    .addColumn("content_format", "text", (c) => c.notNull().defaultTo("html"))
    .addColumn("content", "text")
    .addColumn("text_content", "text")
    .addColumn("template_origin", "text")
    .addColumn("track_links", "text", (c) => c.notNull().defaultTo("all"))
    .addColumn("track_opens", "integer", (c) => c.notNull().defaultTo(1))
    .addColumn("utm_source", "text")
    .addColumn("utm_campaign", "text")
    .addColumn("opt_override_consent", "integer", (c) => c.notNull().defaultTo(0))
    .addColumn("opt_one_per_address", "integer", (c) => c.notNull().defaultTo(1))
    .addColumn("opt_refresh_on_send", "integer", (c) => c.notNull().defaultTo(1))
    .addColumn("opt_include_companies", "integer", (c) => c.notNull().defaultTo(0))
    .addColumn("opt_prefer_company", "integer", (c) => c.notNull().defaultTo(0))
    .addColumn("scheduled_at", "text")
    .addColumn("time_zone", "text")
    .addColumn("recipients_resolved_at", "text")
    .addColumn("created_by", "integer", (c) => c.references("users.id").onDelete("set null"))
    .addColumn("created_at", "text", (c) => c.notNull())
    .addColumn("updated_at", "text", (c) => c.notNull())
    .addColumn("started_at", "text")
    .addColumn("finished_at", "text")
    .execute();
  await db.schema.createIndex("mailings_status").on("mailings").columns(["status", "scheduled_at"]).execute();
  await db.schema.createIndex("mailings_selection").on("mailings").column("selection_id").execute();
  await db.schema.createIndex("mailings_project").on("mailings").column("project_id").execute();

  await create("mailing_attachments")
    .addColumn("mailing_id", "integer", (c) => c.notNull().references("mailings.id").onDelete("cascade"))
    .addColumn("filename", "text", (c) => c.notNull())
    .addColumn("content_type", "text", (c) => c.notNull())
    .addColumn("size", "integer", (c) => c.notNull())
    .addColumn("data", blob, (c) => c.notNull())
    .addColumn("created_at", "text", (c) => c.notNull())
    .execute();
  await db.schema
    .createIndex("mailing_attachments_mailing")
    .on("mailing_attachments")
    .column("mailing_id")
    .execute();

  // Sources in the order added; the Setup link (selection or project) is position 0.
  await create("mailing_sources")
    .addColumn("mailing_id", "integer", (c) => c.notNull().references("mailings.id").onDelete("cascade"))
    .addColumn("kind", "text", (c) => c.notNull()) // selection | project | person | addresses
    .addColumn("ref_id", "integer")
    .addColumn("addresses", "text")
    .addColumn("position", "integer", (c) => c.notNull())
    .addColumn("created_at", "text", (c) => c.notNull())
    .execute();
  await db.schema
    .createIndex("mailing_sources_mailing")
    .on("mailing_sources")
    .columns(["mailing_id", "position"])
    .execute();

  // The resolved list: every candidate row, eligible or blocked with its reason, in source order.
  await create("mailing_recipients")
    .addColumn("mailing_id", "integer", (c) => c.notNull().references("mailings.id").onDelete("cascade"))
    // source position × 2^32 + person or company id: the order that decides who keeps a duplicate address
    .addColumn("position", "bigint", (c) => c.notNull())
    .addColumn("person_id", "integer", (c) => c.references("persons.id").onDelete("set null"))
    .addColumn("company_id", "integer", (c) => c.references("companies.id").onDelete("set null"))
    .addColumn("email", "text")
    .addColumn("email_lower", "text")
    .addColumn("name", "text")
    .addColumn("source_id", "integer")
    .addColumn("status", "text", (c) => c.notNull()) // eligible | blocked
    .addColumn("block_reason", "text")
    .addColumn("created_at", "text", (c) => c.notNull())
    .execute();
  await db.schema
    .createIndex("mailing_recipients_mailing")
    .on("mailing_recipients")
    .columns(["mailing_id", "status", "position"])
    .execute();
  await db.schema
    .createIndex("mailing_recipients_email")
    .on("mailing_recipients")
    .column("email_lower")
    .execute();
  await db.schema
    .createIndex("mailing_recipients_person")
    .on("mailing_recipients")
    .column("person_id")
    .execute();

  // One delivery per (mailing, recipient, attempt): the queue, the lease and the ledger in one table.
  await create("deliveries")
    .addColumn("mailing_id", "integer", (c) => c.notNull().references("mailings.id").onDelete("cascade"))
    .addColumn("recipient_id", "integer", (c) =>
      c.notNull().references("mailing_recipients.id").onDelete("cascade"),
    )
    .addColumn("attempt", "integer", (c) => c.notNull())
    .addColumn("person_id", "integer")
    .addColumn("email", "text", (c) => c.notNull())
    .addColumn("email_lower", "text", (c) => c.notNull())
    .addColumn("status", "text", (c) => c.notNull())
    .addColumn("message_id", "text", (c) => c.notNull())
    .addColumn("lease_owner", "text")
    .addColumn("lease_expires_at", "text")
    .addColumn("tries", "integer", (c) => c.notNull().defaultTo(0))
    .addColumn("next_try_at", "text", (c) => c.notNull())
    .addColumn("last_reply", "text")
    .addColumn("bounce_kind", "text")
    .addColumn("sent_at", "text")
    .addColumn("created_at", "text", (c) => c.notNull())
    .addColumn("updated_at", "text", (c) => c.notNull())
    .addUniqueConstraint("deliveries_key", ["mailing_id", "recipient_id", "attempt"])
    .execute();
  await db.schema
    .createIndex("deliveries_queue")
    .on("deliveries")
    .columns(["status", "next_try_at"])
    .execute();
  await db.schema
    .createIndex("deliveries_mailing_status")
    .on("deliveries")
    .columns(["mailing_id", "status"])
    .execute();
  await db.schema
    .createIndex("deliveries_email")
    .on("deliveries")
    .columns(["email_lower", "created_at"])
    .execute();
  await db.schema.createIndex("deliveries_message_id").on("deliveries").column("message_id").execute();

  // Append-only: what happened to deliveries (sent, failed, bounced, opened, clicked, unsubscribed, complained).
  await create("events")
    .addColumn("mailing_id", "integer", (c) => c.notNull())
    .addColumn("delivery_id", "integer")
    .addColumn("person_id", "integer")
    .addColumn("kind", "text", (c) => c.notNull())
    .addColumn("link_id", "integer")
    .addColumn("detail", "text")
    .addColumn("ua_class", "text")
    .addColumn("ip", "text")
    .addColumn("flagged", "integer", (c) => c.notNull().defaultTo(0))
    .addColumn("is_test", "integer", (c) => c.notNull().defaultTo(0))
    .addColumn("created_at", "text", (c) => c.notNull())
    .execute();
  await db.schema
    .createIndex("events_mailing_kind")
    .on("events")
    .columns(["mailing_id", "kind", "created_at"])
    .execute();
  await db.schema.createIndex("events_delivery").on("events").columns(["delivery_id", "kind"]).execute();

  // The local outbox: with no SMTP server configured, messages land here so a laptop shows the whole flow.
  await create("outbox_messages")
    .addColumn("mailing_id", "integer")
    .addColumn("delivery_id", "integer")
    .addColumn("is_test", "integer", (c) => c.notNull().defaultTo(0))
    .addColumn("envelope_from", "text", (c) => c.notNull())
    .addColumn("to_address", "text", (c) => c.notNull())
    .addColumn("subject", "text", (c) => c.notNull())
    .addColumn("raw", "text", (c) => c.notNull())
    .addColumn("created_at", "text", (c) => c.notNull())
    .execute();
  await db.schema.createIndex("outbox_messages_created").on("outbox_messages").column("created_at").execute();

  // Addresses marketing must not go to (hard bounces, too many soft ones, complaints); and the soft-bounce count.
  await db.schema
    .createTable("address_blocks")
    .addColumn("address_lower", "text", (c) => c.primaryKey())
    .addColumn("blocked", "integer", (c) => c.notNull().defaultTo(0))
    .addColumn("reason", "text")
    .addColumn("detail", "text")
    .addColumn("soft_count", "integer", (c) => c.notNull().defaultTo(0))
    .addColumn("updated_at", "text", (c) => c.notNull())
    .execute();

  // Token bucket per sending account, shared by every worker process through the database.
  await db.schema
    .createTable("rate_buckets")
    .addColumn("account_id", "integer", (c) => c.primaryKey())
    .addColumn("tokens", double, (c) => c.notNull())
    .addColumn("updated_ms", double, (c) => c.notNull())
    .execute();
}
