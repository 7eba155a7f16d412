// Compiles selections to SQL: every kind becomes a subquery of person ids, evaluated by the database, never in JS.
import { type Expression, type ExpressionBuilder, type SqlBool, sql } from "kysely";
import type { Db } from "../db/connect.ts";
import { escapeLike } from "../persons/person-rules.ts";
import { AppError, type FieldProblem, notFound, type ReferenceWhat } from "../shared/errors.ts";
import type { Criteria, Criterion, LeafCriterion, TextOp } from "./criteria.ts";

type MailingLeaf = Extract<LeafCriterion, { type: "mailing" }>;
type FormLeaf = Extract<LeafCriterion, { type: "form" }>;

const DAY_MS = 24 * 60 * 60 * 1000;

/**
 * Submitted (any status, any form or one), confirmed (double opt-in: confirmed_at is set) or processed, within a
 * period. Correlated on the person: `form_submissions_by_person` (person_id, form_id, submitted_at) answers it.
 * Times are UTC ISO strings, so the period compares as text: `from` at 00:00 of its day, `to` up to the next day's
 * 00:00 (excluded), the last N days from now − N × 24 h.
 */
function formCondition(c: FormLeaf, now: Date): Expression<SqlBool> {
  const form = c.formId === undefined ? sql`` : sql`and fs.form_id = ${c.formId}`;
  const status =
    c.status === "confirmed"
      ? sql`and fs.confirmed_at is not null`
      : c.status === "processed"
        ? sql`and fs.status = 'processed'`
        : sql``;
  const since =
    c.lastDays !== undefined
      ? new Date(now.getTime() - c.lastDays * DAY_MS).toISOString()
      : c.from !== undefined
        ? `${c.from}T00:00:00.000Z`
        : undefined;
  const before =
    c.to !== undefined ? new Date(Date.parse(`${c.to}T00:00:00.000Z`) + DAY_MS).toISOString() : undefined;
  const from = since === undefined ? sql`` : sql`and fs.submitted_at >= ${since}`;
  const to = before === undefined ? sql`` : sql`and fs.submitted_at < ${before}`;
  return sql<SqlBool>`exists (select 1 from form_submissions fs where fs.person_id = p.id ${form} ${status} ${from} ${to})`;
}

// biome-ignore lint/suspicious/noExplicitAny: the scope joins aliased tables (p, c, e) that Kysely types only per query.
type Scope = ExpressionBuilder<any, any>;
type Column = Expression<unknown>;

const FIELD_COLUMNS: Record<string, string> = {
  "person.firstName": "p.first_name",
  "person.lastName": "p.last_name",
  "person.title": "p.title",
  "person.language": "p.language",
  "person.email": "e.address_lower",
  "person.mobile": "p.mobile",
  "person.phone": "p.phone",
  "person.formerEmployee": "p.former_employee",
  "person.createdAt": "p.created_at",
  "company.name": "c.name",
  "company.city": "c.city",
  "company.postcode": "c.postcode",
  "company.country": "c.country",
  "company.domain": "c.domain",
  "company.orgNumber": "c.org_number",
};

type Lookups = {
  now: Date;
  customFields: Map<string, { id: number; type: string }>;
  purposes: Map<string, number>;
};

function textCondition(eb: Scope, column: Column, op: TextOp, value: string | undefined, numeric: boolean) {
  const lowered = sql`lower(${column})`;
  const v = (value ?? "").toLowerCase();
  const like = (pattern: string) => sql<SqlBool>`${lowered} like ${pattern} escape '\\'`;
  switch (op) {
    case "eq":
      return numeric
        ? sql<SqlBool>`cast(${column} as numeric) = cast(${value} as numeric)`
        : sql<SqlBool>`${lowered} = ${v}`;
    case "neq":
      return eb.or([
        sql<SqlBool>`${column} is null`,
        numeric
          ? sql<SqlBool>`cast(${column} as numeric) <> cast(${value} as numeric)`
          : sql<SqlBool>`${lowered} <> ${v}`,
      ]);
    case "contains":
      return like(`%${escapeLike(v)}%`);
    case "notContains":
      return eb.or([sql<SqlBool>`${column} is null`, sql<SqlBool>`not (${like(`%${escapeLike(v)}%`)})`]);
    case "startsWith":
      return like(`${escapeLike(v)}%`);
    case "isEmpty":
      return eb.or([sql<SqlBool>`${column} is null`, sql<SqlBool>`${column} = ''`]);
    case "isNotEmpty":
      return eb.and([sql<SqlBool>`${column} is not null`, sql<SqlBool>`${column} <> ''`]);
    case "gt":
      return numeric
        ? sql<SqlBool>`cast(${column} as numeric) > cast(${value} as numeric)`
        : sql<SqlBool>`${column} > ${value}`;
    case "lt":
      return numeric
        ? sql<SqlBool>`cast(${column} as numeric) < cast(${value} as numeric)`
        : sql<SqlBool>`${column} < ${value}`;
  }
}

