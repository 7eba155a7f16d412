// The delivery counts the statistics read are kept by triggers: whatever changes deliveries, they must equal a count.
import { sql } from "kysely";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { aPerson } from "../../test/helpers/builders.ts";
import { freshDatabase, type TestDb, testDialects } from "../../test/helpers/dialects.ts";
import { aReadyMailing, aSendingSetup } from "../../test/helpers/mailings.ts";
import { beginSending } from "../send/planner.ts";
import { mailingStatistics } from "./stats.ts";

describe.each(await testDialects())("delivery counts on %s", (dialect) => {
  let t: TestDb;
  beforeAll(async () => {
    t = await freshDatabase(dialect);
  });
  afterAll(async () => t?.dispose());

  async function counted(mailingId: number) {
    const rows = await t.db
      .selectFrom("delivery_counts")
      .select(["state", (eb) => eb.fn.sum<number | string>("n").as("n")])
      .where("mailing_id", "=", mailingId)
      .groupBy("state")
      .execute();
    return Object.fromEntries(rows.map((r) => [r.state, Number(r.n)]).filter(([, n]) => n !== 0));
  }
  async function actual(mailingId: number) {
    const rows = await sql<{ state: string; n: number | string }>`
      select status || coalesce(':' || bounce_kind, '') as state, count(*) as n from deliveries
      where mailing_id = ${mailingId} group by status || coalesce(':' || bounce_kind, '')`.execute(t.db);
    return Object.fromEntries(rows.rows.map((r) => [r.state, Number(r.n)]));
  }

  it("follow planning, state changes, bounces, lease-only updates and deletion", async () => {
    const setup = await aSendingSetup(t.db);
    const people = [];
    for (let i = 0; i < 12; i++) people.push(await aPerson(t.db));
    const mailing = await aReadyMailing(
      t.db,
      setup,
      people.map((p) => p.id),
    );
    await beginSending(t.db, mailing.id);
    expect(await counted(mailing.id)).toEqual({ pending: 12 });

    const ids = (
      await t.db
        .selectFrom("deliveries")
        .select("id")
        .where("mailing_id", "=", mailing.id)
        .orderBy("id")
        .execute()
    ).map((d) => d.id);
    await t.db.updateTable("deliveries").set({ status: "sent" }).where("id", "in", ids.slice(0, 9)).execute();
    await t.db
      .updateTable("deliveries")
      .set({ status: "bounced", bounce_kind: "hard" })
      .where("id", "in", ids.slice(0, 2))
      .execute();
    await t.db.updateTable("deliveries").set({ bounce_kind: "soft" }).where("id", "=", ids[1]!).execute();
    await t.db.updateTable("deliveries").set({ status: "unknown" }).where("id", "=", ids[9]!).execute();
    // A lease taken and given back changes no state.
    await t.db.updateTable("deliveries").set({ lease_owner: "x" }).where("id", "in", ids).execute();
    await t.db.deleteFrom("deliveries").where("id", "=", ids[11]!).execute();

    expect(await counted(mailing.id)).toEqual(await actual(mailing.id));
    expect(await counted(mailing.id)).toEqual({
      sent: 7,
      "bounced:hard": 1,
      "bounced:soft": 1,
      unknown: 1,
      pending: 1,
    });
    const stats = await mailingStatistics(t.db, mailing.id);
    expect(stats).toMatchObject({
      sent: 9,
      delivered: 7,
      unknown: 1,
      notYetSent: 1,
      bounced: { hard: 1, soft: 1, total: 2 },
    });

    await t.db.deleteFrom("mailings").where("id", "=", mailing.id).execute();
    expect(await counted(mailing.id)).toEqual({});
  });
});
