// The follow-up API's shapes (statistics, tracked links and clickers, the recipient list with its latest delivery,
// registered links) as TypeBox schemas: Fastify serializes with them and the web UI takes its types from them with
// type-only imports. Like mailings/api-schemas.ts, this file imports only typebox and files the web may read.
import Type, { type Static } from "typebox";
import { BLOCK_REASONS, LEFT_OUT_REASONS } from "../db/block-reasons.ts";
import { DELIVERY_STATUSES } from "../mailings/words.ts";
import { literals, Nullable, PageOf } from "../shared/schemas.ts";

const Timestamp = Type.String({ description: "UTC, ISO 8601" });
const Rate = Nullable(Type.Number({ description: "0 to 1, four decimals; null when nothing to divide by" }));

export const LINK_ACTION_KINDS = [
  "add-to-selection",
  "add-to-project",
  "add-interest",
  "remove-interest",
] as const;

const Counted = Type.Object({ unique: Type.Integer(), total: Type.Integer(), flagged: Type.Integer() });

export const StatisticsSchema = Type.Object({
  mailingId: Type.Integer(),
  recipients: Type.Object(
    {
      total: Type.Integer({ description: "On the list: recipients (eligible) + blocked" }),
      eligible: Type.Integer({ description: "Recipients: on the list and not blocked" }),
      blocked: Type.Integer(),
      blockedByReason: Type.Partial(Type.Record(literals(BLOCK_REASONS), Type.Integer())),
      leftOut: Type.Integer({ description: "Not on the list (no usable address); not in total" }),
      leftOutByReason: Type.Partial(Type.Record(literals(LEFT_OUT_REASONS), Type.Integer())),
    },
    { description: "The one definition of recipient, blocked and left out (docs/glossary.md)" },
  ),
  deliveries: Type.Record(literals(DELIVERY_STATUSES), Type.Integer(), {
    description: "First attempts and later ones, by status",
  }),
  sent: Type.Integer(),
  delivered: Type.Integer(),
  notYetSent: Type.Integer(),
  bounced: Type.Object({ hard: Type.Integer(), soft: Type.Integer(), total: Type.Integer() }),
  opened: Counted,
  clicked: Counted,
  unsubscribed: Type.Integer(),
  complained: Type.Integer(),
  failed: Type.Integer(),
  unknown: Type.Integer(),
  rates: Type.Object({ open: Rate, clickThrough: Rate, unsubscribe: Rate, bounce: Rate }),
  timeline: Type.Object({
    startedAt: Nullable(Timestamp),
    hours: Type.Array(Type.Object({ hour: Timestamp, opened: Type.Integer(), clicked: Type.Integer() })),
    peakHour: Nullable(Timestamp),
  }),
  links: Type.Array(
    Type.Object({
      id: Type.Integer(),
      url: Type.String(),
      clicks: Type.Integer(),
      uniqueClickers: Type.Integer(),
      flaggedClicks: Type.Integer(),
    }),
  ),
  sms: Nullable(
    Type.Object(
      {
        sent: Type.Integer({ description: "Accepted by the provider" }),
        delivered: Type.Integer({ description: "Reported delivered to the phone" }),
        failed: Type.Integer(),
        awaitingReport: Type.Integer({ description: "Accepted, no delivery report yet" }),
        parts: Type.Integer({ description: "Parts (segments) sent; each is billed" }),
        optOuts: Type.Integer({ description: "STOPP replies to this mailing" }),
        timeline: Type.Array(
          Type.Object({
            at: Timestamp,
            sent: Type.Integer(),
            delivered: Type.Integer(),
            failed: Type.Integer(),
          }),
        ),
      },
      { description: "SMS mailings once started; null otherwise" },
    ),
  ),
  deferredByDomain: Type.Array(
    Type.Object({
      domain: Type.String({ description: "The recipients' domain, lower-case" }),
      waiting: Type.Integer({
        description:
          "Pending deliveries to it that a server answered 4xx, or that pacing or warm-up holds back",
      }),
      lastReply: Nullable(
        Type.String({
          description: "The reply of its latest refused try; null when only pacing holds it back",
        }),
      ),
      heldBy: Nullable(
        Type.Union([Type.Literal("pacing"), Type.Literal("warm-up")], {
          description: "Why its latest delivery waits, when no server refused it",
        }),
      ),
      nextTryAt: Timestamp,
    }),
    {
      description:
        "The problems panel: waiting deliveries by recipient domain, most first (at most 20 domains); empty when none waits",
    },
  ),
});

export const LinkActionSchema = Type.Object({
  kind: literals(LINK_ACTION_KINDS),
  refId: Nullable(Type.Integer()),
});

