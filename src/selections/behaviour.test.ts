// Dynamic criteria on mailing behaviour (received, opened, clicked, bounced, unsubscribed), on every database, over
// deliveries, events and link clickers written as the send and tracking code writes them.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { aPerson } from "../../test/helpers/builders.ts";
import { freshDatabase, type TestDb, testDialects } from "../../test/helpers/dialects.ts";
import type { Db } from "../db/connect.ts";
import type { DeliveryStatus } from "../db/schema.ts";
import { createMailing } from "../mailings/store.ts";
import { isoNow } from "../shared/clock.ts";
import type { Criteria, LeafCriterion } from "./criteria.ts";
import { createSelection, previewCriteria, selectionMembers } from "./store.ts";

const all = { limit: 500, offset: 0 };

async function matching(db: Db, criteria: Criteria["criteria"], match: "all" | "any" = "all") {
  return (await previewCriteria(db, { match, criteria }, all)).items.map((p) => p.id).sort((a, b) => a - b);
}

let position = 0;

/** One delivery as the pipeline leaves it (a recipient row first: deliveries point at it). */
async function aDelivery(
  db: Db,
  mailingId: number,
  personId: number | null,
  status: DeliveryStatus,
  tracked: { opened?: boolean; clicked?: boolean } = {},
): Promise<number> {
  const now = isoNow();
  const email = `r${++position}@example.no`;
  const recipient = await db
    .insertInto("mailing_recipients")
    .values({
      mailing_id: mailingId,
      position,
      person_id: personId,
      company_id: null,
      email,
      email_lower: email,
      name: null,
      source_id: null,
      status: "eligible",
      block_reason: null,
      created_at: now,
    })
    .returning("id")
    .executeTakeFirstOrThrow();
  const delivery = await db
    .insertInto("deliveries")
    .values({
      mailing_id: mailingId,
      recipient_id: recipient.id,
      attempt: 1,
      person_id: personId,
      address: email,
      address_key: email,
      status,
      message_id: `<${position}@test>`,
      lease_owner: null,
      lease_expires_at: null,
      tries: 1,
      next_try_at: now,
      last_reply: null,
      bounce_kind: status === "bounced" ? "hard" : null,
      sent_at: now,
      // A click also counts as an open, as the tracking code records it.
      first_opened_at: tracked.opened || tracked.clicked ? now : null,
      first_clicked_at: tracked.clicked ? now : null,
      created_at: now,
      updated_at: now,
    })
    .returning("id")
    .executeTakeFirstOrThrow();
  return delivery.id;
}

async function aLink(db: Db, mailingId: number, url: string): Promise<number> {
  const row = await db
    .insertInto("tracked_links")
    .values({
      mailing_id: mailingId,
      url,
      has_merge_fields: 0,
      registered_link_id: null,
      position: ++position,
      action_kind: null,
      action_ref_id: null,
      clicks: 0,
      unique_clickers: 0,
      flagged_clicks: 0,
      test_clicks: 0,
      created_at: isoNow(),
    })
    .returning("id")
    .executeTakeFirstOrThrow();
  return row.id;
}

async function aClick(db: Db, linkId: number, deliveryId: number, personId: number | null, flagged = 0) {
  const now = isoNow();
  await db
    .insertInto("link_clickers")
    .values({
      link_id: linkId,
      delivery_id: deliveryId,
      person_id: personId,
      clicks: 1,
      flagged,
      first_at: now,
      last_at: now,
    })
    .execute();
}

async function anUnsubscribe(db: Db, mailingId: number, deliveryId: number, personId: number, isTest = 0) {
  await db
    .insertInto("events")
    .values({
      mailing_id: mailingId,
      delivery_id: deliveryId,
      person_id: personId,
      kind: "unsubscribed",
      detail: "page",
      flagged: 0,
      is_test: isTest,
      created_at: isoNow(),
    })
    .execute();
}

