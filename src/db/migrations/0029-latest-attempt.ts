// The follow-up list shows each recipient with its latest delivery attempt. Finding it by max(attempt) per recipient
// made every count walk a million recipients; `deliveries.is_latest` marks it instead. The database keeps the mark in
// the statement that inserts or deletes a delivery (a trigger), so every path (planner, resend, form responses,
// cascades, a crash between statements) leaves exactly one latest attempt per recipient, and a partial unique index
// refuses a second one. Two more indexes: recipients in list order (keyset paging), and the few superseded attempts
// (subtracted from the rollups to count latest attempts only).
import { type Kysely, sql } from "kysely";
import type { Dialect } from "../connect.ts";

// biome-ignore lint/suspicious/noExplicitAny: migrations build tables before the typed schema exists.
type AnyDb = Kysely<any>;

// A new attempt supersedes the earlier ones before it is inserted (the unique index allows one latest at a time).
const SUPERSEDE = `update deliveries set is_latest = 0
  where mailing_id = new.mailing_id and recipient_id = new.recipient_id and attempt < new.attempt and is_latest = 1`;
// Deleting the latest attempt makes the one before it the latest again.
const RESTORE = `update deliveries set is_latest = 1 where id = (select d.id from deliveries d
  where d.mailing_id = old.mailing_id and d.recipient_id = old.recipient_id order by d.attempt desc limit 1)`;

export async function up(db: AnyDb, dialect: Dialect): Promise<void> {
  await db.schema
    .alterTable("deliveries")
    .addColumn("is_latest", "integer", (c) => c.notNull().defaultTo(1))
    .execute();
  // Deliveries made before this migration: only an attempt with a later one beside it is not the latest.
  await sql`update deliveries set is_latest = 0 where exists (select 1 from deliveries later
    where later.mailing_id = deliveries.mailing_id and later.recipient_id = deliveries.recipient_id
      and later.attempt > deliveries.attempt)`.execute(db);

  if (dialect === "sqlite") {
    await sql
      .raw(`create trigger deliveries_latest_insert before insert on deliveries when new.attempt > 1
        begin ${SUPERSEDE}; end`)
      .execute(db);
    await sql
      .raw(`create trigger deliveries_latest_delete after delete on deliveries when old.is_latest = 1 and old.attempt > 1
        begin ${RESTORE}; end`)
      .execute(db);
  } else {
    // Row triggers with a WHEN clause: planning a million first attempts calls no function at all.
    await sql
      .raw(`create function utsend_deliveries_supersede() returns trigger language plpgsql as $$
        begin ${SUPERSEDE}; return new; end $$`)
      .execute(db);
    await sql
      .raw(`create function utsend_deliveries_restore_latest() returns trigger language plpgsql as $$
        begin ${RESTORE}; return null; end $$`)
      .execute(db);
    await sql`create trigger deliveries_latest_insert before insert on deliveries for each row
      when (new.attempt > 1) execute function utsend_deliveries_supersede()`.execute(db);
    await sql`create trigger deliveries_latest_delete after delete on deliveries for each row
      when (old.is_latest = 1 and old.attempt > 1) execute function utsend_deliveries_restore_latest()`.execute(
      db,
    );
  }

  await sql`create unique index deliveries_latest on deliveries (mailing_id, recipient_id) where is_latest = 1`.execute(
    db,
  );
  await sql`create index deliveries_superseded on deliveries (mailing_id, status) where is_latest = 0`.execute(
    db,
  );
  await db.schema
    .createIndex("mailing_recipients_order")
    .on("mailing_recipients")
    .columns(["mailing_id", "position", "id"])
    .execute();
}
