// The follow-up list on every database: the latest-attempt marker stays right through resends, deletions, rolled back
// transactions and the migration's backfill; and every filter's count (from the rollups or a query) and its pages
// (keyset, from a driver set or walking the list) match a plain reading of the tables.
import { sql } from "kysely";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { rebuildRollups, type SeededMailing, seedEvents, seedMailing } from "../../bench/tracking-data.ts";
import { freshDatabase, type TestDb, testDialects } from "../../test/helpers/dialects.ts";
import { recipientClass } from "../db/block-reasons.ts";
import type { Db } from "../db/connect.ts";
import { migrateToLatest } from "../db/migrate.ts";
import { storeRecipientCounts } from "../mailings/recipients.ts";
import { resendAsNewAttempt } from "../send/resend.ts";
import { FOLLOW_UP_FILTERS, type FollowUpQuery, followUpRecipients, parseCursor } from "./follow-up.ts";

const START = Math.floor(Date.parse("2026-11-02T08:00:00Z") / 1000);

/** The latest attempt of each recipient as the marker says, and as max(attempt) says. */
async function latestBothWays(db: Db, mailingId: number) {
  const rows = await db
    .selectFrom("deliveries")
    .select(["id", "recipient_id", "attempt", "is_latest"])
    .where("mailing_id", "=", mailingId)
    .execute();
  const max = new Map<number, { id: number; attempt: number }>();
  for (const r of rows)
    if ((max.get(r.recipient_id)?.attempt ?? 0) < r.attempt)
      max.set(r.recipient_id, { id: r.id, attempt: r.attempt });
  return {
    marked: rows
      .filter((r) => Number(r.is_latest) === 1)
      .map((r) => r.id)
      .sort((a, b) => a - b),
    byMax: [...max.values()].map((m) => m.id).sort((a, b) => a - b),
  };
}

/** Every row of the list in (position, id) order, filtered in JavaScript from the tables themselves. */
async function expected(db: Db, mailingId: number, query: FollowUpQuery): Promise<number[]> {
  // The list is the recipients and the blocked; the left out (no usable address) are not on it.
  const recipients = (
    await db
      .selectFrom("mailing_recipients")
      .select(["id", "position", "status", "block_reason", "name", "email_lower"])
      .where("mailing_id", "=", mailingId)
      .execute()
  ).filter((r) => recipientClass(r.status, r.block_reason) !== "left-out");
  const deliveries = await db
    .selectFrom("deliveries")
    .selectAll()
    .where("mailing_id", "=", mailingId)
    .execute();
  const latest = new Map<number, (typeof deliveries)[number]>();
  for (const d of deliveries)
    if ((latest.get(d.recipient_id)?.attempt ?? 0) < d.attempt) latest.set(d.recipient_id, d);
  const events = await db
    .selectFrom("events")
    .select(["delivery_id", "kind"])
    .where("mailing_id", "=", mailingId)
    .where("kind", "in", ["complained", "unsubscribed"])
    .where("is_test", "=", 0)
    .execute();
  const withEvent = (kind: string) =>
    new Set(events.filter((e) => e.kind === kind).map((e) => e.delivery_id));
  const complained = withEvent("complained");
  const unsubscribed = withEvent("unsubscribed");
  const clickers = new Set(
    query.linkId === undefined
      ? []
      : (
          await db
            .selectFrom("link_clickers")
            .select("delivery_id")
            .where("link_id", "=", query.linkId)
            .where("flagged", "=", 0)
            .execute()
        ).map((c) => c.delivery_id),
  );
  const holds = (r: (typeof recipients)[number], filter: string): boolean => {
    const d = latest.get(r.id);
    const status = d?.status;
    switch (filter) {
      case "sent":
        return ["sent", "bounced", "complained"].includes(status ?? "");
      case "delivered":
        return ["sent", "complained"].includes(status ?? "");
      case "not-sent":
        return r.status === "eligible" && (!d || ["pending", "claimed", "sending"].includes(status!));
      case "opened":
        return d?.first_opened_at != null;
      case "clicked":
        return d?.first_clicked_at != null;
      case "blocked":
        return r.status === "blocked";
      case "complained":
        return status === "complained" || (d !== undefined && complained.has(d.id));
      case "unsubscribed":
        return d !== undefined && unsubscribed.has(d.id);
      default:
        return status === filter;
    }
  };
  return recipients
    .filter((r) => query.filters.every((f) => holds(r, f)))
    .filter((r) => query.linkId === undefined || (latest.has(r.id) && clickers.has(latest.get(r.id)!.id)))
    .filter(
      (r) =>
        !query.search ||
        (r.name ?? "").toLowerCase().includes(query.search) ||
        (r.email_lower ?? "").includes(query.search),
    )
    .sort((a, b) => Number(a.position) - Number(b.position) || a.id - b.id)
    .map((r) => r.id);
}

