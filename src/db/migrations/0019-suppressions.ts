// The suppression list (SPEC §11): a keyed hash of each erased, unsubscribed-from-all or complained e-mail address,
// so that an import or the API cannot bring the address back into marketing without new consent. No plain address
// is kept; see src/privacy/README.md. And the *erase* right an admin may grant a marketer (users.can_erase).
import type { Kysely } from "kysely";
import type { Dialect } from "../connect.ts";

// biome-ignore lint/suspicious/noExplicitAny: migrations build tables before the typed schema exists.
type AnyDb = Kysely<any>;

export async function up(db: AnyDb, _dialect: Dialect): Promise<void> {
  await db.schema
    .createTable("suppressions")
    .addColumn("address_hash", "text", (c) => c.primaryKey())
    .addColumn("reason", "text", (c) => c.notNull())
    .addColumn("created_at", "text", (c) => c.notNull())
    .addColumn("updated_at", "text", (c) => c.notNull())
    .execute();
  await db.schema
    .alterTable("users")
    .addColumn("can_erase", "integer", (c) => c.notNull().defaultTo(0))
    .execute();
}
