// Audit-log retention (SPEC §11: kept two years by default): the append-only triggers now let a DELETE through for an
// entry older than the retention setting (`retentionAuditDays`, never less than AUDIT_MIN_DAYS whatever the settings
// row says), and refuse every other UPDATE, DELETE and TRUNCATE as before. The rule lives in the database, so a
// compromised app still cannot remove a recent entry.
import { type Kysely, sql } from "kysely";
import type { Dialect } from "../connect.ts";

// biome-ignore lint/suspicious/noExplicitAny: migrations run before the typed schema exists.
type AnyDb = Kysely<any>;

export const AUDIT_MIN_DAYS = 180;
export const AUDIT_DEFAULT_DAYS = 730;
const REFUSAL = "audit_log is append-only";

export async function up(db: AnyDb, dialect: Dialect): Promise<void> {
  if (dialect === "sqlite") {
    await sql`drop trigger audit_log_no_delete`.execute(db);
    // Timestamps are ISO strings ("2026-12-06T06:24:01.123Z"); strftime's %f gives "01.123", so they compare as text.
    await sql
      .raw(`create trigger audit_log_no_delete before delete on audit_log
        when old.at >= strftime('%Y-%m-%dT%H:%M:%fZ', 'now', '-' || max(${AUDIT_MIN_DAYS}, coalesce(
          (select cast(value as integer) from settings where key = 'retentionAuditDays'), ${AUDIT_DEFAULT_DAYS})) || ' days')
        begin select raise(abort, '${REFUSAL}'); end`)
      .execute(db);
  } else {
    await sql
      .raw(`create or replace function utsend_audit_log_append_only() returns trigger language plpgsql as $$
        begin
          if tg_op = 'DELETE' and old.at < to_char((now() at time zone 'utc') - make_interval(days => greatest(
              ${AUDIT_MIN_DAYS}, coalesce((select value::integer from settings where key = 'retentionAuditDays'),
              ${AUDIT_DEFAULT_DAYS}))), 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"') then
            return old;
          end if;
          raise exception '${REFUSAL}' using errcode = 'insufficient_privilege';
        end $$`)
      .execute(db);
  }
}
