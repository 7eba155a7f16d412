// The hosted page's defences against bots (SPEC §9): a honeypot field, a signed timestamp that measures the fill
// time, per-IP and per-address limits, and the reasons a refusal is counted under. Pure (HMAC is computation).
import { createHmac, timingSafeEqual } from "node:crypto";
import type { Keyring } from "../deliveries/tokens.ts";
import type { FormField } from "./definition.ts";

/** Why a submission was refused; each is counted per form and day in form_rejections and shown in statistics. */
export const REFUSAL_REASONS = [
  "honeypot",
  "too-fast",
  "bad-stamp",
  "ip-limit",
  "address-limit",
  "too-large",
  "no-mail-domain",
  "proof-of-work",
  // A body our page could not have sent: bad percent-encoding, not UTF-8, control characters, a giant name, or
  // not urlencoded at all.
  "malformed",
] as const;
export type RefusalReason = (typeof REFUSAL_REASONS)[number];

/** A person needs this long at least to fill in a form; a script posts at once. */
export const MIN_FILL_MS = 3000;
/** A page left open longer gets a fresh stamp and is asked again, so one fetched stamp is not reusable forever. */
export const STAMP_MAX_AGE_MS = 24 * 60 * 60 * 1000;
export const IP_WINDOW_MS = 10 * 60 * 1000;
export const ADDRESS_LIMIT = { count: 3, windowMs: 60 * 60 * 1000 };

/** The per-IP limit from UTSEND_FORM_IP_LIMIT (default 10 per 10 minutes); 0 is none, where a proxy limits instead. */
export function ipLimit(count: number): { count: number; windowMs: number } | null {
  return count > 0 ? { count, windowMs: IP_WINDOW_MS } : null;
}

/** The stamp's hidden field; it starts with `_`, which a field key never does. */
export const STAMP_FIELD = "_stamp";
const HONEYPOT_NAMES = ["website", "homepage", "url", "web_address", "company_website"];

/** The honeypot's name: a word bots like to fill, and never one of the form's own keys. */
export function honeypotName(fields: FormField[]): string {
  const keys = new Set(fields.map((f) => f.key));
  return HONEYPOT_NAMES.find((name) => !keys.has(name)) ?? `hp_${fields.length}`;
}

function mac(key: string, body: string): string {
  return createHmac("sha256", key)
    .update(`form-stamp:${body}`)
    .digest()
    .subarray(0, 12)
    .toString("base64url");
}

/** `<kid>.<form id>.<ms since epoch, base 36>.<mac>`: when the page was served, for which form. */
export function signStamp(keys: Keyring, formId: number, at: number): string {
  const body = `${keys.current}.${formId.toString(36)}.${at.toString(36)}`;
  return `${body}.${mac(keys.keys[keys.current]!, body)}`;
}

export type StampVerdict = { ok: true } | { ok: false; reason: "too-fast" | "bad-stamp" };

/** Whether the stamp is ours, for this form, old enough to be a person and young enough to be this visit. */
export function judgeStamp(keys: Keyring, formId: number, stamp: string, now: number): StampVerdict {
  const match = /^([a-z])\.([0-9a-z]{1,8})\.([0-9a-z]{1,12})\.([A-Za-z0-9_-]{16})$/.exec(stamp);
  const key = match ? keys.keys[match[1]!] : undefined;
  if (!match || !key) return { ok: false, reason: "bad-stamp" };
  const expected = Buffer.from(mac(key, `${match[1]}.${match[2]}.${match[3]}`));
  const given = Buffer.from(match[4]!);
  if (expected.length !== given.length || !timingSafeEqual(expected, given))
    return { ok: false, reason: "bad-stamp" };
  if (Number.parseInt(match[2]!, 36) !== formId) return { ok: false, reason: "bad-stamp" };
  const age = now - Number.parseInt(match[3]!, 36);
  if (age < MIN_FILL_MS) return { ok: false, reason: "too-fast" };
  if (age > STAMP_MAX_AGE_MS) return { ok: false, reason: "bad-stamp" };
  return { ok: true };
}

/** The address as it is stored (SPEC §11): IPv4 with the last octet zero, IPv6 with the last 80 bits zero. */
export function truncateIp(ip: string): string | null {
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(ip);
  const v4 = mapped ? mapped[1]! : ip;
  if (/^\d{1,3}(\.\d{1,3}){3}$/.test(v4)) return v4.replace(/\.\d+$/, ".0");
  if (!ip.includes(":")) return null;
  const groups = expandIpv6(ip);
  if (!groups) return null;
  // 128 - 80 = 48 bits kept: the first three groups.
  return `${groups
    .slice(0, 3)
    .map((g) => Number.parseInt(g, 16).toString(16))
    .join(":")}::`;
}

function expandIpv6(ip: string): string[] | null {
  const address = ip.split("%")[0]!;
  const halves = address.split("::");
  if (halves.length > 2) return null;
  const head = halves[0] ? halves[0].split(":") : [];
  const tail = halves.length === 2 && halves[1] ? halves[1].split(":") : [];
  // An embedded IPv4 tail counts as two groups; its bits are truncated anyway.
  const groups = (parts: string[]) => parts.flatMap((p) => (p.includes(".") ? ["0", "0"] : [p]));
  const left = groups(head);
  const right = groups(tail);
  const missing = 8 - left.length - right.length;
  if (halves.length === 1 ? missing !== 0 : missing < 1) return null;
  const all = [...left, ...Array<string>(halves.length === 2 ? missing : 0).fill("0"), ...right];
  return all.every((g) => /^[0-9a-f]{1,4}$/i.test(g)) ? all : null;
}
