// Group commit must not change what is stored: the same opens and clicks, queued together in batches of up to 60
// (one transaction each) and queued one at a time, leave identical events, flags, first opens and clicks, link
// clickers, counters and hourly buckets, and the same clicks run their link's action.
import { sql } from "kysely";
import { afterAll, describe, expect, it } from "vitest";
import { type MailingShape, seedMailing } from "../../bench/tracking-data.ts";
import { freshDatabase, type TestDb, testDialects } from "../../test/helpers/dialects.ts";
import type { Db } from "../db/connect.ts";
import { keyringFromSecret, signLinkToken } from "../deliveries/tokens.ts";
import { classifyAgent, truncateIp } from "./agents.ts";
import { type ClickOutcome, queueClick, queueOpen } from "./batch.ts";
import { recordClick } from "./record.ts";

const AGENTS = {
  desktop:
    "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131 Safari/537.36",
  scanner: "Mozilla/5.0 (compatible; Barracuda Sentinel)",
  proxy: "Mozilla/5.0",
};
const shape: MailingShape = {
  deliveries: 30,
  blocked: 0,
  links: 4,
  startedAt: Math.floor(Date.parse("2025-03-04T08:00:00Z") / 1000),
  sendSpreadSeconds: 3600,
  mixedStatuses: false,
};

type Planned = { kind: "click" | "open"; delivery: number; link: number; at: Date; agent: string };

/** Opens and clicks by few readers close together, so bursts, repeated clicks and scanner-then-human all happen. */
function plan(linkIds: number[], deliveryBase: number): Planned[] {
  let seed = 7;
  const random = () => {
    seed = (seed * 1_103_515_245 + 12_345) % 2_147_483_648;
    return seed / 2_147_483_648;
  };
  const out: Planned[] = [];
  let t = Date.parse("2025-03-06T10:00:00Z");
  for (let i = 0; i < 500; i++) {
    t += 1 + Math.floor(random() * 120);
    const r = random();
    // Mostly the first 4 deliveries, so one reader often clicks several links within 2 s.
    const n = r < 0.02 ? 0 : r < 0.04 ? 999 : 1 + Math.floor(random() * (random() < 0.6 ? 4 : 30));
    const a = random();
    out.push({
      kind: random() < 0.7 || n === 0 ? "click" : "open",
      delivery: n === 0 ? 0 : deliveryBase + n,
      link: linkIds[Math.floor(random() * linkIds.length)]!,
      at: new Date(t),
      agent: a < 0.12 ? AGENTS.scanner : a < 0.2 ? AGENTS.proxy : AGENTS.desktop,
    });
  }
  return out;
}

function queue(db: Db, event: Planned): Promise<ClickOutcome | undefined> {
  const meta = { agent: classifyAgent(event.agent, "192.0.2.7"), ip: truncateIp("192.0.2.7"), now: event.at };
  if (event.kind === "open")
    return queueOpen(db, { ...meta, deliveryId: event.delivery }).then(() => undefined);
  return queueClick(db, {
    ...meta,
    deliveryId: event.delivery,
    linkId: event.link,
    targetOf: async (_trx, link) => link.url,
  });
}

async function rollups(db: Db) {
  const rows = async (query: ReturnType<typeof sql>) =>
    (await query.execute(db)).rows as Record<string, unknown>[];
  return {
    deliveries: await rows(sql`select id, first_opened_at, first_clicked_at from deliveries order by id`),
    counters: await rows(
      sql`select name, shard, value from mailing_counters where name not like 'recipients:%' order by name, shard`,
    ),
    hourly: await rows(sql`select hour, kind, shard, value from mailing_hourly order by hour, kind, shard`),
    clickers: await rows(
      sql`select link_id, delivery_id, person_id, clicks, flagged, first_at, last_at from link_clickers
        order by link_id, delivery_id`,
    ),
    links: await rows(
      sql`select id, clicks, unique_clickers, flagged_clicks, test_clicks from tracked_links order by id`,
    ),
    events: await rows(
      sql`select mailing_id, delivery_id, person_id, kind, link_id, detail, ua_class, ip, flagged, is_test, created_at
        from events order by created_at, kind`,
    ),
  };
}

type EventRow = {
  delivery_id: number | null;
  kind: string;
  link_id: number | null;
  flagged: number;
  is_test: number;
  created_at: string;
};

/**
 * The rollups recounted from the events alone (a click counts as an open; flagged events count only as flagged;
 * test clicks only on their link), in the shape `rollups` reads them. Deliveries never opened keep their nulls.
 */
