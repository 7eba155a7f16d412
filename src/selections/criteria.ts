// Dynamic selection criteria: their shape (one TypeBox schema for validation, types and OpenAPI) and pure checks.
import Type, { type Static, type TSchema } from "typebox";
import type { FieldProblem } from "../shared/errors.ts";

export const PERSON_FIELDS = {
  "person.firstName": "text",
  "person.lastName": "text",
  "person.title": "text",
  "person.language": "text",
  "person.email": "text",
  "person.mobile": "text",
  "person.phone": "text",
  "person.formerEmployee": "boolean",
  "person.createdAt": "date",
  "company.name": "text",
  "company.city": "text",
  "company.postcode": "text",
  "company.country": "text",
  "company.domain": "text",
  "company.orgNumber": "text",
} as const;
export type CriterionField = keyof typeof PERSON_FIELDS;

export const TEXT_OPS = [
  "eq",
  "neq",
  "contains",
  "notContains",
  "startsWith",
  "isEmpty",
  "isNotEmpty",
  "gt",
  "lt",
] as const;
export type TextOp = (typeof TEXT_OPS)[number];
const OPS_WITHOUT_VALUE: TextOp[] = ["isEmpty", "isNotEmpty"];

const literalUnion = <const T extends string[]>(values: readonly [...T]) => Type.Enum<T>(values);

const FieldCriterion = Type.Object(
  {
    type: Type.Literal("field"),
    field: literalUnion(Object.keys(PERSON_FIELDS) as CriterionField[]),
    op: literalUnion(TEXT_OPS),
    value: Type.Optional(Type.String({ maxLength: 500 })),
  },
  { additionalProperties: false },
);
const CustomFieldCriterion = Type.Object(
  {
    type: Type.Literal("customField"),
    key: Type.String({ minLength: 1, maxLength: 40 }),
    op: literalUnion(TEXT_OPS),
    value: Type.Optional(Type.String({ maxLength: 500 })),
  },
  { additionalProperties: false },
);
const InterestCriterion = Type.Object(
  {
    type: Type.Literal("interest"),
    op: literalUnion(["has", "hasNot"]),
    interest: Type.String({ minLength: 1, maxLength: 200 }),
  },
  { additionalProperties: false },
);
const ConsentCriterion = Type.Object(
  {
    type: Type.Literal("consent"),
    purpose: Type.String({ minLength: 1, maxLength: 40 }),
    state: literalUnion(["active", "withdrawn", "missing"]),
  },
  { additionalProperties: false },
);
const SubscriptionCriterion = Type.Object(
  {
    type: Type.Literal("subscription"),
    typeId: Type.Integer({ minimum: 1 }),
    status: literalUnion(["subscribed", "unsubscribed", "never"]),
  },
  { additionalProperties: false },
);
/** What a person did with a mailing (SPEC §1: "clicked link X in mailing Y"); bounced and unsubscribed also "ever". */
export const MAILING_EVENTS = ["received", "opened", "clicked", "bounced", "unsubscribed"] as const;
export type MailingEvent = (typeof MAILING_EVENTS)[number];
const EVENTS_WITHOUT_MAILING: MailingEvent[] = ["bounced", "unsubscribed"];
const MailingCriterion = Type.Object(
  {
    type: Type.Literal("mailing"),
    op: literalUnion(["did", "didNot"]),
    event: literalUnion(MAILING_EVENTS),
    // Within PostgreSQL's integer, so a huge id is a validation error, not a database one.
    mailingId: Type.Optional(Type.Integer({ minimum: 1, maximum: 2147483647 })),
    linkId: Type.Optional(Type.Integer({ minimum: 1, maximum: 2147483647 })),
  },
  { additionalProperties: false },
);
/** What a person did with a form (SPEC §9): submitted it at all, confirmed it (double opt-in), or had it processed. */
export const FORM_STATUSES = ["submitted", "confirmed", "processed"] as const;
export type FormCriterionStatus = (typeof FORM_STATUSES)[number];
const DAY = "^\\d{4}-\\d{2}-\\d{2}$";
const FormCriterion = Type.Object(
  {
    type: Type.Literal("form"),
    /** Left out: any form. */
    formId: Type.Optional(Type.Integer({ minimum: 1, maximum: 2147483647 })),
    status: literalUnion(FORM_STATUSES),
    /** A period of submission days (UTC, both ends included), or the last N days (N × 24 hours back from now). */
    from: Type.Optional(Type.String({ pattern: DAY })),
    to: Type.Optional(Type.String({ pattern: DAY })),
    lastDays: Type.Optional(Type.Integer({ minimum: 1, maximum: 3650 })),
  },
  { additionalProperties: false },
);
const LeafCriterion = Type.Union([
  FieldCriterion,
  CustomFieldCriterion,
  InterestCriterion,
  ConsentCriterion,
  SubscriptionCriterion,
  MailingCriterion,
  FormCriterion,
]);

// Groups nest one level deep in the schema (all/any of leaves); enough for "A and (B or C)" without recursive schemas.
const GroupCriterion = Type.Object(
  {
    type: Type.Literal("group"),
    match: literalUnion(["all", "any"]),
    criteria: Type.Array(LeafCriterion, { maxItems: 50 }),
  },
  { additionalProperties: false },
);

