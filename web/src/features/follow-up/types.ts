// The follow-up API's answers as the web UI reads them (src/track/stats.ts, link-admin.ts, follow-up.ts).

export type DeliveryStatus =
  | "pending"
  | "claimed"
  | "sending"
  | "sent"
  | "failed"
  | "bounced"
  | "complained"
  | "unknown"
  | "cancelled";

export type Counted = { unique: number; total: number; flagged: number };

export type MailingStatistics = {
  mailingId: number;
  recipients: { total: number; eligible: number; blocked: number; blockedByReason: Record<string, number> };
  deliveries: Record<DeliveryStatus, number>;
  sent: number;
  delivered: number;
  notYetSent: number;
  bounced: { hard: number; soft: number; total: number };
  opened: Counted;
  clicked: Counted;
  unsubscribed: number;
  complained: number;
  failed: number;
  unknown: number;
  rates: {
    open: number | null;
    clickThrough: number | null;
    unsubscribe: number | null;
    bounce: number | null;
  };
  timeline: {
    startedAt: string | null;
    hours: Array<{ hour: string; opened: number; clicked: number }>;
    peakHour: string | null;
  };
  links: Array<{ id: number; url: string; clicks: number; uniqueClickers: number; flaggedClicks: number }>;
};

export const LINK_ACTION_KINDS = [
  "add-to-selection",
  "add-to-project",
  "add-interest",
  "remove-interest",
] as const;
export type LinkActionKind = (typeof LINK_ACTION_KINDS)[number];
export type LinkAction = { kind: LinkActionKind; refId: number };

export type TrackedLink = {
  id: number;
  url: string;
  hasMergeFields: boolean;
  clicks: number;
  uniqueClickers: number;
  flaggedClicks: number;
  testClicks: number;
  action: LinkAction | null;
  registered: { id: number; name: string } | null;
};

export type Clicker = {
  deliveryId: number;
  personId: number | null;
  email: string;
  name: string | null;
  clicks: number;
  flagged: boolean;
  firstAt: string;
  lastAt: string;
};

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

export type FollowUpRow = {
  recipientId: number;
  personId: number | null;
  name: string | null;
  email: string | null;
  recipientStatus: "eligible" | "blocked";
  blockReason: string | null;
  deliveryId: number | null;
  deliveryStatus: DeliveryStatus | null;
  attempt: number | null;
  sentAt: string | null;
  openedAt: string | null;
  clickedAt: string | null;
  bounceKind: "hard" | "soft" | null;
  lastReply: string | null;
};

/** The people to add: the picked rows, or every row a query matches. */
export type AddRows = { recipientIds: number[] } | RowQuery;

export type AddResult = { added: number; persons: number; selectionId?: number; projectId?: number };

export type RegisteredLink = {
  id: number;
  url: string;
  name: string;
  createdAt: string;
  mailings: number;
  clicks: number;
  uniqueClickers: number;
};
