// What marketers see of returned mail: the blocked addresses (with the reply that blocked them and the persons who
// have the address), a mailing's bounced deliveries, a person's address problems, and the export of the list.

import type { Readable } from "node:stream";
import { sql } from "kysely";
import type { Db } from "../db/connect.ts";
import type { BlockCause } from "../deliveries/blocks.ts";
import { type ExportFormat, neutralise, tableStream } from "../imports/export.ts";
import { escapeLike, fullName } from "../persons/person-rules.ts";
import { parseEnhancedStatus } from "../send/outcomes.ts";
import { BLOCKED_REASONS, type BlockedReason } from "./blocked-reasons.ts";

export { BLOCKED_REASONS, type BlockedReason };

const STORED_REASON: Record<BlockedReason, BlockCause> = {
  hard: "hard-bounce",
  soft: "soft-bounces",
  complaint: "complained",
  unsubscribed: "unsubscribed",
};

export function reasonOf(stored: string | null): BlockedReason | "other" {
  const found = BLOCKED_REASONS.find((r) => STORED_REASON[r] === stored);
  return found ?? "other";
}

export type AddressPerson = { id: number; fullName: string; formerEmployee: boolean };

export type BlockedAddress = {
  address: string;
  reason: BlockedReason | "other";
  /** RFC 3463 status read from the reply ("5.1.1"), or null when the reply has none. */
  statusCode: string | null;
  /** The server's reply or the bounce's diagnostic text. */
  diagnostic: string | null;
  /** Deliveries to the address that bounced, failed with a bounce kind, or were complained about. */
  count: number;
  updatedAt: string;
  /** The mailing of the latest such delivery. */
  lastMailingId: number | null;
  persons: AddressPerson[];
};

export type BlockedFilter = { reason?: BlockedReason | undefined; q?: string | undefined };

/** A delivery counts as returned when the server refused it at send time, a DSN bounced it, or it was reported as spam. */
const RETURNED = sql<boolean>`(d.status in ('bounced', 'complained') or (d.status = 'failed' and d.bounce_kind is not null))`;

function blockedQuery(db: Db, filter: BlockedFilter) {
  let base = db.selectFrom("address_blocks as b").where("b.blocked", "=", 1);
  if (filter.reason) base = base.where("b.reason", "=", STORED_REASON[filter.reason]);
  const q = filter.q?.trim().toLowerCase();
  if (q) {
    const pattern = `%${escapeLike(q)}%`;
    base = base.where((eb) =>
      eb.or([
        eb("b.address_lower", "like", sql<string>`${pattern} escape '\\'`),
        eb.exists(
          eb
            .selectFrom("person_emails as pe")
            .innerJoin("persons as p", "p.id", "pe.person_id")
            .select("pe.id")
            .whereRef("pe.address_lower", "=", "b.address_lower")
            .where("p.search_name", "like", sql<string>`${pattern} escape '\\'`),
        ),
      ]),
    );
  }
  return base;
}

/** Blocked addresses, newest first, a page at a time. */
export async function listBlocked(db: Db, filter: BlockedFilter, page: { limit: number; offset: number }) {
  const base = blockedQuery(db, filter);
  const [count, rows] = await Promise.all([
    base.select((eb) => eb.fn.countAll<number>().as("n")).executeTakeFirstOrThrow(),
    base
      .select(["b.address_lower", "b.reason", "b.detail", "b.updated_at"])
      .orderBy("b.updated_at", "desc")
      .orderBy("b.address_lower")
      .limit(page.limit)
      .offset(page.offset)
      .execute(),
  ]);
  return {
    items: await withDetails(db, rows),
    total: Number(count.n),
    limit: page.limit,
    offset: page.offset,
  };
}

type BlockRow = { address_lower: string; reason: string | null; detail: string | null; updated_at: string };

