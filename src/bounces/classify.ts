// Classifies one returned message, weighing evidence from structured reports down to free text.
import { autoreplyMarker } from "./autoreply.ts";
import {
  type DeliveryStatus,
  dsnAction,
  dsnAddress,
  findInlineDeliveryStatus,
  parseDeliveryStatus,
} from "./dsn.ts";
import { readArf, readJmrp, readSesNotification } from "./feedback.ts";
import {
  type Header,
  header,
  headerAll,
  type ParsedMessage,
  parseHeaderBlock,
  readMessage,
} from "./message.ts";
import { addressesIn, unique, verpTokenOf } from "./recipients.ts";
import { combineStatus, decide, findCategory, looksDelayed, smtpCode } from "./status.ts";
import {
  classifyTextReport,
  failedRecipients,
  looksLikeReport,
  splitReport,
  type TextContext,
} from "./text-bounce.ts";
import type { Classification } from "./types.ts";

export type { BounceKind, Classification } from "./types.ts";

/** Largest message callers should hand over; they enforce it (the classifier reads whatever it is given). */
export const MAX_MESSAGE_BYTES = 10 * 1024 * 1024;

export async function classifyMessage(raw: Uint8Array | string): Promise<Classification> {
  let msg: ParsedMessage;
  try {
    msg = await readMessage(raw);
  } catch (err) {
    return unknown(`unreadable message: ${errorText(err)}`);
  }
  try {
    return await classifyWrapped(msg, classifyParsed(msg));
  } catch (err) {
    // A rule tripping over an odd message must not stop the batch it came in.
    return unknown(`unclassifiable message: ${errorText(err)}`);
  }
}

function classifyParsed(msg: ParsedMessage): Classification {
  const { report, returned: returnedInText } = splitReport(msg.text);
  const returnedText = msg.returned[0] ?? returnedInText;
  const returnedHeaders = returnedText ? parseHeaderBlock(returnedText) : [];
  const ids = {
    originalMessageId: messageId(returnedHeaders),
    verpToken: verpTokenOf([
      ...["to", "delivered-to", "x-original-to", "envelope-to"].flatMap((k) => addressesOf(msg.headers, k)),
      ...addressesOf(returnedHeaders, "return-path"),
      ...addressesOf(msg.headers, "return-path"),
    ]),
  };
  const ctx: TextContext = {
    headers: msg.headers,
    subject: msg.subject,
    report,
    returnedText,
    exclude: excluded(msg.headers, returnedHeaders),
  };

  const [arf] = msg.feedbackReports;
  const feedback =
    arf !== undefined
      ? readArf(arf, returnedHeaders.length > 0 ? returnedHeaders : null)
      : readJmrp(returnedHeaders);
  if (feedback) {
    const { kind, recipients, reason, feedbackType } = feedback;
    return { kind, recipients: unique(recipients), status: null, reason, action: null, feedbackType, ...ids };
  }

  const ses = readSesNotification(msg.text);
  if (ses) {
    return {
      kind: ses.type,
      recipients: unique(ses.recipients),
      status: ses.status,
      reason:
        ses.type === "complaint"
          ? "complaint: Amazon SES notification"
          : `Amazon SES: ${ses.diagnostic ?? ""}`,
      action: ses.type === "complaint" ? null : "failed",
      feedbackType: ses.feedbackType,
      ...ids,
      originalMessageId: ses.messageId ?? ids.originalMessageId,
    };
  }

  const dsnText = msg.deliveryStatus[0] ?? findInlineDeliveryStatus(report);
  if (dsnText !== null) {
    const fromDsn = classifyDsn(parseDeliveryStatus(dsnText), ctx);
    if (fromDsn) return { ...fromDsn, ...ids };
  }

  const marker = autoreplyMarker(msg.headers, msg.subject);
  if (marker) {
    return {
      kind: "autoreply",
      recipients: addressesOf(msg.headers, "from").slice(0, 1),
      status: null,
      reason: `auto-reply: ${marker}`,
      action: null,
      ...ids,
      // RFC 3834 asks auto-replies to name the message they answer.
      originalMessageId: messageId(msg.headers, "in-reply-to") ?? ids.originalMessageId,
    };
  }

  if (looksLikeReport(msg.headers, msg.subject)) {
    const fromText = classifyTextReport(ctx);
    if (fromText) return { ...fromText, ...ids };
  }
  return { ...unknown("no bounce, complaint or auto-reply found"), ...ids };
}

