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
] as const;
export type BlockReason = (typeof BLOCK_REASONS)[number];

/** A row without an address is stored as blocked for this, but counted as left out and never listed as blocked. */
export const LEFT_OUT_REASON = "no-email";
export type StoredBlockReason = BlockReason | typeof LEFT_OUT_REASON;
