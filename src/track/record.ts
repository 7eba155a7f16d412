// Recording opens and clicks: verify the signed token, flag machines, store the event append-only and bump the
// rollups in one transaction (shared with the events that arrived meanwhile, batch.ts), then answer with the stored
// target — never a URL taken from the request.

import type { Db } from "../db/connect.ts";
import { type Keyring, verifyDeliveryToken, verifyLinkToken } from "../deliveries/tokens.ts";
import { compileTemplate, renderTemplate } from "../mailings/merge-fields.ts";
import { loadRecipientValues } from "../mailings/merge-values.ts";
import { addProjectMembers } from "../projects/store.ts";
import { addSelectionMembers } from "../selections/store.ts";
import { classifyAgent, truncateIp } from "./agents.ts";
import { type DeliveryRow, type LinkRow, queueClick, queueOpen } from "./batch.ts";

export type RequestMeta = { userAgent?: string; ip?: string; now?: Date };

/** The address the click goes to, built from stored data only; null when it is not an http(s) URL. */
async function targetFor(
  db: Db,
  link: LinkRow,
  delivery: DeliveryRow | null,
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
  if (link.has_merge_fields) return withUtm(url, utm);
  // The same link for every recipient: parsed once, not on every click.
  const key = `${url}\n${utm.source ?? ""}\n${utm.campaign ?? ""}`;
  let target = targets.get(key);
  if (target === undefined) {
    target = withUtm(url, utm);
    if (targets.size >= CACHED_TARGETS) targets.delete(targets.keys().next().value!);
    targets.set(key, target);
  }
  return target;
}

const CACHED_TARGETS = 1000;
const targets = new Map<string, string | null>();

/** The URL with the mailing's UTM tags added (those it does not carry yet); null when it is not an http(s) URL. */
function withUtm(url: string, utm: { source: string | null; campaign: string | null }): string | null {
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

/** Records a click and returns where to send the browser, or null (a plain 404) for a bad or unknown token. It
 * resolves once the click is committed, together with the clicks that arrived meanwhile (see batch.ts). */
export async function recordClick(
  db: Db,
  keys: Keyring,
  token: string,
  meta: RequestMeta,
): Promise<string | null> {
  const named = verifyLinkToken(keys, token);
  if (!named) return null;
  const outcome = await queueClick(db, {
    deliveryId: named.deliveryId,
    linkId: named.linkId,
    now: meta.now ?? new Date(),
    agent: classifyAgent(meta.userAgent, meta.ip),
    ip: truncateIp(meta.ip),
    targetOf: (trx, link, delivery) =>
      targetFor(trx, link, delivery, { source: link.utm_source, campaign: link.utm_campaign }),
  });
  if (outcome.firstHuman && outcome.personId != null && outcome.link?.action_kind)
    await runLinkAction(db, outcome.link, outcome.personId);
  return outcome.target;
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
  await queueOpen(db, {
    deliveryId,
    now: meta.now ?? new Date(),
    agent: classifyAgent(meta.userAgent, meta.ip),
    ip: truncateIp(meta.ip),
  });
}
