// Deliveries counted by mailing and state (bounces by kind) as they change, by the database itself: every path that
// inserts, updates or deletes a delivery (planner, workers, bounces, resends, cascades) keeps the count, and the
// statistics read a few rows instead of counting a million. Sharded by delivery id like the other counters.
// SQLite counts row by row; PostgreSQL once per statement through transition tables, so planning a million
// deliveries adds one grouped upsert, and an update that changes no state (leases) writes no counter.
import { type Kysely, sql } from "kysely";
import type { Dialect } from "../connect.ts";

// biome-ignore lint/suspicious/noExplicitAny: migrations build tables before the typed schema exists.
type AnyDb = Kysely<any>;

const KEY = (row: "new" | "old") => `${row}.status || coalesce(':' || ${row}.bounce_kind, '')`;

export async function up(db: AnyDb, dialect: Dialect): Promise<void> {
  await sql`create table delivery_counts (
    mailing_id integer not null, state text not null, shard integer not null, n bigint not null,
    primary key (mailing_id, state, shard))`.execute(db);

  if (dialect === "sqlite") {
    const add = (row: "new" | "old", by: string) => `insert into delivery_counts (mailing_id, state, shard, n)
      values (${row}.mailing_id, ${KEY(row)}, ${row}.id % 8, ${by})
      on conflict (mailing_id, state, shard) do update set n = n + ${by};`;
    await sql
      .raw(`create trigger deliveries_counted_insert after insert on deliveries begin ${add("new", "1")} end`)
      .execute(db);
    await sql
      .raw(`create trigger deliveries_counted_update after update of status, bounce_kind on deliveries
        when old.status is not new.status or old.bounce_kind is not new.bounce_kind
        begin ${add("old", "-1")} ${add("new", "1")} end`)
      .execute(db);
    await sql
      .raw(
        `create trigger deliveries_counted_delete after delete on deliveries begin ${add("old", "-1")} end`,
      )
      .execute(db);
  } else {
    const grouped = (table: string, sign: string) =>
      `select mailing_id, status || coalesce(':' || bounce_kind, '') as state, id % 8 as shard, ${sign}1 as d from ${table}`;
    const apply = (parts: string[]) => `insert into delivery_counts (mailing_id, state, shard, n)
      select mailing_id, state, shard, sum(d) from (${parts.join(" union all ")}) x
      group by mailing_id, state, shard having sum(d) <> 0
      on conflict (mailing_id, state, shard) do update set n = delivery_counts.n + excluded.n`;
    const fn = (name: string, body: string) =>
      sql.raw(
        `create function ${name}() returns trigger language plpgsql as $$ begin ${body}; return null; end $$`,
      );
    await fn("utsend_deliveries_inserted", apply([grouped("inserted", "")])).execute(db);
    await fn("utsend_deliveries_updated", apply([grouped("inserted", ""), grouped("removed", "-")])).execute(
      db,
    );
    await fn("utsend_deliveries_deleted", apply([grouped("removed", "-")])).execute(db);
    await sql`create trigger deliveries_counted_insert after insert on deliveries referencing new table as inserted
      for each statement execute function utsend_deliveries_inserted()`.execute(db);
    await sql`create trigger deliveries_counted_update after update on deliveries
      referencing old table as removed new table as inserted
      for each statement execute function utsend_deliveries_updated()`.execute(db);
    await sql`create trigger deliveries_counted_delete after delete on deliveries referencing old table as removed
      for each statement execute function utsend_deliveries_deleted()`.execute(db);
  }
  // Deliveries made before this migration.
  await sql`insert into delivery_counts (mailing_id, state, shard, n)
    select mailing_id, status || coalesce(':' || bounce_kind, ''), id % 8, count(*) from deliveries
    group by mailing_id, status || coalesce(':' || bounce_kind, ''), id % 8`.execute(db);
}