/** Every page by its cursor, and the total each page said. */
async function allPages(db: Db, mailingId: number, query: FollowUpQuery, limit: number) {
  const ids: number[] = [];
  const totals = new Set<number>();
  let after: string | null = null;
  for (let pages = 0; pages < 10_000; pages++) {
    const page = await followUpRecipients(db, mailingId, query, {
      limit,
      ...(after ? { after: parseCursor(after) } : {}),
    });
    ids.push(...page.items.map((r) => r.recipientId));
    totals.add(page.total);
    after = page.nextCursor;
    if (!after) break;
  }
  return { ids, totals: [...totals] };
}

describe.each(await testDialects())("follow-up list on %s", (dialect) => {
  let t: TestDb;
  let m: SeededMailing;
  beforeAll(async () => {
    t = await freshDatabase(dialect);
    m = await seedMailing(t, {
      deliveries: 2000,
      blocked: 40,
      links: 3,
      startedAt: START,
      sendSpreadSeconds: 3600,
      mixedStatuses: true,
      chunk: 500,
    });
    // An open on an unknown delivery (n = 7), so a superseded attempt carries an open the rollups counted.
    await sql`insert into events (mailing_id, delivery_id, kind, ua_class, flagged, is_test, created_at)
      values (${m.mailingId}, ${m.deliveryBase + 7}, 'opened', 'desktop', 0, 0, '2026-11-02T09:00:00.000Z')`.execute(
      t.db,
    );
    await seedEvents(t, m, 9000, () => {}, 500);
    // A mix the generator does not make, so combinations have rows on both sides: opens and clicks on bounced and
    // failed deliveries (n = 1500 is later blocked), unsubscribes on opened and clicked ones (one twice, one a test).
    const event = (n: number, kind: string, linkId: number | null = null, isTest = 0) =>
      sql`insert into events (mailing_id, delivery_id, kind, link_id, ua_class, flagged, is_test, created_at)
        values (${m.mailingId}, ${m.deliveryBase + n}, ${kind}, ${linkId}, 'desktop', 0, ${isTest},
          '2026-11-02T10:00:00.000Z')`.execute(t.db);
    for (const n of [41, 81, 121, 161, 1500]) await event(n, "opened");
    for (const n of [81, 161, 1500]) await event(n, "clicked", m.linkIds[1]!);
    for (const n of [2, 4, 6, 8, 10, 12, 14, 16, 18, 20, 121]) await event(n, "unsubscribed");
    await event(2, "unsubscribed");
    await event(22, "unsubscribed", null, 1);
    for (const n of [2, 4, 6]) await event(n, "clicked", m.linkIds[1]!);
    await rebuildRollups(t, m.mailingId);
  }, 120_000);
  afterAll(async () => t?.dispose());

  const recipientOf = async (n: number) =>
    (
      await t.db
        .selectFrom("deliveries")
        .select("recipient_id")
        .where("id", "=", m.deliveryBase + n)
        .executeTakeFirstOrThrow()
    ).recipient_id;

  it("marks the new attempt of a resend as the latest, in the transaction that makes it", async () => {
    // Failed (n = 500, 1000) and bounced (n = 41) first attempts, and the unknown one with an open, sent again.
    const again = [await recipientOf(500), await recipientOf(1000), await recipientOf(41)];
    const unknown = await recipientOf(7);
    const result = await resendAsNewAttempt(t.db, m.mailingId, again);
    expect(result.created.map((c) => c.attempt)).toEqual([2, 2, 2]);
    await resendAsNewAttempt(t.db, m.mailingId, [unknown], { despiteUnknown: true });
    await t.db
      .updateTable("deliveries")
      .set({ status: "sent" })
      .where("mailing_id", "=", m.mailingId)
      .where("attempt", "=", 2)
      .where("recipient_id", "!=", again[1]!)
      .execute();
    // A third attempt for one of them: only it is the latest.
    await t.db
      .updateTable("deliveries")
      .set({ status: "failed" })
      .where("recipient_id", "=", again[1]!)
      .execute();
    const third = await resendAsNewAttempt(t.db, m.mailingId, [again[1]!]);
    expect(third.created[0]!.attempt).toBe(3);

    const { marked, byMax } = await latestBothWays(t.db, m.mailingId);
    expect(marked).toEqual(byMax);
    expect(marked).toContain(third.created[0]!.deliveryId);
    expect(marked).not.toContain(m.deliveryBase + 500);
  });

  it("keeps the earlier latest attempt when the transaction that made a new one rolls back", async () => {
    await expect(
      t.db.transaction().execute(async (trx) => {
        const now = "2026-11-03T08:00:00.000Z";
        await sql`insert into deliveries (mailing_id, recipient_id, attempt, address, address_key, status, message_id,
            tries, next_try_at, created_at, updated_at)
          select mailing_id, recipient_id, 2, address, address_key, 'pending', 'rolled-back@x', 0, ${now}, ${now}, ${now}
          from deliveries where id = ${m.deliveryBase + 1500}`.execute(trx);
        const inside = await latestBothWays(trx as unknown as Db, m.mailingId);
        expect(inside.marked).toEqual(inside.byMax);
        throw new Error("the process died before the commit");
      }),
    ).rejects.toThrow("died");
    const { marked, byMax } = await latestBothWays(t.db, m.mailingId);
    expect(marked).toEqual(byMax);
    expect(marked).toContain(m.deliveryBase + 1500);
  });

  it("makes the attempt before the latest the latest again when the latest is deleted", async () => {
    const recipient = await recipientOf(1000);
    await t.db
      .deleteFrom("deliveries")
      .where("recipient_id", "=", recipient)
      .where("attempt", "=", 3)
      .execute();
    const { marked, byMax } = await latestBothWays(t.db, m.mailingId);
    expect(marked).toEqual(byMax);
  });

  it("refuses a second latest attempt for a recipient", async () => {
    await expect(
      t.db
        .updateTable("deliveries")
        .set({ is_latest: 1 })
        .where("id", "=", m.deliveryBase + 500)
        .execute(),
    ).rejects.toThrow();
  });

  it("counts and pages every filter, a link, combinations and a search as the tables say", async () => {
    // A recipient whose list row was blocked by a reload after an attempt failed (n = 1500), as the counts store it.
    await t.db
      .updateTable("mailing_recipients")
      .set({ status: "blocked", block_reason: "unsubscribed" })
      .where("id", "=", await recipientOf(1500))
      .execute();
    await storeRecipientCounts(t.db, m.mailingId);
    // And one recipient with no attempt at all (a newcomer whose attempt is not made yet): not sent.
    await sql`insert into mailing_recipients (mailing_id, position, email, email_lower, name, status, created_at)
      values (${m.mailingId}, 5, 'ny@example.no', 'ny@example.no', 'Nykommer', 'eligible', '2026-11-02T08:00:00.000Z')`.execute(
      t.db,
    );
    await storeRecipientCounts(t.db, m.mailingId);

    const link = m.linkIds[1]!;
    const queries: FollowUpQuery[] = [
      { filters: [] },
      ...FOLLOW_UP_FILTERS.map((f) => ({ filters: [f] })),
      { filters: [], linkId: link },
      { filters: ["opened"], linkId: link },
      { filters: ["sent", "opened"] },
      { filters: ["delivered", "unsubscribed"] },
      { filters: ["bounced", "not-sent"] },
      { filters: ["blocked", "failed"] },
      { filters: ["complained", "clicked"] },
      { filters: [], search: "mottaker 19" },
      // Combinations read in one statement from a driver's set (the link's clickers, the bounced, the unsubscribed,
      // the complained, the blocked, the failed), each with a condition on the delivery or the list row.
      { filters: ["clicked"], linkId: link },
      { filters: ["opened", "sent"], linkId: link },
      { filters: ["bounced", "unsubscribed"] },
      { filters: ["bounced", "opened"] },
      { filters: ["unsubscribed", "opened"] },
      { filters: ["unsubscribed", "clicked"], linkId: link },
      { filters: ["complained", "opened"] },
      { filters: ["failed", "not-sent"] },
      { filters: ["blocked", "opened"] },
      { filters: ["blocked", "sent"] },
      { filters: ["sent", "unsubscribed"], search: "mottaker 1" },
      { filters: ["opened"], linkId: link, search: "mottaker 1" },
    ];
    for (const query of queries) {
      const want = await expected(t.db, m.mailingId, query);
      const got = await allPages(t.db, m.mailingId, query, 97);
      expect({ query, total: got.totals, ids: got.ids }).toEqual({
        query,
        total: [want.length],
        ids: want,
      });
    }
    // Small pages, so cursors fall inside the blocked rows (walked on their index) and inside the unsubscribed.
    for (const query of [
      { filters: ["blocked"] },
      { filters: ["unsubscribed", "opened"] },
    ] as FollowUpQuery[]) {
      const want = await expected(t.db, m.mailingId, query);
      const got = await allPages(t.db, m.mailingId, query, 3);
      expect({ query, total: got.totals, ids: got.ids }).toEqual({ query, total: [want.length], ids: want });
    }
    const notSent = await followUpRecipients(t.db, m.mailingId, { filters: ["not-sent"] }, { limit: 10 });
    expect(notSent.items.map((r) => r.email)).toEqual(["ny@example.no"]);
  }, 120_000);

  it("gives the same page for a cursor as for the offset it stands for", async () => {
    const query: FollowUpQuery = { filters: ["opened"] };
    const first = await followUpRecipients(t.db, m.mailingId, query, { limit: 50 });
    const byCursor = await followUpRecipients(t.db, m.mailingId, query, {
      limit: 50,
      after: parseCursor(first.nextCursor!),
    });
    const byOffset = await followUpRecipients(t.db, m.mailingId, query, { limit: 50, offset: 50 });
    expect(byCursor.items).toEqual(byOffset.items);
    expect(byCursor.items).toHaveLength(50);
  });
});

