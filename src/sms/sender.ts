// Owns which senders an SMS may carry (SPEC §12): operators drop messages from malformed sender IDs silently,
// so a bad one is refused when the sending account or mailing is saved, not discovered in the delivery reports.

const E164 = /^\+\d{8,15}$/;
const ALPHANUMERIC = /^[A-Za-z0-9 ]+$/;
const MAX_ID_LENGTH = 11;

/** What is wrong with a sender (an alphanumeric ID of 1–11 characters or an E.164 number), or null when it is valid. */
export function smsSenderProblem(sender: string): string | null {
  if (sender.startsWith("+")) {
    return E164.test(sender)
      ? null
      : `a sender number must be written in E.164 form: "+" and 8–15 digits, nothing else (got "${sender}")`;
  }
  if (sender.length === 0) return "the sender is empty: give an ID of up to 11 characters or a number";
  const length = [...sender].length;
  if (length > MAX_ID_LENGTH) {
    return `the sender ID may hold at most ${MAX_ID_LENGTH} characters (it has ${length})`;
  }
  if (!ALPHANUMERIC.test(sender)) {
    const bad = [...new Set([...sender].filter((c) => !/[A-Za-z0-9 ]/.test(c)))].map((c) => `"${c}"`);
    return `the sender ID may hold only A–Z, a–z, 0–9 and spaces (not ${bad.join(", ")})`;
  }
  if (!/[A-Za-z]/.test(sender)) {
    return sender.trim() === ""
      ? "the sender ID may not be only spaces"
      : 'the sender ID must hold at least one letter; a number needs a leading "+" and its country code';
  }
  return null;
}

/** Only a number can be replied to (and so receive opt-out replies); an alphanumeric ID cannot. */
export function senderCanReceiveReplies(sender: string): boolean {
  return E164.test(sender);
}
