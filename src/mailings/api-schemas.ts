// The mailing API's shapes as TypeBox schemas. Fastify validates and serializes with them (a field missing here is
// dropped from the response), OpenAPI documents them, and the web UI takes its types from them with type-only
// imports, so a change here that the UI does not follow fails `npm run typecheck`. The web UI's compiler reads this
// file too, so it imports only typebox, shared/schemas.ts and lists that import nothing.
import Type, { type Static } from "typebox";
import { BLOCK_REASONS, LEFT_OUT_REASONS } from "../db/block-reasons.ts";
import { Id, literals, Nullable, PageOf } from "../shared/schemas.ts";
import { STARTER_KINDS } from "./starter-templates.ts";
import {
  CONTENT_FORMATS,
  DELIVERY_STATUSES,
  DOCUMENT_ATTENTION_MODES,
  DOCUMENT_ORDERS,
  DOCUMENT_SOURCES,
  FROM_MODES,
  GOAL_CATEGORIES,
  MAILING_STATUSES,
  MAILING_TYPES,
  SOURCE_KINDS,
  STEP_KEYS,
  STEP_STATES,
  TRACK_LINKS,
} from "./words.ts";

const Text = (max: number) => Type.Optional(Nullable(Type.String({ maxLength: max })));
const Timestamp = Type.String({ description: "UTC, ISO 8601" });

const MailingStatusSchema = literals(MAILING_STATUSES);
const MailingTypeSchema = literals(MAILING_TYPES);

// Requests

export const MailingInputSchema = Type.Object(
  {
    name: Type.Optional(Type.String({ minLength: 1, maxLength: 200 })),
    type: Type.Optional(MailingTypeSchema),
    sendingAccountId: Type.Optional(Nullable(Id)),
    goalText: Text(1000),
    goalCategory: Type.Optional(Nullable(literals(GOAL_CATEGORIES))),
    folder: Text(200),
    selectionId: Type.Optional(Nullable(Id)),
    projectId: Type.Optional(Nullable(Id)),
    subscriptionTypeId: Type.Optional(Nullable(Id)),
    subject: Text(500),
    fromName: Text(200),
    fromAddress: Text(254),
    fromMode: Type.Optional(literals(FROM_MODES)),
    replyTo: Text(254),
    contentFormat: Type.Optional(literals(CONTENT_FORMATS)),
    content: Text(2_000_000),
    textContent: Text(500_000),
    trackLinks: Type.Optional(literals(TRACK_LINKS)),
    trackOpens: Type.Optional(Type.Boolean()),
    utmSource: Text(100),
    utmCampaign: Text(100),
    smsSender: Text(20),
    smsText: Text(10_000),
    smsNormalize: Type.Optional(Type.Boolean()),
    smsOptOutLine: Text(200),
    docHeading: Text(300),
    docAttentionMode: Type.Optional(literals(DOCUMENT_ATTENTION_MODES)),
    docAttentionText: Text(200),
    docOurRef: Text(200),
    docSource: Type.Optional(literals(DOCUMENT_SOURCES)),
    docOrder: Type.Optional(literals(DOCUMENT_ORDERS)),
    docOddPages: Type.Optional(Type.Boolean()),
    /** Form response: the form whose processed submissions it answers. */
    formId: Type.Optional(Nullable(Id)),
    options: Type.Optional(
      Type.Object(
        {
          overrideConsent: Type.Optional(Type.Boolean()),
          onePerAddress: Type.Optional(Type.Boolean()),
          refreshOnSend: Type.Optional(Type.Boolean()),
          includeCompanies: Type.Optional(Type.Boolean()),
          preferCompany: Type.Optional(Type.Boolean()),
        },
        { additionalProperties: false },
      ),
    ),
  },
  { additionalProperties: false },
);

export const PastedAddressSchema = Type.Object(
  {
    email: Type.String({ maxLength: 254 }),
    name: Type.Optional(Nullable(Type.String({ maxLength: 200 }))),
  },
  { additionalProperties: false },
);

export const SourceInputSchema = Type.Object(
  {
    kind: literals(["selection", "project", "person", "addresses"] as const),
    refId: Type.Optional(Id),
    addresses: Type.Optional(Type.Array(PastedAddressSchema, { maxItems: 10_000 })),
    consentConfirmed: Type.Optional(Type.Boolean()),
  },
  { additionalProperties: false },
);

// Mailings

