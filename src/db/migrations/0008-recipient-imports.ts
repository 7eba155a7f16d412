// Recipients imported from a file for one mailing (SPEC §4 "an imported file"): the import and its rows. A mailing
// source of kind `import` points at the import (`mailing_sources.ref_id`) once every row is stored, so an import cut
// short by a crash is never part of a recipient list.
import type { CreateTableBuilder, Kysely } from "kysely";
import type { Dialect } from "../connect.ts";
import { withId } from "./0001-initial.ts";

// biome-ignore lint/suspicious/noExplicitAny: migrations build tables before the typed schema exists.
type AnyDb = Kysely<any>;
type Table = CreateTableBuilder<string, never>;

export async function up(db: AnyDb, dialect: Dialect): Promise<void> {
  await withId(db.schema.createTable("recipient_imports") as Table, dialect)
    .addColumn("mailing_id", "integer", (c) => c.notNull().references("mailings.id").onDelete("cascade"))
    .addColumn("file_name", "text")
    .addColumn("format", "text", (c) => c.notNull()) // csv | xlsx
    .addColumn("rows", "integer", (c) => c.notNull().defaultTo(0))
    // Where the consent the importer confirmed comes from (free text), kept with the import.
    .addColumn("consent_source", "text")
    .addColumn("user_id", "integer", (c) => c.references("users.id").onDelete("set null"))
    .addColumn("created_at", "text", (c) => c.notNull())
    // Null while rows are being written; set in the transaction that adds the mailing source.
    .addColumn("completed_at", "text")
    .execute();
  await db.schema
    .createIndex("recipient_imports_mailing")
    .on("recipient_imports")
    .column("mailing_id")
    .execute();

  await withId(db.schema.createTable("recipient_import_rows") as Table, dialect)
    .addColumn("import_id", "integer", (c) =>
      c.notNull().references("recipient_imports.id").onDelete("cascade"),
    )
    .addColumn("sheet_row", "integer", (c) => c.notNull()) // as the spreadsheet numbers it (header = 1)
    .addColumn("email", "text", (c) => c.notNull())
    .addColumn("email_lower", "text", (c) => c.notNull())
    .addColumn("name", "text")
    .addColumn("mobile", "text")
    // JSON of the other mapped values (firstname, lastname, title, company, custom keys …) for merge fields.
    .addColumn("fields", "text")
    .execute();
  // One row per address and import: the merge values of an import-only recipient are found by address.
  await db.schema
    .createIndex("recipient_import_rows_address")
    .on("recipient_import_rows")
    .columns(["import_id", "email_lower"])
    .unique()
    .execute();
}
