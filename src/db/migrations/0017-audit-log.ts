// The audit log (SPEC §11): who did what, when and from where, for the actions a privacy review asks about. Append-only
// in the database itself: triggers refuse every UPDATE and DELETE, whoever sends it. No foreign key to users, so a
// deleted user's entries stay as they were (the actor's label keeps their e-mail address).
import { type CreateTableBuilder, type Kysely, sql } from "kysely";
import type { Dialect } from "../connect.ts";
import { withId } from "./0001-initial.ts";

// biome-ignore lint/suspicious/noExplicitAny: migrations build tables before the typed schema exists.
type AnyDb = Kysely<any>;
type Table = CreateTableBuilder<string, never>;

const REFUSAL = "audit_log is append-only";

export async function up(db: AnyDb, dialect: Dialect): Promise<void> {
  await withId(db.schema.createTable("audit_log") as Table, dialect)
    .addColumn("at", "text", (c) => c.notNull())
    .addColumn("actor_user_id", "integer")
    .addColumn("actor_label", "text", (c) => c.notNull())
    .addColumn("action", "text", (c) => c.notNull())
    .addColumn("target_type", "text")
    .addColumn("target_id", "text")
    .addColumn("detail", "text")
    .addColumn("ip", "text")
    .addColumn("user_agent", "text")
    .execute();
  await db.schema.createIndex("audit_log_at").on("audit_log").columns(["at", "id"]).execute();
  await db.schema.createIndex("audit_log_action").on("audit_log").columns(["action", "at"]).execute();
  await db.schema.createIndex("audit_log_actor").on("audit_log").columns(["actor_user_id", "at"]).execute();

  if (dialect === "sqlite") {
    for (const event of ["update", "delete"])
      await sql
        .raw(`create trigger audit_log_no_${event} before ${event} on audit_log
          begin select raise(abort, '${REFUSAL}'); end`)
        .execute(db);
  } else {
    await sql
      .raw(`create function utsend_audit_log_append_only() returns trigger language plpgsql as $$
        begin raise exception '${REFUSAL}' using errcode = 'insufficient_privilege'; end $$`)
      .execute(db);
    await sql`create trigger audit_log_no_change before update or delete on audit_log
      for each row execute function utsend_audit_log_append_only()`.execute(db);
    await sql`create trigger audit_log_no_truncate before truncate on audit_log
      for each statement execute function utsend_audit_log_append_only()`.execute(db);
  }
}