export const MailingSummarySchema = Type.Object(
  {
    id: Type.Integer(),
    name: Type.String(),
    type: MailingTypeSchema,
    status: MailingStatusSchema,
    subject: Nullable(Type.String()),
    createdAt: Timestamp,
    updatedAt: Timestamp,
    scheduledAt: Nullable(Timestamp),
    startedAt: Nullable(Timestamp),
    finishedAt: Nullable(Timestamp),
    selectionId: Nullable(Type.Integer()),
    projectId: Nullable(Type.Integer()),
  },
  { description: "A mailing as lists show it" },
);

const MailingOptionsSchema = Type.Object({
  overrideConsent: Type.Boolean(),
  onePerAddress: Type.Boolean(),
  refreshOnSend: Type.Boolean(),
  includeCompanies: Type.Boolean(),
  preferCompany: Type.Boolean(),
});

const ProblemSchema = Type.Object({
  step: literals(STEP_KEYS),
  code: Type.String(),
  message: Type.String(),
  field: Type.Optional(Type.String()),
});

const warningBase = {
  key: Type.String({ description: "Stable for the same fault in the same content: what a dismissal names" }),
  message: Type.String({ description: "In English; the web UI words it from the code and the fields" }),
  dismissed: Type.Boolean({ description: "Dismissed for this mailing: listed, but no longer a warning" }),
};
const Count = Type.Integer({ description: "How many times the content has this fault" });

export const AccessibilityWarningSchema = Type.Union(
  [
    Type.Object({
      ...warningBase,
      code: Type.Literal("image-without-alt"),
      src: Type.String(),
      count: Count,
    }),
    Type.Object({
      ...warningBase,
      code: Type.Literal("low-contrast-text"),
      foreground: Type.String({ description: "#rrggbb" }),
      background: Type.String({ description: "#rrggbb" }),
      ratio: Type.Number({ description: "Rounded down to two decimals" }),
      required: Type.Number({ description: "4.5, or 3 for large text" }),
      text: Type.String({ description: "The first of the text in these colours, at most 60 characters" }),
      count: Count,
    }),
    Type.Object({
      ...warningBase,
      code: Type.Literal("vague-link-text"),
      text: Type.String({ description: "Empty for a link without text" }),
      count: Count,
    }),
    Type.Object({ ...warningBase, code: Type.Literal("vague-subject"), subject: Type.String() }),
    Type.Object({
      ...warningBase,
      code: Type.Literal("image-only-email"),
      textLength: Type.Integer({ description: "Characters of visible text" }),
      images: Type.Integer(),
    }),
  ],
  { description: "Something in the e-mail some recipients cannot read; it never blocks sending" },
);

export const DismissWarningSchema = Type.Object(
  {
    key: Type.String({ minLength: 1, maxLength: 2000 }),
    dismissed: Type.Boolean({ description: "false brings a dismissed warning back" }),
  },
  { additionalProperties: false },
);

/** The list's counts by the one definition of recipient, blocked and left out (src/db/block-reasons.ts). */
export const RecipientCountsSchema = Type.Object(
  {
    listed: Type.Integer({ description: "On the list: recipients + blocked" }),
    eligible: Type.Integer({ description: "Recipients: on the list and not blocked; they get the mailing" }),
    blocked: Type.Partial(Type.Record(literals(BLOCK_REASONS), Type.Integer()), {
      description: "Blocked rows counted by reason; a reason without rows is left out",
    }),
    blockedTotal: Type.Integer({ description: "On the list, blocked: the sum of `blocked`" }),
    leftOut: Type.Integer({ description: "Not on the list: people of the sources without a usable address" }),
    leftOutByReason: Type.Partial(Type.Record(literals(LEFT_OUT_REASONS), Type.Integer())),
  },
  { description: "recipients (eligible) + blocked = listed; left out are not on the list" },
);

