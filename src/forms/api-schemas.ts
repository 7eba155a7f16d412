// The forms API's shapes (validation, types and OpenAPI in one): a form, its definition and actions, statistics,
// submissions. Imports only typebox and pure modules.
import Type from "typebox";
import { Id, literals, Nullable } from "../shared/schemas.ts";
import { FREE_FIELD_TYPES } from "./definition.ts";
import { FORM_LANGUAGES, PROCESSING_MODES } from "./rules.ts";

const Text = (max: number) => Type.String({ maxLength: max });
export const LocalText = Type.Object({ nb: Text(2000), en: Text(2000) }, { additionalProperties: false });
const base = {
  key: Text(40),
  label: LocalText,
  help: Type.Optional(LocalText),
  required: Type.Boolean(),
};
const Mapped = Type.Object(
  {
    ...base,
    kind: Type.Literal("mapped"),
    maps: Type.String({ maxLength: 40, description: "A CRM field (first_name, email, …) or custom:<id>" }),
    prefill: Type.Boolean(),
  },
  { additionalProperties: false },
);
const Consent = Type.Object(
  { ...base, kind: Type.Literal("consent"), purposeKey: Text(100), text: LocalText },
  { additionalProperties: false },
);
const Subscription = Type.Object(
  { ...base, kind: Type.Literal("subscription"), subscriptionTypeId: Id },
  { additionalProperties: false },
);
const Free = Type.Object(
  {
    ...base,
    kind: Type.Literal("free"),
    type: literals(FREE_FIELD_TYPES),
    options: Type.Optional(Type.Array(LocalText, { maxItems: 100 })),
    prefill: Type.Boolean(),
  },
  { additionalProperties: false },
);
export const FormField = Type.Union([Mapped, Consent, Subscription, Free]);
export const FormDefinition = Type.Object(
  { fields: Type.Array(FormField, { maxItems: 100 }) },
  { additionalProperties: false },
);
const IdArray = Type.Array(Id, { maxItems: 1000 });
export const FormActions = Type.Object(
  {
    addToSelectionIds: IdArray,
    addToProjectIds: IdArray,
    addInterests: Type.Array(Text(200), { maxItems: 100 }),
    removeInterests: Type.Array(Text(200), { maxItems: 100 }),
    subscribeTypeIds: IdArray,
    notifyUserIds: IdArray,
    responseMailingId: Nullable(Id),
  },
  { additionalProperties: false },
);

const Language = literals(FORM_LANGUAGES);
const Status = literals(["draft", "published", "unpublished"] as const);
export const Form = Type.Object({
  id: Type.Integer(),
  name: Type.String(),
  slug: Type.String(),
  language: Language,
  status: Status,
  publishedVersion: Type.Integer(),
  definition: FormDefinition,
  processingMode: literals(PROCESSING_MODES),
  doubleOptIn: Type.Boolean(),
  sendingAccountId: Nullable(Type.Integer()),
  allowCompanyCreate: Type.Boolean(),
  proofOfWork: Type.Boolean({
    description:
      "The hosted page asks the visitor's browser for a proof of work (ALTCHA, self-hosted); it then needs JavaScript",
  }),
  thankYouText: Nullable(Type.String()),
  redirectUrl: Nullable(Type.String()),
  deactivateAt: Nullable(Type.String()),
  deactivateAfter: Nullable(Type.Integer()),
  actions: FormActions,
  hostedUrl: Type.String(),
  embed: Type.Object({ iframe: Type.String(), script: Type.String() }),
  active: Type.Boolean(),
  inactiveReason: Nullable(literals(["unpublished", "draft", "date", "count"] as const)),
  createdAt: Type.String(),
  updatedAt: Type.String(),
});

