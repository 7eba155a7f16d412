// The follow-up API's answers as the web UI reads them: the types come from the server's response schemas
// (src/track/api-schemas.ts, type-only imports), so a server change that breaks this UI fails typecheck.
import type { LinkActionKind, MailingStatistics } from "../../../../src/track/api-schemas.ts";

export type { DeliveryStatus } from "../../../../src/mailings/api-schemas.ts";
export type {
  AddResult,
  Clicker,
  FollowUpPage,
  FollowUpRow,
  LinkAction,
  LinkActionKind,
  MailingStatistics,
  RegisteredLink,
  ResendResult,
  TrackedLink,
} from "../../../../src/track/api-schemas.ts";

export type Counted = MailingStatistics["opened"];

/** The kinds the action modal offers, in its order; the check below fails when the server knows one more. */
export const LINK_ACTION_KINDS = [
  "add-to-selection",
  "add-to-project",
  "add-interest",
  "remove-interest",
] as const satisfies readonly LinkActionKind[];
const everyKind: Exclude<LinkActionKind, (typeof LINK_ACTION_KINDS)[number]> extends never ? true : false =
  true;
void everyKind;

export const FOLLOW_UP_FILTERS = [
  "sent",
  "delivered",
  "not-sent",
  "bounced",
  "opened",
  "clicked",
  "blocked",
  "complained",
  "unsubscribed",
  "failed",
  "unknown",
] as const;
export type FollowUpFilter = (typeof FOLLOW_UP_FILTERS)[number];

/** Which rows of the recipient list: the filters, a link clicked, a search text (all must hold). */
export type RowQuery = { filters: FollowUpFilter[]; linkId: number | null; search: string };

/** The people to add: the picked rows, or every row a query matches. */
export type AddRows = { recipientIds: number[] } | RowQuery;
