import type { PDU } from "smpp";
import { afterEach, describe, expect, it } from "vitest";
import { type Smsc, startSmsc as startTestSmsc } from "../../../../test/helpers/smsc.ts";
import { createSmppTransport, parseReceipt, type SmppConfig, type SmppTransport } from "./smpp.ts";
import type { DeliveryReport, InboundSms, SmsMessage } from "./types.ts";

const cleanup: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const step of cleanup.splice(0).reverse()) await step();
});

async function startSmsc(answer?: Smsc["answer"]): Promise<Smsc> {
  const smsc = await startTestSmsc();
  if (answer) smsc.answer = answer;
  cleanup.push(() => smsc.close());
  return smsc;
}

type Events = { reports: DeliveryReport[]; inbound: InboundSms[] };

function transport(smsc: Smsc, overrides: Partial<SmppConfig> = {}): SmppTransport & Events {
  const seen: Events = { reports: [], inbound: [] };
  const t = createSmppTransport(
    {
      host: "127.0.0.1",
      port: smsc.port,
      tls: false,
      systemId: "utsend",
      password: "hemmelig",
      systemType: "MKT",
      bindMode: "transceiver",
      window: 10,
      reconnect: { firstMs: 20, maxMs: 200 },
      connectTimeoutMs: 3_000,
      ...overrides,
    },
    {
      report: async (r) => {
        seen.reports.push(r);
      },
      inbound: async (m) => {
        seen.inbound.push(m);
      },
    },
  );
  cleanup.push(() => t.close());
  return Object.assign(t, seen);
}

const sms = (text: string, to = "+4791234567", from = "Fjordlys"): SmsMessage => ({
  mailingId: 1,
  deliveryId: 1,
  isTest: false,
  from,
  to,
  text,
  encoding: "gsm7",
  parts: 1,
});

async function until(condition: () => boolean, ms = 3_000): Promise<void> {
  const end = Date.now() + ms;
  while (!condition()) {
    if (Date.now() > end) throw new Error("timed out waiting");
    await new Promise((r) => setTimeout(r, 5));
  }
}

type ShortMessage = { udh?: Buffer[]; message: string };
const shortMessage = (pdu: PDU | undefined) => pdu?.short_message as ShortMessage;

