// Recording opens and clicks: verify the signed token, flag machines, store the event append-only and bump the
// rollups in one transaction, then answer with the stored target — never a URL taken from the request.

import type { Transaction } from "kysely";
import type { Db } from "../db/connect.ts";
import type { Database } from "../db/schema.ts";
import { appendEvent } from "../deliveries/events.ts";
import { type Keyring, verifyDeliveryToken, verifyLinkToken } from "../deliveries/tokens.ts";
import { compileTemplate, renderTemplate } from "../mailings/merge-fields.ts";
import { loadRecipientValues } from "../mailings/merge-values.ts";
import { addProjectMembers } from "../projects/store.ts";
import { addSelectionMembers } from "../selections/store.ts";
import { BURST_WINDOW_MS, classifyAgent, flagClick, flagOpen, truncateIp } from "./agents.ts";
import { bumpCounter, bumpHour, shardOf } from "./counters.ts";

export type RequestMeta = { userAgent?: string; ip?: string; now?: Date };

type LinkRow = {
  id: number;
  mailing_id: number;
  url: string;
  has_merge_fields: number;
  action_kind: string | null;
  action_ref_id: number | null;
};

/** The address the click goes to, built from stored data only; null when it is not an http(s) URL. */
async function targetFor(
  db: Db,
  link: LinkRow,
  delivery: { recipient_id: number; email: string } | null,
  utm: { source: string | null; campaign: string | null },
): Promise<string | null> {
  let url = link.url;
  if (link.has_merge_fields) {
    const values = delivery
      ? (await loadRecipientValues(db, [{ recipientId: delivery.recipient_id, email: delivery.email }])).get(
          delivery.recipient_id,
        )
      : undefined;
    try {
      url = renderTemplate(
        compileTemplate(url, "url", { field: "url" }),
        {
          customer: values?.customer ?? {},
          company: values?.company ?? null,
          ourContact: values?.ourContact ?? null,
          mailing: { name: "", subject: null },
          link: {},
        } as never,
        "url",
      );
    } catch {
      return null;
    }
  }
  let parsed: URL;
  try {
    parsed = new URL(url.trim());
  } catch {
    return null;
  }
  if (parsed.protocol !== "http:" && parsed.protocol !== "https:") return null;
  if (utm.source || utm.campaign) {
    if (!parsed.searchParams.has("utm_medium")) parsed.searchParams.set("utm_medium", "email");
    if (utm.source && !parsed.searchParams.has("utm_source"))
      parsed.searchParams.set("utm_source", utm.source);
    if (utm.campaign && !parsed.searchParams.has("utm_campaign"))
      parsed.searchParams.set("utm_campaign", utm.campaign);
  }
  return parsed.toString();
}