/**
 * The persons who did it, as an uncorrelated list: the database builds it once through the mailing's indexes instead
 * of probing per person. Null person ids (recipients without a CRM record) are left out so `not in` stays true.
 */
function mailingBehaviourIds(c: MailingLeaf) {
  const inMailing = (column: string) =>
    c.mailingId === undefined ? sql`` : sql`and ${sql.ref(column)} = ${c.mailingId}`;
  switch (c.event) {
    case "received":
      // Accepted by the receiving server and not bounced; a complaint means it arrived.
      return sql`select d.person_id from deliveries d where d.mailing_id = ${c.mailingId!}
        and d.status in ('sent', 'complained') and d.person_id is not null`;
    case "opened":
      return sql`select d.person_id from deliveries d where d.mailing_id = ${c.mailingId!}
        and d.first_opened_at is not null and d.person_id is not null`;
    case "clicked": {
      // Clicks flagged as link scanners' are not the person's.
      const links =
        c.linkId !== undefined
          ? sql`lc.link_id = ${c.linkId}`
          : sql`lc.link_id in (select tl.id from tracked_links tl where tl.mailing_id = ${c.mailingId!})`;
      return sql`select d.person_id from link_clickers lc join deliveries d on d.id = lc.delivery_id
        where ${links} and lc.flagged = 0 and d.person_id is not null`;
    }
    case "bounced":
      return sql`select d.person_id from deliveries d where d.status = 'bounced' ${inMailing("d.mailing_id")}
        and d.person_id is not null`;
    case "unsubscribed":
      return sql`select ev.person_id from events ev where ev.kind = 'unsubscribed' and ev.is_test = 0
        ${inMailing("ev.mailing_id")} and ev.person_id is not null`;
  }
}

function leafCondition(eb: Scope, criterion: LeafCriterion, lookups: Lookups): Expression<SqlBool> {
  switch (criterion.type) {
    case "field": {
      const column = sql.ref(FIELD_COLUMNS[criterion.field]!);
      if (criterion.field === "person.formerEmployee") {
        const wanted = (criterion.value === "true") === (criterion.op === "eq") ? 1 : 0;
        return sql<SqlBool>`${column} = ${wanted}`;
      }
      return textCondition(eb, column, criterion.op, criterion.value, false);
    }
    case "customField": {
      const field = lookups.customFields.get(criterion.key)!;
      const value = sql`(select v.value from person_custom_values v where v.person_id = p.id and v.field_id = ${field.id})`;
      return textCondition(eb, value, criterion.op, criterion.value, field.type === "number");
    }
    case "interest": {
      const has = sql<SqlBool>`exists (select 1 from person_interests pi join interests i on i.id = pi.interest_id
        where pi.person_id = p.id and i.name_lower = ${criterion.interest.toLowerCase()})`;
      return criterion.op === "has" ? has : sql<SqlBool>`not ${has}`;
    }
    case "consent": {
      const purposeId = lookups.purposes.get(criterion.purpose)!;
      const any = (extra: ReturnType<typeof sql>) =>
        sql<SqlBool>`exists (select 1 from person_consents pc where pc.person_id = p.id and pc.purpose_id = ${purposeId} ${extra})`;
      if (criterion.state === "active") return any(sql`and pc.legal_basis <> 'withdrawn'`);
      if (criterion.state === "withdrawn") return any(sql`and pc.legal_basis = 'withdrawn'`);
      return sql<SqlBool>`not ${any(sql``)}`;
    }
    case "subscription": {
      if (criterion.status === "never")
        return sql<SqlBool>`not exists (select 1 from person_subscriptions ps where ps.person_id = p.id
          and ps.type_id = ${criterion.typeId} and ps.status <> 'never')`;
      return sql<SqlBool>`exists (select 1 from person_subscriptions ps where ps.person_id = p.id
        and ps.type_id = ${criterion.typeId} and ps.status = ${criterion.status})`;
    }
    case "mailing": {
      const ids = mailingBehaviourIds(criterion);
      return criterion.op === "did" ? sql<SqlBool>`p.id in (${ids})` : sql<SqlBool>`p.id not in (${ids})`;
    }
    case "form":
      return formCondition(criterion, lookups.now);
  }
}

