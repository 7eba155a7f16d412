// Per-recipient-domain pacing (send/domain-pacing.ts): a row per domain (or provider family) with its token bucket,
// its slowed-down rate after 4xx replies and the last slot given to a held delivery; a warm-up ramp per sending
// domain with its daily counter; why a pending delivery is held; and the index the statistics' deferred-by-domain
// list reads.
import { type Kysely, sql } from "kysely";
import type { Dialect } from "../connect.ts";

// biome-ignore lint/suspicious/noExplicitAny: migrations build tables before the typed schema exists.
type AnyDb = Kysely<any>;

export async function up(db: AnyDb, dialect: Dialect): Promise<void> {
  const double = dialect === "postgres" ? "double precision" : "real";
  await db.schema
    .createTable("domain_pacing")
    .addColumn("key", "text", (c) => c.primaryKey())
    .addColumn("tokens", double, (c) => c.notNull())
    .addColumn("updated_ms", double, (c) => c.notNull())
    // Null: not slowed, the rule's rate applies.
    .addColumn("slowed_rate", double)
    .addColumn("slowed_ms", double)
    .addColumn("held_until_ms", double, (c) => c.notNull().defaultTo(0))
    .addColumn("version", "integer", (c) => c.notNull().defaultTo(0))
    .execute();

  await db.schema
    .alterTable("sending_domains")
    .addColumn("warmup_enabled", "integer", (c) => c.notNull().defaultTo(0))
    .execute();
  await db.schema.alterTable("sending_domains").addColumn("warmup_start_per_day", "integer").execute();
  await db.schema.alterTable("sending_domains").addColumn("warmup_growth", double).execute();
  await db.schema.alterTable("sending_domains").addColumn("warmup_until_per_day", "integer").execute();
  await db.schema.alterTable("sending_domains").addColumn("warmup_started_on", "text").execute();
  await db.schema
    .createTable("warmup_days")
    .addColumn("sending_domain_id", "integer", (c) =>
      c.notNull().references("sending_domains.id").onDelete("cascade"),
    )
    .addColumn("day", "text", (c) => c.notNull())
    .addColumn("handed_over", "integer", (c) => c.notNull())
    .addPrimaryKeyConstraint("warmup_days_key", ["sending_domain_id", "day"])
    .execute();

  // "pacing" | "warm-up": why a pending delivery waits though no server refused it; left as it was once it is sent.
  await db.schema.alterTable("deliveries").addColumn("held_reason", "text").execute();
  // The deferred-by-domain list reads only the waiting deliveries of one mailing, however long its list is.
  await sql`create index deliveries_waiting on deliveries (mailing_id, next_try_at)
    where status = 'pending' and (tries > 0 or held_reason is not null)`.execute(db);
}