describe.each(await testDialects())("criteria on mailing behaviour on %s", (dialect) => {
  let t: TestDb;
  const p: Record<"anna" | "bo" | "cato" | "dina" | "eva", number> = {
    anna: 0,
    bo: 0,
    cato: 0,
    dina: 0,
    eva: 0,
  };
  let spring: number;
  let autumn: number;
  const link = { shop: 0, news: 0, autumn: 0 };
  const ids = (...names: Array<keyof typeof p>) => names.map((n) => p[n]).sort((a, b) => a - b);
  const did = (event: LeafCriterion & { type: "mailing" }) => event;

  beforeAll(async () => {
    t = await freshDatabase(dialect);
    for (const name of Object.keys(p) as Array<keyof typeof p>)
      p[name] = (await aPerson(t.db, { firstName: name })).id;
    spring = (await createMailing(t.db, { name: "Vår" }, null)).id;
    autumn = (await createMailing(t.db, { name: "Høst" }, null)).id;
    link.shop = await aLink(t.db, spring, "https://butikk.example/");
    link.news = await aLink(t.db, spring, "https://nyheter.example/");
    link.autumn = await aLink(t.db, autumn, "https://butikk.example/");

    // Spring: Anna opened and clicked; Bo opened and only a link scanner clicked for him; Cato bounced;
    // Dina complained (so it arrived) and unsubscribed; an imported address without a CRM record opened and clicked.
    const anna = await aDelivery(t.db, spring, p.anna, "sent", { clicked: true });
    await aClick(t.db, link.shop, anna, p.anna);
    const bo = await aDelivery(t.db, spring, p.bo, "sent", { opened: true });
    await aClick(t.db, link.news, bo, p.bo, 1);
    await aDelivery(t.db, spring, p.cato, "bounced");
    const dina = await aDelivery(t.db, spring, p.dina, "complained");
    await anUnsubscribe(t.db, spring, dina, p.dina);
    const imported = await aDelivery(t.db, spring, null, "sent", { clicked: true });
    await aClick(t.db, link.shop, imported, null);
    // Autumn: Bo bounced; Anna's unsubscribe came from a test send; Eva clicked and unsubscribed.
    await aDelivery(t.db, autumn, p.bo, "bounced");
    const annaAutumn = await aDelivery(t.db, autumn, p.anna, "sent");
    await anUnsubscribe(t.db, autumn, annaAutumn, p.anna, 1);
    const eva = await aDelivery(t.db, autumn, p.eva, "sent", { clicked: true });
    await aClick(t.db, link.autumn, eva, p.eva);
    await anUnsubscribe(t.db, autumn, eva, p.eva);
    await aDelivery(t.db, autumn, p.dina, "pending");
  });
  afterAll(async () => t.dispose());

  it("counts a mailing as received when it was accepted and not bounced, a complaint included", async () => {
    expect(
      await matching(t.db, [did({ type: "mailing", op: "did", event: "received", mailingId: spring })]),
    ).toEqual(ids("anna", "bo", "dina"));
    // Dina's autumn delivery is still waiting.
    expect(
      await matching(t.db, [did({ type: "mailing", op: "did", event: "received", mailingId: autumn })]),
    ).toEqual(ids("anna", "eva"));
  });

  it("finds who did not open, even when an imported recipient without a CRM record did", async () => {
    expect(
      await matching(t.db, [did({ type: "mailing", op: "did", event: "opened", mailingId: spring })]),
    ).toEqual(ids("anna", "bo"));
    expect(
      await matching(t.db, [did({ type: "mailing", op: "didNot", event: "opened", mailingId: spring })]),
    ).toEqual(ids("cato", "dina", "eva"));
  });

  it("counts clicks on any link of the mailing or on one link, but not a link scanner's", async () => {
    const clicked = (mailingId: number, linkId?: number, op: "did" | "didNot" = "did") =>
      matching(t.db, [did({ type: "mailing", op, event: "clicked", mailingId, linkId })]);
    expect(await clicked(spring)).toEqual(ids("anna"));
    expect(await clicked(spring, link.shop)).toEqual(ids("anna"));
    expect(await clicked(spring, link.news)).toEqual([]);
    expect(await clicked(autumn)).toEqual(ids("eva"));
    expect(await clicked(spring, undefined, "didNot")).toEqual(ids("bo", "cato", "dina", "eva"));
  });

  it("finds bounces and unsubscribes in one mailing or ever, leaving test sends out", async () => {
    const one = (event: "bounced" | "unsubscribed", mailingId?: number) =>
      matching(t.db, [did({ type: "mailing", op: "did", event, mailingId })]);
    expect(await one("bounced", spring)).toEqual(ids("cato"));
    expect(await one("bounced")).toEqual(ids("bo", "cato"));
    expect(await one("unsubscribed", spring)).toEqual(ids("dina"));
    expect(await one("unsubscribed")).toEqual(ids("dina", "eva"));
  });

  it("combines behaviour with other criteria: received the spring mailing but clicked nothing in it", async () => {
    expect(
      await matching(t.db, [
        { type: "mailing", op: "did", event: "received", mailingId: spring },
        { type: "mailing", op: "didNot", event: "clicked", mailingId: spring },
        { type: "field", field: "person.firstName", op: "neq", value: "dina" },
      ]),
    ).toEqual(ids("bo"));
  });

  it("evaluates a saved selection fresh: a new click joins it", async () => {
    const selection = await createSelection(t.db, {
      name: "Klikket vår",
      kind: "dynamic",
      criteria: {
        match: "all",
        criteria: [{ type: "mailing", op: "did", event: "clicked", mailingId: spring, linkId: link.news }],
      },
    });
    const members = async () => (await selectionMembers(t.db, selection.id, {}, all)).items.map((m) => m.id);
    expect(await members()).toEqual([]);
    const cato = await t.db
      .selectFrom("deliveries")
      .select("id")
      .where("mailing_id", "=", spring)
      .where("person_id", "=", p.cato)
      .executeTakeFirstOrThrow();
    await aClick(t.db, link.news, cato.id, p.cato);
    expect(await members()).toEqual([p.cato]);
  });

  it("refuses an unknown mailing, a link of another mailing, and an event that needs a mailing without one", async () => {
    const save = (criterion: LeafCriterion) =>
      createSelection(t.db, {
        name: "x",
        kind: "dynamic",
        criteria: { match: "all", criteria: [criterion] },
      });
    await expect(
      save({ type: "mailing", op: "did", event: "opened", mailingId: 999_999 }),
    ).rejects.toMatchObject({
      code: "REFERENCE_NOT_FOUND",
      details: { field: "criteria.criteria[0].mailingId" },
    });
    await expect(
      save({ type: "mailing", op: "did", event: "clicked", mailingId: spring, linkId: link.autumn }),
    ).rejects.toMatchObject({
      code: "REFERENCE_NOT_FOUND",
      details: { field: "criteria.criteria[0].linkId" },
    });
    await expect(save({ type: "mailing", op: "did", event: "received" })).rejects.toMatchObject({
      code: "VALIDATION_FAILED",
      details: { fields: [{ field: "criteria.criteria[0].mailingId" }] },
    });
    await expect(
      save({ type: "mailing", op: "did", event: "opened", mailingId: spring, linkId: link.shop }),
    ).rejects.toMatchObject({
      code: "VALIDATION_FAILED",
      details: { fields: [{ field: "criteria.criteria[0].linkId" }] },
    });
  });
});
