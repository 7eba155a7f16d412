// A consent given on a web form keeps the words the person agreed to (SPEC §9: "its text is stored with every
// consent it records") and which form it came from. Both null for consent recorded any other way.
import type { Kysely } from "kysely";
import type { Dialect } from "../connect.ts";

// biome-ignore lint/suspicious/noExplicitAny: migrations build tables before the typed schema exists.
type AnyDb = Kysely<any>;

export async function up(db: AnyDb, _dialect: Dialect): Promise<void> {
  await db.schema.alterTable("consent_history").addColumn("consent_text", "text").execute();
  await db.schema
    .alterTable("consent_history")
    .addColumn("form_id", "integer", (c) => c.references("forms.id").onDelete("set null"))
    .execute();
}
