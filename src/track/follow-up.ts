// Following up a mailing's recipients (SPEC §8): each recipient with its latest delivery and what happened to it,
// filtered by combinable conditions, and the people behind filtered or selected rows added to a selection or project.
import { type ExpressionBuilder, sql } from "kysely";
import { type BlockReason, LEFT_OUT_REASONS } from "../db/block-reasons.ts";
import { type Db, runsOnPostgres } from "../db/connect.ts";
import type { Database, DeliveryStatus } from "../db/schema.ts";
import { addProjectMembers } from "../projects/store.ts";
import { addSelectionMembers, createSelection } from "../selections/store.ts";
import { invalid, notFound } from "../shared/errors.ts";
import { type Driver, planFollowUp, readPlainly, withoutImplied } from "./follow-up-counts.ts";

export const FOLLOW_UP_FILTERS = [
  "sent",
  "delivered",
  "not-sent",
  "bounced",
  "opened",
  "clicked",
  "blocked",
  "complained",
  "unsubscribed",
  "failed",
  "unknown",
] as const;
export type FollowUpFilter = (typeof FOLLOW_UP_FILTERS)[number];
export type FollowUpQuery = { filters: FollowUpFilter[]; linkId?: number; search?: string };

type Eb = ExpressionBuilder<
  Database & { r: Database["mailing_recipients"]; d: Database["deliveries"] },
  "r" | "d"
>;

/** Parses `sent,opened` from a query string; an unknown word is a field error naming it. */
export function parseFilters(text: string | undefined): FollowUpFilter[] {
  if (!text) return [];
  const words = text
    .split(",")
    .map((w) => w.trim())
    .filter(Boolean);
  const bad = words.find((w) => !(FOLLOW_UP_FILTERS as readonly string[]).includes(w));
  if (bad)
    throw invalid([
      {
        field: "filters",
        message: `unknown filter "${bad}"; use ${FOLLOW_UP_FILTERS.join(", ")}`,
        kind: "enum",
        params: { values: FOLLOW_UP_FILTERS.join(", ") },
      },
    ]);
  return [...new Set(words)] as FollowUpFilter[];
}

function condition(eb: Eb, filter: FollowUpFilter) {
  const hasEvent = (kind: "unsubscribed" | "complained") =>
    eb.exists(
      eb
        .selectFrom("events as e")
        .select("e.id")
        .whereRef("e.delivery_id", "=", "d.id")
        .where("e.kind", "=", kind)
        .where("e.is_test", "=", 0),
    );
  // coalesce: a condition that fails on a missing attempt would let SQLite turn the LEFT JOIN around, start from the
  // status index and sort every match, where walking the list in order finds a page of a broad filter at once.
  const status = sql<string>`coalesce(d.status, '')`;
  switch (filter) {
    case "sent":
      return eb(status, "in", ["sent", "bounced", "complained"]);
    case "delivered":
      return eb(status, "in", ["sent", "complained"]);
    case "not-sent":
      return eb.and([
        eb("r.status", "=", "eligible"),
        eb.or([eb("d.id", "is", null), eb("d.status", "in", ["pending", "claimed", "sending"])]),
      ]);
    case "bounced":
      return eb(status, "=", "bounced");
    case "opened":
      return eb("d.first_opened_at", "is not", null);
    case "clicked":
      return eb("d.first_clicked_at", "is not", null);
    case "blocked":
      return eb("r.status", "=", "blocked");
    case "complained":
      return eb.or([eb(status, "=", "complained"), hasEvent("complained")]);
    case "unsubscribed":
      return hasEvent("unsubscribed");
    case "failed":
      return eb(status, "=", "failed");
    case "unknown":
      return eb(status, "=", "unknown");
  }
}

/** Where a page starts: after the row with this (position, id) in list order. Opaque to clients. */
export type FollowUpCursor = { position: number; id: number };

