// An SMS mailing through a running server and its send worker to an SMPP account on an SMSC in the test process, on
// both databases: one- and two-part texts as the SMSC puts them back together, delivery receipts that come after
// and before the submit response, UNDELIV receipts failing with the provider's code, and replies from phones on the
// worker's own session: STOPP unsubscribing its person, anything else listed as a reply.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { setSubscription } from "../../src/persons/consent.ts";
import { aPerson } from "../helpers/builders.ts";
import { testDialects } from "../helpers/dialects.ts";
import {
  type ApiClient,
  ok,
  signIn,
  startTestServer,
  type TestServer,
  untilFinished,
} from "../helpers/server.ts";
import { type ReceiptMode, type Smsc, startSmsc } from "../helpers/smsc.ts";
import { zoneWhereItIs } from "../helpers/time-zones.ts";

const BODY =
  "Vårsalg hos Fjordlys: 20% på alt i butikken fra i dag til søndag. Velkommen innom, vi har åpent til 20.";
const OPT_OUT = "Svar STOPP for å melde deg av";
const SHORT_NAME = "Ola";
const LONG_NAME = "Kari-Anne Margrethe Wilhelmine";
const OUR_NUMBER = "+4759446000";

/** Who gets what: a name that makes the text one or two parts, when receipts come, and whether it is delivered. */
const RECIPIENTS: Array<{ mobile: string; name: string; receipts: ReceiptMode; undeliverable?: true }> = [
  { mobile: "+4790000001", name: SHORT_NAME, receipts: "after" },
  { mobile: "+4790000002", name: LONG_NAME, receipts: "after" },
  { mobile: "+4790000003", name: SHORT_NAME, receipts: "before" },
  { mobile: "+4790000004", name: LONG_NAME, receipts: "before" },
  { mobile: "+4790000005", name: SHORT_NAME, receipts: "after", undeliverable: true },
  { mobile: "+4790000006", name: LONG_NAME, receipts: "before", undeliverable: true },
  { mobile: "+4790000007", name: SHORT_NAME, receipts: "none" },
];

const textFor = (name: string) => `Hei ${name}! ${BODY}\n${OPT_OUT}`;