export const CriteriaSchema = Type.Object(
  {
    match: literalUnion(["all", "any"]),
    criteria: Type.Array(Type.Union([LeafCriterion, GroupCriterion]), { maxItems: 50 }),
  },
  { additionalProperties: false },
);

export type Criteria = {
  match: "all" | "any";
  criteria: Criterion[];
};
export type LeafCriterion =
  | { type: "field"; field: CriterionField; op: TextOp; value?: string }
  | { type: "customField"; key: string; op: TextOp; value?: string }
  | { type: "interest"; op: "has" | "hasNot"; interest: string }
  | { type: "consent"; purpose: string; state: "active" | "withdrawn" | "missing" }
  | { type: "subscription"; typeId: number; status: "subscribed" | "unsubscribed" | "never" }
  | { type: "mailing"; op: "did" | "didNot"; event: MailingEvent; mailingId?: number; linkId?: number }
  | {
      type: "form";
      formId?: number;
      status: FormCriterionStatus;
      from?: string;
      to?: string;
      lastDays?: number;
    };
export type Criterion = LeafCriterion | { type: "group"; match: "all" | "any"; criteria: LeafCriterion[] };

// Compile-time check that the hand-written types and the schema agree.
type _SchemaMatches = Static<typeof CriteriaSchema> extends Criteria ? true : never;
const _schemaMatches: _SchemaMatches = true;
void _schemaMatches;
export type CriteriaSchemaType = TSchema;

/** A real calendar day written YYYY-MM-DD (2026-02-30 is not one). */
function isDay(value: string): boolean {
  if (!/^\d{4}-\d{2}-\d{2}$/.test(value)) return false;
  const date = new Date(`${value}T00:00:00Z`);
  return !Number.isNaN(date.getTime()) && date.toISOString().slice(0, 10) === value;
}

/** Checks what the schema cannot: a value where the operator needs one, dates and booleans that parse, a mailing
 * where the event needs one, a form period that is one. */
export function checkCriteria(criteria: Criteria, problems: FieldProblem[], path = "criteria"): void {
  criteria.criteria.forEach((criterion, index) => {
    const at = `${path}.criteria[${index}]`;
    if (criterion.type === "group") {
      checkCriteria({ match: criterion.match, criteria: criterion.criteria }, problems, at);
      return;
    }
    if (criterion.type === "mailing") {
      if (criterion.mailingId === undefined && !EVENTS_WITHOUT_MAILING.includes(criterion.event))
        problems.push({
          field: `${at}.mailingId`,
          message: `"${criterion.event}" needs a mailing`,
          kind: "required",
        });
      if (criterion.linkId !== undefined && criterion.event !== "clicked")
        problems.push({
          field: `${at}.linkId`,
          message: "a link goes only with clicked",
          kind: "requires",
          params: { values: "event = clicked" },
        });
      return;
    }
    if (criterion.type === "form") {
      for (const end of ["from", "to"] as const) {
        const day = criterion[end];
        if (day !== undefined && !isDay(day))
          problems.push({
            field: `${at}.${end}`,
            message: `"${day}" is not a date (YYYY-MM-DD)`,
            kind: "not-a-date",
          });
      }
      if (
        criterion.from &&
        criterion.to &&
        isDay(criterion.from) &&
        isDay(criterion.to) &&
        criterion.from > criterion.to
      )
        problems.push({
          field: `${at}.to`,
          message: "the period ends before it starts",
          kind: "period-reversed",
        });
      if (criterion.lastDays !== undefined && (criterion.from !== undefined || criterion.to !== undefined))
        problems.push({
          field: `${at}.lastDays`,
          message: "give either from/to dates or the last N days, not both",
          kind: "conflicts-with",
          params: { values: "from, to" },
        });
      return;
    }
    if (criterion.type === "field" || criterion.type === "customField") {
      const needsValue = !OPS_WITHOUT_VALUE.includes(criterion.op);
      if (needsValue && (criterion.value === undefined || criterion.value === ""))
        problems.push({
          field: `${at}.value`,
          message: `operator "${criterion.op}" needs a value`,
          kind: "needs-value",
          params: { name: criterion.op },
        });
      if (criterion.type === "field") {
        const kind = PERSON_FIELDS[criterion.field];
        if (kind === "boolean" && criterion.op !== "eq" && criterion.op !== "neq")
          problems.push({
            field: `${at}.op`,
            message: `${criterion.field} takes only eq or neq`,
            kind: "enum",
            params: { values: "eq, neq" },
          });
        if (kind === "boolean" && needsValue && criterion.value !== "true" && criterion.value !== "false")
          problems.push({ field: `${at}.value`, message: "must be true or false", kind: "not-a-boolean" });
        if (kind === "date" && needsValue && criterion.value && Number.isNaN(Date.parse(criterion.value)))
          problems.push({
            field: `${at}.value`,
            message: `"${criterion.value}" is not a date`,
            kind: "not-a-date",
          });
      }
    }
  });
}