/** Records a click and returns where to send the browser, or null (a plain 404) for a bad or unknown token. */
export async function recordClick(
  db: Db,
  keys: Keyring,
  token: string,
  meta: RequestMeta,
): Promise<string | null> {
  const named = verifyLinkToken(keys, token);
  if (!named) return null;
  // One read on the request path: the link and its mailing's UTM tags together.
  const link = await db
    .selectFrom("tracked_links as l")
    .innerJoin("mailings as m", "m.id", "l.mailing_id")
    .select([
      "l.id",
      "l.mailing_id",
      "l.url",
      "l.has_merge_fields",
      "l.action_kind",
      "l.action_ref_id",
      "m.utm_source",
      "m.utm_campaign",
    ])
    .where("l.id", "=", named.linkId)
    .executeTakeFirst();
  if (!link) return null;
  const utm = { source: link.utm_source, campaign: link.utm_campaign };
  const now = meta.now ?? new Date();
  const at = now.toISOString();
  const agent = classifyAgent(meta.userAgent, meta.ip);
  const ip = truncateIp(meta.ip);

  // Delivery 0 is a test send: the click works and is kept apart, so it never counts.
  if (named.deliveryId === 0) {
    const target = await targetFor(db, link, null, utm);
    if (!target) return null;
    await db.transaction().execute(async (trx) => {
      await appendEvent(trx, {
        mailing_id: link.mailing_id,
        delivery_id: null,
        person_id: null,
        kind: "clicked",
        link_id: link.id,
        detail: null,
        ua_class: agent,
        ip,
        flagged: 0,
        is_test: 1,
        created_at: at,
      });
      await trx
        .updateTable("tracked_links")
        .set((eb) => ({ test_clicks: eb("test_clicks", "+", 1) }))
        .where("id", "=", link.id)
        .execute();
    });
    return target;
  }

  const delivery = await db
    .selectFrom("deliveries")
    .select(["id", "mailing_id", "recipient_id", "person_id", "address as email", "sent_at"])
    .where("id", "=", named.deliveryId)
    .executeTakeFirst();
  if (!delivery || delivery.mailing_id !== link.mailing_id) return null;
  const target = await targetFor(db, link, delivery, utm);
  if (!target) return null;

  const burst = await db
    .selectFrom("link_clickers")
    .select((eb) => eb.fn.countAll<number | string>().as("n"))
    .where("delivery_id", "=", delivery.id)
    .where("link_id", "!=", link.id)
    .where("first_at", ">=", new Date(now.getTime() - BURST_WINDOW_MS).toISOString())
    .executeTakeFirstOrThrow();
  // The mailing's link count matters only when another link was clicked in the window: most clicks skip the query.
  const linksInMailing =
    Number(burst.n) === 0
      ? 0
      : Number(
          (
            await db
              .selectFrom("tracked_links")
              .select((eb) => eb.fn.countAll<number | string>().as("n"))
              .where("mailing_id", "=", delivery.mailing_id)
              .executeTakeFirstOrThrow()
          ).n,
        );
  const flag = flagClick({
    agent,
    sentAt: delivery.sent_at,
    now,
    otherLinksClickedInBurst: Number(burst.n),
    linksInMailing,
  });
  const shard = shardOf(delivery.id);

  const firstHumanClickOnLink = await db.transaction().execute(async (trx) => {
    await appendEvent(trx, {
      mailing_id: delivery.mailing_id,
      delivery_id: delivery.id,
      person_id: delivery.person_id,
      kind: "clicked",
      link_id: link.id,
      detail: flag,
      ua_class: agent,
      ip,
      flagged: flag ? 1 : 0,
      is_test: 0,
      created_at: at,
    });
    const inserted = await trx
      .insertInto("link_clickers")
      .values({
        link_id: link.id,
        delivery_id: delivery.id,
        person_id: delivery.person_id,
        clicks: 0,
        flagged: flag ? 1 : 0,
        first_at: at,
        last_at: at,
      })
      .onConflict((oc) => oc.columns(["link_id", "delivery_id"]).doNothing())
      .executeTakeFirst();
    const newRow = Number(inserted.numInsertedOrUpdatedRows ?? 0) === 1;
    if (flag) {
      await trx
        .updateTable("tracked_links")
        .set((eb) => ({ flagged_clicks: eb("flagged_clicks", "+", 1) }))
        .where("id", "=", link.id)
        .execute();
      await bumpCounter(trx, delivery.mailing_id, "clicked_flagged", shard);
      return false;
    }
    // A clicker counts once per link from the first click that is not a machine's, even after flagged ones.
    let unique = newRow;
    if (!newRow) {
      const cleared = await trx
        .updateTable("link_clickers")
        .set({ flagged: 0 })
        .where("link_id", "=", link.id)
        .where("delivery_id", "=", delivery.id)
        .where("flagged", "=", 1)
        .executeTakeFirst();
      unique = Number(cleared.numUpdatedRows) === 1;
    }
    await trx
      .updateTable("link_clickers")
      .set((eb) => ({ clicks: eb("clicks", "+", 1), last_at: at }))
      .where("link_id", "=", link.id)
      .where("delivery_id", "=", delivery.id)
      .execute();
    await trx
      .updateTable("tracked_links")
      .set((eb) => ({
        clicks: eb("clicks", "+", 1),
        unique_clickers: eb("unique_clickers", "+", unique ? 1 : 0),
      }))
      .where("id", "=", link.id)
      .execute();
    await bumpCounter(trx, delivery.mailing_id, "clicked_total", shard);
    await bumpHour(trx, delivery.mailing_id, "clicked", at, shard);
    await markFirst(trx, delivery, "first_clicked_at", "clicked_unique", at, shard);
    // A click counts as an open: the reader saw the message even when images were blocked.
    await markFirst(trx, delivery, "first_opened_at", "opened_unique", at, shard);
    return unique;
  });

  if (firstHumanClickOnLink && delivery.person_id !== null && link.action_kind)
    await runLinkAction(db, link, delivery.person_id);
  return target;
}

