// Classifies reports written for people only (qmail, Exim, old Yahoo/AOL, Exchange, X.400 …) by the rules.

import { BOUNCE_SENDER, BOUNCE_SUBJECT, RETURNED_MESSAGE_MARKERS } from "./markers.ts";
import { type Header, header, headerAll } from "./message.ts";
import { addressesIn, bareLocalPartRecipient, textRecipients, unique } from "./recipients.ts";
import { CATEGORY_KINDS } from "./rules.ts";
import { bestStatus, decide, findCategory, looksDelayed, smtpCode } from "./status.ts";
import type { Classification } from "./types.ts";

const HEADER_MARKER = /^>?[\w-]+:/;

/** Splits a report's text where the returned copy of the original begins. */
export function splitReport(text: string): { report: string; returned: string } {
  const lines = text.split("\n");
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i] ?? "";
    // Marker lines are short; skipping long ones also keeps the patterns' backtracking bounded.
    if (line.length <= 300 && RETURNED_MESSAGE_MARKERS.some((p) => p.test(line))) {
      const startsHeaders = HEADER_MARKER.test(line) && !/^\s*Content-Type:/i.test(line);
      const returned = lines.slice(startsHeaders ? i : i + 1).join("\n");
      return { report: lines.slice(0, i).join("\n"), returned: returned.replace(/^(?:[^\S\n]*\n)+/, "") };
    }
  }
  return { report: text, returned: "" };
}

/** Whether the message comes from a mail system reporting on delivery, as opposed to a person. */
export function looksLikeReport(headers: Header[], subject: string): boolean {
  return (
    BOUNCE_SENDER.test(header(headers, "from") ?? "") ||
    BOUNCE_SUBJECT.test(subject) ||
    header(headers, "x-failed-recipients") !== undefined ||
    /^multipart\/report\b/i.test(header(headers, "content-type") ?? "") ||
    /^auto-generated/i.test(header(headers, "auto-submitted") ?? "")
  );
}

export type TextContext = {
  headers: Header[];
  subject: string;
  report: string;
  returnedText: string;
  exclude: Set<string>;
};

/** A report without delivery-status fields; null when nothing in it says a delivery failed or was delayed. */
export function classifyTextReport(ctx: TextContext): Classification | null {
  const { report } = ctx;
  const delayed = looksDelayed(report) || /\bdelay/i.test(ctx.subject);
  // The subject speaks only when the body gives no cause ("FAILED MAIL to …" over a directory notice).
  const found = findCategory(report) ?? findCategory(ctx.subject);
  const status = bestStatus(report);
  const code = smtpCode(report);
  const decision = decide({
    action: delayed ? "delayed" : "failed",
    status,
    smtpCode: code,
    category: found?.category ?? null,
  }) ?? { kind: "hard" as const, category: "unspecified" as const };

  // Without any word or code of failure this is some other notice (a delivery receipt, a relay notice).
  if (!found && !status && !code && !delayed) return null;
  const recipients = failedRecipients(ctx);
  const detail =
    (found?.category === decision.category ? found.line : null) ??
    (status ? lineWith(report, status) : null) ??
    found?.line ??
    firstMeaningfulLine(report);
  return {
    kind: decision.kind,
    recipients,
    status: status ?? (code ? `${String(code)[0]}.0.0` : CATEGORY_KINDS[decision.category].status),
    reason: `${decision.category}${detail ? `: ${detail.slice(0, 300)}` : ""}`,
    action: delayed ? "delayed" : "failed",
  };
}

/** X-Failed-Recipients (Exim) first: it is exact where the text may show only an alias ("save to xxxx"). */
export function failedRecipients(ctx: TextContext): string[] {
  const stated = unique(headerAll(ctx.headers, "x-failed-recipients").flatMap((v) => addressesIn(v)));
  if (stated.length > 0) return stated;
  const inText = textRecipients(ctx.report, ctx.exclude);
  if (inText.strong.length > 0) return inText.strong;
  const reporter = addressesIn(header(ctx.headers, "from") ?? "")[0] ?? null;
  const bare = bareLocalPartRecipient(ctx.report, ctx.returnedText, reporter);
  return bare ? [bare] : inText.weak;
}

function lineWith(text: string, needle: string): string | null {
  return (
    text
      .split("\n")
      .find((l) => l.includes(needle))
      ?.trim() ?? null
  );
}

function firstMeaningfulLine(text: string): string | null {
  return (
    text
      .split("\n")
      .map((l) => l.trim())
      .find((l) => l.length > 10) ?? null
  );
}
