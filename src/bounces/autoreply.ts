// Recognises auto-replies (RFC 3834 and vendor markers): out-of-office and vacation answers, not bounces.

import { AUTOREPLY_SUBJECT, BOUNCE_SENDER, BOUNCE_SUBJECT } from "./markers.ts";
import { type Header, header } from "./message.ts";

/** The marker that makes the message an auto-reply, or null. Reports from mail systems never count. */
export function autoreplyMarker(headers: Header[], subject: string): string | null {
  const from = header(headers, "from") ?? "";
  // Exim and others mark their bounces "Auto-Submitted: auto-replied" too; those come from the mail system.
  if (BOUNCE_SENDER.test(from) || BOUNCE_SUBJECT.test(subject)) return null;
  const autoSubmitted = header(headers, "auto-submitted")?.toLowerCase() ?? "";
  if (autoSubmitted.startsWith("auto-replied")) return "Auto-Submitted: auto-replied";
  for (const key of ["x-autoreply", "x-autorespond", "x-autoresponder", "x-auto-reply"]) {
    if (header(headers, key) !== undefined) return key;
  }
  if (/vacation/i.test(header(headers, "x-apple-action") ?? "")) return "X-Apple-Action: VACATION";
  if (/^auto[-_]?reply$/i.test(header(headers, "precedence") ?? "")) return "Precedence: auto_reply";
  if (AUTOREPLY_SUBJECT.test(subject.trim())) return `Subject: ${subject.trim()}`;
  return null;
}
