// Owns what counts as an SMS opt-out reply and the line that tells people how to send one (SPEC §12), so the
// SMPP and Twilio paths and the editor cannot disagree on either.

const OPT_OUT_WORDS = new Set(["STOPP", "STOP", "AVMELD"]);

export const DEFAULT_OPT_OUT_LINE = {
  nb: "Svar STOPP for å melde deg av",
  en: "Reply STOP to unsubscribe",
} as const;

/**
 * Whether a reply opts out: its first word, past any leading whitespace and punctuation, is STOPP, STOP or
 * AVMELD in any case. Only the first word counts, so "Ikke stopp" does not opt out, and only whole words, so
 * "STOPPE" does not either.
 */
export function isOptOutReply(text: string): boolean {
  const first = /^[\s\p{P}\p{S}]*([\p{L}\p{N}]+)/u.exec(text)?.[1];
  return first !== undefined && OPT_OUT_WORDS.has(first.toUpperCase());
}

/** The text with the opt-out line on its own last line; unchanged when it already ends with that line. */
export function withOptOutLine(text: string, line: string): string {
  const body = text.trimEnd();
  if (body.endsWith(line)) return text;
  return body === "" ? line : `${body}\n${line}`;
}