export const TrackedLinkSchema = Type.Object({
  id: Type.Integer(),
  url: Type.String(),
  hasMergeFields: Type.Boolean(),
  clicks: Type.Integer(),
  uniqueClickers: Type.Integer(),
  flaggedClicks: Type.Integer(),
  testClicks: Type.Integer(),
  action: Nullable(LinkActionSchema),
  registered: Nullable(Type.Object({ id: Type.Integer(), name: Nullable(Type.String()) })),
});
export const TrackedLinkListSchema = Type.Array(TrackedLinkSchema);

export const ClickerSchema = Type.Object({
  deliveryId: Type.Integer(),
  personId: Nullable(Type.Integer()),
  email: Type.String(),
  name: Nullable(Type.String()),
  clicks: Type.Integer(),
  flagged: Type.Boolean({ description: "Looks like a machine: a scanner or a burst" }),
  firstAt: Timestamp,
  lastAt: Timestamp,
});
export const ClickerPageSchema = PageOf(ClickerSchema);

export const ResetTestClicksSchema = Type.Object({
  removed: Type.Integer({ description: "Test clicks cleared" }),
});

export const FollowUpRowSchema = Type.Object({
  recipientId: Type.Integer(),
  personId: Nullable(Type.Integer()),
  name: Nullable(Type.String()),
  email: Nullable(Type.String()),
  recipientStatus: literals(["eligible", "blocked"] as const),
  blockReason: Nullable(literals(BLOCK_REASONS)),
  deliveryId: Nullable(Type.Integer({ description: "The latest attempt; null before the first" })),
  deliveryStatus: Nullable(literals(DELIVERY_STATUSES)),
  attempt: Nullable(Type.Integer()),
  sentAt: Nullable(Timestamp),
  openedAt: Nullable(Timestamp),
  clickedAt: Nullable(Timestamp),
  bounceKind: Nullable(literals(["hard", "soft"] as const)),
  lastReply: Nullable(Type.String()),
});
export const FollowUpPageSchema = Type.Object({
  items: Type.Array(FollowUpRowSchema),
  total: Type.Integer({ description: "Rows the filters match" }),
  limit: Type.Integer(),
  offset: Type.Integer(),
  nextCursor: Nullable(
    Type.String({ description: "Pass as `after` for the next page; null on the last page. Opaque." }),
  ),
});

const NamedPersonSchema = Type.Object({ personId: Type.Integer(), name: Nullable(Type.String()) });

export const AddResultSchema = Type.Object({
  rows: Type.Integer({ description: "Recipient rows chosen" }),
  persons: Type.Integer({ description: "Distinct CRM persons among the rows" }),
  added: Type.Integer({ description: "Persons added now" }),
  alreadyMembers: Type.Integer({ description: "Persons who were members already" }),
  notInCrm: Type.Integer({
    description: "Rows not added: imported or pasted addresses that are not CRM persons",
  }),
  named: Type.Object(
    {
      added: Type.Array(NamedPersonSchema),
      alreadyMembers: Type.Array(NamedPersonSchema),
      notInCrm: Type.Array(
        Type.Object({
          recipientId: Type.Integer(),
          name: Nullable(Type.String()),
          email: Nullable(Type.String()),
        }),
      ),
    },
    { description: "Who is in each group (the first 100 of each)" },
  ),
  selectionId: Type.Optional(Type.Integer()),
  projectId: Type.Optional(Type.Integer()),
});

export const RegisteredLinkSchema = Type.Object({
  id: Type.Integer(),
  url: Type.String(),
  name: Type.String(),
  createdAt: Timestamp,
  mailings: Type.Integer({ description: "Mailings with a tracked link to this URL" }),
  clicks: Type.Integer(),
  uniqueClickers: Type.Integer(),
});
export const RegisteredLinkListSchema = Type.Array(RegisteredLinkSchema);

export const ResendResultSchema = Type.Object({
  added: Type.Integer({ description: "Newcomers in the sources, added to the list" }),
  created: Type.Integer({ description: "New delivery attempts made" }),
  skipped: Type.Record(Type.String(), Type.Integer(), { description: "Left out, counted by reason" }),
});

export type LinkActionKind = (typeof LINK_ACTION_KINDS)[number];
export type MailingStatistics = Static<typeof StatisticsSchema>;
export type LinkAction = Static<typeof LinkActionSchema>;
export type TrackedLink = Static<typeof TrackedLinkSchema>;
export type Clicker = Static<typeof ClickerSchema>;
export type FollowUpRow = Static<typeof FollowUpRowSchema>;
export type FollowUpPage = Static<typeof FollowUpPageSchema>;
export type AddResult = Static<typeof AddResultSchema>;
export type RegisteredLink = Static<typeof RegisteredLinkSchema>;
export type ResendResult = Static<typeof ResendResultSchema>;