/** A link's action for the person who clicked it; a removed selection or project is skipped, not an error. */
async function runLinkAction(db: Db, link: LinkRow, personId: number): Promise<void> {
  const ref = link.action_ref_id;
  if (ref === null) return;
  try {
    if (link.action_kind === "add-to-selection") await addSelectionMembers(db, ref, [personId]);
    else if (link.action_kind === "add-to-project") await addProjectMembers(db, ref, [personId]);
    else if (link.action_kind === "add-interest")
      await db
        .insertInto("person_interests")
        .values({ person_id: personId, interest_id: ref, created_at: new Date().toISOString() })
        .onConflict((oc) => oc.columns(["person_id", "interest_id"]).doNothing())
        .execute();
    else if (link.action_kind === "remove-interest")
      await db
        .deleteFrom("person_interests")
        .where("person_id", "=", personId)
        .where("interest_id", "=", ref)
        .execute();
  } catch {
    // The click is recorded either way; an action whose target went away has nothing to do.
  }
}

/** Records an open from the pixel; any token that is not a real delivery's records nothing. */
export async function recordOpen(db: Db, keys: Keyring, token: string, meta: RequestMeta): Promise<void> {
  const deliveryId = verifyDeliveryToken(keys, "open", token.replace(/\.gif$/, ""));
  if (deliveryId === null || deliveryId === 0) return;
  const delivery = await db
    .selectFrom("deliveries")
    .select(["id", "mailing_id", "person_id"])
    .where("id", "=", deliveryId)
    .executeTakeFirst();
  if (!delivery) return;
  const now = meta.now ?? new Date();
  const at = now.toISOString();
  const agent = classifyAgent(meta.userAgent, meta.ip);
  const flag = flagOpen(agent);
  const shard = shardOf(delivery.id);
  await db.transaction().execute(async (trx) => {
    await appendEvent(trx, {
      mailing_id: delivery.mailing_id,
      delivery_id: delivery.id,
      person_id: delivery.person_id,
      kind: "opened",
      link_id: null,
      detail: flag,
      ua_class: agent,
      ip: truncateIp(meta.ip),
      flagged: flag ? 1 : 0,
      is_test: 0,
      created_at: at,
    });
    if (flag) {
      await bumpCounter(trx, delivery.mailing_id, "opened_flagged", shard);
      return;
    }
    await bumpCounter(trx, delivery.mailing_id, "opened_total", shard);
    await bumpHour(trx, delivery.mailing_id, "opened", at, shard);
    await markFirst(trx, delivery, "first_opened_at", "opened_unique", at, shard);
  });
}

/** Stamps the delivery's first open or click; the first one also counts the recipient as unique. */
async function markFirst(
  trx: Transaction<Database>,
  delivery: { id: number; mailing_id: number },
  column: "first_opened_at" | "first_clicked_at",
  counter: "opened_unique" | "clicked_unique",
  at: string,
  shard: number,
): Promise<void> {
  const first = await trx
    .updateTable("deliveries")
    .set({ [column]: at })
    .where("id", "=", delivery.id)
    .where(column, "is", null)
    .executeTakeFirst();
  if (Number(first.numUpdatedRows) === 1) await bumpCounter(trx, delivery.mailing_id, counter, shard);
}
