// Strict mail servers (issue 23): each SMTP account gets its EHLO name, a TLS mode instead of the `secure` flag, and
// a CA certificate it may trust. Existing accounts keep working: secure → implicit TLS; a loopback relay keeps
// upgrading only when STARTTLS is offered; any other host now requires STARTTLS.

import { isIP } from "node:net";
import type { Kysely } from "kysely";

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

// A copy of the rule in send/channels/email/smtp-settings.ts as it was when this migration was written: a migration
// must not change when that rule does, and db/ sits below send/.
function isLoopbackHost(host: string | null | undefined): boolean {
  if (!host) return false;
  const h = host
    .trim()
    .toLowerCase()
    .replace(/^\[|\]$/g, "");
  if (h === "localhost" || h.endsWith(".localhost")) return true;
  if (isIP(h) === 4) return h.startsWith("127.");
  return h === "::1";
}
