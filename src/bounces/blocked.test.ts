// The blocked-address views on every database: the list with its reply and persons, filters, export, a person's
// address problems and a mailing's bounces.
import type { Readable } from "node:stream";
import { parse } from "csv-parse/sync";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { aPerson } from "../../test/helpers/builders.ts";
import { freshDatabase, type TestDb, testDialects } from "../../test/helpers/dialects.ts";
import { aReadyMailing, aSendingSetup } from "../../test/helpers/mailings.ts";
import type { Db } from "../db/connect.ts";
import { blockAddress, countSoftBounce } from "../deliveries/blocks.ts";
import { beginSending } from "../send/planner.ts";
import { exportBlocked, listBlocked, mailingBounces, personAddressProblems } from "./blocked.ts";

const now = () => new Date().toISOString();

async function bytesOf(stream: Readable): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(Buffer.from(chunk));
  return Buffer.concat(chunks);
}

/** A mailing to the persons, planned; each delivery then set as `outcome` says (as the ledger and receiver would). */
async function aMailingWithOutcomes(
  db: Db,
  personIds: number[],
  outcome: (email: string) => {
    status: "sent" | "bounced" | "failed" | "complained";
    kind?: "hard" | "soft";
    reply?: string;
  },
) {
  const setup = await aSendingSetup(db);
  const mailing = await aReadyMailing(db, setup, personIds);
  await beginSending(db, mailing.id);
  const deliveries = await db
    .selectFrom("deliveries")
    .selectAll()
    .where("mailing_id", "=", mailing.id)
    .execute();
  for (const d of deliveries) {
    const o = outcome(d.address_key);
    await db
      .updateTable("deliveries")
      .set({ status: o.status, bounce_kind: o.kind ?? null, last_reply: o.reply ?? null, updated_at: now() })
      .where("id", "=", d.id)
      .execute();
  }
  await db.updateTable("mailings").set({ status: "finished" }).where("id", "=", mailing.id).execute();
  return { mailing, deliveries };
}

