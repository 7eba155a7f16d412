// Deliveries made before the channel seam keep everything: their address, its matching form, their Message-ID,
// their counts; they become e-mail deliveries, and a delivery without a Message-ID can be stored after.
import { sql } from "kysely";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { freshDatabase, type TestDb, testDialects } from "../../../test/helpers/dialects.ts";
import { migrateToLatest } from "../migrate.ts";

for (const dialect of await testDialects()) {
  describe(`migration 0010-channels on ${dialect}`, () => {
    let t: TestDb;
    beforeAll(async () => {
      t = await freshDatabase(dialect, { migrateUntil: "0009-delivery-counts" });
      const now = "2026-12-01T10:00:00.000Z";
      await sql`insert into mailings (name, type, status, created_at, updated_at)
        values ('Før', 'email', 'finished', ${now}, ${now})`.execute(t.db);
      await sql`insert into mailing_recipients (mailing_id, position, email, email_lower, status, created_at)
        values (1, 1, 'Kari@Example.no', 'kari@example.no', 'eligible', ${now}),
               (1, 2, 'ola@example.no', 'ola@example.no', 'eligible', ${now})`.execute(t.db);
      await sql`insert into deliveries (mailing_id, recipient_id, attempt, email, email_lower, status, message_id,
          tries, next_try_at, created_at, updated_at)
        values (1, 1, 1, 'Kari@Example.no', 'kari@example.no', 'sent', 'm1.r1.a1@firma.example', 1, ${now}, ${now}, ${now}),
               (1, 2, 1, 'ola@example.no', 'ola@example.no', 'bounced', 'm1.r2.a1@firma.example', 1, ${now}, ${now}, ${now})`.execute(
        t.db,
      );
      expect(await migrateToLatest(t)).toContain("0010-channels");
    }, 60_000);
    afterAll(async () => t?.dispose());

    it("carries every delivery over as an e-mail delivery with its address and Message-ID", async () => {
      const rows = await t.db
        .selectFrom("deliveries")
        .select(["recipient_id", "channel", "address", "address_key", "message_id", "status"])
        .orderBy("recipient_id")
        .execute();
      expect(rows).toEqual([
        {
          recipient_id: 1,
          channel: "email",
          address: "Kari@Example.no",
          address_key: "kari@example.no",
          message_id: "m1.r1.a1@firma.example",
          status: "sent",
        },
        {
          recipient_id: 2,
          channel: "email",
          address: "ola@example.no",
          address_key: "ola@example.no",
          message_id: "m1.r2.a1@firma.example",
          status: "bounced",
        },
      ]);
    });

    it("keeps the delivery counts and the Message-ID index, and stores a delivery without a Message-ID", async () => {
      const counts = await sql<{ state: string; n: number }>`select state, sum(n) as n from delivery_counts
        where mailing_id = 1 group by state order by state`.execute(t.db);
      expect(counts.rows.map((r) => [r.state, Number(r.n)])).toEqual([
        ["bounced", 1],
        ["sent", 1],
      ]);
      const found = await t.db
        .selectFrom("deliveries")
        .select("recipient_id")
        .where("message_id", "=", "m1.r2.a1@firma.example")
        .executeTakeFirst();
      expect(found?.recipient_id).toBe(2);
      const now = new Date().toISOString();
      await t.db
        .insertInto("deliveries")
        .values({
          mailing_id: 1,
          recipient_id: 1,
          attempt: 2,
          person_id: null,
          channel: "sms",
          address: "+4791234567",
          address_key: "+4791234567",
          status: "pending",
          message_id: null,
          tries: 0,
          next_try_at: now,
          created_at: now,
          updated_at: now,
        })
        .execute();
      const counted = await sql<{ n: number }>`select sum(n) as n from delivery_counts
        where mailing_id = 1 and state = 'pending'`.execute(t.db);
      expect(Number(counted.rows[0]?.n)).toBe(1);
    });
  });
}
