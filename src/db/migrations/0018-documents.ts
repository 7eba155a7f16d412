// Document mailings (SPEC §13): the letter's Setup and body or Word template on the mailing, a postal address on
// persons, the address each recipient's letter goes to, each letter's page range, and the generated files.
import type { CreateTableBuilder, Kysely } from "kysely";
import type { Dialect } from "../connect.ts";
import { withId } from "./0001-initial.ts";

// biome-ignore lint/suspicious/noExplicitAny: migrations build tables before the typed schema exists.
type AnyDb = Kysely<any>;
type Table = CreateTableBuilder<string, never>;

export async function up(db: AnyDb, dialect: Dialect): Promise<void> {
  const blob = dialect === "postgres" ? "bytea" : "blob";
  const addText = async (table: string, column: string) =>
    db.schema.alterTable(table).addColumn(column, "text").execute();

  for (const column of ["street", "postcode", "city", "country"]) await addText("persons", column);

  for (const column of [
    "doc_heading",
    "doc_attention_mode",
    "doc_attention_text",
    "doc_our_ref",
    "doc_source",
    "doc_order",
    "doc_template_name",
    "doc_template_unknown",
  ])
    await addText("mailings", column);
  await db.schema.alterTable("mailings").addColumn("doc_template", blob).execute();
  await db.schema
    .alterTable("mailings")
    .addColumn("doc_odd_pages", "integer", (c) => c.notNull().defaultTo(0))
    .execute();

  // The address block as printed (lines joined by newlines), the key "one letter per address" compares, and the
  // postcode the letters may be ordered by.
  await addText("mailing_recipients", "postal_address");
  await addText("mailing_recipients", "postal_key");
  await addText("mailing_recipients", "postcode");

  await db.schema.alterTable("deliveries").addColumn("first_page", "integer").execute();
  await db.schema.alterTable("deliveries").addColumn("page_count", "integer").execute();

  // One row per generation of a mailing's document; the newest ready one is what is offered for download.
  await (withId(db.schema.createTable("document_files") as Table, dialect) as Table)
    .addColumn("mailing_id", "integer", (c) => c.notNull().references("mailings.id").onDelete("cascade"))
    .addColumn("status", "text", (c) => c.notNull()) // generating | ready | failed
    .addColumn("format", "text") // pdf | docx, known when ready
    .addColumn("file_name", "text")
    .addColumn("letters", "integer", (c) => c.notNull().defaultTo(0))
    .addColumn("letters_done", "integer", (c) => c.notNull().defaultTo(0))
    .addColumn("pages", "integer")
    .addColumn("bytes", "integer")
    .addColumn("note", "text")
    .addColumn("error", "text")
    .addColumn("warnings", "text")
    .addColumn("lease_owner", "text")
    .addColumn("lease_expires_at", "text")
    .addColumn("runs", "integer", (c) => c.notNull().defaultTo(0))
    .addColumn("created_at", "text", (c) => c.notNull())
    .addColumn("finished_at", "text")
    .execute();
  await db.schema
    .createIndex("document_files_mailing")
    .on("document_files")
    .columns(["mailing_id", "status"])
    .execute();
}