describe("SMPP transport", () => {
  it("binds as SMPP 3.4 with its system_id and password and is accepted with the SMSC's message id", async () => {
    const smsc = await startSmsc();
    const t = transport(smsc);

    const outcomes = await t.send([sms("Hei Åse! Svar STOPP for å melde deg av")]);

    expect(outcomes).toEqual([
      { kind: "accepted", reply: "submit_sm_resp ESME_ROK msg-1", providerIds: ["msg-1"] },
    ]);
    expect(smsc.binds).toHaveLength(1);
    expect(smsc.binds[0]).toMatchObject({
      command: "bind_transceiver",
      interface_version: 0x34,
      system_id: "utsend",
      password: "hemmelig",
      system_type: "MKT",
    });
    expect(smsc.submits[0]).toMatchObject({
      source_addr_ton: 5,
      source_addr_npi: 0,
      source_addr: "Fjordlys",
      dest_addr_ton: 1,
      dest_addr_npi: 1,
      destination_addr: "4791234567",
      esm_class: 0,
      data_coding: 0,
      registered_delivery: 1,
    });
    expect(shortMessage(smsc.submits[0]).message).toBe("Hei Åse! Svar STOPP for å melde deg av");
    expect(t.connected()).toBe(true);
  });

  it("sends from an E.164 number as TON 1 / NPI 1 without the plus", async () => {
    const smsc = await startSmsc();
    await transport(smsc).send([sms("Hei", "+4791234567", "+4759446000")]);
    expect(smsc.submits[0]).toMatchObject({
      source_addr_ton: 1,
      source_addr_npi: 1,
      source_addr: "4759446000",
    });
  });

  it("never has more than the window's submit_sm awaiting a response", async () => {
    const smsc = await startSmsc(() => "hold");
    const t = transport(smsc, { window: 3 });
    const sending = t.send(Array.from({ length: 9 }, (_, i) => sms(`Melding ${i}`)));

    for (let round = 1; round <= 3; round++) {
      await until(() => smsc.held.length === 3);
      await new Promise((r) => setTimeout(r, 50));
      expect(smsc.submits).toHaveLength(3 * round);
      for (const { session, pdu } of smsc.held.splice(0)) smsc.respond(session, pdu);
    }

    expect((await sending).map((o) => o.kind)).toEqual(Array(9).fill("accepted"));
  });

  it("sends a 161-character GSM-7 text as two parts with one reference: 153 + 8 septets", async () => {
    const smsc = await startSmsc();
    const text = `${"Kjære kunde, ".repeat(12)}${"x".repeat(5)}`;
    expect(text).toHaveLength(161);

    const [outcome] = await transport(smsc).send([sms(text)]);

    expect(outcome).toEqual({ kind: "accepted", reply: expect.any(String), providerIds: ["msg-1", "msg-2"] });
    expect(smsc.submits).toHaveLength(2);
    const [first, second] = smsc.submits.map(shortMessage);
    const ref = first?.udh?.[0]?.[2];
    expect(first?.udh).toEqual([Buffer.from([0x00, 0x03, ref!, 0x02, 0x01])]);
    expect(second?.udh).toEqual([Buffer.from([0x00, 0x03, ref!, 0x02, 0x02])]);
    expect(first?.message).toHaveLength(153);
    expect(second?.message).toHaveLength(8);
    expect(`${first?.message}${second?.message}`).toBe(text);
    for (const pdu of smsc.submits) expect(pdu).toMatchObject({ esm_class: 0x40, data_coding: 0 });
  });

  it("sends a 71-character UCS-2 text as two parts of 67 + 4, data_coding 8", async () => {
    const smsc = await startSmsc();
    const text = `Cześć! ${"ł".repeat(64)}`;
    expect(text).toHaveLength(71);

    const [outcome] = await transport(smsc).send([sms(text)]);

    expect(outcome?.kind).toBe("accepted");
    const parts = smsc.submits.map(shortMessage);
    expect(parts.map((p) => p.message.length)).toEqual([67, 4]);
    expect(parts.map((p) => p.udh?.[0]?.subarray(3))).toEqual([Buffer.from([2, 1]), Buffer.from([2, 2])]);
    for (const pdu of smsc.submits) expect(pdu).toMatchObject({ esm_class: 0x40, data_coding: 8 });
  });

  it("gives every message its own concatenation reference", async () => {
    const smsc = await startSmsc();
    await transport(smsc).send([sms("a".repeat(200)), sms("b".repeat(200))]);
    const refs = new Set(smsc.submits.map((p) => shortMessage(p).udh?.[0]?.[2]));
    expect(refs.size).toBe(2);
  });

  it("reports delivery receipts by message id and answers a duplicate receipt too", async () => {
    const smsc = await startSmsc();
    const t = transport(smsc);
    await t.send([sms("Hei")]);
    const session = smsc.sessions[0]!;
    const receipt =
      "id:msg-1 sub:001 dlvrd:001 submit date:2612051500 done date:2612051501 stat:DELIVRD err:000 text:Hei";
    const answered: number[] = [];
    for (let i = 0; i < 2; i++) {
      session.deliver_sm(
        {
          source_addr_ton: 1,
          source_addr_npi: 1,
          source_addr: "4791234567",
          esm_class: 0x04,
          short_message: receipt,
        },
        (resp) => answered.push(resp.command_status),
      );
    }
    session.deliver_sm(
      {
        source_addr: "4791234568",
        esm_class: 0x04,
        short_message:
          "id:ignored sub:001 dlvrd:000 submit date:2612051500 done date:2612051502 stat:UNDELIV err:001",
        receipted_message_id: "msg-9",
      },
      (resp) => answered.push(resp.command_status),
    );

    await until(() => answered.length === 3);
    expect(answered).toEqual([0, 0, 0]);
    expect(t.reports.map((r) => [r.providerMessageId, r.status, r.code])).toEqual([
      ["msg-1", "delivered", "DELIVRD"],
      ["msg-1", "delivered", "DELIVRD"],
      ["msg-9", "failed", "UNDELIV:001"],
    ]);
  });

  it("reports a receipt whether it comes before or after its submit_sm_resp, one per part", async () => {
    const smsc = await startSmsc();
    smsc.receipts = (to) => (to === "+4791234567" ? "before" : "after");
    smsc.undeliverable.add("+4791234568");
    const t = transport(smsc);

    const outcomes = await t.send([sms("a".repeat(200)), sms("Hei", "+4791234568")]);
    await smsc.receiptsAnswered();

    const [long, short] = outcomes.map((o) => (o.kind === "accepted" ? o.providerIds : []));
    expect([long?.length, short?.length]).toEqual([2, 1]);
    const reported = new Map(t.reports.map((r) => [r.providerMessageId, [r.status, r.code]]));
    expect(t.reports).toHaveLength(3);
    expect([...long!, ...short!].map((id) => reported.get(id))).toEqual([
      ["delivered", "DELIVRD"],
      ["delivered", "DELIVRD"],
      ["failed", "UNDELIV:001"],
    ]);
  });

  it("answers a deliver_sm even when the handler throws", async () => {
    const smsc = await startSmsc();
    const t = createSmppTransport(
      {
        host: "127.0.0.1",
        port: smsc.port,
        tls: false,
        systemId: "u",
        password: "p",
        bindMode: "transceiver",
        window: 1,
      },
      {
        report: async () => {
          throw new Error("database down");
        },
        inbound: async () => {},
      },
    );
    cleanup.push(() => t.close());
    await t.send([sms("Hei")]);
    const status = await new Promise<number>((resolve) =>
      smsc.sessions[0]!.deliver_sm(
        { esm_class: 0x04, short_message: "id:msg-1 stat:DELIVRD err:000" },
        (resp) => resolve(resp.command_status),
      ),
    );
    expect(status).toBe(0);
  });

  it("reads receipts that are not an end state as no report", () => {
    expect(parseReceipt("id:1 stat:ENROUTE err:000", undefined, new Date())).toBeNull();
    expect(parseReceipt("id:1 stat:EXPIRED err:027", undefined, new Date(0))).toEqual({
      providerMessageId: "1",
      status: "failed",
      code: "EXPIRED:027",
      at: "1970-01-01T00:00:00.000Z",
    });
  });

  it("slows down and retries on ESME_RTHROTTLED, never failing the message", async () => {
    const smsc = await startSmsc((_pdu, n) => (n <= 2 ? { status: 0x58 } : "ok"));
    const t = transport(smsc, { window: 8 });

    const [outcome] = await t.send([sms("Hei")]);

    expect(outcome).toEqual({ kind: "accepted", reply: expect.any(String), providerIds: ["msg-1"] });
    expect(smsc.submits).toHaveLength(3);
    expect(t.window()).toBeLessThan(8);
  });

  it("fails an invalid destination permanently with the SMPP status", async () => {
    const smsc = await startSmsc(() => ({ status: 0x0b }));
    const [outcome] = await transport(smsc).send([sms("Hei", "+4700000000")]);
    expect(outcome).toEqual({
      kind: "permanent",
      code: 0x0b,
      status: null,
      reply: expect.stringMatching(/^ESME_RINVDSTADR/),
    });
  });

  it("treats other refusals as temporary", async () => {
    const smsc = await startSmsc(() => ({ status: 0x08 }));
    const [outcome] = await transport(smsc).send([sms("Hei")]);
    expect(outcome).toMatchObject({
      kind: "temporary",
      code: 0x08,
      reply: expect.stringMatching(/^ESME_RSYSERR/),
    });
  });

  it("calls messages whose parts were written when the connection dropped unknown, and sends the rest after reconnecting", async () => {
    const smsc = await startSmsc((_pdu, n) => (n <= 2 ? "hold" : "ok"));
    const t = transport(smsc, { window: 2 });
    const sending = t.send([sms("én"), sms("to"), sms("tre"), sms("fire")]);
    await until(() => smsc.held.length === 2);
    smsc.sessions[0]!.destroy();

    const outcomes = await sending;

    expect(outcomes.map((o) => o.kind)).toEqual(["unknown", "unknown", "accepted", "accepted"]);
    expect(smsc.binds).toHaveLength(2);
    expect(await t.send([sms("fem")])).toMatchObject([{ kind: "accepted" }]);
  });

  it("calls a multipart message whose later part was lost unknown, not temporary", async () => {
    const smsc = await startSmsc((_pdu, n) => (n === 2 ? "hold" : "ok"));
    const t = transport(smsc);
    const sending = t.send([sms("a".repeat(200))]);
    await until(() => smsc.held.length === 1);
    smsc.sessions[0]!.destroy();
    const [outcome] = await sending;
    expect(outcome).toMatchObject({ kind: "unknown", reply: expect.stringContaining("part 2 of 2") });
  });

  it("returns temporary when no session can be bound: nothing was written", async () => {
    const smsc = await startSmsc();
    const port = smsc.port;
    await smsc.close();
    const t = transport({ ...smsc, port }, { connectTimeoutMs: 200 });
    const [outcome] = await t.send([sms("Hei")]);
    expect(outcome).toMatchObject({ kind: "temporary", code: null });
  });

  it("drops a session that leaves its enquire_link unanswered and binds again", async () => {
    const smsc = await startSmsc();
    const t = transport(smsc, { enquireLinkMs: 40 });
    await t.send([sms("Hei")]);
    smsc.sessions[0]!.removeAllListeners("enquire_link");

    await until(() => smsc.binds.length === 2);
    await until(() => t.connected());
    expect(await t.send([sms("Igjen")])).toMatchObject([{ kind: "accepted" }]);
  });

  it("keeps trying a refused bind with back-off and meanwhile calls the messages temporary", async () => {
    const smsc = await startSmsc();
    smsc.bindStatus = 0x0e; // ESME_RINVPASWD
    const t = transport(smsc, { password: "feil", connectTimeoutMs: 300 });

    const [outcome] = await t.send([sms("Hei")]);

    expect(outcome).toMatchObject({ kind: "temporary", code: null });
    expect(smsc.submits).toHaveLength(0);
    expect(smsc.binds.length).toBeGreaterThanOrEqual(2);
    expect(smsc.binds.length).toBeLessThan(10);
  });

  it("hands an inbound STOPP to events.inbound with the sender in E.164", async () => {
    const smsc = await startSmsc();
    const t = transport(smsc);
    await t.send([sms("Hei")]);
    smsc.sessions[0]!.deliver_sm({
      source_addr_ton: 1,
      source_addr_npi: 1,
      source_addr: "4791234567",
      dest_addr_ton: 1,
      dest_addr_npi: 1,
      destination_addr: "4759446000",
      short_message: "STOPP",
    });
    await until(() => t.inbound.length === 1);
    expect(t.inbound[0]).toMatchObject({ from: "+4791234567", to: "+4759446000", text: "STOPP" });
  });

  it("answers the SMSC's enquire_link", async () => {
    const smsc = await startSmsc();
    await transport(smsc).send([sms("Hei")]);
    const status = await new Promise<number>((resolve) =>
      smsc.sessions[0]!.enquire_link({}, (resp) => resolve(resp.command_status)),
    );
    expect(status).toBe(0);
  });

  it("waits on close for the parts in flight, then unbinds", async () => {
    const smsc = await startSmsc(() => "hold");
    const t = transport(smsc);
    const sending = t.send([sms("Hei")]);
    await until(() => smsc.held.length === 1);
    let unbound = false;
    smsc.sessions[0]!.on("unbind", () => {
      unbound = true;
    });
    const closing = t.close();
    await new Promise((r) => setTimeout(r, 50));
    expect(unbound).toBe(false);
    const held = smsc.held[0]!;
    smsc.respond(held.session, held.pdu);
    await closing;
    expect(await sending).toMatchObject([{ kind: "accepted" }]);
    expect(unbound).toBe(true);
  });
});
