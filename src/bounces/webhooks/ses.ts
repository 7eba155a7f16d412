// Amazon SES notifications (the JSON inside an SNS Notification's Message): which recipients they are about, and
// what each means. SES's own verdict is kept: Permanent → hard, Transient → soft, Undetermined → judged by status.
// Both feedback notifications (`notificationType`) and event publishing (`eventType`) are read.
import type { Classification } from "../types.ts";
import {
  objectOf,
  parseJson,
  providerBounce,
  providerComplaint,
  providerOther,
  type StoredEvent,
  sameAddress,
  stringOf,
} from "./provider-event.ts";

type SesType = "Bounce" | "Complaint" | "DeliveryDelay";

function sesType(n: Record<string, unknown>): SesType | null {
  const t = stringOf(n.notificationType) ?? stringOf(n.eventType);
  return t === "Bounce" || t === "Complaint" || t === "DeliveryDelay" ? t : null;
}

const LISTS: Record<SesType, [string, string]> = {
  Bounce: ["bounce", "bouncedRecipients"],
  Complaint: ["complaint", "complainedRecipients"],
  DeliveryDelay: ["deliveryDelay", "delayedRecipients"],
};

function recipientsOf(n: Record<string, unknown>, type: SesType): Record<string, unknown>[] {
  const [part, list] = LISTS[type];
  const entries = objectOf(n[part])[list];
  return Array.isArray(entries) ? entries.map(objectOf).filter((e) => stringOf(e.emailAddress)) : [];
}

/** The SES notification in an SNS message text, or null when it is none of the kinds utsend acts on. */
export function readSesMessage(message: string): Record<string, unknown> | null {
  const n = objectOf(parseJson(message));
  return sesType(n) ? n : null;
}

/** One stored row per recipient, each holding the whole signed SNS body (`raw`) so it can be checked again. */
export function sesEvents(
  notification: Record<string, unknown>,
  raw: string,
  snsMessageId: string,
): StoredEvent[] {
  const type = sesType(notification);
  if (!type) return [];
  const seen = new Set<string>();
  const events: StoredEvent[] = [];
  for (const entry of recipientsOf(notification, type)) {
    const address = stringOf(entry.emailAddress)!.trim();
    if (seen.has(address.toLowerCase())) continue;
    seen.add(address.toLowerCase());
    events.push({ recipient: address, raw, key: `ses:${snsMessageId}:${address.toLowerCase()}` });
  }
  return events;
}

function mailIds(n: Record<string, unknown>) {
  const mail = objectOf(n.mail);
  const headers = Array.isArray(mail.headers) ? mail.headers.map(objectOf) : [];
  const header = (name: string) =>
    stringOf(headers.find((h) => stringOf(h.name)?.toLowerCase() === name)?.value);
  return {
    // mail.messageId is SES's own id; ours is the Message-ID header it was given.
    messageId: header("message-id") ?? stringOf(objectOf(mail.commonHeaders).messageId),
    senders: [stringOf(mail.source), header("return-path")],
  };
}

/** The outcome for one recipient of a stored SES-through-SNS row (`raw` is the SNS body). */
export function classifySes(raw: string, recipient: string): Classification {
  const envelope = objectOf(parseJson(raw));
  const n = readSesMessage(stringOf(envelope.Message) ?? "");
  const type = n ? sesType(n) : null;
  if (!n || !type)
    return providerOther({ recipient, kind: "unknown", reason: "not an SES bounce or complaint" });
  const entry = recipientsOf(n, type).find((e) => sameAddress(stringOf(e.emailAddress), recipient)) ?? {};
  const ids = mailIds(n);
  if (type === "Complaint") {
    const complaint = objectOf(n.complaint);
    return providerComplaint({
      recipient,
      ...ids,
      feedbackType: stringOf(complaint.complaintFeedbackType),
      label: "SES complaint",
    });
  }
  const part = objectOf(n[LISTS[type][0]]);
  const bounceType = stringOf(part.bounceType);
  const subType = stringOf(part.bounceSubType) ?? stringOf(part.delayType);
  return providerBounce({
    recipient,
    ...ids,
    verdict:
      type === "DeliveryDelay"
        ? "delayed"
        : bounceType === "Permanent"
          ? "hard"
          : bounceType === "Transient"
            ? "soft"
            : { judge: "soft" },
    status: stringOf(entry.status),
    diagnostic: stringOf(entry.diagnosticCode),
    label: `SES ${type === "DeliveryDelay" ? "delay" : (bounceType ?? "bounce")}${subType ? `/${subType}` : ""}`,
  });
}
