// Pure rules of the criteria editor: which operators fit which field, blank criteria to start from,
// and whether a draft is complete enough to preview or save.
import type {
  Criteria,
  CriteriaField,
  Criterion,
  CustomFieldType,
  LeafCriterion,
  MailingCriterion,
  MailingEvent,
  TextOp,
} from "../../api/types.ts";

export type FieldKind = "text" | "boolean" | "date" | "number";
export type LeafType = LeafCriterion["type"];

export const LEAF_TYPES: LeafType[] = [
  "field",
  "customField",
  "interest",
  "consent",
  "subscription",
  "mailing",
];

export const MAILING_EVENTS: MailingEvent[] = ["received", "opened", "clicked", "bounced", "unsubscribed"];

/** Bounced and unsubscribed may leave the mailing out ("ever"); the others are about one mailing. */
export function eventNeedsMailing(event: MailingEvent): boolean {
  return event !== "bounced" && event !== "unsubscribed";
}

/** Keeps a mailing criterion valid when its event changes: a link goes only with clicked. */
export function withEvent(criterion: MailingCriterion, event: MailingEvent): MailingCriterion {
  const { linkId, ...rest } = criterion;
  return event === "clicked" && linkId !== undefined ? { ...rest, event, linkId } : { ...rest, event };
}

/** Used until (or if never) /api/selections/criteria-fields answers. */
export const DEFAULT_FIELDS: CriteriaField[] = [
  { field: "person.firstName", kind: "text" },
  { field: "person.lastName", kind: "text" },
  { field: "person.title", kind: "text" },
  { field: "person.language", kind: "text" },
  { field: "person.email", kind: "text" },
  { field: "person.mobile", kind: "text" },
  { field: "person.phone", kind: "text" },
  { field: "person.formerEmployee", kind: "boolean" },
  { field: "person.createdAt", kind: "date" },
  { field: "company.name", kind: "text" },
  { field: "company.city", kind: "text" },
  { field: "company.postcode", kind: "text" },
  { field: "company.country", kind: "text" },
  { field: "company.domain", kind: "text" },
  { field: "company.orgNumber", kind: "text" },
];

const OPS: Record<FieldKind, TextOp[]> = {
  text: ["eq", "neq", "contains", "notContains", "startsWith", "isEmpty", "isNotEmpty"],
  number: ["eq", "neq", "gt", "lt", "isEmpty", "isNotEmpty"],
  date: ["gt", "lt", "eq", "isEmpty", "isNotEmpty"],
  boolean: ["eq", "neq"],
};

export function opsFor(kind: FieldKind): TextOp[] {
  return OPS[kind];
}

export function needsValue(op: TextOp): boolean {
  return op !== "isEmpty" && op !== "isNotEmpty";
}

export function customFieldKind(type: CustomFieldType | undefined): FieldKind {
  return type ?? "text";
}

export function blankCriterion(
  type: LeafType,
  defaults: { purpose?: string; typeId?: number } = {},
): LeafCriterion {
  switch (type) {
    case "field":
      return { type: "field", field: "person.lastName", op: "startsWith", value: "" };
    case "customField":
      return { type: "customField", key: "", op: "eq", value: "" };
    case "interest":
      return { type: "interest", op: "has", interest: "" };
    case "consent":
      return { type: "consent", purpose: defaults.purpose ?? "e-marketing", state: "active" };
    case "subscription":
      return { type: "subscription", typeId: defaults.typeId ?? 0, status: "subscribed" };
    case "mailing":
      return { type: "mailing", op: "did", event: "opened" };
  }
}

/** Keeps op and value sensible when the field (and so its kind) changes. */
export function withField(
  criterion: { op: TextOp; value?: string },
  kind: FieldKind,
): { op: TextOp; value?: string } {
  const ops = opsFor(kind);
  const op = ops.includes(criterion.op) ? criterion.op : ops[0]!;
  if (kind === "boolean") return { op, value: criterion.value === "false" ? "false" : "true" };
  return { op, value: needsValue(op) ? (criterion.value ?? "") : undefined };
}

export function isLeafComplete(criterion: LeafCriterion): boolean {
  switch (criterion.type) {
    case "field":
      return !needsValue(criterion.op) || (criterion.value ?? "").trim() !== "";
    case "customField":
      return criterion.key !== "" && (!needsValue(criterion.op) || (criterion.value ?? "").trim() !== "");
    case "interest":
      return criterion.interest.trim() !== "";
    case "consent":
      return criterion.purpose !== "";
    case "subscription":
      return criterion.typeId > 0;
    case "mailing":
      return !eventNeedsMailing(criterion.event) || (criterion.mailingId ?? 0) > 0;
  }
}

export function isComplete(criteria: Criteria): boolean {
  return criteria.criteria.every((c: Criterion) =>
    c.type === "group" ? c.criteria.length > 0 && c.criteria.every(isLeafComplete) : isLeafComplete(c),
  );
}

/** The criteria as sent to the API: values dropped where the operator takes none. */
export function cleanCriteria(criteria: Criteria): Criteria {
  const cleanLeaf = (c: LeafCriterion): LeafCriterion => {
    if ((c.type === "field" || c.type === "customField") && !needsValue(c.op)) {
      const { value: _drop, ...rest } = c;
      return rest;
    }
    return c;
  };
  return {
    match: criteria.match,
    criteria: criteria.criteria.map((c) =>
      c.type === "group" ? { ...c, criteria: c.criteria.map(cleanLeaf) } : cleanLeaf(c),
    ),
  };
}

export const EMPTY_CRITERIA: Criteria = { match: "all", criteria: [] };
