// Why an address is blocked, apart from the queries (and the spreadsheet writer) that the CLI loads only when used.

/** The reasons a marketer filters by; the stored `address_blocks.reason` words are the ledger's. */
export const BLOCKED_REASONS = ["hard", "soft", "complaint", "unsubscribed"] as const;
export type BlockedReason = (typeof BLOCKED_REASONS)[number];
