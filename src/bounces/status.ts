// Reads RFC 3463 status codes and SMTP reply codes out of text, and weighs them with the text's cause.
import { CATEGORY_KINDS, CATEGORY_RULES, DELAY_PATTERNS, STATUS_CATEGORIES } from "./rules.ts";
import type { Category } from "./types.ts";

// Lookarounds keep IP addresses ("10.5.1.1") and version numbers from reading as statuses. Free text yields
// only failure classes (4, 5): a "2.0.12" there is a version number, while a DSN Status field may say 2.0.0.
const ENHANCED_STATUS = /(?<![\w.])([245])\.([0-7])\.(\d{1,3})(?!\w|\.\d)/g;
const SMTP_CODE = /(?<![\w.#+-])([45][0-5]\d)(?=[\s\-:,;\]).]|$)/gm;

/** Every enhanced status in the text, in order; success statuses (2.x.x) only when `withSuccess`. */
export function enhancedStatuses(text: string, withSuccess = false): string[] {
  return [...text.matchAll(ENHANCED_STATUS)]
    .filter((m) => withSuccess || m[1] !== "2")
    .map((m) => `${m[1]}.${m[2]}.${Number(m[3])}`);
}

const QUOTED_STATUS = /(?<![\w.])[45]\d\d[ -]'?([245]\.[0-7]\.\d{1,3})(?!\w|\.\d)/;

/**
 * The most telling status in the text: one that follows a reply code ("550 5.2.2", the remote server's own
 * words, where a relay may wrap them in its generic code), else the first more specific than X.0.0, else the
 * first.
 */
export function bestStatus(text: string): string | null {
  const quoted = QUOTED_STATUS.exec(text)?.[1];
  if (quoted && !quoted.endsWith(".0.0")) return enhancedStatuses(quoted)[0] ?? null;
  const all = enhancedStatuses(text);
  return all.find((s) => !s.endsWith(".0.0")) ?? all[0] ?? null;
}

/** The first SMTP 4xx/5xx reply code in the text. */
export function smtpCode(text: string): number | null {
  const m = SMTP_CODE.exec(text);
  SMTP_CODE.lastIndex = 0;
  return m?.[1] ? Number(m[1]) : null;
}

/**
 * Combines a DSN Status field with its Diagnostic-Code. Some servers put a bare SMTP code in Status ("553 …")
 * or a generic 5.0.0 while the diagnostic carries the real one (5.2.2), so the more specific code of the same
 * class wins.
 */
export function combineStatus(statusField: string | null, diagnostic: string | null): string | null {
  const stated = statusField ? (enhancedStatuses(statusField, true)[0] ?? null) : null;
  const fromDiagnostic = diagnostic ? bestStatus(diagnostic) : null;
  if (stated && !stated.endsWith(".0.0")) return stated;
  if (fromDiagnostic && (!stated || fromDiagnostic[0] === stated[0])) return fromDiagnostic;
  if (stated) return stated;
  const code = smtpCode(`${statusField ?? ""}\n${diagnostic ?? ""}`);
  return code ? `${String(code)[0]}.0.0` : null;
}

export function statusCategory(status: string | null): Category | null {
  if (!status) return null;
  return STATUS_CATEGORIES.find((r) => r.pattern.test(status))?.category ?? null;
}

/**
 * The first cause the rules table finds in the text, with the words around it (for the reason). Matching runs
 * on the text with line breaks folded, because reports wrap their sentences anywhere ("Host not\n    found").
 */
export function findCategory(text: string): { category: Category; line: string } | null {
  const flat = text.replace(/\s+/g, " ");
  for (const rule of CATEGORY_RULES) {
    const m = rule.pattern.exec(flat);
    if (m) return { category: rule.category, line: snippet(flat, m.index, m[0].length) };
  }
  return null;
}

export function looksDelayed(text: string): boolean {
  return DELAY_PATTERNS.some((p) => p.test(text));
}

/** The sentence around a match, at most about 200 characters. */
function snippet(flat: string, index: number, length: number): string {
  const from = Math.max(0, index - 100);
  const to = Math.min(flat.length, index + length + 100);
  let head = flat.slice(from, index);
  const sentences = [...head.matchAll(/[.!?:]\s/g)];
  const lastStop = sentences[sentences.length - 1];
  if (lastStop) head = head.slice((lastStop.index ?? 0) + 2);
  else if (from > 0) head = head.slice(head.indexOf(" ") + 1);
  const tail = flat.slice(index, to);
  const end = tail.slice(length).search(/[.!?](?:\s|$)/);
  return (head + (end < 0 ? tail : tail.slice(0, length + end + 1))).trim();
}

export type Evidence = {
  action: "failed" | "delayed" | null;
  status: string | null;
  smtpCode: number | null;
  category: Category | null;
};

const ADDRESS_FAULTS = new Set<Category>(["user-unknown", "mailbox-disabled", "moved", "domain-unknown"]);

/** Weighs the evidence in the order documented in docs/bounces.md; null when nothing says the mail failed. */
export function decide(e: Evidence): { kind: "hard" | "soft"; category: Category } | null {
  const fromStatus = statusCategory(e.status);
  const klass = e.status?.[0] ?? (e.smtpCode ? String(e.smtpCode)[0] : null);
  if (e.action === "delayed") return { kind: "soft", category: softer(e.category, fromStatus) ?? "delayed" };
  if (klass === "5" && fromStatus && ADDRESS_FAULTS.has(fromStatus)) {
    return { kind: "hard", category: fromStatus };
  }
  if (e.category && CATEGORY_KINDS[e.category].kind === "soft") return { kind: "soft", category: e.category };
  if (fromStatus && CATEGORY_KINDS[fromStatus].kind === "soft" && fromStatus !== "delayed") {
    return { kind: "soft", category: fromStatus };
  }
  if (klass === "4") {
    return { kind: "soft", category: e.category ?? (e.action === "failed" ? "expired" : "delayed") };
  }
  if (klass === "5") return { kind: "hard", category: fromStatus ?? e.category ?? "unspecified" };
  if (e.category) return { kind: CATEGORY_KINDS[e.category].kind, category: e.category };
  return null;
}

function softer(a: Category | null, b: Category | null): Category | null {
  for (const c of [a, b]) if (c && c !== "unspecified" && CATEGORY_KINDS[c].kind === "soft") return c;
  return null;
}
