// Tracked links: found in the content before merging, registered per mailing, and rewritten by replacing only the
// text of each `href` with a marker that becomes the recipient's signed click URL after the merge.
import { parse } from "parse5";
import type { Db } from "../db/connect.ts";
import { type Keyring, signDeliveryToken, signLinkToken } from "../deliveries/tokens.ts";
import { isoNow } from "../shared/clock.ts";

export type TrackLinksMode = "all" | "registered" | "none";
export type FoundLink = { url: string; start: number; end: number };

type Node = {
  nodeName: string;
  attrs?: Array<{ name: string; value: string }>;
  sourceCodeLocation?: { attrs?: Record<string, { startOffset: number; endOffset: number }> } | null;
  childNodes?: Node[];
  content?: Node;
};

/** Every `<a href>` of the HTML with the offsets of its `href="…"` attribute, in document order. */
export function findLinks(html: string): FoundLink[] {
  const found: FoundLink[] = [];
  const walk = (node: Node) => {
    if (node.nodeName === "a") {
      const href = node.attrs?.find((a) => a.name === "href");
      const at = node.sourceCodeLocation?.attrs?.href;
      if (href && at) found.push({ url: href.value.trim(), start: at.startOffset, end: at.endOffset });
    }
    for (const child of node.childNodes ?? []) walk(child);
    if (node.content) walk(node.content);
  };
  walk(parse(html, { sourceCodeLocationInfo: true }) as unknown as Node);
  return found;
}

const NEVER_TRACKED = /^(mailto:|tel:|sms:|javascript:|data:|#)/i;
// The recipient's own links (unsubscribe, manage subscriptions, view online) must work even when tracking fails.
const OWN_LINK = /\[\[\s*link\./;

/** Whether a link in the content gets a tracked URL under the mailing's setting. */
export function isTrackable(url: string, mode: TrackLinksMode, registered: ReadonlySet<string>): boolean {
  if (mode === "none" || url === "" || NEVER_TRACKED.test(url) || OWN_LINK.test(url)) return false;
  if (!/^https?:\/\//i.test(url) && !/^\[\[/.test(url)) return false;
  return mode === "all" || registered.has(url);
}

const hasMergeFields = (url: string) => /\[\[|\[%/.test(url);

/** Registers the content's trackable links for the mailing (idempotent) and returns their ids by URL. */
export async function registerLinks(
  db: Db,
  mailingId: number,
  html: string,
  mode: TrackLinksMode,
): Promise<Map<string, number>> {
  const ids = new Map<string, number>();
  const library = await db.selectFrom("registered_links").select(["id", "url"]).execute();
  const registered = new Map(library.map((l) => [l.url, l.id]));
  const urls =
    mode === "none"
      ? []
      : [...new Set(findLinks(html).map((l) => l.url))].filter((url) =>
          isTrackable(url, mode, new Set(registered.keys())),
        );
  // A draft's edited content leaves links behind; those nobody clicked go, so statistics list what was sent.
  let stale = db
    .deleteFrom("tracked_links")
    .where("mailing_id", "=", mailingId)
    .where("clicks", "=", 0)
    .where("test_clicks", "=", 0)
    .where("flagged_clicks", "=", 0);
  if (urls.length > 0) stale = stale.where("url", "not in", urls);
  await stale.execute();
  if (urls.length === 0) return ids;
  const now = isoNow();
  await db
    .insertInto("tracked_links")
    .values(
      urls.map((url, position) => ({
        mailing_id: mailingId,
        url,
        has_merge_fields: hasMergeFields(url) ? 1 : 0,
        registered_link_id: registered.get(url) ?? null,
        position,
        clicks: 0,
        unique_clickers: 0,
        flagged_clicks: 0,
        test_clicks: 0,
        created_at: now,
      })),
    )
    .onConflict((oc) => oc.columns(["mailing_id", "url"]).doNothing())
    .execute();
  const rows = await db
    .selectFrom("tracked_links")
    .select(["id", "url"])
    .where("mailing_id", "=", mailingId)
    .execute();
  for (const row of rows) if (urls.includes(row.url)) ids.set(row.url, row.id);
  return ids;
}

const LINK_MARKER = "utsend-tracked-link:";
const OPEN_MARKER = "utsend-open-pixel";

/** The HTML with each tracked link's href text replaced by a marker; nothing else in the document changes. */
export function markTrackedLinks(html: string, ids: ReadonlyMap<string, number>): string {
  let out = "";
  let from = 0;
  for (const link of findLinks(html)) {
    const id = ids.get(link.url);
    if (id === undefined) continue;
    out += `${html.slice(from, link.start)}href="${LINK_MARKER}${id}"`;
    from = link.end;
  }
  return out + html.slice(from);
}

/** Adds the open pixel's marker at the end of the body (or the document). */
export function markOpenPixel(html: string): string {
  const pixel = `<img src="${OPEN_MARKER}" width="1" height="1" alt="" style="display:block;width:1px;height:1px;border:0">`;
  const close = html.search(/<\/body\s*>/i);
  return close === -1 ? html + pixel : html.slice(0, close) + pixel + html.slice(close);
}

/** The merged HTML without its open pixel, to show what the pixel alone does to a spam score. */
export function withoutOpenPixel(html: string, publicUrl: string): string {
  const at = html.indexOf(`<img src="${publicUrl}/t/o/`);
  if (at < 0) return html;
  const end = html.indexOf(">", at);
  return html.slice(0, at) + html.slice(end + 1);
}

/** Replaces the markers in a merged message with this delivery's signed click and open URLs. */
export function fillTrackingMarkers(
  html: string,
  publicUrl: string,
  keys: Keyring,
  deliveryId: number,
): string {
  return html
    .replace(
      /utsend-tracked-link:(\d+)/g,
      (_m, id: string) => `${publicUrl}/t/c/${signLinkToken(keys, deliveryId, Number(id))}`,
    )
    .replace(OPEN_MARKER, () => `${publicUrl}/t/o/${signDeliveryToken(keys, "open", deliveryId)}.gif`);
}
