// The mailing API's shapes as TypeBox schemas: Fastify validates and serializes with them, OpenAPI documents them,
// and the web UI takes its types from them (type-only imports), so a change here that breaks the UI fails typecheck.
import Type, { type TSchema } from "typebox";
import { GOAL_CATEGORIES } from "./store.ts";

const Id = Type.Integer({ minimum: 1, maximum: 2147483647 });
const Nullable = <T extends TSchema>(schema: T) => Type.Union([schema, Type.Null()]);
const literals = <const T extends string[]>(values: readonly [...T], options: Record<string, unknown> = {}) =>
  Type.Enum<T>(values, options);
const Text = (max: number) => Type.Optional(Nullable(Type.String({ maxLength: max })));

export const MAILING_STATUSES = ["draft", "scheduled", "sending", "paused", "finished", "cancelled"] as const;

export const MailingInputSchema = Type.Object(
  {
    name: Type.Optional(Type.String({ minLength: 1, maxLength: 200 })),
    type: Type.Optional(literals(["email", "sms", "document", "form"] as const)),
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
    fromMode: Type.Optional(literals(["fixed", "our-contact"] as const)),
    replyTo: Text(254),
    contentFormat: Type.Optional(literals(["html", "mjml"] as const)),
    content: Text(2_000_000),
    textContent: Text(500_000),
    trackLinks: Type.Optional(literals(["all", "registered", "none"] as const)),
    trackOpens: Type.Optional(Type.Boolean()),
    utmSource: Text(100),
    utmCampaign: Text(100),
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

export const MailingSchema: TSchema = Type.Object(
  {},
  { additionalProperties: true, description: "A mailing with its steps, problems and recipient counts" },
);
