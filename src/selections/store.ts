// Selections: static (explicit members), dynamic (criteria) and combined (two selections and an operation).

import type { Db } from "../db/connect.ts";
import { listPersons, type Page, type PersonFilter, type PersonSummary } from "../persons/persons.ts";
import { isoNow } from "../shared/clock.ts";
import {
  AppError,
  conflict,
  type FieldProblem,
  invalid,
  missingReference,
  notFound,
} from "../shared/errors.ts";
import { criteriaPersonIds, resolveLookups, selectionPersonIds } from "./compile.ts";
import { type Criteria, checkCriteria } from "./criteria.ts";

export type SelectionKind = "static" | "dynamic" | "combined";
export type CombineOp = "union" | "intersection" | "difference";

export type SelectionInput = {
  name?: string;
  description?: string | null;
  kind?: SelectionKind;
  criteria?: Criteria;
  combine?: { op: CombineOp; leftId: number; rightId: number };
};

export type Selection = {
  id: number;
  name: string;
  description: string | null;
  kind: SelectionKind;
  criteria: Criteria | null;
  combine: { op: CombineOp; leftId: number; rightId: number } | null;
  createdAt: string;
  updatedAt: string;
};

type SelectionRow = {
  id: number;
  name: string;
  description: string | null;
  kind: SelectionKind;
  criteria: string | null;
  combine_op: CombineOp | null;
  left_id: number | null;
  right_id: number | null;
  created_at: string;
  updated_at: string;
};

function toSelection(row: SelectionRow): Selection {
  return {
    id: row.id,
    name: row.name,
    description: row.description,
    kind: row.kind,
    criteria: row.criteria ? (JSON.parse(row.criteria) as Criteria) : null,
    combine:
      row.kind === "combined" ? { op: row.combine_op!, leftId: row.left_id!, rightId: row.right_id! } : null,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
  };
}

async function checkDefinition(db: Db, kind: SelectionKind, input: SelectionInput, selfId?: number) {
  const problems: FieldProblem[] = [];
  if (kind === "dynamic") {
    if (!input.criteria)
      problems.push({ field: "criteria", message: "a dynamic selection needs criteria", kind: "required" });
    else checkCriteria(input.criteria, problems);
  }
  if (kind === "combined" && !input.combine)
    problems.push({
      field: "combine",
      message: "a combined selection needs combine {op, leftId, rightId}",
      kind: "required",
    });
  if (kind !== "dynamic" && input.criteria)
    problems.push({ field: "criteria", message: `a ${kind} selection has no criteria`, kind: "not-allowed" });
  if (kind !== "combined" && input.combine)
    problems.push({ field: "combine", message: `a ${kind} selection combines nothing`, kind: "not-allowed" });
  if (problems.length > 0) throw invalid(problems);
  if (kind === "dynamic" && input.criteria) await resolveLookups(db, input.criteria);
  if (kind === "combined" && input.combine) {
    for (const side of ["leftId", "rightId"] as const) {
      const id = input.combine[side];
      const found = await db.selectFrom("selections").select("id").where("id", "=", id).executeTakeFirst();
      if (!found) throw missingReference(`combine.${side}`, "selection", id);
      if (selfId !== undefined) await selectionPersonIds(db, id, [selfId]);
    }
  }
}

export async function createSelection(db: Db, input: SelectionInput): Promise<Selection> {
  const problems: FieldProblem[] = [];
  const name = input.name?.trim() ?? "";
  if (!name) problems.push({ field: "name", message: "is required", kind: "required" });
  if (!input.kind)
    problems.push({ field: "kind", message: "is required (static, dynamic or combined)", kind: "required" });
  if (problems.length > 0) throw invalid(problems);
  const kind = input.kind!;
  await checkDefinition(db, kind, input);
  const now = isoNow();
  const row = await db
    .insertInto("selections")
    .values({
      name,
      description: input.description ?? null,
      kind,
      criteria: input.criteria ? JSON.stringify(input.criteria) : null,
      combine_op: input.combine?.op ?? null,
      left_id: input.combine?.leftId ?? null,
      right_id: input.combine?.rightId ?? null,
      created_at: now,
      updated_at: now,
    })
    .returning("id")
    .executeTakeFirstOrThrow();
  return getSelection(db, row.id);
}

export async function updateSelection(db: Db, id: number, input: SelectionInput): Promise<Selection> {
  const existing = await getSelection(db, id);
  if (input.kind && input.kind !== existing.kind)
    throw invalid([
      {
        field: "kind",
        message: "the kind of a selection cannot change; create a new one",
        kind: "cannot-change",
      },
    ]);
  if (input.name !== undefined && !input.name.trim())
    throw invalid([{ field: "name", message: "must not be empty", kind: "empty" }]);
  if (input.criteria || input.combine) await checkDefinition(db, existing.kind, input, id);
  await db
    .updateTable("selections")
    .set({
      ...(input.name !== undefined ? { name: input.name.trim() } : {}),
      ...(input.description !== undefined ? { description: input.description } : {}),
      ...(input.criteria ? { criteria: JSON.stringify(input.criteria) } : {}),
      ...(input.combine
        ? { combine_op: input.combine.op, left_id: input.combine.leftId, right_id: input.combine.rightId }
        : {}),
      updated_at: isoNow(),
    })
    .where("id", "=", id)
    .execute();
  return getSelection(db, id);
}

