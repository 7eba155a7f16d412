// Mailgun webhooks (JSON): the signature is an HMAC-SHA256 of timestamp + token with the webhook signing key.
// `failed` with severity permanent is a bounce (judged like a DSN: a full mailbox stays soft), temporary means
// Mailgun is still retrying (a delay notice: the delivery is unchanged); `complained` is a complaint.
import { createHmac } from "node:crypto";
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
import { checkFreshness, type ReplayGuard, sameSecret } from "./signatures.ts";

export type MailgunCheck = { events: StoredEvent[]; replayKey: string; timestamp: number };

/** Verifies a Mailgun webhook body and returns what to store (nothing for events utsend does not act on). */
export function verifyMailgun(
  raw: string,
  signingKey: string,
  guard: ReplayGuard,
  nowMs = Date.now(),
): MailgunCheck {
  const body = objectOf(parseJson(raw));
  const sig = objectOf(body.signature);
  const timestamp = stringOf(sig.timestamp);
  const token = stringOf(sig.token);
  const signature = stringOf(sig.signature);
  if (!timestamp || !token || !signature)
    throw new AppError(
      "WEBHOOK_SIGNATURE_INVALID",
      "signature: timestamp, token and signature are required",
      {
        field: "signature",
      },
    );
  const expected = createHmac("sha256", signingKey)
    .update(timestamp + token)
    .digest("hex");
  if (!sameSecret(signature.toLowerCase(), expected))
    throw new AppError("WEBHOOK_SIGNATURE_INVALID", "signature: does not match the signing key", {
      field: "signature.signature",
    });
  const seconds = checkFreshness(timestamp, nowMs, "signature.timestamp");
  guard.check(`mailgun:${token}`, "signature.token");
  const data = body["event-data"];
  if (typeof data !== "object" || data === null || Array.isArray(data))
    throw invalid([{ field: "event-data", message: "is required (an object)", kind: "required" }]);
  const event = objectOf(data);
  const recipient = stringOf(event.recipient)?.trim();
  const kind = stringOf(event.event);
  const key = `mailgun:${stringOf(event.id) ?? token}`;
  const stored = recipient && (kind === "failed" || kind === "complained") ? [{ recipient, raw, key }] : [];
  return { events: stored, replayKey: `mailgun:${token}`, timestamp: seconds };
}

export function classifyMailgun(raw: string, recipient: string): Classification {
  const event = objectOf(objectOf(parseJson(raw))["event-data"]);
  const headers = objectOf(objectOf(event.message).headers);
  const ids = {
    messageId: stringOf(headers["message-id"]),
    senders: [stringOf(objectOf(event.envelope).sender)],
  };
  const kind = stringOf(event.event);
  if (kind === "complained") return providerComplaint({ recipient, ...ids, label: "Mailgun complaint" });
  if (kind !== "failed")
    return providerOther({ recipient, ...ids, kind: "unknown", reason: `Mailgun event ${kind ?? "?"}` });
  const status = objectOf(event["delivery-status"]);
  const severity = stringOf(event.severity);
  const reason = stringOf(event.reason);
  if (reason?.startsWith("suppress-") && reason !== "suppress-bounce")
    return providerOther({ recipient, ...ids, kind: "unknown", reason: `Mailgun ${reason}` });
  return providerBounce({
    recipient,
    ...ids,
    verdict: severity === "temporary" ? "delayed" : reason === "suppress-bounce" ? "hard" : { judge: "hard" },
    status: stringOf(status["enhanced-code"]) ?? stringOf(status.code),
    diagnostic: [stringOf(status.message), stringOf(status.description)].filter(Boolean).join(" ") || null,
    label: `Mailgun ${severity ?? ""} ${reason ?? "failure"}`.replace(/\s+/g, " "),
  });
}