describe.each(await testDialects())("blocked addresses on %s", (dialect) => {
  let t: TestDb;
  const hard = `ukjent-${dialect}@example.no`;
  const soft = `full-${dialect}@example.no`;
  const spam = `klage-${dialect}@example.no`;
  let kari: Awaited<ReturnType<typeof aPerson>>;
  let ola: Awaited<ReturnType<typeof aPerson>>;
  let mailingId: number;
  beforeAll(async () => {
    t = await freshDatabase(dialect);
    kari = await aPerson(t.db, { firstName: "Kari", lastName: "Nordmann", email: hard });
    ola = await aPerson(t.db, { firstName: "Ola", lastName: "Blørstad", email: soft });
    const per = await aPerson(t.db, { firstName: "Per", email: spam });
    const fine = await aPerson(t.db, { firstName: "Fin", email: `fin-${dialect}@example.no` });
    const { mailing } = await aMailingWithOutcomes(t.db, [kari.id, ola.id, per.id, fine.id], (email) =>
      email === hard
        ? { status: "failed", kind: "hard", reply: "550 5.1.1 <x>: User unknown" }
        : email === soft
          ? { status: "bounced", kind: "soft", reply: "5.2.2 mailbox full" }
          : email === spam
            ? { status: "complained" }
            : { status: "sent" },
    );
    mailingId = mailing.id;
    await blockAddress(t.db, hard, "hard-bounce", "550 5.1.1 <x>: User unknown", now());
    for (let i = 0; i < 5; i++) await countSoftBounce(t.db, soft, "5.2.2 mailbox full", 5, now());
    await blockAddress(t.db, spam, "complained", "abuse", now());
  });
  afterAll(async () => t.dispose());

  it("lists each blocked address with its reason, status code, reply, count and the persons having it", async () => {
    const page = await listBlocked(t.db, {}, { limit: 100, offset: 0 });
    expect(page.total).toBe(3);
    const byAddress = Object.fromEntries(page.items.map((b) => [b.address, b]));
    expect(byAddress[hard]).toMatchObject({
      reason: "hard",
      statusCode: "5.1.1",
      diagnostic: "550 5.1.1 <x>: User unknown",
      count: 1,
      lastMailingId: mailingId,
      persons: [{ id: kari.id, fullName: "Kari Nordmann", formerEmployee: false }],
    });
    expect(byAddress[soft]).toMatchObject({ reason: "soft", statusCode: "5.2.2", count: 1 });
    expect(byAddress[spam]).toMatchObject({ reason: "complaint", count: 1 });
  });

  it("filters by reason and by text in the address or the person's name, and pages", async () => {
    const hardOnly = await listBlocked(t.db, { reason: "hard" }, { limit: 100, offset: 0 });
    expect(hardOnly.items.map((b) => b.address)).toEqual([hard]);
    expect((await listBlocked(t.db, { reason: "unsubscribed" }, { limit: 100, offset: 0 })).total).toBe(0);
    const byName = await listBlocked(t.db, { q: "BLØR" }, { limit: 100, offset: 0 });
    expect(byName.items.map((b) => b.address)).toEqual([soft]);
    const byAddress = await listBlocked(t.db, { q: "klage-" }, { limit: 100, offset: 0 });
    expect(byAddress.items.map((b) => b.address)).toEqual([spam]);
    const second = await listBlocked(t.db, {}, { limit: 2, offset: 2 });
    expect(second).toMatchObject({ total: 3, limit: 2, offset: 2 });
    expect(second.items).toHaveLength(1);
  });

  it("exports the list as CSV with one row per address and cells that cannot run as formulas", async () => {
    await blockAddress(t.db, `formel-${dialect}@example.no`, "hard-bounce", '=HYPERLINK("x") 5.1.1', now());
    const text = (await bytesOf(exportBlocked(t.db, {}, "csv", { pageSize: 2 }))).toString("utf8");
    const rows = parse(text.replace(/^\uFEFF/, "")) as string[][];
    expect(rows[0]).toEqual([
      "E-mail",
      "Reason",
      "Status code",
      "Diagnostic",
      "Count",
      "Updated",
      "Person IDs",
      "Persons",
    ]);
    expect(rows).toHaveLength(5);
    const row = rows.find((r) => r[0] === hard)!;
    expect(row.slice(0, 5)).toEqual([hard, "hard", "5.1.1", "550 5.1.1 <x>: User unknown", "1"]);
    expect(row[6]).toBe(String(kari.id));
    expect(rows.find((r) => r[0] === `formel-${dialect}@example.no`)![3]).toBe('\'=HYPERLINK("x") 5.1.1');
    const xlsx = await bytesOf(exportBlocked(t.db, { reason: "hard" }, "xlsx"));
    expect(xlsx.subarray(0, 2).toString()).toBe("PK");
    await t.db
      .deleteFrom("address_blocks")
      .where("address_lower", "=", `formel-${dialect}@example.no`)
      .execute();
  });

  it("tells a person's address problems: blocked with the reply, or soft bounces counting up", async () => {
    expect(await personAddressProblems(t.db, kari.id)).toEqual([
      {
        address: hard,
        blocked: true,
        reason: "hard",
        statusCode: "5.1.1",
        diagnostic: "550 5.1.1 <x>: User unknown",
        softCount: 0,
        updatedAt: expect.any(String),
      },
    ]);
    const counting = await aPerson(t.db, { email: `teller-${dialect}@example.no` });
    await countSoftBounce(t.db, `teller-${dialect}@example.no`, "4.2.2 full", 5, now());
    expect(await personAddressProblems(t.db, counting.id)).toMatchObject([
      { blocked: false, reason: null, softCount: 1 },
    ]);
    expect(await personAddressProblems(t.db, (await aPerson(t.db)).id)).toEqual([]);
  });

  it("lists a mailing's returned deliveries with kind, reply, person and whether the address is blocked now", async () => {
    const page = await mailingBounces(t.db, mailingId, {}, { limit: 100, offset: 0 });
    expect(page.total).toBe(3);
    const byAddress = Object.fromEntries(page.items.map((b) => [b.address, b]));
    expect(byAddress[hard]).toMatchObject({
      kind: "hard",
      statusCode: "5.1.1",
      attempt: 1,
      person: { id: kari.id, fullName: "Kari Nordmann" },
      blocked: true,
      resent: false,
    });
    expect(byAddress[soft]).toMatchObject({ kind: "soft", person: { id: ola.id } });
    expect(byAddress[spam]).toMatchObject({ kind: "complaint" });
    const softOnly = await mailingBounces(t.db, mailingId, { kind: "soft" }, { limit: 100, offset: 0 });
    expect(softOnly.items.map((b) => b.address)).toEqual([soft]);
  });
});