export const FormCreate = Type.Object(
  { name: Type.String({ minLength: 1, maxLength: 200 }), language: Language, slug: Type.Optional(Text(64)) },
  { additionalProperties: false },
);
export const FormUpdate = Type.Object(
  {
    name: Type.Optional(Type.String({ minLength: 1, maxLength: 200 })),
    slug: Type.Optional(Text(64)),
    language: Type.Optional(Language),
    definition: Type.Optional(FormDefinition),
    processingMode: Type.Optional(literals(PROCESSING_MODES)),
    doubleOptIn: Type.Optional(Type.Boolean()),
    sendingAccountId: Type.Optional(Nullable(Id)),
    allowCompanyCreate: Type.Optional(Type.Boolean()),
    proofOfWork: Type.Optional(Type.Boolean()),
    thankYouText: Type.Optional(Nullable(Text(10_000))),
    redirectUrl: Type.Optional(Nullable(Text(2000))),
    deactivateAt: Type.Optional(Nullable(Text(40))),
    deactivateAfter: Type.Optional(Nullable(Type.Integer({ minimum: 1, maximum: 100_000_000 }))),
    actions: Type.Optional(FormActions),
  },
  { additionalProperties: false },
);

export const FormList = Type.Object({
  forms: Type.Array(
    Type.Object({
      id: Type.Integer(),
      name: Type.String(),
      slug: Type.String(),
      language: Language,
      status: Status,
      active: Type.Boolean(),
      submissions: Type.Integer(),
      awaitingManual: Type.Integer(),
      updatedAt: Type.String(),
    }),
  ),
});

export const FormPreviewInput = Type.Object(
  { definition: FormDefinition, language: Language, name: Type.Optional(Text(200)) },
  { additionalProperties: false },
);

export const FormStatistics = Type.Object({
  views: Type.Integer(),
  submissions: Type.Integer(),
  confirmed: Type.Integer(),
  processed: Type.Integer(),
  rejected: Type.Integer(),
  expired: Type.Integer(),
  awaitingConfirmation: Type.Integer(),
  awaitingManual: Type.Integer(),
  conversion: Nullable(Type.Number()),
  days: Type.Array(
    Type.Object({
      day: Type.String(),
      views: Type.Integer(),
      submissions: Type.Integer(),
      processed: Type.Integer(),
    }),
  ),
  refusals: Type.Array(Type.Object({ reason: Type.String(), count: Type.Integer() })),
});

export const SubmissionStatus = literals([
  "submitted",
  "awaiting-confirmation",
  "processed",
  "rejected",
  "expired",
] as const);

export const SubmissionQuery = Type.Object(
  {
    status: Type.Optional(SubmissionStatus),
    from: Type.Optional(Text(40)),
    to: Type.Optional(Text(40)),
    q: Type.Optional(Text(200)),
    after: Type.Optional(Id),
    limit: Type.Integer({ minimum: 1, maximum: 500, default: 50 }),
  },
  { additionalProperties: false },
);

export const SubmissionList = Type.Object({
  submissions: Type.Array(
    Type.Object({
      id: Type.Integer(),
      version: Type.Integer(),
      status: SubmissionStatus,
      email: Nullable(Type.String()),
      name: Nullable(Type.String()),
      submittedAt: Type.String(),
      processedAt: Nullable(Type.String()),
      personId: Nullable(Type.Integer()),
      rejectReason: Nullable(Type.String()),
    }),
  ),
  total: Type.Integer(),
  nextAfter: Nullable(Type.Integer()),
});

export const SubmissionDetail = Type.Object({
  id: Type.Integer(),
  version: Type.Integer(),
  status: SubmissionStatus,
  answers: Type.Record(Type.String(), Type.Union([Type.String(), Type.Array(Type.String())])),
  fields: Type.Array(FormField),
  ip: Nullable(Type.String()),
  userAgent: Nullable(Type.String()),
  submittedAt: Type.String(),
  confirmedAt: Nullable(Type.String()),
  processedAt: Nullable(Type.String()),
  personId: Nullable(Type.Integer()),
  companyId: Nullable(Type.Integer()),
  rejectReason: Nullable(Type.String()),
  suggestions: Type.Array(
    Type.Object({
      personId: Type.Integer(),
      name: Type.String(),
      email: Nullable(Type.String()),
      companyName: Nullable(Type.String()),
      reason: Type.String(),
    }),
  ),
});
