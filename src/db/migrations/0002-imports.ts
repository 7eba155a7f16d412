// Imports: saved column mappings, and an index so company matching by org number stays fast on large imports.
import type { CreateTableBuilder, Kysely } from "kysely";
import type { Dialect } from "../connect.ts";
import { withId } from "./0001-initial.ts";

// biome-ignore lint/suspicious/noExplicitAny: migrations build tables before the typed schema exists.
type AnyDb = Kysely<any>;
type Table = CreateTableBuilder<string, never>;

export async function up(db: AnyDb, dialect: Dialect): Promise<void> {
  // `columns` is JSON: {"<column name as in the file>": "<field>"}; see src/imports/mapping.ts for the fields.
  await withId(db.schema.createTable("import_mappings") as Table, dialect)
    .addColumn("name", "text", (c) => c.notNull())
    .addColumn("name_lower", "text", (c) => c.notNull().unique())
    .addColumn("columns", "text", (c) => c.notNull())
    .addColumn("created_at", "text", (c) => c.notNull())
    .addColumn("updated_at", "text", (c) => c.notNull())
    .execute();
  await db.schema.createIndex("companies_org_number").on("companies").column("org_number").execute();
}
