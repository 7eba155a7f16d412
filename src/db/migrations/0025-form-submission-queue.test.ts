// Submissions stored before the queue were processed inside their request: the migration marks them handled, so the
// queue's first sweep after the upgrade does not process them a second time.
import { sql } from "kysely";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { freshDatabase, type TestDb, testDialects } from "../../../test/helpers/dialects.ts";
import { migrateToLatest } from "../migrate.ts";

for (const dialect of await testDialects()) {
  describe(`migration 0025-form-submission-queue on ${dialect}`, () => {
    let t: TestDb;
    beforeAll(async () => {
      t = await freshDatabase(dialect, { migrateUntil: "0024-form-submission-person" });
      const now = "2026-12-01T10:00:00.000Z";
      await sql`insert into forms (name, slug, language, status, published_version, definition, processing_mode,
          double_opt_in, allow_company_create, actions, created_at, updated_at)
        values ('Før', 'for', 'nb', 'published', 1, '{"fields":[]}', 'manual', 0, 0, '{}', ${now}, ${now})`.execute(
        t.db,
      );
      await sql`insert into form_submissions (form_id, version, answers, submitted_at, status)
        values (1, 1, '{}', '2026-11-30T09:00:00.000Z', 'submitted'),
               (1, 1, '{}', '2026-11-30T09:05:00.000Z', 'rejected')`.execute(t.db);
      expect(await migrateToLatest(t)).toContain("0025-form-submission-queue");
    }, 60_000);
    afterAll(async () => t?.dispose());

    it("marks every earlier submission handled when it was stored, and unclaimed", async () => {
      const rows = await t.db
        .selectFrom("form_submissions")
        .select(["submitted_at", "handled_at", "claimed_until"])
        .orderBy("id")
        .execute();
      expect(rows).toEqual([
        {
          submitted_at: "2026-11-30T09:00:00.000Z",
          handled_at: "2026-11-30T09:00:00.000Z",
          claimed_until: null,
        },
        {
          submitted_at: "2026-11-30T09:05:00.000Z",
          handled_at: "2026-11-30T09:05:00.000Z",
          claimed_until: null,
        },
      ]);
    });
  });
}
