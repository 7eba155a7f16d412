// 25,000 SMS on PostgreSQL with two `utsend worker` processes to an SMSC that acknowledges every part and sends a
// delivery receipt for it: every number gets its text once with every part, both workers send, no claim holds more
// than its batch, and every delivery ends delivered, also when a receipt comes before its submit response is recorded.
import type { ChildProcess } from "node:child_process";
import type { AddressInfo } from "node:net";
import { sql } from "kysely";
import smpp, { type PDU, type Session } from "smpp";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { addSource, resolveRecipients } from "../../src/mailings/recipients.ts";
import { createMailing } from "../../src/mailings/store.ts";
import { createAccount } from "../../src/send/accounts.ts";
import { beginSending } from "../../src/send/planner.ts";
import { freshDatabase, type TestDb, testDialects } from "../helpers/dialects.ts";
import { startWorkerProcess } from "../helpers/mailings.ts";

const RECIPIENTS = 25_000;
const BATCH = 200;
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** A fixed-offset zone where the local hour is now `hour`, so the sending window is open at any test time. */
function zoneWhereItIs(hour: number): string {
  let offset = hour - new Date().getUTCHours();
  if (offset > 14) offset -= 24;
  if (offset < -11) offset += 24;
  // Etc/GMT zones count the other way: Etc/GMT-2 is two hours ahead of UTC.
  return offset === 0 ? "Etc/GMT" : `Etc/GMT${offset > 0 ? "-" : "+"}${Math.abs(offset)}`;
}

/** One submit_sm as the SMSC saw it: which session, the number, the coding and the concatenation header. */
type Part = { session: number; to: string; dataCoding: number; ref: number; total: number; seq: number };