/**
 * Some gateways (virus scanners) forward the whole report as an attached message, adding at most a
 * disclaimer, so when the outer message names nobody, an attached report is classified instead (one level
 * only).
 */
async function classifyWrapped(msg: ParsedMessage, outer: Classification): Promise<Classification> {
  const [inner] = msg.returned;
  if (outer.recipients.length > 0 || inner === undefined || outer.kind === "complaint") return outer;
  const innerHeaders = parseHeaderBlock(inner);
  if (!looksLikeReport(innerHeaders, header(innerHeaders, "subject") ?? "")) return outer;
  try {
    const result = classifyParsed(await readMessage(inner));
    return result.kind === "unknown" || result.recipients.length === 0 ? outer : result;
  } catch {
    return outer;
  }
}

/**
 * Per-recipient records decide; the message is hard when any recipient is, since a hard bounce blocks at
 * once.
 */
function classifyDsn(ds: DeliveryStatus, ctx: TextContext): Classification | null {
  const failing = ds.recipients.filter((r) => {
    const action = dsnAction(r.action);
    return (
      action === "failed" || action === "delayed" || (action === null && /^\s*[45]/.test(r.status ?? ""))
    );
  });
  if (failing.length === 0) {
    if (ds.recipients.length === 0 || ds.recipients.some((r) => dsnAction(r.action) === null)) return null;
    const actions = [...new Set(ds.recipients.map((r) => r.action ?? ""))];
    return { ...unknown(`delivery notification without a failure (${actions.join(", ")})`), action: null };
  }
  const reportCategory = findCategory(ctx.report);
  const judged = failing.map((r) => {
    const action =
      dsnAction(r.action) === "delayed" || (r.action === null && looksDelayed(ctx.report))
        ? "delayed"
        : "failed";
    const status = combineStatus(r.status, r.diagnostic);
    const fromDiagnostic = r.diagnostic ? findCategory(r.diagnostic) : null;
    const category = (fromDiagnostic ?? reportCategory)?.category ?? null;
    // "Action: expired" (non-standard) says the queue lifetime ran out, whatever the code.
    const expired = /^\s*expired/i.test(r.action ?? "") ? ("expired" as const) : null;
    const decision = decide({
      action,
      status,
      smtpCode: smtpCode(r.diagnostic ?? ""),
      category: expired ?? category,
    }) ?? {
      kind: action === "delayed" ? ("soft" as const) : ("hard" as const),
      category: action === "delayed" ? ("delayed" as const) : ("unspecified" as const),
    };
    const source = fromDiagnostic ?? reportCategory;
    const detail =
      r.diagnostic ??
      (source?.category === decision.category ? source.line : null) ??
      (r.status && `Status: ${r.status}`);
    return {
      action,
      status,
      decision,
      address: dsnAddress(r.originalRecipient) ?? dsnAddress(r.finalRecipient),
      reason: `${decision.category}${detail ? `: ${detail.slice(0, 300)}` : ""}`,
    };
  });
  const primary = judged.find((j) => j.decision.kind === "hard") ?? judged[0];
  if (!primary) return null;
  let recipients = unique(judged.flatMap((j) => (j.address ? [j.address] : [])));
  // A broken Final-Recipient ("rfc822; @host") leaves the text as the only source.
  if (recipients.length === 0) recipients = failedRecipients(ctx);
  return {
    kind: primary.decision.kind,
    recipients,
    status: primary.status,
    reason: primary.reason,
    action: judged.every((j) => j.action === "delayed") ? "delayed" : "failed",
  };
}

function excluded(headers: Header[], returnedHeaders: Header[]): Set<string> {
  // Only the envelope side of the original: its From may be the failed recipient (a list member's own post).
  const own = ["from", "to", "cc", "reply-to", "return-path", "sender"];
  const original = ["sender", "return-path", "errors-to"];
  return new Set(
    [
      ...own.flatMap((k) => addressesOf(headers, k)),
      ...original.flatMap((k) => addressesOf(returnedHeaders, k)),
    ].map((a) => a.toLowerCase()),
  );
}

function addressesOf(headers: Header[], key: string): string[] {
  return headerAll(headers, key).flatMap((v) => addressesIn(v));
}

function messageId(headers: Header[], key = "message-id"): string | null {
  const v = header(headers, key);
  if (!v) return null;
  return /<([^>]+)>/.exec(v)?.[1] ?? (v.trim() || null);
}

function unknown(reason: string): Classification {
  return { kind: "unknown", recipients: [], status: null, reason, action: null };
}

function errorText(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}
