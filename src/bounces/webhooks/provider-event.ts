// What a provider says about one recipient, turned into the Classification the SMTP path hands to the outcome
// rules (src/bounces/inbound.ts), so a webhook bounce is judged, attributed and applied exactly like a DSN.
import { verpTokenOf } from "../recipients.ts";
import { combineStatus, decide, findCategory, smtpCode } from "../status.ts";
import type { Classification } from "../types.ts";

export type WebhookProvider = "ses" | "mailgun" | "sendgrid" | "postmark";
export type WebhookRoute = `webhook-${WebhookProvider}`;

export const WEBHOOK_ROUTES: readonly WebhookRoute[] = [
  "webhook-ses",
  "webhook-mailgun",
  "webhook-sendgrid",
  "webhook-postmark",
];

export function isWebhookRoute(route: string): route is WebhookRoute {
  return (WEBHOOK_ROUTES as readonly string[]).includes(route);
}

/**
 * One event for one recipient, as it is stored in inbound_messages (raw) before it is processed. `key` is the
 * provider's id of the event (inbound_messages.source_key, unique): a provider's redelivery stores nothing new.
 */
export type StoredEvent = { recipient: string; raw: string; key: string | null };

/** Complaint feedback types that are a person's complaint (as for ARF in feedback.ts); `not-spam` and the like are not. */
const COMPLAINT_TYPES = new Set(["abuse", "fraud", "opt-out", "opt-out-list"]);

type Ids = {
  /** Our Message-ID as the provider reports it, with or without <>. */
  messageId?: string | null;
  /** Envelope senders or Return-Path values the provider reports (a VERP address names the delivery). */
  senders?: Array<string | null | undefined>;
};

function ids(recipient: string, given: Ids) {
  const mid = given.messageId?.trim().replace(/^<|>$/g, "") || null;
  return {
    recipients: recipient ? [recipient.trim()] : [],
    originalMessageId: mid,
    verpToken: verpTokenOf((given.senders ?? []).filter((s): s is string => typeof s === "string")),
  };
}

export type BounceFacts = Ids & {
  recipient: string;
  /**
   * The provider's own verdict; "judge" weighs the status and text as a DSN is weighed, with `fallback` when they
   * say nothing (a provider's "permanent" means it stopped retrying, not that the address is bad).
   */
  verdict: "hard" | "soft" | "delayed" | { judge: "hard" | "soft" };
  /** An RFC 3463 status or SMTP reply code as the provider states it ("5.1.1", "550", 550). */
  status?: string | number | null;
  /** The receiving server's words. */
  diagnostic?: string | null;
  /** Label used when the text names no cause (e.g. "Permanent/NoEmail"). */
  label: string;
};

export function providerBounce(f: BounceFacts): Classification {
  const diagnostic = f.diagnostic?.trim() || null;
  const statusText = f.status === null || f.status === undefined ? null : String(f.status).trim() || null;
  const status = combineStatus(statusText, diagnostic);
  const found = diagnostic ? findCategory(diagnostic) : null;
  let kind: "hard" | "soft";
  if (f.verdict === "hard" || f.verdict === "soft") kind = f.verdict;
  else if (f.verdict === "delayed") kind = "soft";
  else {
    const judged = decide({
      action: "failed",
      status,
      smtpCode: smtpCode(`${statusText ?? ""}\n${diagnostic ?? ""}`),
      category: found?.category ?? null,
    });
    kind = judged?.kind ?? f.verdict.judge;
  }
  const cause = found?.category ?? f.label;
  return {
    kind,
    ...ids(f.recipient, f),
    status,
    reason: `${cause}: ${diagnostic ?? f.label}`.slice(0, 1000),
    action: f.verdict === "delayed" ? "delayed" : "failed",
    feedbackType: null,
  };
}

export function providerComplaint(
  f: Ids & { recipient: string; feedbackType?: string | null; label: string },
): Classification {
  const feedbackType = f.feedbackType?.trim().toLowerCase() || "abuse";
  return {
    kind: COMPLAINT_TYPES.has(feedbackType) ? "complaint" : "unknown",
    ...ids(f.recipient, f),
    status: null,
    reason: `${f.label}: ${feedbackType}`,
    action: null,
    feedbackType,
  };
}

export function providerOther(
  f: Ids & { recipient: string; kind: "autoreply" | "unknown"; reason: string },
): Classification {
  return { kind: f.kind, ...ids(f.recipient, f), status: null, reason: f.reason, action: null };
}

/** JSON.parse that returns null instead of throwing (stored payloads were parsed once already). */
export function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return null;
  }
}

/** A plain object, or an empty one: payloads are read defensively, field by field. */
export function objectOf(value: unknown): Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value)
    ? (value as Record<string, unknown>)
    : {};
}

export function stringOf(value: unknown): string | null {
  if (typeof value === "string") return value;
  if (typeof value === "number" && Number.isFinite(value)) return String(value);
  return null;
}

export function sameAddress(a: string | null | undefined, b: string | null | undefined): boolean {
  return !!a && !!b && a.trim().toLowerCase() === b.trim().toLowerCase();
}