function fromEvents(eventRows: Record<string, unknown>[], deliveryRows: Record<string, unknown>[]) {
  const events = eventRows as EventRow[];
  const real = events.filter((e) => e.is_test === 0 && e.delivery_id !== null);
  const human = real.filter((e) => e.flagged === 0);
  const first = (list: EventRow[], deliveryId: unknown) =>
    list
      .filter((e) => e.delivery_id === deliveryId)
      .reduce<string | null>((a, e) => (a && a < e.created_at ? a : e.created_at), null);
  const clicks = human.filter((e) => e.kind === "clicked");
  const opens = human.filter((e) => e.kind === "opened" || e.kind === "clicked");
  const deliveries = deliveryRows.map((d) => ({
    id: d.id,
    first_opened_at: first(opens, d.id),
    first_clicked_at: first(clicks, d.id),
  }));
  const distinct = (list: EventRow[]) => new Set(list.map((e) => e.delivery_id)).size;
  const sums = new Map<string, number>([
    ["clicked_total", clicks.length],
    ["clicked_unique", distinct(clicks)],
    ["clicked_flagged", real.filter((e) => e.kind === "clicked" && e.flagged === 1).length],
    ["opened_total", human.filter((e) => e.kind === "opened").length],
    ["opened_unique", distinct(opens)],
    ["opened_flagged", real.filter((e) => e.kind === "opened" && e.flagged === 1).length],
  ]);
  const clickers = new Map<
    string,
    { link_id: number; delivery_id: number; clicks: number; first_at: string; last_at: string | null }
  >();
  for (const e of real.filter((e) => e.kind === "clicked")) {
    const key = `${e.link_id}:${e.delivery_id}`;
    const clicker = clickers.get(key) ?? {
      link_id: e.link_id!,
      delivery_id: e.delivery_id!,
      clicks: 0,
      first_at: e.created_at,
      last_at: null,
    };
    clickers.set(key, clicker);
    if (e.created_at < clicker.first_at) clicker.first_at = e.created_at;
    if (e.flagged === 0) {
      clicker.clicks++;
      if (!clicker.last_at || e.created_at > clicker.last_at) clicker.last_at = e.created_at;
    }
  }
  const links = new Map<
    number,
    { clicks: number; unique_clickers: number; flagged_clicks: number; test_clicks: number }
  >();
  const link = (id: number) => {
    const row = links.get(id) ?? { clicks: 0, unique_clickers: 0, flagged_clicks: 0, test_clicks: 0 };
    links.set(id, row);
    return row;
  };
  for (const e of events.filter((e) => e.kind === "clicked")) {
    if (e.is_test === 1) link(e.link_id!).test_clicks++;
    else if (e.flagged === 1) link(e.link_id!).flagged_clicks++;
    else link(e.link_id!).clicks++;
  }
  for (const clicker of clickers.values()) if (clicker.clicks > 0) link(clicker.link_id).unique_clickers++;
  return {
    deliveries,
    counterSums: Object.fromEntries([...sums].filter(([, n]) => n > 0).sort()),
    hourlySums: Object.fromEntries(
      ["clicked", "opened"].map((kind) => [
        kind,
        (kind === "clicked" ? clicks : human.filter((e) => e.kind === "opened")).length,
      ]),
    ),
    clickers: [...clickers.values()]
      .sort((a, b) => a.link_id - b.link_id || a.delivery_id - b.delivery_id)
      .map((c) => ({
        link_id: c.link_id,
        delivery_id: c.delivery_id,
        clicks: c.clicks,
        flagged: c.clicks > 0 ? 0 : 1,
        first_at: c.first_at,
        last_at: c.last_at ?? c.first_at,
      })),
    links: [...links].sort(([a], [b]) => a - b).map(([id, row]) => ({ id, ...row })),
  };
}

/** What `fromEvents` recounts, read from the rollups. */
function recounted(stored: Awaited<ReturnType<typeof rollups>>) {
  const counterSums = new Map<string, number>();
  for (const row of stored.counters)
    counterSums.set(String(row.name), (counterSums.get(String(row.name)) ?? 0) + Number(row.value));
  const hourlySums: Record<string, number> = { clicked: 0, opened: 0 };
  for (const row of stored.hourly) hourlySums[String(row.kind)]! += Number(row.value);
  return {
    deliveries: stored.deliveries,
    counterSums: Object.fromEntries([...counterSums].filter(([, n]) => n > 0).sort()),
    hourlySums,
    clickers: stored.clickers.map(({ person_id: _, ...rest }) => rest),
    links: stored.links
      .filter(
        (row) =>
          Number(row.clicks) +
            Number(row.unique_clickers) +
            Number(row.flagged_clicks) +
            Number(row.test_clicks) >
          0,
      )
      .map((row) => ({
        id: row.id,
        clicks: Number(row.clicks),
        unique_clickers: Number(row.unique_clickers),
        flagged_clicks: Number(row.flagged_clicks),
        test_clicks: Number(row.test_clicks),
      })),
  };
}