/** Adds to a page of blocks the returned-delivery counts, the latest reply and the persons with the address. */
async function withDetails(db: Db, rows: BlockRow[]): Promise<BlockedAddress[]> {
  if (rows.length === 0) return [];
  const addresses = rows.map((r) => r.address_lower);
  const [counts, latest, persons] = await Promise.all([
    db
      .selectFrom("deliveries as d")
      .select(["d.address_key", (eb) => eb.fn.countAll<number>().as("n")])
      .where("d.address_key", "in", addresses)
      .where(RETURNED)
      .groupBy("d.address_key")
      .execute(),
    db
      .selectFrom("deliveries as d")
      .select(["d.address_key", "d.mailing_id", "d.last_reply", "d.updated_at"])
      .where("d.address_key", "in", addresses)
      .where(RETURNED)
      .orderBy("d.updated_at", "desc")
      .orderBy("d.id", "desc")
      .execute(),
    personsWith(db, addresses),
  ]);
  const countOf = new Map(counts.map((c) => [c.address_key, Number(c.n)]));
  const latestOf = new Map<string, (typeof latest)[number]>();
  for (const d of latest) if (!latestOf.has(d.address_key)) latestOf.set(d.address_key, d);
  return rows.map((r) => {
    const last = latestOf.get(r.address_lower);
    const diagnostic = r.detail ?? last?.last_reply ?? null;
    return {
      address: r.address_lower,
      reason: reasonOf(r.reason),
      statusCode: diagnostic ? parseEnhancedStatus(diagnostic) : null,
      diagnostic,
      count: countOf.get(r.address_lower) ?? 0,
      updatedAt: r.updated_at,
      lastMailingId: last?.mailing_id ?? null,
      persons: persons.get(r.address_lower) ?? [],
    };
  });
}

/** The CRM persons having each address (any of their addresses, not only the primary). */
export async function personsWith(db: Db, addresses: string[]): Promise<Map<string, AddressPerson[]>> {
  const out = new Map<string, AddressPerson[]>();
  if (addresses.length === 0) return out;
  const rows = await db
    .selectFrom("person_emails as pe")
    .innerJoin("persons as p", "p.id", "pe.person_id")
    .select(["pe.address_lower", "p.id", "p.first_name", "p.middle_name", "p.last_name", "p.former_employee"])
    .where("pe.address_lower", "in", addresses)
    .orderBy("p.id")
    .execute();
  for (const r of rows)
    out.set(r.address_lower, [
      ...(out.get(r.address_lower) ?? []),
      { id: r.id, fullName: fullName(r), formerEmployee: r.former_employee === 1 },
    ]);
  return out;
}

const EXPORT_HEADERS = [
  "E-mail",
  "Reason",
  "Status code",
  "Diagnostic",
  "Count",
  "Updated",
  "Person IDs",
  "Persons",
];

/** The blocked list (same filters) as CSV or XLSX, page by page; cells cannot smuggle formulas. */
export function exportBlocked(
  db: Db,
  filter: BlockedFilter,
  format: ExportFormat,
  options: { delimiter?: "," | ";" | undefined; pageSize?: number } = {},
): Readable {
  const pageSize = options.pageSize ?? 500;
  async function* rows(): AsyncGenerator<string[]> {
    for (let offset = 0; ; offset += pageSize) {
      const page = await listBlocked(db, filter, { limit: pageSize, offset });
      for (const b of page.items)
        yield [
          b.address,
          b.reason,
          b.statusCode ?? "",
          b.diagnostic ?? "",
          String(b.count),
          b.updatedAt,
          b.persons.map((p) => p.id).join(", "),
          b.persons.map((p) => p.fullName).join(", "),
        ].map(neutralise);
      if (page.items.length < pageSize) return;
    }
  }
  return tableStream(format, EXPORT_HEADERS, rows(), {
    delimiter: options.delimiter,
    sheetName: "Blocked addresses",
  });
}

export type AddressProblem = {
  address: string;
  blocked: boolean;
  reason: BlockedReason | "other" | null;
  statusCode: string | null;
  diagnostic: string | null;
  /** Soft bounces in a row so far (an address is blocked at the admin's threshold). */
  softCount: number;
  updatedAt: string;
};

