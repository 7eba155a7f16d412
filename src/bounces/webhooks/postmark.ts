// Postmark bounce and spam-complaint webhooks. Postmark does not sign them; the URL carries a secret (in the
// path, or as the basic-auth password Postmark sends for https://user:secret@host/… URLs), compared in
// constant time.
import { AppError, invalid } from "../../shared/errors.ts";
import type { Classification } from "../types.ts";
import {
  objectOf,
  parseJson,
  providerBounce,
  providerComplaint,
  providerOther,
  type StoredEvent,
  stringOf,
} from "./provider-event.ts";
import { sameSecret } from "./signatures.ts";

/** The password of a `Basic` Authorization header, or null. */
function basicPassword(header: string | undefined): string | null {
  const m = /^Basic\s+([A-Za-z0-9+/=]+)\s*$/i.exec(header ?? "");
  if (!m?.[1]) return null;
  const decoded = Buffer.from(m[1], "base64").toString("utf8");
  const colon = decoded.indexOf(":");
  return colon < 0 ? null : decoded.slice(colon + 1);
}

export function verifyPostmark(
  raw: string,
  given: { pathSecret: string | null; authorization: string | undefined },
  secret: string,
): StoredEvent[] {
  const offered = given.pathSecret ?? basicPassword(given.authorization);
  if (offered === null || !sameSecret(offered, secret))
    throw new AppError("WEBHOOK_SIGNATURE_INVALID", "The Postmark webhook secret is missing or wrong", {
      field: given.pathSecret !== null ? "secret" : "authorization",
    });
  const body = parseJson(raw);
  if (typeof body !== "object" || body === null || Array.isArray(body))
    throw invalid([
      {
        field: "body",
        message: "must be a Postmark webhook (a JSON object)",
        kind: "type",
        params: { type: "object" },
      },
    ]);
  const record = objectOf(body);
  const type = stringOf(record.RecordType);
  const recipient = stringOf(record.Email)?.trim();
  const id = stringOf(record.ID);
  return recipient && (type === "Bounce" || type === "SpamComplaint")
    ? [{ recipient, raw, key: id ? `postmark:${type}:${id}` : null }]
    : [];
}

const HARD = new Set(["HardBounce", "BadEmailAddress"]);
const SOFT = new Set(["SoftBounce", "Blocked", "DnsError", "DMARCPolicy", "ContentRelated", "SMTPApiError"]);

export function classifyPostmark(raw: string, recipient: string): Classification {
  const r = objectOf(parseJson(raw));
  const type = stringOf(r.Type) ?? "";
  const diagnostic = [stringOf(r.Description), stringOf(r.Details)].filter(Boolean).join(" ") || null;
  if (stringOf(r.RecordType) === "SpamComplaint" || type === "SpamComplaint")
    return providerComplaint({ recipient, label: "Postmark spam complaint" });
  if (type === "AutoResponder")
    return providerOther({
      recipient,
      kind: "autoreply",
      reason: `Postmark ${type}: ${diagnostic ?? ""}`.trim(),
    });
  if (HARD.has(type) || SOFT.has(type) || type === "Transient")
    return providerBounce({
      recipient,
      verdict: type === "Transient" ? "delayed" : HARD.has(type) ? "hard" : "soft",
      diagnostic,
      label: `Postmark ${type}`,
    });
  return providerOther({
    recipient,
    kind: "unknown",
    reason: `Postmark ${type || "record"}: ${diagnostic ?? ""}`.trim(),
  });
}