describe.each(await testDialects())("migration 0029-latest-attempt on %s", (dialect) => {
  let t: TestDb;
  afterAll(async () => t?.dispose());

  it("marks the highest attempt of each recipient made before it as the latest", async () => {
    t = await freshDatabase(dialect, { migrateUntil: "0027-form-submission-ip" });
    const m = await seedMailing(t, {
      deliveries: 30,
      blocked: 0,
      links: 1,
      startedAt: START,
      sendSpreadSeconds: 60,
      mixedStatuses: true,
    });
    const now = "2026-11-02T10:00:00.000Z";
    for (const [n, attempts] of [
      [5, 2],
      [10, 3],
    ] as const)
      for (let attempt = 2; attempt <= attempts; attempt++)
        await sql`insert into deliveries (mailing_id, recipient_id, attempt, address, address_key, status, message_id,
            tries, next_try_at, created_at, updated_at)
          select mailing_id, recipient_id, ${attempt}, address, address_key, 'sent', ${`m.a${attempt}.${n}@x`}, 1,
            ${now}, ${now}, ${now}
          from deliveries where id = ${m.deliveryBase + n}`.execute(t.db);
    expect(await migrateToLatest(t)).toContain("0029-latest-attempt");
    const { marked, byMax } = await latestBothWays(t.db, m.mailingId);
    expect(marked).toEqual(byMax);
    expect(marked).toHaveLength(30);
  }, 60_000);
});