export const CURSOR_PATTERN = "^[0-9]{1,16}\\.[0-9]{1,16}$";
export const formatCursor = (c: FollowUpCursor) => `${c.position}.${c.id}`;
export function parseCursor(text: string): FollowUpCursor {
  const match = /^(\d{1,16})\.(\d{1,16})$/.exec(text);
  const position = Number(match?.[1]);
  const id = Number(match?.[2]);
  if (!match || !Number.isSafeInteger(position) || !Number.isSafeInteger(id))
    throw invalid([{ field: "after", message: "not a cursor this list gave (nextCursor)", kind: "pattern" }]);
  return { position, id };
}

/**
 * A small set that holds every row a filter can match, read from its own index (the latest attempts by status,
 * complaint and unsubscribe events, a link's clickers): as delivery ids (`did`), each joined to its delivery by
 * primary key and kept only if it is the latest attempt. A page then sorts that set instead of walking the whole
 * list in order looking for rare rows; a broad filter walks the list. The blocked rows are recipients, see below.
 */
function driverDeliveries(db: Db, mailingId: number, driver: Exclude<Driver, "blocked">, linkId?: number) {
  const latest = (...statuses: DeliveryStatus[]) =>
    db
      .selectFrom("deliveries as d")
      .select("d.id as did")
      .where("d.mailing_id", "=", mailingId)
      .where("d.status", "in", statuses)
      // + 0: read by status; SQLite would otherwise scan every latest attempt of the mailing on the partial index.
      .where(sql`d.is_latest + 0`, "=", sql.lit(1));
  // From the events' (mailing, kind, is_test, delivery) index alone (migration 0035): no event row is read.
  const byEvent = (kind: "complained" | "unsubscribed") =>
    db
      .selectFrom("events as e")
      .select("e.delivery_id as did")
      .where("e.mailing_id", "=", mailingId)
      .where("e.kind", "=", kind)
      .where("e.is_test", "=", 0)
      .where("e.delivery_id", "is not", null)
      .$narrowType<{ did: number }>();
  switch (driver) {
    case "bounced":
    case "failed":
    case "unknown":
      return latest(driver);
    case "in-flight":
      return latest("pending", "claimed", "sending");
    case "complained":
      // distinct: a complaint event on a delivery whose status is complained names it once. (A UNION would have
      // SQLite read every attempt of the mailing in recipient order to merge the two.)
      return db
        .selectFrom(latest("complained").unionAll(byEvent("complained")).as("u"))
        .select("u.did")
        .distinct();
    case "unsubscribed":
      return byEvent("unsubscribed").distinct();
    case "link":
      return db
        .selectFrom("link_clickers as lc")
        .select("lc.delivery_id as did")
        .where("lc.link_id", "=", linkId ?? 0)
        .where("lc.flagged", "=", 0);
  }
}

function walkFrom(db: Db) {
  return db.selectFrom("mailing_recipients as r");
}
type Walk = ReturnType<typeof walkFrom>;

/** The latest attempt beside each recipient row (one per recipient, marked by migration 0029's triggers). */
function withLatest(from: Walk) {
  return from.leftJoin("deliveries as d", (join) =>
    join
      .onRef("d.mailing_id", "=", "r.mailing_id")
      .onRef("d.recipient_id", "=", "r.id")
      .on("d.is_latest", "=", sql.lit(1)),
  );
}

/** PostgreSQL: the latest attempt beside each row, looked up on its index (LATERAL with OFFSET 0: never a hash). */
function withLatestLookedUp(from: Walk) {
  return from.leftJoinLateral(
    (eb) =>
      eb
        .selectFrom("deliveries")
        .selectAll()
        .whereRef("deliveries.mailing_id", "=", "r.mailing_id")
        .whereRef("deliveries.recipient_id", "=", "r.id")
        .where("deliveries.is_latest", "=", sql.lit(1))
        .offset(0)
        .as("d"),
    (join) => join.onTrue(),
  ) as unknown as ReturnType<typeof withLatest>;
}

