// Tracked links as marketers see them: per mailing with counts and clickers, an optional action per link, test
// clicks cleared, and the library of registered links reused across mailings with their totals.
import type { Db } from "../db/connect.ts";
import type { LinkActionKind } from "../db/schema.ts";
import { isoNow } from "../shared/clock.ts";
import { conflict, invalid, missingReference, notFound } from "../shared/errors.ts";
import { requireLink } from "./follow-up.ts";

export const LINK_ACTIONS: readonly LinkActionKind[] = [
  "add-to-selection",
  "add-to-project",
  "add-interest",
  "remove-interest",
];

export async function listLinks(db: Db, mailingId: number) {
  const rows = await db
    .selectFrom("tracked_links as l")
    .leftJoin("registered_links as g", "g.id", "l.registered_link_id")
    .select([
      "l.id",
      "l.url",
      "l.has_merge_fields",
      "l.clicks",
      "l.unique_clickers",
      "l.flagged_clicks",
      "l.test_clicks",
      "l.action_kind",
      "l.action_ref_id",
      "g.id as registeredId",
      "g.name as registeredName",
    ])
    .where("l.mailing_id", "=", mailingId)
    .orderBy("l.position")
    .execute();
  return rows.map((r) => ({
    id: r.id,
    url: r.url,
    hasMergeFields: r.has_merge_fields === 1,
    clicks: r.clicks,
    uniqueClickers: r.unique_clickers,
    flaggedClicks: r.flagged_clicks,
    testClicks: r.test_clicks,
    action: r.action_kind ? { kind: r.action_kind, refId: r.action_ref_id } : null,
    registered: r.registeredId ? { id: r.registeredId, name: r.registeredName } : null,
  }));
}

/** Who clicked a link and when; machine clicks (scanners, bursts) are listed with their flag. */
export async function linkClickers(
  db: Db,
  mailingId: number,
  linkId: number,
  page: { limit: number; offset: number },
) {
  await requireLink(db, mailingId, linkId);
  const base = db
    .selectFrom("link_clickers as c")
    .innerJoin("deliveries as d", "d.id", "c.delivery_id")
    .leftJoin("persons as p", "p.id", "c.person_id")
    .where("c.link_id", "=", linkId);
  const [rows, total] = await Promise.all([
    base
      .select([
        "c.delivery_id as deliveryId",
        "c.person_id as personId",
        "d.address as email",
        "p.first_name as firstName",
        "p.last_name as lastName",
        "c.clicks",
        "c.flagged",
        "c.first_at as firstAt",
        "c.last_at as lastAt",
      ])
      .orderBy("c.first_at")
      .limit(page.limit)
      .offset(page.offset)
      .execute(),
    base.select((eb) => eb.fn.countAll<number | string>().as("n")).executeTakeFirstOrThrow(),
  ]);
  return {
    items: rows.map((r) => ({
      deliveryId: r.deliveryId,
      personId: r.personId,
      email: r.email,
      name: [r.firstName, r.lastName].filter(Boolean).join(" ") || null,
      clicks: r.clicks,
      flagged: r.flagged === 1,
      firstAt: r.firstAt,
      lastAt: r.lastAt,
    })),
    total: Number(total.n),
    limit: page.limit,
    offset: page.offset,
  };
}

export async function setLinkAction(
  db: Db,
  mailingId: number,
  linkId: number,
  action: { kind: LinkActionKind; refId: number } | null,
): Promise<void> {
  await requireLink(db, mailingId, linkId);
  if (action) {
    const table =
      action.kind === "add-to-selection"
        ? "selections"
        : action.kind === "add-to-project"
          ? "projects"
          : "interests";
    const found = await db.selectFrom(table).select("id").where("id", "=", action.refId).executeTakeFirst();
    if (!found) throw missingReference("action.refId", table.slice(0, -1), action.refId);
    if (table === "selections") {
      const sel = await db
        .selectFrom("selections")
        .select("kind")
        .where("id", "=", action.refId)
        .executeTakeFirstOrThrow();
      if (sel.kind !== "static")
        throw invalid([
          {
            field: "action.refId",
            message: "clickers can only be added to a static selection",
            kind: "needs-static-selection",
          },
        ]);
    }
  }
  await db
    .updateTable("tracked_links")
    .set({ action_kind: action?.kind ?? null, action_ref_id: action?.refId ?? null })
    .where("id", "=", linkId)
    .execute();
}

/** Clears the clicks made from test sends, so a link clicked while checking the mailing starts at zero. */
export async function resetTestClicks(
  db: Db,
  mailingId: number,
  linkId: number,
): Promise<{ removed: number }> {
  await requireLink(db, mailingId, linkId);
  return db.transaction().execute(async (trx) => {
    const removed = await trx
      .deleteFrom("events")
      .where("link_id", "=", linkId)
      .where("is_test", "=", 1)
      .executeTakeFirst();
    await trx.updateTable("tracked_links").set({ test_clicks: 0 }).where("id", "=", linkId).execute();
    return { removed: Number(removed.numDeletedRows) };
  });
}

export async function listRegisteredLinks(db: Db) {
  const rows = await db
    .selectFrom("registered_links as g")
    .leftJoin("tracked_links as l", "l.registered_link_id", "g.id")
    .select([
      "g.id",
      "g.url",
      "g.name",
      "g.created_at",
      (eb) => eb.fn.count<number | string>("l.id").as("mailings"),
      (eb) => eb.fn.coalesce(eb.fn.sum<number | string>("l.clicks"), eb.lit(0)).as("clicks"),
      (eb) => eb.fn.coalesce(eb.fn.sum<number | string>("l.unique_clickers"), eb.lit(0)).as("uniqueClickers"),
    ])
    .groupBy(["g.id", "g.url", "g.name", "g.created_at"])
    .orderBy("g.name")
    .execute();
  return rows.map((r) => ({
    id: r.id,
    url: r.url,
    name: r.name,
    createdAt: r.created_at,
    mailings: Number(r.mailings),
    clicks: Number(r.clicks),
    uniqueClickers: Number(r.uniqueClickers),
  }));
}

export async function createRegisteredLink(db: Db, input: { url: string; name: string }) {
  let url: URL;
  try {
    url = new URL(input.url);
  } catch {
    throw invalid([{ field: "url", message: "is not a URL", kind: "format", params: { format: "url" } }]);
  }
  if (url.protocol !== "http:" && url.protocol !== "https:")
    throw invalid([
      {
        field: "url",
        message: "must start with http:// or https://",
        kind: "format",
        params: { format: "url" },
      },
    ]);
  const exists = await db
    .selectFrom("registered_links")
    .select("id")
    .where("url", "=", input.url)
    .executeTakeFirst();
  if (exists) throw conflict("url", "this link is already registered");
  const row = await db
    .insertInto("registered_links")
    .values({ url: input.url, name: input.name.trim(), created_at: isoNow() })
    .returning("id")
    .executeTakeFirstOrThrow();
  // Links already sent with this URL now count toward it.
  await db
    .updateTable("tracked_links")
    .set({ registered_link_id: row.id })
    .where("url", "=", input.url)
    .execute();
  return (await listRegisteredLinks(db)).find((l) => l.id === row.id)!;
}

export async function deleteRegisteredLink(db: Db, id: number): Promise<void> {
  const deleted = await db.deleteFrom("registered_links").where("id", "=", id).executeTakeFirst();
  if (Number(deleted.numDeletedRows) === 0) throw notFound("registered link", id);
}