/** The faults known about a person's addresses: blocked ones, and ones with soft bounces counting up. */
export async function personAddressProblems(db: Db, personId: number): Promise<AddressProblem[]> {
  const rows = await db
    .selectFrom("person_emails as pe")
    .innerJoin("address_blocks as b", "b.address_lower", "pe.address_lower")
    .select(["pe.address", "b.blocked", "b.reason", "b.detail", "b.soft_count", "b.updated_at"])
    .where("pe.person_id", "=", personId)
    .where((eb) => eb.or([eb("b.blocked", "=", 1), eb("b.soft_count", ">", 0)]))
    .orderBy("pe.is_primary", "desc")
    .orderBy("pe.id")
    .execute();
  return rows.map((r) => ({
    address: r.address,
    blocked: r.blocked === 1,
    reason: r.blocked === 1 ? reasonOf(r.reason) : null,
    statusCode: r.detail ? parseEnhancedStatus(r.detail) : null,
    diagnostic: r.detail,
    softCount: Number(r.soft_count),
    updatedAt: r.updated_at,
  }));
}

export type MailingBounce = {
  deliveryId: number;
  recipientId: number;
  attempt: number;
  address: string;
  kind: "hard" | "soft" | "complaint";
  statusCode: string | null;
  diagnostic: string | null;
  at: string;
  person: AddressPerson | null;
  /** Whether the address is blocked now (a correction or a cleared block changes this). */
  blocked: boolean;
  /** Whether the recipient has a later attempt (sent again). */
  resent: boolean;
};

/** A mailing's deliveries that came back (refused at send time, bounced later, or complained about). */
export async function mailingBounces(
  db: Db,
  mailingId: number,
  filter: { kind?: "hard" | "soft" | "complaint" | undefined },
  page: { limit: number; offset: number },
) {
  let base = db.selectFrom("deliveries as d").where("d.mailing_id", "=", mailingId).where(RETURNED);
  if (filter.kind === "complaint") base = base.where("d.status", "=", "complained");
  else if (filter.kind)
    base = base.where("d.status", "in", ["bounced", "failed"]).where("d.bounce_kind", "=", filter.kind);
  const [count, rows] = await Promise.all([
    base.select((eb) => eb.fn.countAll<number>().as("n")).executeTakeFirstOrThrow(),
    base
      .leftJoin("persons as p", "p.id", "d.person_id")
      .leftJoin("address_blocks as b", "b.address_lower", "d.address_key")
      .select([
        "d.id",
        "d.recipient_id",
        "d.attempt",
        "d.address",
        "d.status",
        "d.bounce_kind",
        "d.last_reply",
        "d.updated_at",
        "p.id as person_id",
        "p.first_name",
        "p.middle_name",
        "p.last_name",
        "p.former_employee",
        "b.blocked",
        (eb) =>
          eb
            .exists(
              eb
                .selectFrom("deliveries as later")
                .select("later.id")
                .whereRef("later.mailing_id", "=", "d.mailing_id")
                .whereRef("later.recipient_id", "=", "d.recipient_id")
                .whereRef("later.attempt", ">", "d.attempt"),
            )
            .as("resent"),
      ])
      .orderBy("d.updated_at", "desc")
      .orderBy("d.id", "desc")
      .limit(page.limit)
      .offset(page.offset)
      .execute(),
  ]);
  const items: MailingBounce[] = rows.map((r) => ({
    deliveryId: r.id,
    recipientId: r.recipient_id,
    attempt: r.attempt,
    address: r.address,
    kind: r.status === "complained" ? "complaint" : (r.bounce_kind ?? "soft"),
    statusCode: r.last_reply ? parseEnhancedStatus(r.last_reply) : null,
    diagnostic: r.last_reply,
    at: r.updated_at,
    person:
      r.person_id === null
        ? null
        : {
            id: r.person_id,
            fullName: fullName({
              first_name: r.first_name,
              middle_name: r.middle_name,
              last_name: r.last_name,
            }),
            formerEmployee: r.former_employee === 1,
          },
    blocked: Number(r.blocked ?? 0) === 1,
    // PostgreSQL answers exists() with a boolean, SQLite with 0/1.
    resent: r.resent === true || Number(r.resent) === 1,
  }));
  return { items, total: Number(count.n), limit: page.limit, offset: page.offset };
}