export const MailingSchema = Type.Object(
  {
    ...MailingSummarySchema.properties,
    sendingAccountId: Nullable(Type.Integer()),
    goalText: Nullable(Type.String()),
    goalCategory: Nullable(literals(GOAL_CATEGORIES)),
    folder: Nullable(Type.String()),
    subscriptionTypeId: Nullable(Type.Integer()),
    fromName: Nullable(Type.String()),
    fromAddress: Nullable(Type.String()),
    fromMode: literals(FROM_MODES),
    replyTo: Nullable(Type.String()),
    contentFormat: literals(CONTENT_FORMATS),
    content: Nullable(Type.String()),
    textContent: Nullable(Type.String()),
    trackLinks: literals(TRACK_LINKS),
    trackOpens: Type.Boolean(),
    utmSource: Nullable(Type.String()),
    utmCampaign: Nullable(Type.String()),
    options: MailingOptionsSchema,
    smsSender: Nullable(
      Type.String({
        description: "SMS: an alphanumeric sender ID (at most 11 characters) or an E.164 number",
      }),
    ),
    smsText: Nullable(Type.String({ description: "SMS: plain text with merge fields" })),
    smsNormalize: Type.Boolean({ description: "SMS: typographic quotes and dashes become GSM-7 ones" }),
    smsOptOutLine: Nullable(
      Type.String({ description: "SMS: the opt-out line added to the text when a subscription type is set" }),
    ),
    docHeading: Nullable(
      Type.String({ description: "Document: the letter's heading (merge fields allowed)" }),
    ),
    docAttentionMode: literals(DOCUMENT_ATTENTION_MODES, {
      description:
        "Document: name-else-text puts the recipient's name on the attention line, else docAttentionText; always-text always the text",
    }),
    docAttentionText: Nullable(Type.String({ description: "Document: the attention line's text" })),
    docOurRef: Nullable(Type.String({ description: "Document: our reference (merge fields allowed)" })),
    docSource: literals(DOCUMENT_SOURCES, {
      description: "Document: composed (the body is `content`) or word (the uploaded DOCX template)",
    }),
    docOrder: literals(DOCUMENT_ORDERS, { description: "Document: letters in list order or by postcode" }),
    docOddPages: Type.Boolean({
      description: "Document: each letter starts on an odd page (duplex printing)",
    }),
    docTemplateName: Nullable(
      Type.String({ description: "Document: the uploaded Word template's file name" }),
    ),
    formId: Nullable(Type.Integer({ description: "Form response: the form it answers" })),
    smsWindow: Nullable(
      Type.Object(
        { open: Type.Boolean(), opensAt: Nullable(Timestamp) },
        {
          description:
            "SMS: whether the sending account's window (08:00–21:00) is open now, and when it opens",
        },
      ),
    ),
    timeZone: Nullable(Type.String()),
    recipientsResolvedAt: Nullable(Timestamp),
    steps: Type.Array(
      Type.Object({
        key: literals(STEP_KEYS),
        state: literals(STEP_STATES),
        problems: Type.Array(ProblemSchema),
      }),
    ),
    problems: Type.Array(ProblemSchema, { description: "Everything that blocks sending, step by step" }),
    warnings: Type.Array(Type.String(), { description: "Worth a look, but no reason not to send" }),
    accessibilityWarnings: Type.Array(AccessibilityWarningSchema, {
      description: "Images without alt text, low contrast, vague link text or subject, an image-only e-mail",
    }),
    canSend: Type.Boolean(),
    recipients: RecipientCountsSchema,
  },
  { description: "A mailing with its steps, problems and recipient counts" },
);

export const MailingPageSchema = PageOf(MailingSummarySchema);

export const MergeVariablesSchema = Type.Object({
  groups: Type.Array(
    Type.Object({
      group: Type.String(),
      nb: Type.String(),
      en: Type.String(),
      types: Type.Array(MailingTypeSchema),
      variables: Type.Array(
        Type.Object({
          path: Type.String(),
          nb: Type.String(),
          en: Type.String(),
          types: Type.Optional(Type.Array(MailingTypeSchema, { description: "Only these types, if given" })),
        }),
      ),
    }),
  ),
  customFields: Type.Array(Type.Object({ key: Type.String(), label: Type.String() })),
  formFields: Type.Array(Type.Object({ key: Type.String(), nb: Type.String(), en: Type.String() }), {
    description: "With ?formId: the fields of that form's latest version, for [[form.<key>]]",
  }),
});

export const MergeVariablesQuerySchema = Type.Object(
  { formId: Type.Optional(Type.Integer({ minimum: 1 })) },
  { additionalProperties: false },
);

// Recipients (step 4)

export const SourceSchema = Type.Object({
  id: Type.Integer(),
  kind: literals(SOURCE_KINDS),
  refId: Nullable(Type.Integer()),
  label: Nullable(
    Type.String({ description: "The selection's, project's or person's name; null once it is gone" }),
  ),
});
export const SourceListSchema = Type.Object({ items: Type.Array(SourceSchema) });

