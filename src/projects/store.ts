// Projects and their members (persons).

import type { Expression } from "kysely";
import type { Db } from "../db/connect.ts";
import { listPersons, type Page, type PersonFilter, type PersonSummary } from "../persons/persons.ts";
import { isoNow } from "../shared/clock.ts";
import { invalid, missingReference, notFound } from "../shared/errors.ts";

export const PROJECT_STATUSES = ["planned", "in-progress", "completed", "stopped"] as const;
export type ProjectStatus = (typeof PROJECT_STATUSES)[number];

export type Project = {
  id: number;
  name: string;
  status: ProjectStatus;
  description: string | null;
  memberCount: number;
  createdAt: string;
  updatedAt: string;
};

function projectQuery(db: Db) {
  return db
    .selectFrom("projects as pr")
    .selectAll("pr")
    .select((eb) =>
      eb
        .selectFrom("project_members as pm")
        .select((e) => e.fn.countAll<number>().as("n"))
        .whereRef("pm.project_id", "=", "pr.id")
        .as("member_count"),
    );
}

type ProjectRow = Awaited<ReturnType<ReturnType<typeof projectQuery>["executeTakeFirstOrThrow"]>>;

function toProject(row: ProjectRow): Project {
  return {
    id: row.id,
    name: row.name,
    status: row.status,
    description: row.description,
    memberCount: Number(row.member_count ?? 0),
    createdAt: row.created_at,
    updatedAt: row.updated_at,
  };
}

export async function createProject(
  db: Db,
  input: { name: string; status?: ProjectStatus; description?: string | null },
): Promise<Project> {
  const name = input.name.trim();
  if (!name) throw invalid([{ field: "name", message: "must not be empty", kind: "empty" }]);
  const now = isoNow();
  const row = await db
    .insertInto("projects")
    .values({
      name,
      status: input.status ?? "planned",
      description: input.description ?? null,
      created_at: now,
      updated_at: now,
    })
    .returning("id")
    .executeTakeFirstOrThrow();
  return getProject(db, row.id);
}

export async function updateProject(
  db: Db,
  id: number,
  input: { name?: string; status?: ProjectStatus; description?: string | null },
): Promise<Project> {
  if (input.name !== undefined && !input.name.trim())
    throw invalid([{ field: "name", message: "must not be empty", kind: "empty" }]);
  const result = await db
    .updateTable("projects")
    .set({
      ...(input.name !== undefined ? { name: input.name.trim() } : {}),
      ...(input.status !== undefined ? { status: input.status } : {}),
      ...(input.description !== undefined ? { description: input.description } : {}),
      updated_at: isoNow(),
    })
    .where("id", "=", id)
    .executeTakeFirst();
  if (Number(result.numUpdatedRows) === 0) throw notFound("project", id);
  return getProject(db, id);
}

export async function deleteProject(db: Db, id: number): Promise<void> {
  const result = await db.deleteFrom("projects").where("id", "=", id).executeTakeFirst();
  if (Number(result.numDeletedRows) === 0) throw notFound("project", id);
}

export async function getProject(db: Db, id: number): Promise<Project> {
  const row = await projectQuery(db).where("pr.id", "=", id).executeTakeFirst();
  if (!row) throw notFound("project", id);
  return toProject(row);
}

export async function listProjects(
  db: Db,
  filter: { q?: string | undefined; status?: ProjectStatus | undefined },
  page: { limit: number; offset: number },
): Promise<Page<Project>> {
  let base = projectQuery(db);
  if (filter.q)
    base = base.where((eb) => eb(eb.fn("lower", ["pr.name"]), "like", `%${filter.q!.toLowerCase()}%`));
  if (filter.status) base = base.where("pr.status", "=", filter.status);
  const [count, rows] = await Promise.all([
    db
      .selectFrom("projects as pr")
      .select((eb) => eb.fn.countAll<number>().as("n"))
      .$if(Boolean(filter.q), (q) =>
        q.where((eb) => eb(eb.fn("lower", ["pr.name"]), "like", `%${filter.q!.toLowerCase()}%`)),
      )
      .$if(Boolean(filter.status), (q) => q.where("pr.status", "=", filter.status!))
      .executeTakeFirstOrThrow(),
    base.orderBy("pr.name").orderBy("pr.id").limit(page.limit).offset(page.offset).execute(),
  ]);
  return { items: rows.map(toProject), total: Number(count.n), limit: page.limit, offset: page.offset };
}

export async function addProjectMembers(db: Db, id: number, personIds: number[]): Promise<{ added: number }> {
  await getProject(db, id);
  const unique = [...new Set(personIds)];
  if (unique.length === 0) return { added: 0 };
  const found = await db.selectFrom("persons").select("id").where("id", "in", unique).execute();
  const known = new Set(found.map((r) => r.id));
  const missing = unique.find((p) => !known.has(p));
  if (missing !== undefined) throw missingReference("personIds", "person", missing);
  const now = isoNow();
  const result = await db
    .insertInto("project_members")
    .values(unique.map((personId) => ({ project_id: id, person_id: personId, added_at: now })))
    .onConflict((oc) => oc.columns(["project_id", "person_id"]).doNothing())
    .executeTakeFirst();
  return { added: Number(result.numInsertedOrUpdatedRows ?? 0) };
}

export async function removeProjectMembers(
  db: Db,
  id: number,
  personIds: number[],
): Promise<{ removed: number }> {
  await getProject(db, id);
  if (personIds.length === 0) return { removed: 0 };
  const result = await db
    .deleteFrom("project_members")
    .where("project_id", "=", id)
    .where("person_id", "in", personIds)
    .executeTakeFirst();
  return { removed: Number(result.numDeletedRows) };
}

export function projectPersonIds(db: Db, id: number): Expression<number> {
  return db
    .selectFrom("project_members")
    .select("person_id")
    .where("project_id", "=", id) as unknown as Expression<number>;
}

export async function projectMembers(
  db: Db,
  id: number,
  filter: PersonFilter,
  page: { limit: number; offset: number },
): Promise<Page<PersonSummary>> {
  await getProject(db, id);
  return listPersons(db, filter, page, projectPersonIds(db, id));
}
