// The statistics benchmark builds its rollups from generated events in SQL; they are only worth timing if they are
// what the tracking code keeps. Here the same events are replayed through recordOpen and recordClick into a second
// database, and every rollup must come out the same.
import { sql } from "kysely";
import { afterAll, describe, expect, it } from "vitest";
import { type MailingShape, rebuildRollups, seedEvents, seedMailing } from "../../bench/tracking-data.ts";
import type { Db } from "../../src/db/connect.ts";
import { keyringFromSecret, signDeliveryToken, signLinkToken } from "../../src/deliveries/tokens.ts";
import { recordClick, recordOpen } from "../../src/track/record.ts";
import { freshDatabase, type TestDb, testDialects } from "../helpers/dialects.ts";

const keys = keyringFromSecret("bench-rollups");
const AGENTS: Record<string, string> = {
  desktop:
    "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131 Safari/537.36",
  mobile: "Mozilla/5.0 (iPhone; CPU iPhone OS 17_0 like Mac OS X) AppleWebKit/605.1.15 Mobile/15E148",
  scanner: "Mozilla/5.0 (compatible; Barracuda Sentinel)",
  "privacy-proxy": "Mozilla/5.0",
};
const shape: MailingShape = {
  deliveries: 1000,
  blocked: 20,
  links: 6,
  startedAt: Math.floor(Date.parse("2025-03-04T08:00:00Z") / 1000),
  sendSpreadSeconds: 3600,
  mixedStatuses: true,
  chunk: 300,
};

async function rollups(db: Db) {
  const rows = async (query: ReturnType<typeof sql>) => (await query.execute(db)).rows;
  return {
    deliveries: await rows(sql`select id, first_opened_at, first_clicked_at from deliveries order by id`),
    counters: await rows(
      sql`select name, shard, value from mailing_counters where name not like 'recipients:%' order by name, shard`,
    ),
    hourly: await rows(sql`select hour, kind, shard, value from mailing_hourly order by hour, kind, shard`),
    clickers: await rows(
      sql`select link_id, delivery_id, clicks, flagged, first_at, last_at from link_clickers order by link_id, delivery_id`,
    ),
    links: await rows(
      sql`select id, clicks, unique_clickers, flagged_clicks, test_clicks from tracked_links order by id`,
    ),
    events: await rows(
      sql`select delivery_id, kind, link_id, detail, ua_class, ip, flagged, created_at from events
        order by created_at, delivery_id, kind, link_id`,
    ),
  };
}

describe.each(await testDialects())("benchmark rollups on %s", (dialect) => {
  const opened: TestDb[] = [];
  afterAll(async () => {
    for (const db of opened) await db.dispose();
  });

  it("match what recording the same opens and clicks leaves", { timeout: 180_000 }, async () => {
    const generated = await freshDatabase(dialect);
    const replayed = await freshDatabase(dialect);
    opened.push(generated, replayed);
    const mailing = await seedMailing(generated, shape);
    await seedEvents(generated, mailing, 5000, () => {}, 300);
    await rebuildRollups(generated, mailing.mailingId);
    expect(mailing.deliveryBase).toBe(0);

    await seedMailing(replayed, shape);
    const events = await generated.db
      .selectFrom("events")
      .selectAll()
      .orderBy("created_at")
      .orderBy("id")
      .execute();
    for (const e of events) {
      const meta = {
        userAgent: AGENTS[e.ua_class ?? ""],
        ip: e.ip?.replace(/0$/, "7"),
        now: new Date(e.created_at),
      };
      if (e.kind === "clicked")
        expect(
          await recordClick(replayed.db, keys, signLinkToken(keys, e.delivery_id!, e.link_id!), meta),
        ).toMatch(/^https:\/\/fjordlys\.example\//);
      else if (e.kind === "opened")
        await recordOpen(replayed.db, keys, signDeliveryToken(keys, "open", e.delivery_id!), meta);
      else
        await replayed.db
          .insertInto("events")
          .values({ ...e, id: undefined })
          .execute();
    }

    const expected = await rollups(replayed.db);
    const actual = await rollups(generated.db);
    expect(expected.clickers.length).toBeGreaterThan(100);
    expect(expected.counters.length).toBeGreaterThan(40);
    for (const key of Object.keys(expected) as Array<keyof typeof expected>)
      expect(actual[key], key).toEqual(expected[key]);
  });
});
