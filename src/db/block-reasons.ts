// Who a mailing's sources hold, and what becomes of each (SPEC §4): the one definition of *recipient*, *blocked* and
// *left out* that the resolver, Confirm, the statistics, the recipient list, follow-up, the exports, the CLI and the
// web UI read. It sits beside the table types that store these words and imports nothing, so any folder (and the web
// bundle) may use it. docs/glossary.md says the same in words.

/** The reasons a row on the list is blocked (kept on the list, shown with its reason), in the order filters show them. */
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

/**
 * The reasons a person of a source is *left out*: they have no usable address for the mailing's channel (SPEC §4
 * eligibility). They are stored as blocked rows with one of these reasons so the resolver keeps one table, but they
 * are never on the list: not listed, not exported, not in follow-up, not counted as blocked.
 */
export const LEFT_OUT_REASONS = ["no-email", "no-mobile", "invalid-mobile", "no-postal-address"] as const;
export type LeftOutReason = (typeof LEFT_OUT_REASONS)[number];
export type StoredBlockReason = BlockReason | LeftOutReason;

/** The left-out reasons each kind of mailing can give (an e-mail's address, a text's number, a letter's address). */
export const LEFT_OUT_REASONS_BY_CHANNEL = {
  email: ["no-email"],
  "form-response": ["no-email"],
  sms: ["no-mobile", "invalid-mobile"],
  document: ["no-postal-address"],
} as const satisfies Record<string, readonly LeftOutReason[]>;

export function isLeftOut(reason: string | null): reason is LeftOutReason {
  return (LEFT_OUT_REASONS as readonly (string | null)[]).includes(reason);
}

/**
 * - *recipient*: on the list and not blocked: gets the mailing;
 * - *blocked*: on the list, gets nothing, with a reason (BLOCK_REASONS);
 * - *left out*: not on the list at all (LEFT_OUT_REASONS).
 * The list is the recipients and the blocked; the sources held the list and the left out.
 */
export type RecipientClass = "recipient" | "blocked" | "left-out";

export function recipientClass(status: "eligible" | "blocked", reason: string | null): RecipientClass {
  if (status === "eligible") return "recipient";
  return isLeftOut(reason) ? "left-out" : "blocked";
}

export type RecipientTally = {
  /** On the list: recipients + blocked. */
  listed: number;
  /** Recipients: they get the mailing. */
  eligible: number;
  blocked: number;
  blockedByReason: Partial<Record<BlockReason, number>>;
  leftOut: number;
  leftOutByReason: Partial<Record<LeftOutReason, number>>;
};

/** Counts rows grouped by (status, reason) into the classes above; every consumer counts through this. */
export function tallyRecipients(
  groups: Iterable<{ status: "eligible" | "blocked"; reason: string | null; n: number | string | bigint }>,
): RecipientTally {
  const tally: RecipientTally = {
    listed: 0,
    eligible: 0,
    blocked: 0,
    blockedByReason: {},
    leftOut: 0,
    leftOutByReason: {},
  };
  for (const group of groups) {
    const n = Number(group.n);
    const reason = group.reason;
    switch (recipientClass(group.status, reason)) {
      case "recipient":
        tally.eligible += n;
        break;
      case "left-out":
        tally.leftOut += n;
        tally.leftOutByReason[reason as LeftOutReason] =
          (tally.leftOutByReason[reason as LeftOutReason] ?? 0) + n;
        break;
      case "blocked": {
        tally.blocked += n;
        const key = reason as BlockReason | null;
        if (key) tally.blockedByReason[key] = (tally.blockedByReason[key] ?? 0) + n;
        break;
      }
    }
  }
  tally.listed = tally.eligible + tally.blocked;
  return tally;
}