describe.each(await testDialects())("SMS mailings over SMPP on %s", (dialect) => {
  let smsc: Smsc;
  let server: TestServer;
  let admin: ApiClient;
  let typeId: number;
  let accountId: number;
  const personOf = new Map<string, number>();

  beforeAll(async () => {
    smsc = await startSmsc();
    smsc.receipts = (to) => RECIPIENTS.find((r) => r.mobile === to)?.receipts ?? "none";
    for (const r of RECIPIENTS) if (r.undeliverable) smsc.undeliverable.add(r.mobile);
    server = await startTestServer({ dialect });
    admin = await signIn(server.url, server.adminEmail, server.adminPassword);
    const db = server.server.handle.db;
    typeId = (
      await ok<{ id: number }>(admin.send("POST", "/api/subscription-types", { name: "Tilbud" }), 201)
    ).id;
    accountId = (
      await ok<{ id: number }>(
        admin.send("POST", "/api/sending-accounts", {
          name: "SMSC",
          kind: "smpp",
          host: smsc.host,
          port: smsc.port,
          tlsMode: "none",
          username: "utsend",
          password: "hemmelig",
          ratePerSecond: 100,
          maxConnections: 4,
          timeZone: zoneWhereItIs(12),
        }),
        201,
      )
    ).id;
    for (const r of RECIPIENTS) {
      const person = await aPerson(db, { firstName: r.name, mobile: r.mobile });
      await setSubscription(db, person.id, { typeId, status: "subscribed", source: "manual" });
      personOf.set(r.mobile, person.id);
    }
  }, 60_000);

  afterAll(async () => {
    await server?.close();
    await smsc?.close();
  });

  it("sends one- and two-part texts, applies receipts that come before or after the submit response, and takes replies on the same session", async () => {
    expect(textFor(SHORT_NAME).length).toBeLessThanOrEqual(160);
    expect(textFor(LONG_NAME).length).toBeGreaterThan(160);
    const mailing = await ok<{ id: number }>(
      admin.send("POST", "/api/mailings", {
        name: "Vårsalg over SMPP",
        type: "sms",
        sendingAccountId: accountId,
        smsSender: "Fjordlys",
        smsText: `Hei [[customer.firstname]]! ${BODY}`,
        subscriptionTypeId: typeId,
      }),
      201,
    );
    for (const personId of personOf.values())
      await ok(
        admin.send("POST", `/api/mailings/${mailing.id}/sources`, { kind: "person", refId: personId }),
      );

    await ok(admin.send("POST", `/api/mailings/${mailing.id}/send`));
    await untilFinished(admin, mailing.id);
    // The worker answers a receipt after it has stored (and, when its message is known, applied) it.
    await smsc.receiptsAnswered();

    // One bound transceiver session, and each number got its text once, whole, in as many parts as it needs.
    expect(smsc.binds.map((b) => [b.command, b.system_id, b.password, b.interface_version])).toEqual([
      ["bind_transceiver", "utsend", "hemmelig", 0x34],
    ]);
    const messages = smsc.messages();
    expect(messages.map((m) => m.to).sort()).toEqual(RECIPIENTS.map((r) => r.mobile));
    for (const r of RECIPIENTS) {
      const message = messages.find((m) => m.to === r.mobile)!;
      const parts = r.name === LONG_NAME ? 2 : 1;
      expect(message.text, r.mobile).toBe(textFor(r.name));
      expect(
        message.parts.map((p) => [p.seq, p.total, p.from, p.dataCoding]),
        r.mobile,
      ).toEqual(Array.from({ length: parts }, (_, i) => [i + 1, parts, "Fjordlys", 0]));
      expect(message.ref === null, r.mobile).toBe(parts === 1);
    }

    const stats = await ok<{ sms: Record<string, unknown> }>(
      admin.get(`/api/mailings/${mailing.id}/statistics`),
    );
    expect(stats.sms).toMatchObject({
      sent: 7,
      delivered: 4,
      failed: 2,
      awaitingReport: 1,
      parts: 10,
      optOuts: 0,
    });
    const deliveries = await ok<{ items: { email: string; status: string; lastReply: string | null }[] }>(
      admin.get(`/api/mailings/${mailing.id}/deliveries?limit=50`),
    );
    const byNumber = new Map(deliveries.items.map((d) => [d.email, d]));
    for (const r of RECIPIENTS) {
      const d = byNumber.get(r.mobile);
      const status = r.undeliverable ? "failed" : r.receipts === "none" ? "sent" : "delivered";
      expect(d?.status, r.mobile).toBe(status);
      if (r.undeliverable) expect(d?.lastReply, r.mobile).toBe("delivery report: UNDELIV:001");
    }
    const failed = await ok<{ items: { email: string }[]; total: number }>(
      admin.get(`/api/mailings/${mailing.id}/deliveries?status=failed`),
    );
    expect(failed.items.map((d) => d.email).sort()).toEqual(["+4790000005", "+4790000006"]);

    // Replies come on the worker's session, which stays bound after the mailing has finished.
    const stopper = RECIPIENTS[0]!.mobile;
    const thanker = RECIPIENTS[1]!.mobile;
    expect(await smsc.inbound(stopper, OUR_NUMBER, "STOPP")).toBe(0);
    expect(await smsc.inbound(thanker, OUR_NUMBER, "Takk!")).toBe(0);

    const replies = await ok<{
      items: { from: string; kind: string; personId: number | null; text: string }[];
    }>(admin.get(`/api/mailings/${mailing.id}/sms-replies`));
    expect(replies.items.map((r) => [r.from, r.kind, r.text, r.personId])).toEqual([
      [thanker, "reply", "Takk!", personOf.get(thanker)],
      [stopper, "opt-out", "STOPP", personOf.get(stopper)],
    ]);
    const subscriptionOf = async (mobile: string) =>
      (
        await ok<{ subscriptions: { typeId: number; status: string }[] }>(
          admin.get(`/api/persons/${personOf.get(mobile)}`),
        )
      ).subscriptions.find((s) => s.typeId === typeId)?.status;
    expect(await subscriptionOf(stopper)).toBe("unsubscribed");
    expect(await subscriptionOf(thanker)).toBe("subscribed");
    const history = await ok<{
      items: { subscriptionType: string | null; change: string; source: string }[];
    }>(admin.get(`/api/persons/${personOf.get(stopper)}/consent-history`));
    expect(history.items[0]).toMatchObject({
      subscriptionType: "Tilbud",
      change: "unsubscribed",
      source: "sms-reply",
    });
    const after = await ok<{ sms: Record<string, unknown> }>(
      admin.get(`/api/mailings/${mailing.id}/statistics`),
    );
    expect(after.sms.optOuts).toBe(1);
    // Replies are no sending: the SMSC got nothing more.
    expect(smsc.parts).toHaveLength(10);
  });
});
