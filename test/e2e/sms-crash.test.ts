// SMS workers killed mid-send (SIGKILL, several rounds) against an SMSC in the test process, on both databases: what
// the ledger says afterwards must match what the SMSC saw, part by part. Sent or delivered: the whole text once.
// Unknown: at most one copy, maybe only its first part, never a part twice. Nothing left pending.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createAccount } from "../../src/send/accounts.ts";
import { beginSending } from "../../src/send/planner.ts";
import { aPerson } from "../helpers/builders.ts";
import { freshDatabase, type TestDb, testDialects } from "../helpers/dialects.ts";
import { killWorkersMidSend } from "../helpers/kill-rounds.ts";
import { aReadySmsMailing } from "../helpers/mailings.ts";
import { type Smsc, startSmsc } from "../helpers/smsc.ts";
import { zoneWhereItIs } from "../helpers/time-zones.ts";

const RECIPIENTS = 180;
// GSM-7 and longer than 160 characters: every text goes as two parts (153 + the rest).
const TEXT =
  "Hei [[customer.firstname]]! Vårsalg hos Fjordlys: 20% på alt i butikken fra i dag til søndag. " +
  "Velkommen innom, vi har åpent hver dag til 20. Ta med denne meldingen og få en gave i kassen.";

describe.each(await testDialects())("an SMS worker killed mid-send on %s", (dialect) => {
  let t: TestDb;
  let smsc: Smsc;
  beforeAll(async () => {
    t = await freshDatabase(dialect);
    smsc = await startSmsc();
    smsc.receipts = "after";
  });
  afterAll(async () => {
    await smsc.close();
    await t.dispose();
  });

  it("sends every number its text exactly once, except those left unknown, which got at most one copy", {
    timeout: 240_000,
  }, async () => {
    const account = await createAccount(t.db, {
      name: "SMSC",
      kind: "smpp",
      host: smsc.host,
      port: smsc.port,
      tlsMode: "none",
      username: "utsend",
      password: "hemmelig",
      // Parts per second, across the workers: slow enough that kills land while parts are in flight.
      ratePerSecond: 30,
      maxConnections: 3,
      timeZone: zoneWhereItIs(12),
    });
    const people = [];
    for (let i = 0; i < RECIPIENTS; i++)
      people.push(await aPerson(t.db, { firstName: "Åse", mobile: `+479${String(1000000 + i)}` }));
    const mailing = await aReadySmsMailing(
      t.db,
      account.id,
      people.map((p) => p.id),
      { smsText: TEXT },
    );
    const expectedText = TEXT.replace("[[customer.firstname]]", "Åse");
    expect(expectedText.length).toBeGreaterThan(160);
    expect(expectedText.length).toBeLessThanOrEqual(306);
    await beginSending(t.db, mailing.id);

    const { kills, killsMidSend } = await killWorkersMidSend(
      t,
      mailing.id,
      () => smsc.parts.length,
      () => smsc.receiptsAnswered(),
    );

    expect(killsMidSend).toBeGreaterThanOrEqual(3);
    const deliveries = await t.db
      .selectFrom("deliveries")
      .select(["address as mobile", "status", "last_reply"])
      .where("mailing_id", "=", mailing.id)
      .execute();
    expect(deliveries).toHaveLength(RECIPIENTS);
    const partsTo = new Map<string, typeof smsc.parts>();
    for (const part of smsc.parts) partsTo.set(part.to, [...(partsTo.get(part.to) ?? []), part]);
    const byStatus: Record<string, number> = {};
    for (const d of deliveries) {
      byStatus[d.status] = (byStatus[d.status] ?? 0) + 1;
      const parts = partsTo.get(d.mobile) ?? [];
      partsTo.delete(d.mobile);
      const seqs = parts.map((p) => p.seq).sort((a, b) => a - b);
      const refs = new Set(parts.map((p) => p.ref));
      if (d.status === "sent" || d.status === "delivered") {
        expect(seqs, `${d.mobile} is ${d.status}`).toEqual([1, 2]);
        expect(refs.size, `${d.mobile} is ${d.status}: one message`).toBe(1);
        expect(
          parts
            .sort((a, b) => a.seq - b.seq)
            .map((p) => p.text)
            .join(""),
        ).toBe(expectedText);
      } else if (d.status === "unknown") {
        expect(new Set(seqs).size, `${d.mobile} is unknown: no part twice`).toBe(seqs.length);
        expect(refs.size, `${d.mobile} is unknown: at most one message`).toBeLessThanOrEqual(1);
      } else throw new Error(`${d.mobile} ended as ${d.status}: ${d.last_reply}`);
    }
    // The SMSC saw no number that is not a delivery of this mailing.
    expect([...partsTo.keys()]).toEqual([]);
    expect(byStatus.delivered ?? 0).toBeGreaterThan(0);
    console.log(
      `${dialect}: ${kills} kills (${killsMidSend} mid-send); deliveries ${JSON.stringify(byStatus)}; parts at the SMSC ${smsc.parts.length}`,
    );
  });
});
