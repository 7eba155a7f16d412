// Retention on every database: exactly the opens' and clicks' IPs and device classes older than the setting go, and
// the raw bytes of processed returned mail older than its setting; everything newer, or still waiting, stays.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { freshDatabase, type TestDb, testDialects } from "../../test/helpers/dialects.ts";
import { storeInbound } from "../bounces/inbound.ts";
import { appendEvents } from "../deliveries/events.ts";
import { createMailing } from "../mailings/store.ts";
import { writeSettings } from "../settings/store.ts";
import { applyRetention, claimRetentionRun, retentionSchedule } from "./retention.ts";

const DAY = 86_400_000;
const now = new Date("2026-12-06T03:00:00Z");
const daysAgo = (days: number) => new Date(now.getTime() - days * DAY).toISOString();

describe.each(await testDialects())("retention (SPEC §11) on %s", (dialect) => {
  let t: TestDb;
  beforeAll(async () => {
    t = await freshDatabase(dialect);
  });
  afterAll(async () => t.dispose());

  it("removes IP and device of events older than the setting, and raw returned mail older than its own", async () => {
    const mailing = await createMailing(t.db, { name: "Retention" }, null);
    const event = (days: number) => ({
      mailing_id: mailing.id,
      delivery_id: null,
      person_id: null,
      kind: "opened" as const,
      link_id: null,
      detail: `age ${days}`,
      ua_class: "desktop",
      ip: "198.51.100.0",
      flagged: 0,
      is_test: 0,
      created_at: daysAgo(days),
    });
    await appendEvents(t.db, [event(120), event(91), event(89), event(1)]);
    await writeSettings(t.db, { retentionTrackingDays: 90, retentionReturnedMailDays: 30 });
    const mail = async (days: number, status: "processed" | "received") => {
      const id = await storeInbound(t.db, {
        envelopeFrom: "",
        recipient: "bounces+x@bounces.example",
        route: "verp",
        raw: Buffer.from(`bounce ${days}`),
        receivedAt: daysAgo(days),
      });
      await t.db.updateTable("inbound_messages").set({ status }).where("id", "=", id).execute();
      return id;
    };
    const oldProcessed = await mail(31, "processed");
    const oldWaiting = await mail(40, "received");
    const fresh = await mail(29, "processed");

    expect(await applyRetention(t.db, now)).toEqual({ trackingCleared: 2, returnedMailCleared: 1 });
    const events = await t.db
      .selectFrom("events")
      .select(["detail", "ip", "ua_class"])
      .orderBy("id")
      .execute();
    expect(events).toEqual([
      { detail: "age 120", ip: null, ua_class: null },
      { detail: "age 91", ip: null, ua_class: null },
      { detail: "age 89", ip: "198.51.100.0", ua_class: "desktop" },
      { detail: "age 1", ip: "198.51.100.0", ua_class: "desktop" },
    ]);
    const raw = async (id: number) =>
      Buffer.from(
        (
          await t.db
            .selectFrom("inbound_messages")
            .select("raw")
            .where("id", "=", id)
            .executeTakeFirstOrThrow()
        ).raw,
      ).toString();
    expect(await raw(oldProcessed)).toBe("");
    expect(await raw(oldWaiting)).toBe("bounce 40");
    expect(await raw(fresh)).toBe("bounce 29");
    expect(await applyRetention(t.db, now)).toEqual({ trackingCleared: 0, returnedMailCleared: 0 });
  });

  it("runs once a day whoever asks: the first claim wins, the next the day after", async () => {
    expect(await retentionSchedule(t.db)).toEqual({ lastRun: null, nextRun: null });
    const claims = await Promise.all([claimRetentionRun(t.db, now), claimRetentionRun(t.db, now)]);
    expect(claims.filter(Boolean)).toHaveLength(1);
    expect(await claimRetentionRun(t.db, new Date(now.getTime() + 3_600_000))).toBe(false);
    expect(await retentionSchedule(t.db)).toEqual({
      lastRun: now.toISOString(),
      nextRun: new Date(now.getTime() + DAY).toISOString(),
    });
    expect(await claimRetentionRun(t.db, new Date(now.getTime() + DAY))).toBe(true);
  });
});
