// Signed tokens for web forms (SPEC §9), made with the same keyring as the delivery tokens: the person token of a
// `[[link.form.<slug>]]` link (names the person, bound to the form's slug) and the double opt-in token (names the
// submission and when the link expires). Here, not in forms/, so the mailings that put `[[link.form.*]]` in a message
// can make the link without importing forms/.
import { createHmac, timingSafeEqual } from "node:crypto";
import type { Keyring } from "./tokens.ts";

const MAC_BYTES = 12;

function mac(key: string, purpose: "form-person" | "form-confirm", body: string): string {
  return createHmac("sha256", key)
    .update(`${purpose}:${body}`)
    .digest()
    .subarray(0, MAC_BYTES)
    .toString("base64url");
}

function sameMac(expected: string, given: string): boolean {
  const a = Buffer.from(expected);
  const b = Buffer.from(given);
  return a.length === b.length && timingSafeEqual(a, b);
}

/** `<kid><person id in base 36>.<mac over the slug too>`: a token for one form is no token for another. */
export function formLinkToken(keys: Keyring, personId: number, slug: string): string {
  const body = `${keys.current}${personId.toString(36)}`;
  return `${body}.${mac(keys.keys[keys.current]!, "form-person", `${body}/${slug}`)}`;
}

/** The person a `[[link.form.<slug>]]` token names for this form, or null when malformed, forged or for another form. */
export function personOfFormLinkToken(keys: Keyring, slug: string, token: string): number | null {
  const match = /^([a-z])([0-9a-z]{1,12})\.([A-Za-z0-9_-]{16})$/.exec(token);
  if (!match) return null;
  const key = keys.keys[match[1]!];
  if (!key || !sameMac(mac(key, "form-person", `${match[1]}${match[2]}/${slug}`), match[3]!)) return null;
  return Number.parseInt(match[2]!, 36);
}

/** The address `[[link.form.<slug>]]` gives the person: the hosted form with their signed token. */
export function formLinkUrl(publicUrl: string, keys: Keyring, personId: number, slug: string): string {
  return `${publicUrl}/f/${encodeURIComponent(slug)}?t=${formLinkToken(keys, personId, slug)}`;
}

/** `<kid><submission id>-<expiry, seconds since 1970>.<mac>` (numbers in base 36). */
export function confirmToken(keys: Keyring, submissionId: number, expiresAt: Date): string {
  const seconds = Math.floor(expiresAt.getTime() / 1000);
  const body = `${keys.current}${submissionId.toString(36)}-${seconds.toString(36)}`;
  return `${body}.${mac(keys.keys[keys.current]!, "form-confirm", body)}`;
}

/** The submission and expiry a confirmation token names (expired or not), or null when malformed or forged. */
export function readConfirmToken(
  keys: Keyring,
  token: string,
): { submissionId: number; expiresAt: Date } | null {
  const match = /^([a-z])([0-9a-z]{1,12})-([0-9a-z]{1,10})\.([A-Za-z0-9_-]{16})$/.exec(token);
  if (!match) return null;
  const key = keys.keys[match[1]!];
  if (!key || !sameMac(mac(key, "form-confirm", `${match[1]}${match[2]}-${match[3]}`), match[4]!))
    return null;
  return {
    submissionId: Number.parseInt(match[2]!, 36),
    expiresAt: new Date(Number.parseInt(match[3]!, 36) * 1000),
  };
}
