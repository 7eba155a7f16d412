// Imported recipients of an SMS mailing: a row is told apart by its mobile number and may have no e-mail address
// (stored as ""), so the one-row-per-address rule holds for rows that have an address; import rows and persons are
// found by mobile number too.
import { type Kysely, sql } from "kysely";

// biome-ignore lint/suspicious/noExplicitAny: migrations build tables before the typed schema exists.
type AnyDb = Kysely<any>;

export async function up(db: AnyDb): Promise<void> {
  await db.schema.dropIndex("recipient_import_rows_address").execute();
  await sql`create unique index recipient_import_rows_address
    on recipient_import_rows (import_id, email_lower) where email_lower <> ''`.execute(db);
  await db.schema
    .createIndex("recipient_import_rows_mobile")
    .on("recipient_import_rows")
    .columns(["import_id", "mobile"])
    .execute();
  await db.schema.createIndex("persons_mobile").on("persons").column("mobile").execute();
}
