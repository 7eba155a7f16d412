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

    expect(await applyRetention(t.db, now)).toEqual({
      trackingCleared: 2,
      returnedMailCleared: 1,
      auditDeleted: 0,
    });
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
    expect(await applyRetention(t.db, now)).toEqual({
      trackingCleared: 0,
      returnedMailCleared: 0,
      auditDeleted: 0,
    });
  });

  it("deletes audit-log entries older than the setting, and the database refuses to delete a younger one", async () => {
    const entry = (days: number) =>
      t.db
        .insertInto("audit_log")
        .values({ at: daysAgo(days), actor_label: "test", action: "settings.changed", detail: `age ${days}` })
        .returning("id")
        .executeTakeFirstOrThrow();
    const old = await entry(800);
    const young = await entry(700);
    // The app's own rule: kept two years by default.
    expect((await applyRetention(t.db, now)).auditDeleted).toBe(1);
    const left = await t.db
      .selectFrom("audit_log")
      .select("id")
      .where("id", "in", [old.id, young.id])
      .execute();
    expect(left.map((r) => r.id)).toEqual([young.id]);
    // Whoever asks, the database keeps an entry younger than the setting …
    await expect(t.db.deleteFrom("audit_log").where("id", "=", young.id).execute()).rejects.toThrow(
      /append-only/,
    );
    // … and than 180 days, even when the settings row is set lower behind the app's back.
    await t.db
      .insertInto("settings")
      .values({ key: "retentionAuditDays", value: "1" })
      .onConflict((oc) => oc.column("key").doUpdateSet({ value: "1" }))
      .execute();
    const recent = await entry(100);
    await expect(t.db.deleteFrom("audit_log").where("id", "=", recent.id).execute()).rejects.toThrow(
      /append-only/,
    );
    await writeSettings(t.db, { retentionAuditDays: 600 });
    expect((await applyRetention(t.db, now)).auditDeleted).toBe(1);
    await expect(t.db.updateTable("audit_log").set({ detail: "changed" }).execute()).rejects.toThrow(
      /append-only/,
    );
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
