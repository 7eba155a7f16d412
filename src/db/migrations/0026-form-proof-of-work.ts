// A form may ask visitors' browsers for a proof of work (issue 16, SPEC §9): a flag on the form, and the solutions
// already accepted, each kept until its challenge expires so that one solution is accepted once. The signature is
// the challenge's HMAC, unique per challenge; a row past its expiry can go, since an expired challenge is refused anyway.
import type { Kysely } from "kysely";
import type { Dialect } from "../connect.ts";

// biome-ignore lint/suspicious/noExplicitAny: migrations build tables before the typed schema exists.
type AnyDb = Kysely<any>;

export async function up(db: AnyDb, _dialect: Dialect): Promise<void> {
  await db.schema
    .alterTable("forms")
    .addColumn("proof_of_work", "integer", (c) => c.notNull().defaultTo(0))
    .execute();
  await db.schema
    .createTable("form_pow_solutions")
    .addColumn("signature", "text", (c) => c.primaryKey())
    .addColumn("expires_at", "text", (c) => c.notNull())
    .execute();
  await db.schema
    .createIndex("form_pow_solutions_by_expiry")
    .on("form_pow_solutions")
    .column("expires_at")
    .execute();
}
