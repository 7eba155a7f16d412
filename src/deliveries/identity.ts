// Who a delivery is to the outside world: its Message-ID (e-mail), its VERP return path, and the signed links in
// it (unsubscribe, manage subscriptions, view online). Derived from the delivery alone, so the planner, resends,
// the send loop, bounces and the recipients' pages all agree without storing more than the delivery.
import { type RawBuilder, sql } from "kysely";
import { formLinkUrl } from "./form-link.ts";
import { type Keyring, signDeliveryToken, verifyDeliveryToken } from "./tokens.ts";

export type DeliveryKey = { mailingId: number; recipientId: number; attempt: number };
export type RecipientLinks = {
  unsubscribe: string;
  subscriptions: string;
  viewOnline: string;
  /** `[[link.form.<slug>]]`: the hosted form by slug, with the person's signed token (see recipientFormLinks). */
  form?: Record<string, string>;
};

/** Message-ID (without <>) from (mailing, recipient, attempt): the same delivery keeps it through every retry. */
export function emailMessageId(key: DeliveryKey, domain: string): string {
  return `m${key.mailingId}.r${key.recipientId}.a${key.attempt}@${domain}`;
}

/** The same Message-ID, computed by the database for a set-based insert over `mailing_recipients r`. */
export function emailMessageIdSql(attempt: number, domain: string): RawBuilder<string> {
  return sql<string>`'m' || r.mailing_id || '.r' || r.id || '.a' || ${String(attempt)} || '@' || ${domain}`;
}

/** The domain part of a Message-ID this module made, or undefined. */
export function messageIdDomain(messageId: string | null): string | undefined {
  return messageId?.split("@")[1];
}

/** The envelope sender (MAIL FROM) that brings a bounce back to this delivery. */
export function verpReturnPath(keys: Keyring, deliveryId: number, bounceDomain: string): string {
  return `bounces+${signDeliveryToken(keys, "verp", deliveryId)}@${bounceDomain}`;
}

/** The delivery a VERP token names, or null when it is malformed or forged. */
export function deliveryOfVerpToken(keys: Keyring, token: string): number | null {
  return verifyDeliveryToken(keys, "verp", token);
}

/**
 * The envelope sender of a test send: under the bounce domain like a delivery's, so a strict receiver sees the same
 * sender, but its token (`t-` and a token signed for tests) names the mailing, never a delivery: a bounce of a test
 * can never be taken for a real delivery's.
 */
export function testReturnPath(keys: Keyring, mailingId: number, bounceDomain: string): string {
  return `bounces+t-${signDeliveryToken(keys, "test", mailingId)}@${bounceDomain}`;
}

/** The mailing a test send's VERP token (`t-…`, as in its return path) names, or null when it is none or forged. */
export function mailingOfTestToken(keys: Keyring, token: string): number | null {
  const match = /^t-(.+)$/.exec(token);
  return match ? verifyDeliveryToken(keys, "test", match[1]!) : null;
}

/** Test sends' Message-IDs: `test.<mailing>.<random>@domain`. */
export function testMessageId(mailingId: number, random: string, domain: string): string {
  return `test.${mailingId}.${random}@${domain}`;
}

/** The mailing of a test send's Message-ID, or null when it is not one. */
export function mailingOfTestMessageId(messageId: string): number | null {
  const match = /^<?test\.(\d+)\.[^@]+@/.exec(messageId.trim());
  return match ? Number(match[1]) : null;
}

/** The recipient's own pages for a delivery: one signed token serves all three. */
export function recipientLinks(publicUrl: string, keys: Keyring, deliveryId: number): RecipientLinks {
  const token = signDeliveryToken(keys, "unsubscribe", deliveryId);
  return {
    unsubscribe: `${publicUrl}/u/${token}`,
    subscriptions: `${publicUrl}/s/${token}`,
    viewOnline: `${publicUrl}/v/${token}`,
  };
}

/**
 * `[[link.form.<slug>]]` for each slug the message uses: the hosted form with a token naming the person, so the page
 * pre-fills their fields marked pre-fillable (SPEC §9). A recipient without a CRM person (imported from a file, or the
 * preview's sample) gets the form's plain address: the form still works, it only cannot pre-fill.
 */
export function recipientFormLinks(
  publicUrl: string,
  keys: Keyring,
  personId: number | null,
  slugs: readonly string[],
): Record<string, string> {
  return Object.fromEntries(
    slugs.map((slug) => [
      slug,
      personId === null
        ? `${publicUrl}/f/${encodeURIComponent(slug)}`
        : formLinkUrl(publicUrl, keys, personId, slug),
    ]),
  );
}

/** The List-Unsubscribe mailto address for a delivery, answered by the bounce receiver. */
export function unsubscribeMailto(links: RecipientLinks, bounceDomain: string): string {
  return `mailto:unsubscribe+${links.unsubscribe.split("/").pop()}@${bounceDomain}`;
}
