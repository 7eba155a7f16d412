// Pure rules for a person's fields: e-mail validity, E.164 mobile numbers, names, the primary address.
import { type CountryCode, type PhoneNumber, parsePhoneNumberFromString } from "libphonenumber-js/max";
import validator from "validator";
import type { FieldProblem } from "../shared/errors.ts";

export const LEGAL_BASES = ["consent", "contract", "legitimate-interest", "withdrawn"] as const;
export type LegalBasis = (typeof LEGAL_BASES)[number];
export const CONSENT_SOURCES = ["form", "import", "manual", "api", "unsubscribe-link", "sms-reply"] as const;
/** The sources an API client may name; an SMS reply is recorded only when the person sends one. */
export const GIVEN_CONSENT_SOURCES = ["form", "import", "manual", "api", "unsubscribe-link"] as const;
export type ConsentSource = (typeof CONSENT_SOURCES)[number];
export const SUBSCRIPTION_STATUSES = ["subscribed", "unsubscribed", "never"] as const;
export type SubscriptionStatus = (typeof SUBSCRIPTION_STATUSES)[number];

export function isValidEmail(address: string): boolean {
  return (
    address.length <= 254 && validator.isEmail(address, { allow_display_name: false, require_tld: true })
  );
}

/** A valid number in E.164, reading numbers without a country code as numbers in `defaultCountry`; else undefined. */
function parsePhone(raw: string, defaultCountry: string): PhoneNumber | undefined {
  const trimmed = raw.trim();
  if (!/^[+\d][\d\s().-]{3,}$/.test(trimmed)) return undefined;
  const parsed = parsePhoneNumberFromString(trimmed, defaultCountry as CountryCode);
  return parsed?.isValid() ? parsed : undefined;
}

/** Normalises a phone number to E.164, reading numbers without a country code as numbers in `defaultCountry`. */
export function toE164(raw: string, defaultCountry: string): string | null {
  return parsePhone(raw, defaultCountry)?.number ?? null;
}

/** A mobile number must also be of a type that can receive SMS where the metadata knows the type. */
export function toMobileE164(raw: string, defaultCountry: string): string | null {
  // One parse: imports check a million numbers, and each parse allocates some 10 KB.
  const parsed = parsePhone(raw, defaultCountry);
  if (!parsed) return null;
  const type = parsed.getType();
  return type === undefined || type === "MOBILE" || type === "FIXED_LINE_OR_MOBILE" ? parsed.number : null;
}

export type EmailInput = { address: string; primary?: boolean | undefined };
export type NormalisedEmail = { address: string; addressLower: string; primary: boolean };

/** Validates a person's addresses: each valid, no repeats, exactly one primary (the first when none is marked). */
export function normaliseEmails(emails: EmailInput[], problems: FieldProblem[]): NormalisedEmail[] {
  const seen = new Set<string>();
  const out: NormalisedEmail[] = [];
  emails.forEach((email, index) => {
    const address = email.address.trim();
    const field = `emails[${index}].address`;
    if (!isValidEmail(address)) {
      problems.push({
        field,
        message: `"${email.address}" is not a valid e-mail address`,
        kind: "format",
        params: { format: "email" },
      });
      return;
    }
    const addressLower = address.toLowerCase();
    if (seen.has(addressLower)) {
      problems.push({ field, message: `"${address}" is listed twice`, kind: "uniqueItems" });
      return;
    }
    seen.add(addressLower);
    out.push({ address, addressLower, primary: email.primary === true });
  });
  const primaries = out.filter((e) => e.primary).length;
  if (primaries > 1)
    problems.push({ field: "emails", message: "only one address can be primary", kind: "one-primary" });
  if (primaries === 0 && out[0]) out[0].primary = true;
  return out;
}

export function fullName(p: {
  first_name: string | null;
  middle_name: string | null;
  last_name: string | null;
}) {
  return [p.first_name, p.middle_name, p.last_name].filter((part) => part && part.trim() !== "").join(" ");
}

/** Lower-cased "first middle last" used for search; the same on both databases (LIKE differs in case). */
export function searchName(p: {
  first_name: string | null;
  middle_name: string | null;
  last_name: string | null;
}): string {
  return fullName(p).toLowerCase();
}

/** A field as typed: undefined stays "not given", blank becomes null (clear it), anything else is trimmed. */
export function blankToNull(value: string | null | undefined): string | null | undefined {
  if (value == null) return value;
  const trimmed = value.trim();
  return trimmed === "" ? null : trimmed;
}

export function escapeLike(text: string): string {
  return text.replace(/[\\%_]/g, (c) => `\\${c}`);
}
