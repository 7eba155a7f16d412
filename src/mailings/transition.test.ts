// transition() is the one writer of a mailing's status: it moves only from the statuses the lifecycle allows, and
// only once when two callers race.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { freshDatabase, type TestDb, testDialects } from "../../test/helpers/dialects.ts";
import type { MailingStatus } from "../db/schema.ts";
import { allowedFrom, nextStatus } from "./lifecycle.ts";
import { transition } from "./transition.ts";

for (const dialect of await testDialects()) {
  describe(`mailing status transitions on ${dialect}`, () => {
    let t: TestDb;
    beforeAll(async () => {
      t = await freshDatabase(dialect);
    }, 60_000);
    afterAll(async () => t?.dispose());

    const aMailing = async (status: MailingStatus) => {
      const now = new Date().toISOString();
      const row = await t.db
        .insertInto("mailings")
        .values({ name: `m ${status}`, type: "email", status, created_at: now, updated_at: now } as never)
        .returning("id")
        .executeTakeFirstOrThrow();
      return row.id;
    };
    const statusOf = async (id: number) =>
      (await t.db.selectFrom("mailings").select("status").where("id", "=", id).executeTakeFirstOrThrow())
        .status;

    it("sends a scheduled mailing that could not start back to draft, and nothing else", async () => {
      const scheduled = await aMailing("scheduled");
      const sending = await aMailing("sending");
      expect(await transition(t.db, scheduled, "startFailed")).toEqual([scheduled]);
      expect(await statusOf(scheduled)).toBe("draft");
      expect(await transition(t.db, sending, "startFailed")).toEqual([]);
      expect(await statusOf(sending)).toBe("sending");
    });

    it("reopens a finished mailing for new attempts, but not a cancelled one", async () => {
      const finished = await aMailing("finished");
      const cancelled = await aMailing("cancelled");
      expect(await transition(t.db, finished, "reopen")).toEqual([finished]);
      expect(await statusOf(finished)).toBe("sending");
      expect(await transition(t.db, cancelled, "reopen")).toEqual([]);
      expect(await statusOf(cancelled)).toBe("cancelled");
    });

    it("lets only one of two racing pauses win", async () => {
      const id = await aMailing("sending");
      const [a, b] = await Promise.all([transition(t.db, id, "pause"), transition(t.db, id, "pause")]);
      expect([...a, ...b]).toEqual([id]);
      expect(await statusOf(id)).toBe("paused");
    });

    it("finishes only the sending mailings its condition allows, and stamps the time", async () => {
      const done = await aMailing("sending");
      const busy = await aMailing("sending");
      const finished = await transition(t.db, "any", "finish", {
        now: "2026-12-05T10:00:00.000Z",
        also: { finished_at: "2026-12-05T10:00:00.000Z" },
        onlyIf: (eb) => eb("id", "!=", busy),
      });
      expect(finished).toContain(done);
      expect(finished).not.toContain(busy);
      const row = await t.db
        .selectFrom("mailings")
        .select(["status", "finished_at"])
        .where("id", "=", done)
        .executeTakeFirstOrThrow();
      expect(row).toEqual({ status: "finished", finished_at: "2026-12-05T10:00:00.000Z" });
      expect(await statusOf(busy)).toBe("sending");
    });

    it("agrees with the pure lifecycle rules for every action and status", async () => {
      const statuses: MailingStatus[] = ["draft", "scheduled", "sending", "paused", "finished", "cancelled"];
      const actions = [
        "schedule",
        "unschedule",
        "send",
        "pause",
        "resume",
        "cancel",
        "finish",
        "startFailed",
        "reopen",
      ] as const;
      for (const action of actions)
        for (const from of statuses) {
          const id = await aMailing(from);
          const changed = await transition(t.db, id, action);
          expect(changed.length === 1, `${action} from ${from}`).toBe(allowedFrom(action).includes(from));
          expect(await statusOf(id)).toBe(nextStatus(from, action) ?? from);
        }
    });
  });
}
