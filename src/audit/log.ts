// The audit log (SPEC §11): the one writer of `audit_log`, its filtered list and its CSV export. The table is
// append-only in the database (see migrations/0017-audit-log.ts); nothing here or elsewhere updates or deletes it.
import { Readable } from "node:stream";
import { stringify } from "csv-stringify";
import { type Selectable, type SqlBool, sql } from "kysely";
import type { Db } from "../db/connect.ts";
import type { Database } from "../db/schema.ts";
import { isoNow } from "../shared/clock.ts";
import { neutralise } from "../shared/spreadsheet-cells.ts";
import type { AuditAction, AuditTarget } from "./actions.ts";

/** Who acted: a signed-in user (by session or API key), the CLI, or nobody yet (a failed sign-in). */
export type AuditActor =
  | { kind: "user"; userId: number; email: string }
  | { kind: "apiKey"; userId: number; email: string; keyName: string }
  | { kind: "cli" }
  | { kind: "anonymous" };

/** Where the request came from (the HTTP layer fills it in; the CLI has none). */
export type AuditOrigin = { ip: string | null; userAgent: string | null };

export type AuditEntryInput = {
  actor: AuditActor;
  origin: AuditOrigin;
  action: AuditAction;
  target?: { type: AuditTarget; id: string | number } | null;
  /** What changed, in words a reviewer reads: never a password, a key or another secret. */
  detail?: Record<string, unknown> | null;
};

export type AuditEntry = {
  id: number;
  at: string;
  actorUserId: number | null;
  actor: string;
  action: string;
  targetType: string | null;
  targetId: string | null;
  detail: Record<string, unknown> | null;
  ip: string | null;
  userAgent: string | null;
};

export type AuditFilter = {
  action?: string | undefined;
  /** Part of the actor's label (their e-mail address, "api key <name>"), case-insensitive. */
  actor?: string | undefined;
  /** ISO date or timestamp; `to` as a bare date includes that whole day. */
  from?: string | undefined;
  to?: string | undefined;
};

const MAX_USER_AGENT = 500;

export function actorLabel(actor: AuditActor): string {
  switch (actor.kind) {
    case "user":
      return actor.email;
    case "apiKey":
      return `${actor.email} (api key ${actor.keyName})`;
    case "cli":
      return "command line";
    case "anonymous":
      return "anonymous";
  }
}

export async function recordAudit(db: Db, entry: AuditEntryInput): Promise<void> {
  const { actor, origin } = entry;
  await db
    .insertInto("audit_log")
    .values({
      at: isoNow(),
      actor_user_id: actor.kind === "user" || actor.kind === "apiKey" ? actor.userId : null,
      actor_label: actorLabel(actor),
      action: entry.action,
      target_type: entry.target?.type ?? null,
      target_id: entry.target ? String(entry.target.id) : null,
      detail: entry.detail ? JSON.stringify(entry.detail) : null,
      ip: origin.ip,
      user_agent: origin.userAgent?.slice(0, MAX_USER_AGENT) ?? null,
    })
    .execute();
}

function filtered(db: Db, filter: AuditFilter) {
  let query = db.selectFrom("audit_log");
  if (filter.action) query = query.where("action", "=", filter.action);
  const actor = filter.actor?.trim().toLowerCase();
  if (actor) {
    const pattern = `%${actor.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
    query = query.where(sql<SqlBool>`lower(actor_label) like ${pattern} escape '\\'`);
  }
  if (filter.from) query = query.where("at", ">=", filter.from);
  if (filter.to) query = query.where("at", "<", upperBound(filter.to));
  return query;
}

/** A bare date as `to` means through the end of that day; a timestamp is exclusive. */
function upperBound(to: string): string {
  if (!/^\d{4}-\d{2}-\d{2}$/.test(to)) return to;
  return new Date(Date.parse(`${to}T00:00:00Z`) + 86_400_000).toISOString();
}

type Row = Selectable<Database["audit_log"]>;

function toEntry(row: Row): AuditEntry {
  return {
    id: row.id,
    at: row.at,
    actorUserId: row.actor_user_id,
    actor: row.actor_label,
    action: row.action,
    targetType: row.target_type,
    targetId: row.target_id,
    detail: row.detail ? (JSON.parse(row.detail) as Record<string, unknown>) : null,
    ip: row.ip,
    userAgent: row.user_agent,
  };
}

/** Entries newest first. */
export async function listAudit(db: Db, filter: AuditFilter, page: { limit: number; offset: number }) {
  const base = filtered(db, filter);
  const [count, rows] = await Promise.all([
    base.select((eb) => eb.fn.countAll<number>().as("n")).executeTakeFirstOrThrow(),
    base
      .selectAll()
      .orderBy("at", "desc")
      .orderBy("id", "desc")
      .limit(page.limit)
      .offset(page.offset)
      .execute(),
  ]);
  return { items: rows.map(toEntry), total: Number(count.n), limit: page.limit, offset: page.offset };
}

const EXPORT_HEADERS = [
  "ID",
  "Time",
  "Actor",
  "Actor user ID",
  "Action",
  "Target type",
  "Target ID",
  "Detail",
  "IP",
  "User agent",
];
const EXPORT_PAGE = 1000;

/** The filtered entries as CSV, newest first, read page by page (by id, so entries added meanwhile do not shift it). */
export function exportAudit(
  db: Db,
  filter: AuditFilter,
  options: { delimiter?: "," | ";" | undefined } = {},
): Readable {
  async function* rows(): AsyncGenerator<string[]> {
    yield EXPORT_HEADERS;
    let before: number | null = null;
    for (;;) {
      let query = filtered(db, filter).selectAll();
      if (before !== null) query = query.where("id", "<", before);
      const page = await query.orderBy("id", "desc").limit(EXPORT_PAGE).execute();
      for (const r of page)
        yield [
          String(r.id),
          r.at,
          r.actor_label,
          r.actor_user_id === null ? "" : String(r.actor_user_id),
          r.action,
          r.target_type ?? "",
          r.target_id ?? "",
          r.detail ?? "",
          r.ip ?? "",
          r.user_agent ?? "",
        ].map(neutralise);
      if (page.length < EXPORT_PAGE) return;
      before = page[page.length - 1]!.id;
    }
  }
  // A BOM makes Excel read the file as UTF-8, as the other exports do.
  const csv = stringify({ bom: true, delimiter: options.delimiter ?? ",", record_delimiter: "windows" });
  const source = Readable.from(rows());
  source.on("error", (error) => csv.destroy(error));
  return source.pipe(csv);
}
