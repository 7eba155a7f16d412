// Who signs a sending domain's mail with DKIM: utsend with the key it keeps (the default), or the SMTP relay
// (Amazon SES, Mailgun, Postfix with OpenDKIM) with a key of its own published under the relay's selector.
import type { Kysely } from "kysely";
import type { Dialect } from "../connect.ts";

// biome-ignore lint/suspicious/noExplicitAny: migrations build tables before the typed schema exists.
type AnyDb = Kysely<any>;

export async function up(db: AnyDb, _dialect: Dialect): Promise<void> {
  await db.schema
    .alterTable("sending_domains")
    .addColumn("dkim_signer", "text", (c) => c.notNull().defaultTo("utsend")) // utsend | relay
    .execute();
  await db.schema.alterTable("sending_domains").addColumn("relay_dkim_selector", "text").execute();
}
