// Tracking: links registered per mailing (and a reusable library of named links), who clicked which link, and the
// rollups statistics read (counters and hourly buckets, sharded so concurrent clicks on PostgreSQL rarely wait on
// one row). Deliveries learn when they were first opened and clicked, so "opened" is one indexed condition.
import type { CreateTableBuilder, Kysely } from "kysely";
import type { Dialect } from "../connect.ts";
import { withId } from "./0001-initial.ts";

// biome-ignore lint/suspicious/noExplicitAny: migrations build tables before the typed schema exists.
type AnyDb = Kysely<any>;
type Table = CreateTableBuilder<string, never>;

export async function up(db: AnyDb, dialect: Dialect): Promise<void> {
  const create = (name: string) => withId(db.schema.createTable(name) as Table, dialect);

  await create("registered_links")
    .addColumn("url", "text", (c) => c.notNull().unique())
    .addColumn("name", "text", (c) => c.notNull())
    .addColumn("created_at", "text", (c) => c.notNull())
    .execute();

  await create("tracked_links")
    .addColumn("mailing_id", "integer", (c) => c.notNull().references("mailings.id").onDelete("cascade"))
    .addColumn("url", "text", (c) => c.notNull()) // as written in the content; may hold merge fields
    .addColumn("has_merge_fields", "integer", (c) => c.notNull().defaultTo(0))
    .addColumn("registered_link_id", "integer", (c) =>
      c.references("registered_links.id").onDelete("set null"),
    )
    .addColumn("position", "integer", (c) => c.notNull())
    .addColumn("action_kind", "text") // add-to-selection | add-to-project | add-interest | remove-interest
    .addColumn("action_ref_id", "integer")
    .addColumn("clicks", "integer", (c) => c.notNull().defaultTo(0))
    .addColumn("unique_clickers", "integer", (c) => c.notNull().defaultTo(0))
    .addColumn("flagged_clicks", "integer", (c) => c.notNull().defaultTo(0))
    .addColumn("test_clicks", "integer", (c) => c.notNull().defaultTo(0))
    .addColumn("created_at", "text", (c) => c.notNull())
    .addUniqueConstraint("tracked_links_url", ["mailing_id", "url"])
    .execute();
  await db.schema
    .createIndex("tracked_links_registered")
    .on("tracked_links")
    .column("registered_link_id")
    .execute();

  // One row per (link, delivery): unique clickers by a primary key, and who clicked when.
  await db.schema
    .createTable("link_clickers")
    .addColumn("link_id", "integer", (c) => c.notNull().references("tracked_links.id").onDelete("cascade"))
    .addColumn("delivery_id", "integer", (c) => c.notNull())
    .addColumn("person_id", "integer")
    .addColumn("clicks", "integer", (c) => c.notNull().defaultTo(0))
    .addColumn("flagged", "integer", (c) => c.notNull().defaultTo(0))
    .addColumn("first_at", "text", (c) => c.notNull())
    .addColumn("last_at", "text", (c) => c.notNull())
    .addPrimaryKeyConstraint("link_clickers_pk", ["link_id", "delivery_id"])
    .execute();
  await db.schema
    .createIndex("link_clickers_delivery")
    .on("link_clickers")
    .columns(["delivery_id", "first_at"])
    .execute();

  await db.schema
    .createTable("mailing_counters")
    .addColumn("mailing_id", "integer", (c) => c.notNull())
    .addColumn("name", "text", (c) => c.notNull())
    .addColumn("shard", "integer", (c) => c.notNull())
    .addColumn("value", "bigint", (c) => c.notNull())
    .addPrimaryKeyConstraint("mailing_counters_pk", ["mailing_id", "name", "shard"])
    .execute();

  await db.schema
    .createTable("mailing_hourly")
    .addColumn("mailing_id", "integer", (c) => c.notNull())
    .addColumn("hour", "text", (c) => c.notNull()) // UTC, "YYYY-MM-DDTHH"
    .addColumn("kind", "text", (c) => c.notNull()) // opened | clicked
    .addColumn("shard", "integer", (c) => c.notNull())
    .addColumn("value", "bigint", (c) => c.notNull())
    .addPrimaryKeyConstraint("mailing_hourly_pk", ["mailing_id", "hour", "kind", "shard"])
    .execute();

  await db.schema.alterTable("deliveries").addColumn("first_opened_at", "text").execute();
  await db.schema.alterTable("deliveries").addColumn("first_clicked_at", "text").execute();
  await db.schema.createIndex("events_link").on("events").columns(["link_id", "created_at"]).execute();
}
