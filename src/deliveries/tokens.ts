// Signed tokens that name a delivery (VERP return path, unsubscribe links): short, URL- and address-safe, with a
// key id so the key can be rotated. A token says which delivery it is for and nothing can forge another.
import { createHmac, timingSafeEqual } from "node:crypto";

/** `test`: a test send's return path; its number is the mailing's id, not a delivery's. */
export type TokenPurpose = "verp" | "unsubscribe" | "open" | "click" | "test";
export type Keyring = { current: string; keys: Record<string, string> };

const MAC_BYTES = 9;

function mac(key: string, purpose: TokenPurpose, body: string): string {
  return createHmac("sha256", key)
    .update(`${purpose}:${body}`)
    .digest()
    .subarray(0, MAC_BYTES)
    .toString("base64url");
}

/** `<kid><delivery id in base 36>.<mac>`: lower-case letters, digits, `-`, `_` and `.` (VERP needs no `+` or `@`). */
export function signDeliveryToken(keys: Keyring, purpose: TokenPurpose, deliveryId: number): string {
  const body = `${keys.current}${deliveryId.toString(36)}`;
  return `${body}.${mac(keys.keys[keys.current]!, purpose, body)}`;
}

/** The delivery id a token names, or null when it is malformed, from an unknown key, or forged. */
export function verifyDeliveryToken(keys: Keyring, purpose: TokenPurpose, token: string): number | null {
  const match = /^([a-z])([0-9a-z]{1,12})\.([A-Za-z0-9_-]{12})$/.exec(token);
  if (!match) return null;
  const key = keys.keys[match[1]!];
  if (!key) return null;
  const expected = Buffer.from(mac(key, purpose, `${match[1]}${match[2]}`));
  const given = Buffer.from(match[3]!);
  if (expected.length !== given.length || !timingSafeEqual(expected, given)) return null;
  return Number.parseInt(match[2]!, 36);
}

/** A click token names the delivery and the tracked link: `<kid><delivery>-<link>.<mac>` (both in base 36). */
export function signLinkToken(keys: Keyring, deliveryId: number, linkId: number): string {
  const body = `${keys.current}${deliveryId.toString(36)}-${linkId.toString(36)}`;
  return `${body}.${mac(keys.keys[keys.current]!, "click", body)}`;
}

/** The delivery and link a click token names, or null when it is malformed, from an unknown key, or forged. */
export function verifyLinkToken(keys: Keyring, token: string): { deliveryId: number; linkId: number } | null {
  const match = /^([a-z])([0-9a-z]{1,12})-([0-9a-z]{1,12})\.([A-Za-z0-9_-]{12})$/.exec(token);
  if (!match) return null;
  const key = keys.keys[match[1]!];
  if (!key) return null;
  const expected = Buffer.from(mac(key, "click", `${match[1]}${match[2]}-${match[3]}`));
  const given = Buffer.from(match[4]!);
  if (expected.length !== given.length || !timingSafeEqual(expected, given)) return null;
  return { deliveryId: Number.parseInt(match[2]!, 36), linkId: Number.parseInt(match[3]!, 36) };
}

/** The keyring from the configured or stored secret; a single key "a" until rotation is configured. */
export function keyringFromSecret(secret: string): Keyring {
  return { current: "a", keys: { a: secret } };
}