function criteriaCondition(
  eb: Scope,
  match: "all" | "any",
  criteria: Criterion[],
  lookups: Lookups,
): Expression<SqlBool> {
  const parts: Expression<SqlBool>[] = criteria.map((c) =>
    c.type === "group" ? criteriaCondition(eb, c.match, c.criteria, lookups) : leafCondition(eb, c, lookups),
  );
  if (parts.length === 0) return sql<SqlBool>`1 = 1`;
  return match === "all" ? eb.and(parts) : eb.or(parts);
}

function leaves(criteria: Criterion[]): LeafCriterion[] {
  return criteria.flatMap((c) => (c.type === "group" ? c.criteria : [c]));
}

/** Loads what the criteria name and reports any that does not exist, with the path to it. */
export async function resolveLookups(db: Db, criteria: Criteria): Promise<Lookups> {
  const all = leaves(criteria.criteria);
  const keys = [...new Set(all.flatMap((c) => (c.type === "customField" ? [c.key] : [])))];
  const purposes = [...new Set(all.flatMap((c) => (c.type === "consent" ? [c.purpose] : [])))];
  const typeIds = [...new Set(all.flatMap((c) => (c.type === "subscription" ? [c.typeId] : [])))];
  const mailingLeaves = all.filter((c): c is MailingLeaf => c.type === "mailing");
  const mailingIds = [...new Set(mailingLeaves.flatMap((c) => (c.mailingId ? [c.mailingId] : [])))];
  const linkIds = [...new Set(mailingLeaves.flatMap((c) => (c.linkId ? [c.linkId] : [])))];
  const formIds = [...new Set(all.flatMap((c) => (c.type === "form" && c.formId ? [c.formId] : [])))];
  const [fieldRows, purposeRows, typeRows, mailingRows, linkRows, formRows] = await Promise.all([
    keys.length
      ? db.selectFrom("custom_fields").select(["id", "key", "type"]).where("key", "in", keys).execute()
      : [],
    purposes.length
      ? db.selectFrom("consent_purposes").select(["id", "key"]).where("key", "in", purposes).execute()
      : [],
    typeIds.length
      ? db.selectFrom("subscription_types").select("id").where("id", "in", typeIds).execute()
      : [],
    mailingIds.length ? db.selectFrom("mailings").select("id").where("id", "in", mailingIds).execute() : [],
    linkIds.length
      ? db.selectFrom("tracked_links").select(["id", "mailing_id"]).where("id", "in", linkIds).execute()
      : [],
    formIds.length ? db.selectFrom("forms").select("id").where("id", "in", formIds).execute() : [],
  ]);
  const lookups: Lookups = {
    now: new Date(),
    customFields: new Map(fieldRows.map((r) => [r.key, { id: r.id, type: r.type }])),
    purposes: new Map(purposeRows.map((r) => [r.key, r.id])),
  };
  const known = new Set(typeRows.map((r) => r.id));
  const knownMailings = new Set(mailingRows.map((r) => r.id));
  const knownForms = new Set(formRows.map((r) => r.id));
  const linkMailing = new Map(linkRows.map((r) => [r.id, r.mailing_id]));
  const missing: FieldProblem[] = [];
  const unknown = (field: string, message: string, what: ReferenceWhat, id: string | number) =>
    missing.push({ field, message, kind: "unknown-reference", params: { what, id } });
  const walk = (list: Criterion[], path: string) =>
    list.forEach((c, i) => {
      const at = `${path}.criteria[${i}]`;
      if (c.type === "group") walk(c.criteria, at);
      else if (c.type === "customField" && !lookups.customFields.has(c.key))
        unknown(`${at}.key`, `no custom field "${c.key}"`, "customField", c.key);
      else if (c.type === "consent" && !lookups.purposes.has(c.purpose))
        unknown(`${at}.purpose`, `no consent purpose "${c.purpose}"`, "consentPurpose", c.purpose);
      else if (c.type === "subscription" && !known.has(c.typeId))
        unknown(`${at}.typeId`, `no subscription type ${c.typeId}`, "subscriptionType", c.typeId);
      else if (c.type === "mailing" && c.mailingId !== undefined && !knownMailings.has(c.mailingId))
        unknown(`${at}.mailingId`, `no mailing ${c.mailingId}`, "mailing", c.mailingId);
      else if (c.type === "mailing" && c.linkId !== undefined && linkMailing.get(c.linkId) !== c.mailingId)
        unknown(`${at}.linkId`, `no link ${c.linkId} in mailing ${c.mailingId}`, "link", c.linkId);
      else if (c.type === "form" && c.formId !== undefined && !knownForms.has(c.formId))
        unknown(`${at}.formId`, `no form ${c.formId}`, "form", c.formId);
    });
  walk(criteria.criteria, "criteria");
  if (missing.length > 0)
    throw new AppError("REFERENCE_NOT_FOUND", missing.map((m) => `${m.field}: ${m.message}`).join("; "), {
      field: missing[0]!.field,
      fields: missing,
    });
  return lookups;
}