export async function deleteSelection(db: Db, id: number): Promise<void> {
  await getSelection(db, id);
  const user = await db
    .selectFrom("selections")
    .select(["id", "name"])
    .where((eb) => eb.or([eb("left_id", "=", id), eb("right_id", "=", id)]))
    .executeTakeFirst();
  if (user) throw conflict("id", `combined selection ${user.id} "${user.name}" uses this selection`);
  await db.deleteFrom("selections").where("id", "=", id).execute();
}

export async function getSelection(db: Db, id: number): Promise<Selection> {
  const row = await db.selectFrom("selections").selectAll().where("id", "=", id).executeTakeFirst();
  if (!row) throw notFound("selection", id);
  return toSelection(row);
}

export async function listSelections(
  db: Db,
  filter: { q?: string | undefined; kind?: SelectionKind | undefined },
  page: { limit: number; offset: number },
): Promise<Page<Selection>> {
  let base = db.selectFrom("selections");
  if (filter.q)
    base = base.where((eb) => eb(eb.fn("lower", ["name"]), "like", `%${filter.q!.toLowerCase()}%`));
  if (filter.kind) base = base.where("kind", "=", filter.kind);
  const [count, rows] = await Promise.all([
    base.select((eb) => eb.fn.countAll<number>().as("n")).executeTakeFirstOrThrow(),
    base.selectAll().orderBy("name").orderBy("id").limit(page.limit).offset(page.offset).execute(),
  ]);
  return { items: rows.map(toSelection), total: Number(count.n), limit: page.limit, offset: page.offset };
}

export async function selectionMembers(
  db: Db,
  id: number,
  filter: PersonFilter,
  page: { limit: number; offset: number },
): Promise<Page<PersonSummary>> {
  const ids = await selectionPersonIds(db, id);
  return listPersons(db, filter, page, ids);
}

/** Members of a dynamic selection under draft criteria, without saving: the editor's live preview. */
export async function previewCriteria(db: Db, criteria: Criteria, page: { limit: number; offset: number }) {
  const problems: FieldProblem[] = [];
  checkCriteria(criteria, problems);
  if (problems.length > 0) throw invalid(problems);
  return listPersons(db, {}, page, await criteriaPersonIds(db, criteria));
}

async function requireStatic(db: Db, id: number): Promise<void> {
  const selection = await getSelection(db, id);
  if (selection.kind !== "static")
    throw new AppError(
      "SELECTION_KIND_MISMATCH",
      `selection ${id} is ${selection.kind}; only static selections have explicit members`,
      {
        kind: selection.kind,
      },
    );
}

async function checkIds(db: Db, table: "persons" | "companies", field: string, ids: number[]): Promise<void> {
  if (ids.length === 0) return;
  const found = await db.selectFrom(table).select("id").where("id", "in", ids).execute();
  const known = new Set(found.map((r) => r.id));
  const missing = ids.find((id) => !known.has(id));
  if (missing !== undefined)
    throw missingReference(field, table === "persons" ? "person" : "company", missing);
}

export async function addSelectionMembers(
  db: Db,
  id: number,
  personIds: number[],
): Promise<{ added: number }> {
  await requireStatic(db, id);
  const unique = [...new Set(personIds)];
  await checkIds(db, "persons", "personIds", unique);
  const now = isoNow();
  let added = 0;
  for (let i = 0; i < unique.length; i += 500) {
    const chunk = unique.slice(i, i + 500);
    const result = await db
      .insertInto("selection_members")
      .values(chunk.map((personId) => ({ selection_id: id, person_id: personId, added_at: now })))
      .onConflict((oc) => oc.columns(["selection_id", "person_id"]).doNothing())
      .executeTakeFirst();
    added += Number(result.numInsertedOrUpdatedRows ?? 0);
  }
  await db.updateTable("selections").set({ updated_at: now }).where("id", "=", id).execute();
  return { added };
}

export async function removeSelectionMembers(
  db: Db,
  id: number,
  personIds: number[],
): Promise<{ removed: number }> {
  await requireStatic(db, id);
  if (personIds.length === 0) return { removed: 0 };
  const result = await db
    .deleteFrom("selection_members")
    .where("selection_id", "=", id)
    .where("person_id", "in", personIds)
    .executeTakeFirst();
  return { removed: Number(result.numDeletedRows) };
}

export async function addSelectionCompanies(
  db: Db,
  id: number,
  companyIds: number[],
): Promise<{ added: number }> {
  await requireStatic(db, id);
  const unique = [...new Set(companyIds)];
  await checkIds(db, "companies", "companyIds", unique);
  if (unique.length === 0) return { added: 0 };
  const now = isoNow();
  const result = await db
    .insertInto("selection_companies")
    .values(unique.map((companyId) => ({ selection_id: id, company_id: companyId, added_at: now })))
    .onConflict((oc) => oc.columns(["selection_id", "company_id"]).doNothing())
    .executeTakeFirst();
  return { added: Number(result.numInsertedOrUpdatedRows ?? 0) };
}

export async function selectionCompanies(db: Db, id: number) {
  await getSelection(db, id);
  return db
    .selectFrom("selection_companies as sc")
    .innerJoin("companies as c", "c.id", "sc.company_id")
    .select(["c.id", "c.name", "c.email"])
    .where("sc.selection_id", "=", id)
    .orderBy("c.name_lower")
    .execute();
}