/**
 * The driver's set read first (a materialized CTE), then each of its rows looked up by primary key: the delivery (if
 * the latest attempt) and its recipient, or for the blocked the recipient and its latest attempt. SQLite: CROSS JOIN
 * keeps it from walking the whole list in order and probing the set, which it would prefer to avoid the sort.
 * PostgreSQL: LATERAL with OFFSET 0 keeps it from hashing a million recipients and deliveries to join a few thousand.
 */
function drivenFrom(db: Db, mailingId: number, driver: Driver, linkId: number | undefined) {
  if (driver === "blocked") {
    const blocked = db
      .selectFrom("mailing_recipients as r")
      .select("r.id")
      .where("r.mailing_id", "=", mailingId)
      .where("r.status", "=", "blocked");
    const picked = db.with(
      (cte) => cte("picked").materialized(),
      () => blocked,
    );
    if (!runsOnPostgres(db))
      return withLatest(
        picked
          .selectFrom("picked as p")
          .crossJoin("mailing_recipients as r")
          .whereRef("r.id", "=", "p.id") as unknown as Walk,
      );
    return withLatestLookedUp(
      picked
        .selectFrom("picked as p")
        .crossJoinLateral((eb) =>
          eb.selectFrom("mailing_recipients").selectAll().whereRef("id", "=", "p.id").offset(0).as("r"),
        ) as unknown as Walk,
    );
  }
  const picked = db.with(
    (cte) => cte("picked").materialized(),
    () => driverDeliveries(db, mailingId, driver, linkId),
  );
  if (!runsOnPostgres(db))
    return picked
      .selectFrom("picked as p")
      .crossJoin("deliveries as d")
      .crossJoin("mailing_recipients as r")
      .whereRef("d.id", "=", "p.did")
      .where("d.is_latest", "=", sql.lit(1))
      .whereRef("r.id", "=", "d.recipient_id") as unknown as ReturnType<typeof withLatest>;
  return picked
    .selectFrom("picked as p")
    .crossJoinLateral((eb) =>
      eb
        .selectFrom("deliveries")
        .selectAll()
        .whereRef("deliveries.id", "=", "p.did")
        .where("deliveries.is_latest", "=", sql.lit(1))
        .offset(0)
        .as("d"),
    )
    .crossJoinLateral((eb) =>
      eb
        .selectFrom("mailing_recipients")
        .selectAll()
        .whereRef("mailing_recipients.id", "=", "d.recipient_id")
        .offset(0)
        .as("r"),
    ) as unknown as ReturnType<typeof withLatest>;
}

/**
 * The list walked in (position, id) order for a page, each row with its latest attempt. On PostgreSQL the attempt is a
 * LATERAL lookup: with a plain join, a cursor near the end (page 250 of *bounced*, 24,000 rows left) made it hash
 * every delivery of the mailing (680 ms) instead of walking the rows after the cursor until the page is full.
 */
function walkInOrder(db: Db) {
  return runsOnPostgres(db) ? withLatestLookedUp(walkFrom(db)) : withLatest(walkFrom(db));
}

