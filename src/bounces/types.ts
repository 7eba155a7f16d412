// The shapes the bounce classifier hands out, shared by its modules and by the callers that store outcomes.

export type BounceKind = "hard" | "soft" | "complaint" | "autoreply" | "unknown";

export type Classification = {
  kind: BounceKind;
  /** Failed (or complaining, or auto-replying) addresses, as the message names them, without duplicates. */
  recipients: string[];
  /**
   * RFC 3463 enhanced status ("5.1.1") stated by the message, or implied by the rule that matched its text.
   */
  status: string | null;
  /** "<category>: <the server's words>", for people reading the problems panel. */
  reason: string | null;
  action?: "failed" | "delayed" | null;
  feedbackType?: string | null;
  originalMessageId?: string | null;
  verpToken?: string | null;
};

/**
 * Finer causes behind a kind. Several share a kind; the split exists so that the reason shown to people says
 * why, and so that a later change of policy (e.g. treating policy refusals as soft) is one table edit.
 */
export type Category =
  | "delayed"
  | "mailbox-full"
  | "expired"
  | "resend"
  | "user-unknown"
  | "mailbox-disabled"
  | "moved"
  | "domain-unknown"
  | "loop"
  | "content"
  | "policy"
  | "rate-limited"
  | "system"
  | "unspecified";