describe.each(await testDialects())("batched opens and clicks on %s", (dialect) => {
  const opened: TestDb[] = [];
  afterAll(async () => {
    for (const db of opened) await db.dispose();
  });

  it("store exactly what storing them one by one stores", { timeout: 120_000 }, async () => {
    const together = await freshDatabase(dialect);
    const alone = await freshDatabase(dialect);
    opened.push(together, alone);
    const mailing = await seedMailing(together, shape);
    await seedMailing(alone, shape);
    const events = plan(mailing.linkIds, mailing.deliveryBase);

    const one: (ClickOutcome | undefined)[] = [];
    for (const event of events) one.push(await queue(alone.db, event));
    const batched: (ClickOutcome | undefined)[] = [];
    for (let i = 0, size = 1; i < events.length; i += size, size = (size * 7) % 61) {
      // Queued in one turn of the event loop: they go to the database as one transaction.
      batched.push(
        ...(await Promise.all(events.slice(i, i + size).map((event) => queue(together.db, event)))),
      );
    }

    const strip = (o: ClickOutcome | undefined) => o && { target: o.target, firstHuman: o.firstHuman };
    expect(batched.map(strip)).toEqual(one.map(strip));
    // The plan exercises what batching could get wrong.
    const expected = await rollups(alone.db);
    expect(expected.events.filter((e) => e.detail === "burst").length).toBeGreaterThan(10);
    expect(expected.events.filter((e) => e.detail === "scanner").length).toBeGreaterThan(10);
    expect(expected.events.filter((e) => e.is_test === 1).length).toBeGreaterThan(3);
    expect(one.filter((o) => o?.target === null).length).toBeGreaterThan(3);
    expect(one.filter((o) => o?.firstHuman).length).toBeGreaterThan(20);
    const actual = await rollups(together.db);
    for (const key of Object.keys(expected) as Array<keyof typeof expected>)
      expect(actual[key], key).toEqual(expected[key]);
    // The follow-up list counts *opened* or *clicked* with a link as the link alone (withoutImplied): every clicker
    // that is not flagged has its delivery's first click and first open stamped, scanner clicks before it or not.
    const deliveries = new Map(actual.deliveries.map((d) => [d.id, d]));
    const human = actual.clickers.filter((c) => Number(c.flagged) === 0);
    expect(human.length).toBeGreaterThan(20);
    expect(actual.clickers.some((c) => Number(c.flagged) === 1)).toBe(true);
    for (const clicker of human) {
      const delivery = deliveries.get(clicker.delivery_id);
      expect(delivery?.first_opened_at, `delivery ${clicker.delivery_id}`).not.toBeNull();
      expect(delivery?.first_clicked_at, `delivery ${clicker.delivery_id}`).not.toBeNull();
    }
    // Both ran the same code: the rollups must also be what the stored events say, counted apart from it.
    expect(recounted(actual)).toEqual(fromEvents(actual.events, actual.deliveries));
  });

  it("answers every click of a burst of concurrent requests after storing it", {
    timeout: 60_000,
  }, async () => {
    const handle = await freshDatabase(dialect);
    opened.push(handle);
    const mailing = await seedMailing(handle, shape);
    const keys = keyringFromSecret("batch-test");
    const targets = await Promise.all(
      Array.from({ length: 120 }, (_, i) =>
        recordClick(
          handle.db,
          keys,
          signLinkToken(keys, mailing.deliveryBase + 1 + (i % 30), mailing.linkIds[i % 4]!),
          {
            userAgent: AGENTS.desktop,
            ip: "198.51.100.4",
          },
        ),
      ),
    );
    expect(targets.every((t) => t?.startsWith("https://fjordlys.example/"))).toBe(true);
    const stored = await handle.db
      .selectFrom("events")
      .select((eb) => eb.fn.countAll<number | string>().as("n"))
      .where("kind", "=", "clicked")
      .executeTakeFirstOrThrow();
    expect(Number(stored.n)).toBe(120);
  });
});