export const RecipientSchema = Type.Object({
  id: Type.Integer(),
  personId: Nullable(Type.Integer()),
  companyId: Nullable(Type.Integer()),
  email: Nullable(Type.String()),
  mobile: Nullable(Type.String({ description: "SMS mailings: the number in E.164" })),
  name: Nullable(Type.String()),
  postalAddress: Nullable(
    Type.String({
      description:
        "Document mailings: the address the letter goes to, one line per line (the person's own, else their company's); null for other mailings and when there is none",
    }),
  ),
  status: literals(["eligible", "blocked", "left-out"] as const, {
    description:
      "eligible: a recipient (gets the mailing); blocked: on the list with a reason; left-out: not on the list (no usable address), listed only when asked for",
  }),
  blockReason: Nullable(literals([...BLOCK_REASONS, ...LEFT_OUT_REASONS])),
});
export const RecipientPageSchema = PageOf(RecipientSchema);

export const PersonCheckSchema = Type.Object({
  personId: Type.Integer(),
  status: literals(["eligible", "blocked", "left-out"] as const, {
    description: "left-out: the person has no address for this mailing's channel",
  }),
  reason: Nullable(literals([...BLOCK_REASONS, ...LEFT_OUT_REASONS])),
  alreadyListed: Type.Boolean({
    description: "The person is on the mailing's list already; the answer is that row's",
  }),
});

// Preview and test

export const PreviewSchema = Type.Object({
  recipientId: Nullable(Type.Integer({ description: "The recipient shown; null when the list is empty" })),
  subject: Type.String(),
  html: Type.String({ description: "Sanitised for display in a sandboxed frame" }),
  text: Type.String(),
  emptyVariables: Type.Array(Type.String()),
});

export const EmptyVariablesSchema = Type.Object({
  checked: Type.Integer({ description: "Eligible recipients looked at" }),
  items: Type.Array(
    Type.Object({
      variable: Type.String(),
      count: Type.Integer(),
      recipients: Type.Array(
        Type.Object({ id: Type.Integer(), name: Nullable(Type.String()), email: Nullable(Type.String()) }),
        { description: "The first 100" },
      ),
    }),
  ),
});

export const TestSendSchema = Type.Object({
  sent: Type.Integer(),
  failures: Type.Array(Type.String({ description: "address: the server's reply" })),
});

export const TestSendHistorySchema = Type.Object({
  items: Type.Array(
    Type.Object({
      id: Type.Integer(),
      kind: literals(["sent", "failed", "bounced"] as const, {
        description: "sent: accepted by the server; failed: refused at once; bounced: returned later",
      }),
      detail: Type.String({
        description: "sent: the address; failed: address and reply; bounced: the bounce",
      }),
      at: Timestamp,
    }),
    { description: "The latest 100 test events, newest first" },
  ),
});

// Lifecycle

export const ProgressSchema = Type.Object({
  status: MailingStatusSchema,
  total: Type.Integer(),
  sent: Type.Integer(),
  delivered: Nullable(
    Type.Integer({ description: "SMS: of those sent, how many were reported delivered; null for e-mail" }),
  ),
  failed: Type.Integer(),
  unknown: Type.Integer(),
  pending: Type.Integer(),
  ratePerSecond: Type.Number({ description: "Over the last minute, one decimal" }),
  etaSeconds: Nullable(Type.Integer()),
});

export const DeliverySchema = Type.Object({
  id: Type.Integer(),
  recipientId: Type.Integer(),
  email: Type.String(),
  attempt: Type.Integer(),
  status: literals(DELIVERY_STATUSES),
  bounceKind: Nullable(literals(["hard", "soft"] as const)),
  lastReply: Nullable(Type.String()),
  sentAt: Nullable(Timestamp),
  firstPage: Nullable(
    Type.Integer({ description: "Documents: the letter's first page in the generated PDF" }),
  ),
  pageCount: Nullable(Type.Integer({ description: "Documents: how many pages the letter takes" })),
});
export const DeliveryPageSchema = PageOf(DeliverySchema);

export const SentAgainSchema = Type.Object({ deliveryId: Type.Integer({ description: "The new attempt" }) });

// Templates and attachments

export const TEMPLATE_TYPES = ["email", "sms"] as const;

export const TemplateSummarySchema = Type.Object({
  id: Type.Integer(),
  name: Type.String(),
  type: literals(TEMPLATE_TYPES),
  subject: Nullable(Type.String()),
  contentFormat: literals([...CONTENT_FORMATS, "text"] as const, {
    description: '"text" for an SMS template',
  }),
  smsText: Nullable(Type.String({ description: "SMS: the template's text" })),
  smsNormalize: Type.Boolean({ description: "SMS: typographic quotes and dashes become GSM-7 ones" }),
  smsOptOutLine: Nullable(Type.String({ description: "SMS: the line added at the end" })),
  updatedAt: Timestamp,
});
export const TemplateListSchema = Type.Object({ items: Type.Array(TemplateSummarySchema) });

