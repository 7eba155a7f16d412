// Pure rules of the criteria editor: which operators fit which field, blank criteria to start from,
// and whether a draft is complete enough to preview or save.
import type {
  Criteria,
  CriteriaField,
  Criterion,
  CustomFieldType,
  FormCriterion,
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
  "form",
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
    case "form":
      return { type: "form", status: "submitted" };
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
    case "form":
      return isFormPeriodValid(criterion);
  }
}

/** How a form criterion's period is given: not at all, the last N days, or between dates. */
export type FormPeriodKind = "ever" | "lastDays" | "between";

export function formPeriodKind(criterion: FormCriterion): FormPeriodKind {
  if (criterion.lastDays !== undefined) return "lastDays";
  if (criterion.from !== undefined || criterion.to !== undefined) return "between";
  return "ever";
}

/** Switches the period's kind, dropping what the other kind had (the server refuses both at once). */
export function withFormPeriod(criterion: FormCriterion, kind: FormPeriodKind): FormCriterion {
  const { from: _from, to: _to, lastDays: _days, ...rest } = criterion;
  if (kind === "lastDays") return { ...rest, lastDays: 30 };
  if (kind === "between") return { ...rest, from: "" };
  return rest;
}

/** A period the server takes: N at least 1; dates that are dates (one end may be open), from not after to. */
export function isFormPeriodValid(criterion: FormCriterion): boolean {
  const day = /^\d{4}-\d{2}-\d{2}$/;
  if (criterion.lastDays !== undefined)
    return Number.isInteger(criterion.lastDays) && criterion.lastDays >= 1;
  const from = criterion.from || undefined;
  const to = criterion.to || undefined;
  if (criterion.from !== undefined || criterion.to !== undefined) {
    if (!from && !to) return false;
    if ((from && !day.test(from)) || (to && !day.test(to))) return false;
    if (from && to && from > to) return false;
  }
  return true;
}

export function isComplete(criteria: Criteria): boolean {
  return criteria.criteria.every((c: Criterion) =>
    c.type === "group" ? c.criteria.length > 0 && c.criteria.every(isLeafComplete) : isLeafComplete(c),
  );
}

/** The criteria as sent to the API: values dropped where the operator takes none. */
export function cleanCriteria(criteria: Criteria): Criteria {
  const cleanLeaf = (c: LeafCriterion): LeafCriterion => {
    if (c.type === "form") {
      // An empty date input is an open end of the period.
      const { from, to, ...rest } = c;
      return { ...rest, ...(from ? { from } : {}), ...(to ? { to } : {}) };
    }
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
