// Why a recipient gets no message (SPEC §4): the one list the resolver, the API, the CLI and the web UI read. It sits
// beside the table types that store these words and imports nothing, so any folder (and the web bundle) may use it.

/** The reasons a recipient row is blocked, in the order filters and counts show them. */
export const BLOCK_REASONS = [
  "no-consent",
  "no-subscription",
  "unsubscribed",
  "consent-withdrawn",
  "blocked-address",
  "complained",
  "duplicate",
  "former-employee",
  "invalid-mobile",
] as const;
export type BlockReason = (typeof BLOCK_REASONS)[number];

/**
 * A row without an address (an e-mail address for e-mail, a mobile number for SMS, a postal address for documents) is stored as blocked for one of
 * these, but counted as left out and never listed as blocked.
 */
export const LEFT_OUT_REASONS = ["no-email", "no-mobile", "no-postal-address"] as const;
export type StoredBlockReason = BlockReason | (typeof LEFT_OUT_REASONS)[number];

export function isLeftOut(reason: string | null): boolean {
  return (LEFT_OUT_REASONS as readonly (string | null)[]).includes(reason);
}
