// SendGrid's signed Event Webhook: an ECDSA (P-256, SHA-256) signature over timestamp + the raw body, in the
// X-Twilio-Email-Event-Webhook-Signature and -Timestamp headers. A body is a batch of events; each one utsend acts
// on (bounce, dropped, deferred, spamreport) becomes its own stored row.
import { createHash, createPublicKey, createVerify, type KeyObject } from "node:crypto";
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
import { checkFreshness, type ReplayGuard } from "./signatures.ts";

export const SENDGRID_SIGNATURE_HEADER = "x-twilio-email-event-webhook-signature";
export const SENDGRID_TIMESTAMP_HEADER = "x-twilio-email-event-webhook-timestamp";

const ACTED_ON = new Set(["bounce", "dropped", "deferred", "spamreport"]);

/** The verification key as SendGrid shows it (base64 of the DER public key), or PEM; CONFIG_INVALID otherwise. */
export function sendgridPublicKey(text: string): KeyObject {
  const trimmed = text.trim();
  try {
    const key = trimmed.startsWith("-----BEGIN")
      ? createPublicKey(trimmed)
      : createPublicKey({ key: Buffer.from(trimmed, "base64"), format: "der", type: "spki" });
    if (key.asymmetricKeyType !== "ec") throw new Error("not an elliptic-curve key");
    return key;
  } catch (err) {
    throw new AppError(
      "CONFIG_INVALID",
      `UTSEND_SENDGRID_PUBLIC_KEY (sendgridPublicKey): not a SendGrid verification key (${(err as Error).message})`,
      { problems: ["sendgridPublicKey"] },
    );
  }
}

export type SendgridCheck = { events: StoredEvent[]; replayKey: string; timestamp: number };

export function verifySendgrid(
  raw: string,
  headers: { signature: string | null; timestamp: string | null },
  key: KeyObject,
  guard: ReplayGuard,
  nowMs = Date.now(),
): SendgridCheck {
  if (!headers.signature || !headers.timestamp)
    throw new AppError(
      "WEBHOOK_SIGNATURE_INVALID",
      "The SendGrid signature and timestamp headers are required",
      {
        field: SENDGRID_SIGNATURE_HEADER,
      },
    );
  let ok = false;
  try {
    ok = createVerify("sha256")
      .update(headers.timestamp + raw, "utf8")
      .verify(key, headers.signature, "base64");
  } catch {
    ok = false;
  }
  if (!ok)
    throw new AppError("WEBHOOK_SIGNATURE_INVALID", "The SendGrid signature does not match the public key", {
      field: SENDGRID_SIGNATURE_HEADER,
    });
  const seconds = checkFreshness(headers.timestamp, nowMs, SENDGRID_TIMESTAMP_HEADER);
  // Keyed on what was signed, not on the signature: an ECDSA signature (r, s) has a twin (r, n − s) that verifies too.
  const replayKey = `sendgrid:${seconds}:${createHash("sha256").update(raw, "utf8").digest("base64url")}`;
  guard.check(replayKey, SENDGRID_SIGNATURE_HEADER);
  const batch = parseJson(raw);
  if (!Array.isArray(batch))
    throw invalid([
      { field: "body", message: "must be a JSON array of events", kind: "type", params: { type: "array" } },
    ]);
  const events: StoredEvent[] = [];
  for (const item of batch) {
    const e = objectOf(item);
    const recipient = stringOf(e.email)?.trim();
    const id = stringOf(e.sg_event_id);
    if (recipient && ACTED_ON.has(stringOf(e.event) ?? ""))
      events.push({ recipient, raw: JSON.stringify(e), key: id ? `sendgrid:${id}` : null });
  }
  return { events, replayKey, timestamp: seconds };
}

/** SendGrid's dropped reasons that mean the address itself is bad (it bounced hard before, or is malformed). */
const DROPPED_HARD = /bounced address|invalid/i;

export function classifySendgrid(raw: string, recipient: string): Classification {
  const e = objectOf(parseJson(raw));
  const ids = { messageId: stringOf(e["smtp-id"]) };
  const event = stringOf(e.event);
  const text = stringOf(e.reason) ?? stringOf(e.response);
  if (event === "spamreport") return providerComplaint({ recipient, ...ids, label: "SendGrid spam report" });
  if (event === "deferred")
    return providerBounce({
      recipient,
      ...ids,
      verdict: "delayed",
      diagnostic: text,
      label: "SendGrid deferred",
    });
  if (event === "dropped")
    return providerBounce({
      recipient,
      ...ids,
      verdict: DROPPED_HARD.test(text ?? "") ? "hard" : "soft",
      diagnostic: text,
      label: "SendGrid dropped",
    });
  if (event === "bounce") {
    const type = stringOf(e.type) ?? "bounce";
    return providerBounce({
      recipient,
      ...ids,
      // "blocked" is SendGrid's word for a temporary refusal it gave up on; "bounce" a permanent one.
      verdict: type === "blocked" ? "soft" : { judge: "hard" },
      status: stringOf(e.status),
      diagnostic: text,
      label: `SendGrid ${type}`,
    });
  }
  return providerOther({ recipient, ...ids, kind: "unknown", reason: `SendGrid event ${event ?? "?"}` });
}
