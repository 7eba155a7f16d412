// Reads complaint reports: ARF (RFC 5965), Microsoft JMRP, and Amazon SES notifications sent as SNS e-mail.

import { COMPLAINT_FEEDBACK_TYPES } from "./markers.ts";
import { type Header, header, headerAll } from "./message.ts";
import { addressesIn } from "./recipients.ts";

export type Feedback = {
  kind: "complaint" | "unknown";
  feedbackType: string;
  recipients: string[];
  reason: string;
};

/**
 * An ARF report. Recipients come from Original-Rcpt-To, then Removal-Recipient (opt-out), then the To: of the
 * returned message, the order in which they most surely name our recipient.
 */
export function readArf(report: string, returned: Header[] | null): Feedback {
  const fields = reportFields(report);
  const feedbackType = (fields.get("feedback-type")?.[0] ?? "unknown").toLowerCase().replace(/\s.*$/, "");
  const stated = [...(fields.get("original-rcpt-to") ?? []), ...(fields.get("removal-recipient") ?? [])];
  let recipients = stated.flatMap((v) => addressesIn(v.replace(/^rfc822\s*;/i, "")));
  if (recipients.length === 0 && returned)
    recipients = headerAll(returned, "to").flatMap((v) => addressesIn(v));
  const complaint = COMPLAINT_FEEDBACK_TYPES.has(feedbackType);
  const ua = fields.get("user-agent")?.[0];
  return {
    kind: complaint ? "complaint" : "unknown",
    feedbackType,
    recipients,
    reason: `${complaint ? "complaint" : "report"}: ARF ${feedbackType}${ua ? ` from ${ua}` : ""}`,
  };
}

/**
 * Microsoft's JMRP sends the complained-of message with an X-HmXmrOriginalRecipient header and no ARF part.
 */
export function readJmrp(returned: Header[]): Feedback | null {
  const original = header(returned, "x-hmxmroriginalrecipient");
  if (!original) return null;
  return {
    kind: "complaint",
    feedbackType: "abuse",
    recipients: addressesIn(original),
    reason: "complaint: Microsoft JMRP report",
  };
}

/**
 * Amazon SES forwards complaints (and bounces) as an SNS JSON notification in a plain e-mail. The JSON is
 * read with patterns, not JSON.parse: SNS e-mail wraps long lines, which breaks the JSON.
 */
export function readSesNotification(text: string): {
  type: "complaint" | "hard" | "soft";
  recipients: string[];
  feedbackType: string | null;
  status: string | null;
  diagnostic: string | null;
  messageId: string | null;
} | null {
  const joined = text.replace(/!?\n /g, "");
  const type = /"notificationType"\s*:\s*"(Complaint|Bounce)"/.exec(joined)?.[1];
  if (!type) return null;
  const listName = type === "Complaint" ? "complainedRecipients" : "bouncedRecipients";
  const list = new RegExp(`"${listName}"\\s*:\\s*\\[([\\s\\S]*?)\\]`).exec(joined)?.[1] ?? "";
  const recipients = [...list.matchAll(/"emailAddress"\s*:\s*"([^"]+)"/g)]
    .map((m) => m[1] ?? "")
    .filter(Boolean);
  const messageId = /"name"\s*:\s*"Message-ID"\s*,\s*"value"\s*:\s*"([^"]+)"/i.exec(joined)?.[1] ?? null;
  if (type === "Complaint") {
    const feedbackType = /"complaintFeedbackType"\s*:\s*"([^"]+)"/.exec(joined)?.[1] ?? "abuse";
    return { type: "complaint", recipients, feedbackType, status: null, diagnostic: null, messageId };
  }
  const permanent = /"bounceType"\s*:\s*"Permanent"/.test(joined);
  return {
    type: permanent ? "hard" : "soft",
    recipients,
    feedbackType: null,
    status: /"status"\s*:\s*"(\d\.\d{1,3}\.\d{1,3})"/.exec(joined)?.[1] ?? null,
    diagnostic: /"diagnosticCode"\s*:\s*"([^"]*)"/.exec(joined)?.[1] ?? null,
    messageId,
  };
}

function reportFields(report: string): Map<string, string[]> {
  const fields = new Map<string, string[]>();
  for (const line of report
    .replace(/\r\n?/g, "\n")
    .replace(/\n[ \t]+/g, " ")
    .split("\n")) {
    const m = /^([A-Za-z][\w-]*):[ \t]*(.*)$/.exec(line);
    if (!m?.[1]) continue;
    const key = m[1].toLowerCase();
    fields.set(key, [...(fields.get(key) ?? []), (m[2] ?? "").trim()]);
  }
  return fields;
}
