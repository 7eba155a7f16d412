// Schemas shared by routes: pages, ids, errors and the CRM's entities (validation, types and OpenAPI in one).

import Type from "typebox";
import type { Db, Dialect } from "../db/connect.ts";
import type { SpamChecker } from "../deliverability/spam-check.ts";
import type { Keyring } from "../deliveries/tokens.ts";
import type { RunningImports } from "../imports/running.ts";
import { GIVEN_CONSENT_SOURCES, LEGAL_BASES, SUBSCRIPTION_STATUSES } from "../persons/person-rules.ts";
import type { Config } from "../shared/config.ts";
import { Id, literals, Nullable, PageOf } from "../shared/schemas.ts";

export type RouteDeps = {
  db: Db;
  dialect: Dialect;
  config: Config;
  /** Signing keys and the public address, for links and tokens in messages. */
  send: { keys: Keyring; publicUrl: string };
  /** The Confirm step's spam check, with its SpamAssassin outcomes kept per message. */
  spamCheck: SpamChecker;
  /** The person and recipient-file imports running in this process, followed by the progressId their client chose. */
  imports: RunningImports;
};

export { Id, literals, Nullable, PageOf };
export const ShortText = (max = 200) => Type.String({ maxLength: max });

export const IdParams = Type.Object({ id: Id });
export const PageQuery = {
  limit: Type.Integer({ minimum: 1, maximum: 500, default: 50 }),
  offset: Type.Integer({ minimum: 0, maximum: 100_000_000, default: 0 }),
};
export const IdList = (field: string) =>
  Type.Object(
    {
      [field]: Type.Array(Id, {
        minItems: 1,
        maxItems: 10_000,
      }),
    },
    { additionalProperties: false },
  );

export const ErrorBody = Type.Object({
  error: Type.Object({
    code: Type.String(),
    message: Type.String(),
    details: Type.Object({}, { additionalProperties: true }),
  }),
});
export const errorResponses = {
  400: ErrorBody,
  401: ErrorBody,
  403: ErrorBody,
  404: ErrorBody,
  409: ErrorBody,
};

export const PersonSummary = Type.Object({
  id: Type.Integer(),
  firstName: Nullable(Type.String()),
  lastName: Nullable(Type.String()),
  fullName: Type.String(),
  email: Nullable(Type.String()),
  mobile: Nullable(Type.String()),
  companyId: Nullable(Type.Integer()),
  companyName: Nullable(Type.String()),
  formerEmployee: Type.Boolean(),
});

export const Person = Type.Object({
  id: Type.Integer(),
  firstName: Nullable(Type.String()),
  middleName: Nullable(Type.String()),
  lastName: Nullable(Type.String()),
  fullName: Type.String(),
  title: Nullable(Type.String()),
  mrmrs: Nullable(Type.String()),
  email: Nullable(Type.String()),
  emails: Type.Array(Type.Object({ address: Type.String(), primary: Type.Boolean() })),
  mobile: Nullable(Type.String()),
  phone: Nullable(Type.String()),
  language: Nullable(Type.String()),
  street: Nullable(
    Type.String({ description: "The person's own postal address; letters use the company's when empty" }),
  ),
  postcode: Nullable(Type.String()),
  city: Nullable(Type.String()),
  country: Nullable(Type.String()),
  companyId: Nullable(Type.Integer()),
  companyName: Nullable(Type.String()),
  ourContactId: Nullable(Type.Integer()),
  formerEmployee: Type.Boolean(),
  interests: Type.Array(Type.String()),
  customFields: Type.Record(Type.String(), Type.String()),
  consents: Type.Array(
    Type.Object({
      purpose: Type.String(),
      legalBasis: Type.String(),
      source: Type.String(),
      updatedAt: Type.String(),
    }),
  ),
  subscriptions: Type.Array(
    Type.Object({
      typeId: Type.Integer(),
      typeName: Type.String(),
      status: Type.String(),
      updatedAt: Type.String(),
    }),
  ),
  createdAt: Type.String(),
  updatedAt: Type.String(),
  /** Only on GET /api/persons/:id: known faults of the person's addresses (blocked, or soft bounces counting). */
  addressProblems: Type.Optional(
    Type.Array(
      Type.Object({
        address: Type.String(),
        blocked: Type.Boolean(),
        reason: Nullable(Type.String()),
        statusCode: Nullable(Type.String()),
        diagnostic: Nullable(Type.String()),
        softCount: Type.Integer(),
        updatedAt: Type.String(),
      }),
    ),
  ),
});