export const TemplateSchema = Type.Object({
  ...TemplateSummarySchema.properties,
  content: Type.String({ description: "HTML or MJML; an SMS template's text" }),
  textContent: Nullable(Type.String()),
});

export const TemplateInputSchema = Type.Object(
  {
    name: Type.String({ minLength: 1, maxLength: 200 }),
    type: Type.Optional(literals(TEMPLATE_TYPES, { description: "email unless given" })),
    subject: Type.Optional(Nullable(Type.String({ maxLength: 500 }))),
    contentFormat: Type.Optional(literals(CONTENT_FORMATS, { description: "e-mail: required" })),
    content: Type.Optional(Type.String({ maxLength: 2_000_000, description: "e-mail: required" })),
    textContent: Type.Optional(Nullable(Type.String({ maxLength: 500_000 }))),
    smsText: Type.Optional(Type.String({ maxLength: 10_000, description: "SMS: required" })),
    smsNormalize: Type.Optional(Type.Boolean()),
    smsOptOutLine: Type.Optional(Nullable(Type.String({ maxLength: 200 }))),
  },
  { additionalProperties: false },
);

export const StarterTemplateSummarySchema = Type.Object({
  key: Type.String({ description: "`<kind>-<language>`, e.g. newsletter-nb" }),
  kind: literals(STARTER_KINDS),
  language: literals(["nb", "en"] as const),
  name: Type.String(),
  subject: Type.String(),
  description: Type.String(),
});
export const StarterTemplateListSchema = Type.Object({ items: Type.Array(StarterTemplateSummarySchema) });
export const StarterTemplateSchema = Type.Object({
  ...StarterTemplateSummarySchema.properties,
  mjml: Type.String({ description: "The template's MJML" }),
});
export const StarterKeyParams = Type.Object({ key: Type.String({ minLength: 1, maxLength: 60 }) });

export const AttachmentSchema = Type.Object({
  id: Type.Integer(),
  filename: Type.String(),
  contentType: Type.String(),
  size: Type.Integer({ description: "bytes" }),
});

export const AttachmentListSchema = Type.Object({
  items: Type.Array(AttachmentSchema),
  totalSize: Type.Integer({ description: "bytes" }),
  limit: Type.Integer({ description: "bytes the attachments may take together" }),
});

export type MailingStatus = (typeof MAILING_STATUSES)[number];
export type DeliveryStatus = (typeof DELIVERY_STATUSES)[number];
export type MailingType = (typeof MAILING_TYPES)[number];
export type GoalCategory = (typeof GOAL_CATEGORIES)[number];
export type SourceKind = (typeof SOURCE_KINDS)[number];
export type ContentFormat = (typeof CONTENT_FORMATS)[number];
export type FromMode = (typeof FROM_MODES)[number];
export type TrackLinks = (typeof TRACK_LINKS)[number];
export type StepKey = (typeof STEP_KEYS)[number];
export type StepState = (typeof STEP_STATES)[number];

export type MailingInput = Static<typeof MailingInputSchema>;
export type PastedAddress = Static<typeof PastedAddressSchema>;
export type MailingSummary = Static<typeof MailingSummarySchema>;
export type Mailing = Static<typeof MailingSchema>;
export type MailingOptions = Static<typeof MailingOptionsSchema>;
export type MailingProblem = Static<typeof ProblemSchema>;
export type AccessibilityWarning = Static<typeof AccessibilityWarningSchema>;
export type MailingStep = Mailing["steps"][number];
export type MergeVariables = Static<typeof MergeVariablesSchema>;
export type MailingSource = Static<typeof SourceSchema>;
export type Recipient = Static<typeof RecipientSchema>;
export type PersonCheck = Static<typeof PersonCheckSchema>;
export type Preview = Static<typeof PreviewSchema>;
export type EmptyVariables = Static<typeof EmptyVariablesSchema>;
export type TestSend = Static<typeof TestSendSchema>;
export type TestSendHistory = Static<typeof TestSendHistorySchema>;
export type Progress = Static<typeof ProgressSchema>;
export type Delivery = Static<typeof DeliverySchema>;
export type TemplateSummary = Static<typeof TemplateSummarySchema>;
export type Template = Static<typeof TemplateSchema>;
export type StarterTemplateSummary = Static<typeof StarterTemplateSummarySchema>;
export type StarterTemplate = Static<typeof StarterTemplateSchema>;
export type Attachment = Static<typeof AttachmentSchema>;
export type Attachments = Static<typeof AttachmentListSchema>;