/** An SMSC that answers every submit_sm and then sends its delivery receipt (stat:DELIVRD) on the same session. */
async function startSmsc() {
  const parts: Part[] = [];
  const sessions: Session[] = [];
  let ids = 0;
  const server = smpp.createServer({}, (session) => {
    const index = sessions.push(session) - 1;
    session.on("error", () => {});
    for (const command of ["bind_transceiver", "enquire_link"])
      session.on(command, (pdu: PDU) => session.send(pdu.response()));
    session.on("unbind", (pdu: PDU) => {
      session.send(pdu.response());
      session.close();
    });
    session.on("submit_sm", (pdu: PDU) => {
      // The package hands the concatenation element over as [IEI 0, length 3, reference, total, sequence].
      const udh = (pdu.short_message as { udh?: Buffer[] }).udh?.find((element) => element[0] === 0);
      parts.push({
        session: index,
        to: String(pdu.destination_addr),
        dataCoding: Number(pdu.data_coding),
        ref: udh?.[2] ?? -1,
        total: udh?.[3] ?? 1,
        seq: udh?.[4] ?? 1,
      });
      const id = `smsc-${(++ids).toString(16)}`;
      session.send(pdu.response({ message_id: id }));
      session.send(
        new smpp.PDU("deliver_sm", {
          source_addr: pdu.destination_addr,
          destination_addr: pdu.source_addr,
          esm_class: 0x04,
          short_message: `id:${id} sub:001 dlvrd:001 submit date:2612061200 done date:2612061200 stat:DELIVRD err:000 text:`,
        }),
      );
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return {
    port: (server.address() as AddressInfo).port,
    parts,
    close: async () => {
      for (const s of sessions) s.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

const dialects = (await testDialects()).filter((d) => d === "postgres");

describe.each(dialects)("sending 25,000 SMS with two worker processes on %s", () => {
  let t: TestDb;
  let smsc: Awaited<ReturnType<typeof startSmsc>>;
  const workers: ChildProcess[] = [];
  beforeAll(async () => {
    t = await freshDatabase("postgres");
    smsc = await startSmsc();
  });
  afterAll(async () => {
    for (const w of workers) if (w.exitCode === null) w.kill("SIGKILL");
    await smsc?.close();
    await t?.dispose();
  });

  it("sends every number its whole text once, through both workers, and applies every receipt", {
    timeout: 900_000,
  }, async () => {
    const now = new Date().toISOString();
    const account = await createAccount(t.db, {
      name: "SMSC",
      kind: "smpp",
      host: "127.0.0.1",
      port: smsc.port,
      username: "utsend",
      password: "hemmelig",
      ratePerSecond: 5000,
      maxConnections: 10,
      timeZone: zoneWhereItIs(12),
    });
    const type = await t.db
      .insertInto("subscription_types")
      .values({ name: "Tilbud", name_lower: "tilbud", created_at: now } as never)
      .returning("id")
      .executeTakeFirstOrThrow();
    // Every fifth a name outside GSM-7 (UCS-2, two parts); three in twenty a title long enough for two GSM-7 parts
    // (and, with such a name, three UCS-2 parts).
    await sql`insert into persons (first_name, last_name, search_name, title, mobile, former_employee, created_at, updated_at)
      select case when i % 5 = 0 then 'Łukasz' else 'Kari' end, 'Nr ' || i, 'person nr ' || i,
        case when i % 20 < 3 then 'Vi har også nye kurs i keramikk, tre og tekstil hver tirsdag og torsdag fram til sommeren.' end,
        '+4790' || lpad(i::text, 6, '0'), 0, ${now}, ${now}
      from generate_series(1, ${RECIPIENTS}) i`.execute(t.db);
    await sql`insert into person_subscriptions (person_id, type_id, status, updated_at)
      select id, ${type.id}, 'subscribed', ${now} from persons`.execute(t.db);
    const selection = await t.db
      .insertInto("selections")
      .values({ name: "Alle", kind: "static", created_at: now, updated_at: now } as never)
      .returning("id")
      .executeTakeFirstOrThrow();
    await sql`insert into selection_members (selection_id, person_id, added_at)
      select ${selection.id}, id, ${now} from persons`.execute(t.db);
    const mailing = await createMailing(
      t.db,
      {
        name: "Vårsalg",
        type: "sms",
        sendingAccountId: account.id,
        smsSender: "Fjordlys",
        smsText:
          "Hei [[customer.firstname]]! Vårsalget hos Fjordlys starter i dag, med 20 % på alt.[% if customer.title %] [[customer.title]][% endif %]",
        subscriptionTypeId: type.id,
      },
      null,
    );
    await addSource(t.db, mailing.id, { kind: "selection", refId: selection.id });
    await resolveRecipients(t.db, mailing.id);
    const { deliveries } = await beginSending(t.db, mailing.id);
    expect(deliveries).toBe(RECIPIENTS);

    workers.push(startWorkerProcess(t), startWorkerProcess(t));
    let mostHeld = 0;
    let open = RECIPIENTS;
    for (let waited = 0; open > 0 && waited < 600_000; waited += 250) {
      const held = await t.db
        .selectFrom("deliveries")
        .select(["lease_owner", (eb) => eb.fn.countAll<number>().as("n")])
        .where("mailing_id", "=", mailing.id)
        // Handed-over texts (sending) of earlier batches may still await their responses beside the next claim.
        .where("status", "=", "claimed")
        .groupBy("lease_owner")
        .execute();
      for (const h of held) mostHeld = Math.max(mostHeld, Number(h.n));
      const left = await t.db
        .selectFrom("deliveries")
        .select((eb) => eb.fn.countAll<number>().as("n"))
        .where("mailing_id", "=", mailing.id)
        .where("status", "in", ["pending", "claimed", "sending"])
        .executeTakeFirstOrThrow();
      open = Number(left.n);
      await sleep(250);
    }
    expect(open).toBe(0);
    expect(mostHeld).toBeGreaterThan(0);
    expect(mostHeld).toBeLessThanOrEqual(BATCH);

    // Receipts come on the sessions while the workers run; every delivery ends delivered, none is left sent.
    let statuses: Record<string, number> = {};
    for (let waited = 0; waited < 120_000; waited += 500) {
      const rows = await t.db
        .selectFrom("deliveries")
        .select(["status", (eb) => eb.fn.countAll<number>().as("n")])
        .where("mailing_id", "=", mailing.id)
        .groupBy("status")
        .execute();
      statuses = Object.fromEntries(rows.map((s) => [s.status, Number(s.n)]));
      if (statuses.delivered === RECIPIENTS) break;
      await sleep(500);
    }
    for (const w of workers) w.kill("SIGTERM");
    expect(statuses).toEqual({ delivered: RECIPIENTS });

    // Every number once, with each of its parts exactly once under one reference, in the coding its name needs.
    const byNumber = new Map<string, Part[]>();
    for (const p of smsc.parts) byNumber.set(p.to, [...(byNumber.get(p.to) ?? []), p]);
    expect(byNumber.size).toBe(RECIPIENTS);
    const problems: string[] = [];
    const partsPerNumber = new Map<number, number>();
    for (const [to, got] of byNumber) {
      const i = Number(to.slice(-6));
      const expectCoding = i % 5 === 0 ? 8 : 0;
      const total = got[0]!.total;
      const complete =
        got.length === total &&
        got.every((p) => p.total === total && p.ref === got[0]!.ref && p.dataCoding === expectCoding) &&
        new Set(got.map((p) => p.seq)).size === total;
      if (!complete) problems.push(`${to}: ${JSON.stringify(got)}`);
      partsPerNumber.set(total, (partsPerNumber.get(total) ?? 0) + 1);
    }
    expect(problems.slice(0, 3)).toEqual([]);
    // The mix did what it is there for: single texts, and texts of two parts.
    expect(partsPerNumber.get(1)).toBeGreaterThan(0);
    expect(partsPerNumber.get(2)).toBeGreaterThan(0);
    expect(partsPerNumber.get(3)).toBeGreaterThan(0);
    // The ledger counted the parts the SMSC saw.
    const counted = await t.db
      .selectFrom("deliveries")
      .select((eb) => eb.fn.sum<number>("parts").as("parts"))
      .where("mailing_id", "=", mailing.id)
      .executeTakeFirstOrThrow();
    expect(Number(counted.parts)).toBe(smsc.parts.length);
    // Both processes sent: each bound its own session and submitted on it.
    const perSession = new Map<number, number>();
    for (const p of smsc.parts) perSession.set(p.session, (perSession.get(p.session) ?? 0) + 1);
    const busy = [...perSession.values()].filter((n) => n > 0);
    expect(busy.length).toBe(2);
  });
});
