// Finds the failed recipients named in a report's free text, and the VERP token of the bounce address.
import { FAILURE_CONTEXT, SYSTEM_LOCAL_PARTS } from "./markers.ts";

// Deliberately narrower than RFC 5322: quotes, slashes and the like around addresses in reports are
// punctuation. The lookbehind makes every match start at a token's first character, keeping the scan linear
// on long tokens.
const ADDRESS = /(?<![\w.+%=-])[\w.+%=-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)+/g;
const HEADER_FIELDS =
  "To|Cc|Bcc|From|Subject|Sent|Date|Reply-To|Message-ID|Received|Return-Path|Sender|Errors-To";
const HEADER_LINE = new RegExp(`^\\s*(?:${HEADER_FIELDS}|In-Reply-To|References|X-[\\w-]+)\\s*:`, "i");
const DERIVED = /\((?:expanded|generated|originally addressed) (?:from|to):?\s*<?([\w.+%=-]+@[\w.-]+\w)>?\)/i;
// Help text proposing other addresses ("if a@x fails, try b@x", "e.g.") names no failed recipient.
const SUGGESTION =
  /\be\.g\.|\bfor example\b|\binstead\b|\bfails?, try\b|\btry (?:sending|e-?mailing|writing) to\b/i;
const VERP = /^bounces\+([^@\s]+)@/i;

function clean(address: string): string {
  return address.replace(/^[.=-]+/, "").replace(/[.-]+$/, "");
}

/** Every address in the text, first spelling kept, duplicates (ignoring case) dropped. */
export function addressesIn(text: string): string[] {
  return unique([...text.replace(/\bdda:SMTP=/gi, " ").matchAll(ADDRESS)].map((m) => clean(m[0])));
}

export function unique(addresses: string[]): string[] {
  const seen = new Set<string>();
  const out: string[] = [];
  for (const a of addresses) {
    const key = a.toLowerCase();
    if (a.includes("@") && !seen.has(key)) {
      seen.add(key);
      out.push(a);
    }
  }
  return out;
}

export function isSystemAddress(address: string): boolean {
  return SYSTEM_LOCAL_PARTS.test(address.slice(0, address.lastIndexOf("@")));
}

/**
 * The addresses a report's text says failed. `exclude` holds addresses known not to be recipients (the
 * report's own sender and receiver, the original's envelope sender). An address is strong evidence when it
 * starts a line (the usual list layout) or shares a line with words about failure; others are weak, only
 * mentioned.
 */
export function textRecipients(report: string, exclude: Set<string>): { strong: string[]; weak: string[] } {
  const lines = report.replace(/\bdda:SMTP=/gi, " ").split("\n");
  const strong: string[] = [];
  const weak: string[] = [];
  let previousLineAddresses: string[] = [];
  for (const line of lines) {
    if (HEADER_LINE.test(line)) {
      previousLineAddresses = [];
      continue;
    }
    const derived = DERIVED.exec(line);
    if (derived?.[1]) {
      // "x (expanded from: y)": the list member is y; x is where the mail server sent it.
      for (const a of previousLineAddresses) removeAddress(strong, a);
      strong.push(clean(derived[1]));
      previousLineAddresses = [];
      continue;
    }
    const found: string[] = [];
    const context = FAILURE_CONTEXT.test(line.replace(ADDRESS, " "));
    for (const m of line.matchAll(ADDRESS)) {
      const address = clean(m[0]);
      const before = line.slice(0, m.index);
      if (exclude.has(address.toLowerCase()) || isSystemAddress(address)) continue;
      if (/[/?]$/.test(before) || /\b(?:mail )?from:?\s*<?$/i.test(before) || SUGGESTION.test(line)) continue;
      found.push(address);
      const startsLine = /^[\s>*"'<•-]*$/.test(before);
      (startsLine || context ? strong : weak).push(address);
    }
    if (line.trim() !== "") previousLineAddresses = found;
  }
  return { strong: unique(strong), weak: unique(weak) };
}

function removeAddress(list: string[], address: string): void {
  const i = list.findIndex((a) => a.toLowerCase() === address.toLowerCase());
  if (i >= 0) list.splice(i, 1);
}

/**
 * A report that names only a local part ("screenname", "jdoe  No matches…") on the line after its
 * "recipients:" line. The full address is the one with that local part in the returned message, else the
 * local part at the domain of the mail system that wrote the report. Null when neither is known.
 */
export function bareLocalPartRecipient(
  report: string,
  returnedText: string,
  reporter: string | null,
): string | null {
  const lines = report.split("\n");
  for (let i = 0; i < lines.length; i++) {
    if (!/:\s*$/.test(lines[i] ?? "") || !FAILURE_CONTEXT.test(lines[i] ?? "")) continue;
    const next = lines.slice(i + 1).find((l) => l.trim() !== "");
    const m = next ? /^\s*([A-Za-z0-9][\w.+-]*)(?:\s*$|\s{2,}\S|\s+["(])/.exec(next) : null;
    if (!m?.[1]) continue;
    const local = m[1];
    const escaped = local.replace(/[.+]/g, "\\$&");
    const inReturned = new RegExp(`(?<![\\w.+-])${escaped}@[A-Za-z0-9-]+(?:\\.[A-Za-z0-9-]+)+`, "i").exec(
      returnedText,
    );
    if (inReturned) return inReturned[0];
    const domain =
      reporter && isSystemAddress(reporter) ? reporter.slice(reporter.lastIndexOf("@") + 1) : null;
    return domain ? `${local}@${domain}` : null;
  }
  return null;
}

/**
 * The token of a VERP bounce address (bounces+<token>@domain), not validated: the mailing module checks it.
 */
export function verpTokenOf(addresses: string[]): string | null {
  for (const a of addresses) {
    const m = VERP.exec(a.trim().replace(/^<|>$/g, ""));
    if (m?.[1]) return m[1];
  }
  return null;
}
