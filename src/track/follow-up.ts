// Following up a mailing's recipients (SPEC §8): each recipient with its latest delivery and what happened to it,
// filtered by combinable conditions, and the people behind filtered or selected rows added to a selection or project.
import { type ExpressionBuilder, sql } from "kysely";
import { type BlockReason, LEFT_OUT_REASONS } from "../db/block-reasons.ts";
import type { Db } from "../db/connect.ts";
import type { Database } from "../db/schema.ts";
import { addProjectMembers } from "../projects/store.ts";
import { addSelectionMembers, createSelection } from "../selections/store.ts";
import { invalid, notFound } from "../shared/errors.ts";

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
      { field: "filters", message: `unknown filter "${bad}"; use ${FOLLOW_UP_FILTERS.join(", ")}` },
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
  switch (filter) {
    case "sent":
      return eb("d.status", "in", ["sent", "bounced", "complained"]);
    case "delivered":
      return eb("d.status", "in", ["sent", "complained"]);
    case "not-sent":
      return eb.and([
        eb("r.status", "=", "eligible"),
        eb.or([eb("d.id", "is", null), eb("d.status", "in", ["pending", "claimed", "sending"])]),
      ]);
    case "bounced":
      return eb("d.status", "=", "bounced");
    case "opened":
      return eb("d.first_opened_at", "is not", null);
    case "clicked":
      return eb("d.first_clicked_at", "is not", null);
    case "blocked":
      return eb("r.status", "=", "blocked");
    case "complained":
      return eb.or([eb("d.status", "=", "complained"), hasEvent("complained")]);
    case "unsubscribed":
      return hasEvent("unsubscribed");
    case "failed":
      return eb("d.status", "=", "failed");
    case "unknown":
      return eb("d.status", "=", "unknown");
  }
}

function baseQuery(db: Db, mailingId: number, query: FollowUpQuery) {
  let q = db
    .selectFrom("mailing_recipients as r")
    // The latest attempt tells what the recipient got; earlier ones stay in the deliveries list.
    .leftJoin("deliveries as d", (join) =>
      join
        .onRef("d.recipient_id", "=", "r.id")
        // Naming the mailing lets both lookups use the (mailing, recipient, attempt) key: without it each
        // recipient scanned the deliveries of every mailing.
        .onRef("d.mailing_id", "=", "r.mailing_id")
        .on(
          "d.attempt",
          "=",
          sql<number>`(select max(d2.attempt) from deliveries d2 where d2.mailing_id = r.mailing_id and d2.recipient_id = r.id)`,
        ),
    )
    .where("r.mailing_id", "=", mailingId)
    // Only the list: the left out (no usable address) were never on it (src/db/block-reasons.ts).
    .where((eb) =>
      eb.or([eb("r.block_reason", "is", null), eb("r.block_reason", "not in", LEFT_OUT_REASONS)]),
    );
  for (const filter of query.filters) q = q.where((eb) => condition(eb as unknown as Eb, filter));
  if (query.linkId !== undefined) {
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

export async function followUpRecipients(
  db: Db,
  mailingId: number,
  query: FollowUpQuery,
  page: { limit: number; offset: number },
) {
  await requireMailing(db, mailingId);
  if (query.linkId !== undefined) await requireLink(db, mailingId, query.linkId);
  const base = baseQuery(db, mailingId, query);
  const [rows, total] = await Promise.all([
    base
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
      .orderBy("r.position")
      .orderBy("r.id")
      .limit(page.limit)
      .offset(page.offset)
      .execute(),
    base.select((eb) => eb.fn.countAll<number | string>().as("n")).executeTakeFirstOrThrow(),
  ]);
  // The base query keeps only the list, so a row's reason is a blocked one, never a left-out one.
  const items = rows.map((r) => ({ ...r, blockReason: r.blockReason as BlockReason | null }));
  return { items, total: Number(total.n), limit: page.limit, offset: page.offset };
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
      { field: "target", message: "give exactly one of selectionId, projectId or newSelectionName" },
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
