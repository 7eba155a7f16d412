// Accounts made before TLS modes keep sending as they did: secure → implicit TLS, a loopback relay upgrades only when
// offered, any other server now requires STARTTLS; the `secure` flag is gone.
import { sql } from "kysely";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { freshDatabase, type TestDb, testDialects } from "../../../test/helpers/dialects.ts";
import { migrateToLatest } from "../migrate.ts";

for (const dialect of await testDialects()) {
  describe(`migration 0013-smtp-strict on ${dialect}`, () => {
    let t: TestDb;
    beforeAll(async () => {
      t = await freshDatabase(dialect, { migrateUntil: "0012-sms" });
      const now = "2026-12-01T10:00:00.000Z";
      await sql`insert into sending_accounts (name, kind, host, port, secure, rate_per_second, max_connections,
          is_default, created_at, updated_at)
        values ('Tjener 465', 'smtp', 'smtp.example.net', 465, 1, 10, 5, 0, ${now}, ${now}),
               ('Tjener 587', 'smtp', 'smtp.example.net', 587, 0, 10, 5, 0, ${now}, ${now}),
               ('Lokal', 'smtp', '127.0.0.1', 25, 0, 10, 5, 0, ${now}, ${now}),
               ('Utboks', 'outbox', null, null, 0, 50, 1, 1, ${now}, ${now})`.execute(t.db);
      expect(await migrateToLatest(t)).toContain("0013-smtp-strict");
    }, 60_000);
    afterAll(async () => t?.dispose());

    it("gives every account a TLS mode from how it connected before, and no EHLO name or CA of its own", async () => {
      const rows = await t.db
        .selectFrom("sending_accounts")
        .select(["name", "tls_mode", "ehlo_name", "ca_certificate"])
        .orderBy("id")
        .execute();
      expect(rows).toEqual([
        { name: "Tjener 465", tls_mode: "implicit", ehlo_name: null, ca_certificate: null },
        { name: "Tjener 587", tls_mode: "starttls-required", ehlo_name: null, ca_certificate: null },
        { name: "Lokal", tls_mode: "starttls-opportunistic", ehlo_name: null, ca_certificate: null },
        { name: "Utboks", tls_mode: "starttls-required", ehlo_name: null, ca_certificate: null },
      ]);
    });

    it("drops the secure flag", async () => {
      const row = await sql<Record<string, unknown>>`select * from sending_accounts`.execute(t.db);
      expect(Object.keys(row.rows[0]!)).not.toContain("secure");
    });
  });
}
