// Saved column mappings: a name and {column as in the file → field}, reused by later imports.
import type { Generated, Kysely } from "kysely";
import type { Db } from "../db/connect.ts";
import type { Database } from "../db/schema.ts";
import { isoNow } from "../shared/clock.ts";
import { type FieldProblem, invalid, notFound } from "../shared/errors.ts";
import { parseField } from "./mapping.ts";
import { customFields } from "./store.ts";

type ImportMappingTable = {
  id: Generated<number>;
  name: string;
  name_lower: string;
  columns: string;
  created_at: string;
  updated_at: string;
};
/** The schema with this feature's own table (added by migration 0002). */
type ImportDatabase = Database & { import_mappings: ImportMappingTable };

export type ImportMapping = {
  id: number;
  name: string;
  columns: Record<string, string>;
  createdAt: string;
  updatedAt: string;
};

const mappings = (db: Db) => db as unknown as Kysely<ImportDatabase>;

function toMapping(row: {
  id: number;
  name: string;
  columns: string;
  created_at: string;
  updated_at: string;
}): ImportMapping {
  return {
    id: row.id,
    name: row.name,
    columns: JSON.parse(row.columns) as Record<string, string>,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
  };
}

export async function listMappings(db: Db): Promise<ImportMapping[]> {
  const rows = await mappings(db).selectFrom("import_mappings").selectAll().orderBy("name_lower").execute();
  return rows.map(toMapping);
}

export async function getMapping(db: Db, id: number): Promise<ImportMapping> {
  const row = await mappings(db)
    .selectFrom("import_mappings")
    .selectAll()
    .where("id", "=", id)
    .executeTakeFirst();
  if (!row) throw notFound("import mapping", id);
  return toMapping(row);
}

/** Saves a mapping under its name (replacing one of the same name); every field must be one the import knows. */
export async function saveMapping(
  db: Db,
  input: { name: string; columns: Record<string, string> },
): Promise<ImportMapping> {
  const problems: FieldProblem[] = [];
  const name = input.name.trim();
  if (name === "") problems.push({ field: "name", message: "is required", kind: "required" });
  const fields = await customFields(db);
  const columns: Record<string, string> = {};
  for (const [column, target] of Object.entries(input.columns)) {
    if (column.trim() === "") {
      problems.push({ field: "columns", message: "a column name is blank", kind: "empty" });
      continue;
    }
    const ignored = ["", "-", "ignore", "skip", "none"].includes(target.trim().toLowerCase());
    const field = ignored ? "ignore" : parseField(target, fields);
    if (field === null)
      problems.push({
        field: `columns.${column}`,
        message: `"${target}" is not a field`,
        kind: "unknown-field",
        params: { name: target },
      });
    else columns[column.trim()] = field;
  }
  if (Object.keys(input.columns).length === 0)
    problems.push({
      field: "columns",
      message: "map at least one column",
      kind: "minItems",
      params: { limit: 1 },
    });
  if (problems.length > 0) throw invalid(problems);
  const now = isoNow();
  const db2 = mappings(db);
  await db2
    .insertInto("import_mappings")
    .values({
      name,
      name_lower: name.toLowerCase(),
      columns: JSON.stringify(columns),
      created_at: now,
      updated_at: now,
    })
    .onConflict((oc) =>
      oc.column("name_lower").doUpdateSet({ name, columns: JSON.stringify(columns), updated_at: now }),
    )
    .execute();
  const row = await db2
    .selectFrom("import_mappings")
    .selectAll()
    .where("name_lower", "=", name.toLowerCase())
    .executeTakeFirstOrThrow();
  return toMapping(row);
}

export async function deleteMapping(db: Db, id: number): Promise<void> {
  const result = await mappings(db).deleteFrom("import_mappings").where("id", "=", id).executeTakeFirst();
  if (Number(result.numDeletedRows) === 0) throw notFound("import mapping", id);
}