function baseQuery(db: Db, mailingId: number, query: FollowUpQuery, driver?: Driver | "walk-in-order") {
  let q = (
    driver === "walk-in-order"
      ? walkInOrder(db)
      : driver
        ? drivenFrom(db, mailingId, driver, query.linkId)
        : withLatest(walkFrom(db))
  )
    .where("r.mailing_id", "=", mailingId)
    // Only the list: the left out (no usable address) were never on it (src/db/block-reasons.ts).
    .where((eb) =>
      eb.or([eb("r.block_reason", "is", null), eb("r.block_reason", "not in", LEFT_OUT_REASONS)]),
    );
  for (const filter of query.filters)
    if (filter !== driver) q = q.where((eb) => condition(eb as unknown as Eb, filter));
  if (query.linkId !== undefined && driver !== "link") {
    const linkId = query.linkId;
    q = q.where((eb) =>
      eb.exists(
        eb
          .selectFrom("link_clickers as lc")
          .select("lc.link_id")
          .where("lc.link_id", "=", linkId)
          .whereRef("lc.delivery_id", "=", "d.id")
          .where("lc.flagged", "=", 0),
      ),
    );
  }
  if (query.search) {
    const like = `%${query.search.toLowerCase().replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
    q = q.where((eb) =>
      eb.or([
        eb(sql`lower(coalesce(r.name, ''))`, "like", sql`${like} escape '\\'`),
        eb(sql`coalesce(r.email_lower, '')`, "like", sql`${like} escape '\\'`),
      ]),
    );
  }
  return q;
}

/** The ids of the mailing's recipients the follow-up filters match, as a subquery (for exports). */
export function followUpMatches(db: Db, mailingId: number, query: FollowUpQuery) {
  return baseQuery(db, mailingId, query).select("r.id");
}

/**
 * One page of the list in (position, id) order, from the start or after a cursor (keyset: page 1,000 costs what page
 * 1 costs), with the total the filters match. `offset` still works, for old clients, at the cost of skipping rows.
 */
export async function followUpRecipients(db: Db, mailingId: number, asked: FollowUpQuery, page: PageSpec) {
  await requireMailing(db, mailingId);
  if (asked.linkId !== undefined) await requireLink(db, mailingId, asked.linkId);
  const query = withoutImplied(asked);
  const plan = await planFollowUp(db, mailingId, query);
  if (plan.count === 0)
    return { items: [], total: 0, limit: page.limit, offset: page.offset ?? 0, nextCursor: null };
  const { found, total } =
    plan.count === null && plan.driver
      ? await drivenPage(db, mailingId, query, plan.driver, page)
      : await listedPage(db, mailingId, query, plan.pageDriver, plan.count, page);
  const keys = found.slice(0, page.limit);
  const last = keys.at(-1);
  return {
    items: await pageRows(
      db,
      mailingId,
      keys.map((k) => k.id),
    ),
    total,
    limit: page.limit,
    offset: page.offset ?? 0,
    nextCursor:
      found.length > page.limit && last
        ? formatCursor({ position: Number(last.position), id: last.id })
        : null,
  };
}

type Keys = Array<{ position: number | string; id: number }>;
type PageSpec = { limit: number; offset?: number; after?: FollowUpCursor };

/** A page's keys from the list (walked in order, or from a driver's set) and the count beside it. */
async function listedPage(
  db: Db,
  mailingId: number,
  query: FollowUpQuery,
  pageDriver: Driver | undefined,
  count: number | null,
  page: PageSpec,
): Promise<{ found: Keys; total: number }> {
  const keys = (from: Db) => {
    let list = baseQuery(from, mailingId, query, pageDriver ?? "walk-in-order");
    if (page.after) {
      const { position, id } = page.after;
      list = list.where((eb) => eb(eb.refTuple("r.position", "r.id"), ">", eb.tuple(position, id)));
    }
    // Keys first (a narrow sort over a driver's set), then the page's rows with their latest attempt.
    return (
      list
        .select(["r.position", "r.id"])
        .orderBy("r.position")
        .orderBy("r.id")
        // One row more than the page says whether there is a next one.
        .limit(page.limit + 1)
        .offset(page.offset ?? 0)
        .execute()
    );
  };
  const [found, total] = await Promise.all([
    readPlainly(db, keys),
    count ?? countMatches(db, mailingId, query),
  ]);
  return { found, total };
}

/**
 * What the rollups cannot count (several filters, a search, complaints, unsubscribes), read from a driver's set in
 * one statement: the set's matching keys are gathered once (a materialized CTE), counted, and the page is the first
 * rows after the cursor among them (a top-N sort). Counting and paging separately would look each row up twice.
 */
async function drivenPage(
  db: Db,
  mailingId: number,
  query: FollowUpQuery,
  driver: Driver,
  page: PageSpec,
): Promise<{ found: Keys; total: number }> {
  const matches = baseQuery(db, mailingId, query, driver).select(["r.position", "r.id"]);
  const after = page.after
    ? sql`where (m.position, m.id) > (${page.after.position}, ${page.after.id})`
    : sql``;
  // part 1: the count; part 2: the page (one row more than the page says whether there is a next one).
  const statement = sql<{ part: number; position: number | string; id: number }>`
    with m as materialized ${matches}
    select 1 as part, count(*) as position, 0 as id from m
    union all
    select * from (select 2 as part, m.position, m.id from m ${after}
      order by m.position, m.id limit ${page.limit + 1} offset ${page.offset ?? 0}) p`;
  const rows = await readPlainly(db, (db) => statement.execute(db));
  const total = Number(rows.rows.find((r) => Number(r.part) === 1)?.position ?? 0);
  const found = rows.rows
    .filter((r) => Number(r.part) === 2)
    // A union keeps no order by itself.
    .sort((a, b) => Number(a.position) - Number(b.position) || a.id - b.id);
  return { found, total };
}

/** The rows of a page, in the order of `ids`. */
async function pageRows(db: Db, mailingId: number, ids: number[]) {
  if (ids.length === 0) return [];
  const rows = await withLatest(walkFrom(db))
    .select([
      "r.id as recipientId",
      "r.person_id as personId",
      "r.name",
      "r.email",
      "r.status as recipientStatus",
      "r.block_reason as blockReason",
      "d.id as deliveryId",
      "d.status as deliveryStatus",
      "d.attempt",
      "d.sent_at as sentAt",
      "d.first_opened_at as openedAt",
      "d.first_clicked_at as clickedAt",
      "d.bounce_kind as bounceKind",
      "d.last_reply as lastReply",
    ])
    .where("r.mailing_id", "=", mailingId)
    .where("r.id", "in", ids)
    .execute();
  // The ids come from the base query, which keeps only the list: a row's reason is a blocked one, never a left-out one.
  const byId = new Map(
    rows.map((r) => [r.recipientId, { ...r, blockReason: r.blockReason as BlockReason | null }]),
  );
  return ids.map((id) => byId.get(id)!);
}

/** How many rows the filters match, by a query (for what the rollups cannot count; see planFollowUp). */
async function countMatches(
  db: Db,
  mailingId: number,
  query: FollowUpQuery,
  driver?: Driver,
): Promise<number> {
  const row = await baseQuery(db, mailingId, query, driver)
    .select((eb) => eb.fn.countAll<number | string>().as("n"))
    .executeTakeFirstOrThrow();
  return Number(row.n);
}

/** The count alone: the rollups' when they have it. */
export async function countFollowUp(db: Db, mailingId: number, asked: FollowUpQuery): Promise<number> {
  const query = withoutImplied(asked);
  const plan = await planFollowUp(db, mailingId, query);
  return plan.count ?? countMatches(db, mailingId, query, plan.driver);
}

export type AddTarget = { selectionId?: number; projectId?: number; newSelectionName?: string };

/** How many of each group an add-to answer names; the counts are always whole. */
const NAMED = 100;

type NamedPerson = { personId: number; name: string | null };

/**
 * Adds the CRM persons among the chosen rows (given ids, or every row the filters match) to a selection or project,
 * and says exactly what became of every row: added, already a member, or not added because the row is not a CRM
 * person (an imported or pasted address). rows = persons + rowsOfSamePerson + notInCrm.
 */
export async function addRecipientsTo(
  db: Db,
  mailingId: number,
  rows: { recipientIds?: number[]; query?: FollowUpQuery },
  target: AddTarget,
): Promise<AddOutcome> {
  await requireMailing(db, mailingId);
  const chosen = [target.selectionId, target.projectId, target.newSelectionName].filter(
    (t) => t !== undefined,
  );
  if (chosen.length !== 1)
    throw invalid([
      {
        field: "target",
        message: "give exactly one of selectionId, projectId or newSelectionName",
        kind: "exactly-one",
        params: { values: "selectionId, projectId, newSelectionName" },
      },
    ]);
  let q = baseQuery(db, mailingId, rows.query ?? { filters: [] });
  if (rows.recipientIds) q = q.where("r.id", "in", rows.recipientIds.length ? rows.recipientIds : [0]);
  const picked = await q
    .select(["r.id as recipientId", "r.person_id as personId", "r.name", "r.email"])
    .execute();
  const nameOf = new Map<number, string | null>();
  for (const r of picked) if (r.personId !== null && !nameOf.has(r.personId)) nameOf.set(r.personId, r.name);
  const persons = [...nameOf.keys()];
  const notInCrm = picked.filter((r) => r.personId === null);

  let members: Set<number>;
  let selectionId: number | undefined;
  if (target.projectId !== undefined) {
    members = await existingMembers(db, "project_members", "project_id", target.projectId, persons);
    await addProjectMembers(db, target.projectId, persons);
  } else {
    selectionId =
      target.selectionId ??
      (await createSelection(db, { name: target.newSelectionName!, kind: "static" })).id;
    members = await existingMembers(db, "selection_members", "selection_id", selectionId, persons);
    await addSelectionMembers(db, selectionId, persons);
  }
  const named = (ids: number[]): NamedPerson[] =>
    ids.slice(0, NAMED).map((personId) => ({ personId, name: nameOf.get(personId) ?? null }));
  const added = persons.filter((p) => !members.has(p));
  const already = persons.filter((p) => members.has(p));
  return {
    rows: picked.length,
    persons: persons.length,
    added: added.length,
    alreadyMembers: already.length,
    notInCrm: notInCrm.length,
    named: {
      added: named(added),
      alreadyMembers: named(already),
      notInCrm: notInCrm
        .slice(0, NAMED)
        .map((r) => ({ recipientId: r.recipientId, name: r.name, email: r.email })),
    },
    ...(target.projectId !== undefined ? { projectId: target.projectId } : { selectionId: selectionId! }),
  };
}

export type AddOutcome = {
  rows: number;
  persons: number;
  added: number;
  alreadyMembers: number;
  notInCrm: number;
  named: {
    added: NamedPerson[];
    alreadyMembers: NamedPerson[];
    notInCrm: Array<{ recipientId: number; name: string | null; email: string | null }>;
  };
  selectionId?: number;
  projectId?: number;
};

/** Which of `persons` are already in the selection or project (asked before adding, in chunks). */
async function existingMembers(
  db: Db,
  table: "project_members" | "selection_members",
  column: "project_id" | "selection_id",
  id: number,
  persons: number[],
): Promise<Set<number>> {
  const found = new Set<number>();
  for (let i = 0; i < persons.length; i += 500) {
    const rows = await db
      .selectFrom(table as "project_members")
      .select("person_id")
      .where(column as "project_id", "=", id)
      .where("person_id", "in", persons.slice(i, i + 500))
      .execute();
    for (const r of rows) found.add(r.person_id);
  }
  return found;
}

async function requireMailing(db: Db, mailingId: number) {
  const found = await db.selectFrom("mailings").select("id").where("id", "=", mailingId).executeTakeFirst();
  if (!found) throw notFound("mailing", mailingId);
}

export async function requireLink(db: Db, mailingId: number, linkId: number) {
  const found = await db
    .selectFrom("tracked_links")
    .select("id")
    .where("id", "=", linkId)
    .where("mailing_id", "=", mailingId)
    .executeTakeFirst();
  if (!found) throw notFound("tracked link", linkId);
  return found;
}
