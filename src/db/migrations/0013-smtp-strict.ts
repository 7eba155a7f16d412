// Strict mail servers (issue 23): each SMTP account gets its EHLO name, a TLS mode instead of the `secure` flag, and
// a CA certificate it may trust. Existing accounts keep working: secure → implicit TLS; a loopback relay keeps
// upgrading only when STARTTLS is offered; any other host now requires STARTTLS.
import type { Kysely } from "kysely";
import { isLoopbackHost } from "../../send/channels/email/smtp-settings.ts";

// biome-ignore lint/suspicious/noExplicitAny: migrations build tables before the typed schema exists.
type AnyDb = Kysely<any>;

export async function up(db: AnyDb): Promise<void> {
  await db.schema.alterTable("sending_accounts").addColumn("ehlo_name", "text").execute();
  await db.schema
    .alterTable("sending_accounts")
    .addColumn("tls_mode", "text", (c) => c.notNull().defaultTo("starttls-required"))
    .execute();
  await db.schema.alterTable("sending_accounts").addColumn("ca_certificate", "text").execute();
  const accounts: Array<{ id: number; host: string | null; secure: number }> = await db
    .selectFrom("sending_accounts")
    .select(["id", "host", "secure"])
    .execute();
  for (const a of accounts) {
    const mode =
      Number(a.secure) === 1 ? "implicit" : isLoopbackHost(a.host) ? "starttls-opportunistic" : null;
    if (mode)
      await db.updateTable("sending_accounts").set({ tls_mode: mode }).where("id", "=", a.id).execute();
  }
  await db.schema.alterTable("sending_accounts").dropColumn("secure").execute();
}