/** Persons matching dynamic criteria, as a subquery of ids. */
export async function criteriaPersonIds(db: Db, criteria: Criteria): Promise<Expression<number>> {
  const lookups = await resolveLookups(db, criteria);
  return db
    .selectFrom("persons as p")
    .leftJoin("companies as c", "c.id", "p.company_id")
    .leftJoin("person_emails as e", (join) =>
      join.onRef("e.person_id", "=", "p.id").on("e.is_primary", "=", 1),
    )
    .select("p.id")
    .where((eb) =>
      criteriaCondition(eb as Scope, criteria.match, criteria.criteria, lookups),
    ) as unknown as Expression<number>;
}

const MAX_DEPTH = 20;

/** The members of any selection as a subquery of person ids; combined selections recurse with cycle detection. */
export async function selectionPersonIds(
  db: Db,
  selectionId: number,
  path: number[] = [],
): Promise<Expression<number>> {
  if (path.includes(selectionId) || path.length > MAX_DEPTH)
    throw new AppError(
      "SELECTION_CYCLE",
      `selection ${selectionId} includes itself through ${path.join(" → ")}`,
      {
        path: [...path, selectionId],
      },
    );
  const selection = await db
    .selectFrom("selections")
    .selectAll()
    .where("id", "=", selectionId)
    .executeTakeFirst();
  if (!selection) throw notFound("selection", selectionId);
  switch (selection.kind) {
    case "static":
      return db
        .selectFrom("selection_members")
        .select("person_id")
        .where("selection_id", "=", selectionId) as unknown as Expression<number>;
    case "dynamic":
      return criteriaPersonIds(
        db,
        JSON.parse(selection.criteria ?? '{"match":"all","criteria":[]}') as Criteria,
      );
    case "combined": {
      const next = [...path, selectionId];
      const left = await selectionPersonIds(db, selection.left_id!, next);
      const right = await selectionPersonIds(db, selection.right_id!, next);
      const base = db.selectFrom("persons as p").select("p.id");
      const query =
        selection.combine_op === "union"
          ? base.where((eb) => eb.or([eb("p.id", "in", left), eb("p.id", "in", right)]))
          : selection.combine_op === "intersection"
            ? base.where("p.id", "in", left).where("p.id", "in", right)
            : base.where("p.id", "in", left).where("p.id", "not in", right);
      return query as unknown as Expression<number>;
    }
  }
}