const OptionalText = (max = 200) => Type.Optional(Nullable(ShortText(max)));

export const PersonInput = Type.Object(
  {
    firstName: OptionalText(100),
    middleName: OptionalText(100),
    lastName: OptionalText(100),
    title: OptionalText(100),
    mrmrs: OptionalText(20),
    emails: Type.Optional(
      Type.Array(
        Type.Object(
          { address: Type.String({ maxLength: 254 }), primary: Type.Optional(Type.Boolean()) },
          { additionalProperties: false },
        ),
        { maxItems: 10 },
      ),
    ),
    mobile: OptionalText(40),
    phone: OptionalText(40),
    language: OptionalText(10),
    street: OptionalText(200),
    postcode: OptionalText(20),
    city: OptionalText(100),
    country: OptionalText(60),
    companyId: Type.Optional(Nullable(Id)),
    ourContactId: Type.Optional(Nullable(Id)),
    formerEmployee: Type.Optional(Type.Boolean()),
    interests: Type.Optional(Type.Array(Type.String({ minLength: 1, maxLength: 100 }), { maxItems: 100 })),
    customFields: Type.Optional(
      Type.Record(Type.String({ maxLength: 40 }), Nullable(Type.String({ maxLength: 2000 }))),
    ),
  },
  { additionalProperties: false },
);

export const Company = Type.Object({
  id: Type.Integer(),
  name: Type.String(),
  orgNumber: Nullable(Type.String()),
  department: Nullable(Type.String()),
  street: Nullable(Type.String()),
  postcode: Nullable(Type.String()),
  city: Nullable(Type.String()),
  country: Nullable(Type.String()),
  domain: Nullable(Type.String()),
  phone: Nullable(Type.String()),
  email: Nullable(Type.String()),
  ourContactId: Nullable(Type.Integer()),
  personCount: Type.Integer(),
  createdAt: Type.String(),
  updatedAt: Type.String(),
});

export const CompanyInput = Type.Object(
  {
    name: Type.Optional(Type.String({ minLength: 1, maxLength: 200 })),
    orgNumber: OptionalText(40),
    department: OptionalText(100),
    street: OptionalText(200),
    postcode: OptionalText(20),
    city: OptionalText(100),
    country: OptionalText(2),
    domain: OptionalText(253),
    phone: OptionalText(40),
    email: OptionalText(254),
    ourContactId: Type.Optional(Nullable(Id)),
  },
  { additionalProperties: false },
);

export const ConsentInput = Type.Object(
  {
    purpose: Type.String({ minLength: 1, maxLength: 40 }),
    legalBasis: literals(LEGAL_BASES),
    source: Type.Optional(literals(GIVEN_CONSENT_SOURCES)),
    comment: Type.Optional(Nullable(ShortText(1000))),
    newConsent: Type.Optional(
      Type.Boolean({
        description:
          "The person consented anew after their address went on the suppression list; `comment` must say where.",
      }),
    ),
  },
  { additionalProperties: false },
);

export const SubscriptionInput = Type.Object(
  { status: literals(SUBSCRIPTION_STATUSES), comment: Type.Optional(Nullable(ShortText(1000))) },
  { additionalProperties: false },
);

export const Changed = Type.Object({
  added: Type.Optional(Type.Integer()),
  removed: Type.Optional(Type.Integer()),
});
export const NoContent = Type.Null({ description: "No content" });
