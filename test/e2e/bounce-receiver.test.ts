// The bounce receiver end to end: a mailing goes to the SMTP sink, the DSNs and complaints a real MTA would send
// back come in over SMTP to the receiver, and the deliveries, blocks and consents follow SPEC §7 and §8.
import nodemailer from "nodemailer";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type BounceReceiver, startBounceReceiver } from "../../src/bounces/receiver.ts";
import { mailingOfTestToken } from "../../src/deliveries/identity.ts";
import { keyringFromSecret } from "../../src/deliveries/tokens.ts";
import { listTestSends } from "../../src/mailings/test-sends.ts";
import { sendTest } from "../../src/send/channels/email/preview.ts";
import { mailingStatistics } from "../../src/track/stats.ts";
import { aPerson } from "../helpers/builders.ts";
import { freshDatabase, type TestDb, testDialects } from "../helpers/dialects.ts";
import { aSendingSetup, sendToPeople } from "../helpers/mailings.ts";
import { headersOf, type SinkMessage, type SmtpSink, startSmtpSink } from "../helpers/smtp-sink.ts";

const keys = keyringFromSecret("bounce-receiver-test-secret");
const FBL = "fbl@feedback.utsend.example";
const MAX = 256 * 1024;

function dsn(sent: SinkMessage, status: string, action: "failed" | "delayed"): string {
  const recipient = sent.envelope.to[0]!;
  const diagnostic =
    status === "5.1.1"
      ? "550 5.1.1 The email account that you tried to reach does not exist"
      : status === "5.2.2"
        ? "552 5.2.2 Mailbox full"
        : "452 4.2.2 Mailbox over quota, still trying";
  return [
    "From: Mail Delivery System <MAILER-DAEMON@mx.mottaker.example>",
    `To: ${sent.envelope.from}`,
    `Subject: ${action === "failed" ? "Undelivered Mail Returned to Sender" : "Delayed Mail (still being retried)"}`,
    "Auto-Submitted: auto-replied",
    "MIME-Version: 1.0",
    'Content-Type: multipart/report; report-type=delivery-status; boundary="BOUNDARY"',
    "",
    "--BOUNDARY",
    "Content-Type: text/plain; charset=us-ascii",
    "",
    action === "failed" ? "Your message could not be delivered." : "Your message has not been delivered yet.",
    "",
    "--BOUNDARY",
    "Content-Type: message/delivery-status",
    "",
    "Reporting-MTA: dns; mx.mottaker.example",
    "",
    `Final-Recipient: rfc822; ${recipient}`,
    `Original-Recipient: rfc822; ${recipient}`,
    `Action: ${action}`,
    `Status: ${status}`,
    `Diagnostic-Code: smtp; ${diagnostic}`,
    "",
    "--BOUNDARY",
    "Content-Type: text/rfc822-headers",
    "",
    headersOf(sent.raw),
    "",
    "--BOUNDARY--",
    "",
  ].join("\r\n");
}

function arf(sent: SinkMessage): string {
  return [
    "From: Feedback Loop <fbl@isp.example>",
    `To: ${FBL}`,
    "Subject: Complaint",
    "MIME-Version: 1.0",
    'Content-Type: multipart/report; report-type=feedback-report; boundary="ARF"',
    "",
    "--ARF",
    "Content-Type: text/plain; charset=us-ascii",
    "",
    "This is an email abuse report for an email message received from IP 192.0.2.1.",
    "",
    "--ARF",
    "Content-Type: message/feedback-report",
    "",
    "Feedback-Type: abuse",
    "User-Agent: ISP-FBL/1.0",
    "Version: 1",
    "Source-IP: 192.0.2.1",
    `Original-Rcpt-To: ${sent.envelope.to[0]}`,
    "",
    "--ARF",
    "Content-Type: message/rfc822",
    "",
    headersOf(sent.raw),
    "",
    "Innholdet.",
    "",
    "--ARF--",
    "",
  ].join("\r\n");
}

describe.each(await testDialects())("bounce receiver on %s", (dialect) => {
  let t: TestDb;
  let sink: SmtpSink;
  let receiver: BounceReceiver;
  let setup: Awaited<ReturnType<typeof aSendingSetup>>;
  let bounceDomain: string;

  const transport = () =>
    nodemailer.createTransport({ host: "127.0.0.1", port: receiver.port, secure: false, ignoreTLS: true });

  async function deliver(to: string, raw: string, from = "MAILER-DAEMON@mx.mottaker.example") {
    const mailer = transport();
    try {
      return await mailer.sendMail({ envelope: { from, to: [to] }, raw });
    } finally {
      mailer.close();
      await receiver.idle();
    }
  }

  const sendTo = (people: Array<{ id: number }>) => sendToPeople(t.db, dialect, keys, setup, sink, people);

  const deliveryOf = (email: string) =>
    t.db
      .selectFrom("deliveries")
      .selectAll()
      .where("address", "=", email)
      .orderBy("id", "desc")
      .executeTakeFirstOrThrow();
  const blockOf = (email: string) =>
    t.db.selectFrom("address_blocks").selectAll().where("address_lower", "=", email).executeTakeFirst();
  const inboundCount = async () =>
    Number(
      (
        await t.db
          .selectFrom("inbound_messages")
          .select((eb) => eb.fn.countAll().as("n"))
          .executeTakeFirstOrThrow()
      ).n,
    );

  beforeAll(async () => {
    t = await freshDatabase(dialect);
    sink = await startSmtpSink({ parse: true });
    setup = await aSendingSetup(t.db, { host: sink.host, port: sink.port });
    bounceDomain = (
      await t.db.selectFrom("sending_domains").select("bounce_domain").executeTakeFirstOrThrow()
    ).bounce_domain;
    receiver = await startBounceReceiver({
      db: t.db,
      keys,
      host: "127.0.0.1",
      port: 0,
      bounceDomains: async () =>
        (await t.db.selectFrom("sending_domains").select("bounce_domain").execute()).map(
          (r) => r.bounce_domain,
        ),
      feedbackLoopAddress: FBL,
      maxMessageBytes: MAX,
    });
  });
  afterAll(async () => {
    await receiver?.close();
    await sink?.close();
    await t?.dispose();
  });

  it("turns a 5.1.1 DSN into a hard bounce that blocks at once, once", async () => {
    const p = await aPerson(t.db, { email: `hard-${dialect}@mottaker.example` });
    const sent = (await sendTo([p]))[p.email!]!;
    expect(sent.envelope.from).toMatch(new RegExp(`^bounces\\+.+@${bounceDomain.replace(/\./g, "\\.")}$`));
    const info = await deliver(sent.envelope.from, dsn(sent, "5.1.1", "failed"));
    expect(info.accepted).toEqual([sent.envelope.from]);
    expect(await deliveryOf(p.email!)).toMatchObject({ status: "bounced", bounce_kind: "hard" });
    expect(await blockOf(p.email!)).toMatchObject({ blocked: 1, reason: "hard-bounce" });
    const d = await deliveryOf(p.email!);
    // The mailing's statistics count it: sent, not delivered, a hard bounce.
    const stats = await mailingStatistics(t.db, d.mailing_id);
    expect(stats).toMatchObject({ sent: 1, delivered: 0, bounced: { hard: 1, soft: 0, total: 1 } });
    expect(stats.rates.bounce).toBe(1);
    // The same DSN again (a retrying MTA) changes nothing more.
    await deliver(sent.envelope.from, dsn(sent, "5.1.1", "failed"));
    const events = await t.db
      .selectFrom("events")
      .select("kind")
      .where("delivery_id", "=", d.id)
      .where("kind", "=", "bounced")
      .execute();
    expect(events).toHaveLength(1);
    const rows = await t.db
      .selectFrom("inbound_messages")
      .select(["status", "kind", "delivery_id"])
      .where("delivery_id", "=", d.id)
      .execute();
    expect(rows).toEqual([
      { status: "processed", kind: "hard", delivery_id: d.id },
      { status: "processed", kind: "hard", delivery_id: d.id },
    ]);
  });

  it("keeps a bounce of a test send with the test: no delivery, block or statistic changes", async () => {
    const p = await aPerson(t.db, { email: `test-bounce-${dialect}@mottaker.example` });
    await sendTo([p]);
    const real = await deliveryOf(p.email!);
    const before = await mailingStatistics(t.db, real.mailing_id);
    const sinkBefore = sink.messages.length;
    expect(
      await sendTest({ db: t.db, publicUrl: "https://utsend.example", keys }, real.mailing_id, p.email!),
    ).toEqual({ sent: 1, failures: [] });
    const test = sink.messages[sinkBefore]!;
    // The same kind of return path as a delivery's, under the bounce domain, but marked as a test of the mailing.
    const token = new RegExp(`^bounces\\+(t-.+)@${bounceDomain.replace(/\./g, "\\.")}$`).exec(
      test.envelope.from,
    )?.[1];
    expect(mailingOfTestToken(keys, token ?? "")).toBe(real.mailing_id);

    const info = await deliver(test.envelope.from, dsn(test, "5.1.1", "failed"));
    expect(info.accepted).toEqual([test.envelope.from]);
    const row = await t.db
      .selectFrom("inbound_messages")
      .select(["status", "kind", "delivery_id", "detail"])
      .where("recipient", "=", test.envelope.from)
      .executeTakeFirstOrThrow();
    expect(row).toMatchObject({ status: "ignored", kind: "hard", delivery_id: null });
    expect(row.detail).toMatch(
      new RegExp(`^test send to ${p.email}: 5\\.1\\.1 .*\\(mailing ${real.mailing_id}\\)$`),
    );
    expect(await deliveryOf(p.email!)).toMatchObject({ id: real.id, status: "sent", bounce_kind: null });
    expect(await blockOf(p.email!)).toBeUndefined();
    expect(await mailingStatistics(t.db, real.mailing_id)).toEqual(before);
    const events = await t.db
      .selectFrom("events")
      .select(["kind", "is_test", "delivery_id"])
      .where("mailing_id", "=", real.mailing_id)
      .where("kind", "=", "bounced")
      .execute();
    expect(events).toEqual([{ kind: "bounced", is_test: 1, delivery_id: null }]);
    // Shown on the test: the send, then what came back for it, newest first.
    const history = await listTestSends(t.db, real.mailing_id);
    expect(history.items.map((i) => [i.kind, i.detail.split(":")[0]])).toEqual([
      ["bounced", `hard`],
      ["sent", p.email],
    ]);
    expect(history.items[0]!.detail).toContain(`test send to ${p.email}: 5.1.1`);
  });

  it("counts soft bounces once per delivery, resets on a success and blocks at the threshold", async () => {
    await t.db.insertInto("settings").values({ key: "bounceThreshold", value: "2" }).execute();
    const p = await aPerson(t.db, { email: `full-${dialect}@mottaker.example` });
    const first = (await sendTo([p]))[p.email!]!;
    await deliver(first.envelope.from, dsn(first, "5.2.2", "failed"));
    await deliver(first.envelope.from, dsn(first, "5.2.2", "failed"));
    expect(await deliveryOf(p.email!)).toMatchObject({ status: "bounced", bounce_kind: "soft" });
    expect(await blockOf(p.email!)).toMatchObject({ blocked: 0, soft_count: 1 });
    // A successful delivery resets the run.
    await sendTo([p]);
    expect(await blockOf(p.email!)).toMatchObject({ blocked: 0, soft_count: 0 });
    // Two more mailings accepted, then both DSNs arrive (a later 250 would reset the run: see the ledger).
    const later = [(await sendTo([p]))[p.email!]!, (await sendTo([p]))[p.email!]!];
    await deliver(later[0]!.envelope.from, dsn(later[0]!, "5.2.2", "failed"));
    expect(await blockOf(p.email!)).toMatchObject({ blocked: 0, soft_count: 1 });
    await deliver(later[1]!.envelope.from, dsn(later[1]!, "5.2.2", "failed"));
    expect(await blockOf(p.email!)).toMatchObject({ blocked: 1, soft_count: 2, reason: "soft-bounces" });
  });

  it("keeps a delayed notice without changing the delivery, and ignores auto-replies", async () => {
    const slow = await aPerson(t.db, { email: `slow-${dialect}@mottaker.example` });
    const away = await aPerson(t.db, { email: `away-${dialect}@mottaker.example` });
    const sent = await sendTo([slow, away]);
    const s = sent[slow.email!]!;
    await deliver(s.envelope.from, dsn(s, "4.2.2", "delayed"));
    expect(await deliveryOf(slow.email!)).toMatchObject({ status: "sent", bounce_kind: null });
    const d = await deliveryOf(slow.email!);
    const notice = await t.db
      .selectFrom("inbound_messages")
      .selectAll()
      .where("delivery_id", "=", d.id)
      .executeTakeFirstOrThrow();
    expect(notice.status).toBe("processed");
    expect(notice.detail).toMatch(/delayed/);
    expect(await blockOf(slow.email!)).toBeUndefined();

    const a = sent[away.email!]!;
    await deliver(
      a.envelope.from,
      [
        `From: ${away.email}`,
        `To: ${a.envelope.from}`,
        "Subject: Fraværende / Out of office",
        "Auto-Submitted: auto-replied",
        "X-Autoreply: yes",
        "Content-Type: text/plain; charset=utf-8",
        "",
        "Jeg er på ferie til 1. august.",
        "",
      ].join("\r\n"),
      away.email!,
    );
    expect(await deliveryOf(away.email!)).toMatchObject({ status: "sent" });
    const reply = await t.db
      .selectFrom("inbound_messages")
      .selectAll()
      .where("delivery_id", "=", (await deliveryOf(away.email!)).id)
      .executeTakeFirstOrThrow();
    expect(reply).toMatchObject({ status: "processed", kind: "autoreply" });
  });

  it("refuses forged tokens, unknown recipients and oversized messages, storing nothing", async () => {
    const p = await aPerson(t.db, { email: `size-${dialect}@mottaker.example` });
    const sent = (await sendTo([p]))[p.email!]!;
    const before = await inboundCount();
    const forged = sent.envelope.from.replace(/\.[A-Za-z0-9_-]{12}@/, ".AAAAAAAAAAAA@");
    expect(forged).not.toBe(sent.envelope.from);
    await expect(deliver(forged, dsn(sent, "5.1.1", "failed"))).rejects.toThrow(/550|recipients/i);
    await expect(deliver(`postmaster@${bounceDomain}`, dsn(sent, "5.1.1", "failed"))).rejects.toThrow(
      /550|recipients/i,
    );
    await expect(deliver("someone@elsewhere.example", "Subject: hi\r\n\r\nhi\r\n")).rejects.toThrow();
    const big = `${dsn(sent, "5.1.1", "failed")}\r\n${"x".repeat(76)}\r\n`.repeat(1);
    const padding = `${"y".repeat(998)}\r\n`.repeat(Math.ceil(MAX / 1000) + 10);
    await expect(deliver(sent.envelope.from, `${big}${padding}`)).rejects.toThrow(/552|size|big/i);
    expect(await inboundCount()).toBe(before);
    expect(await deliveryOf(p.email!)).toMatchObject({ status: "sent" });
  });

  it("stores a malformed message and leaves the deliveries alone", async () => {
    const p = await aPerson(t.db, { email: `odd-${dialect}@mottaker.example` });
    const sent = (await sendTo([p]))[p.email!]!;
    const before = await inboundCount();
    await deliver(
      sent.envelope.from,
      [
        "Subject:",
        "MIME-Version: 1.0",
        'Content-Type: multipart/mixed; boundary="zz"',
        "",
        "--zz",
        "Content-Type: application/octet-stream",
        "Content-Transfer-Encoding: base64",
        "",
        "!!!!====",
        "",
      ].join("\r\n"),
    );
    expect(await inboundCount()).toBe(before + 1);
    const row = await t.db
      .selectFrom("inbound_messages")
      .selectAll()
      .orderBy("id", "desc")
      .executeTakeFirstOrThrow();
    expect(["ignored", "failed"]).toContain(row.status);
    expect(await deliveryOf(p.email!)).toMatchObject({ status: "sent", bounce_kind: null });
    expect(await blockOf(p.email!)).toBeUndefined();
  });

  it("marks an ARF complaint complained, withdraws e-marketing consent and blocks the address", async () => {
    const p = await aPerson(t.db, { email: `spam-${dialect}@mottaker.example` });
    const sent = (await sendTo([p]))[p.email!]!;
    await deliver(FBL, arf(sent), "fbl@isp.example");
    const d = await deliveryOf(p.email!);
    expect(d.status).toBe("complained");
    const events = await t.db
      .selectFrom("events")
      .select("kind")
      .where("delivery_id", "=", d.id)
      .orderBy("id")
      .execute();
    expect(events.map((e) => e.kind)).toEqual(["sent", "complained"]);
    const consent = await t.db
      .selectFrom("person_consents as pc")
      .innerJoin("consent_purposes as cp", "cp.id", "pc.purpose_id")
      .select(["pc.legal_basis"])
      .where("pc.person_id", "=", p.id)
      .where("cp.key", "=", "e-marketing")
      .executeTakeFirstOrThrow();
    expect(consent.legal_basis).toBe("withdrawn");
    const history = await t.db
      .selectFrom("consent_history")
      .select(["change", "comment"])
      .where("person_id", "=", p.id)
      .where("change", "=", "withdrawn")
      .execute();
    expect(history).toHaveLength(1);
    expect(history[0]!.comment).toMatch(/complaint/);
    expect(await blockOf(p.email!)).toMatchObject({ blocked: 1, reason: "complained" });
    expect(await mailingStatistics(t.db, d.mailing_id)).toMatchObject({
      sent: 1,
      delivered: 1,
      complained: 1,
    });
    // Again: nothing more.
    await deliver(FBL, arf(sent), "fbl@isp.example");
    const again = await t.db
      .selectFrom("events")
      .select("kind")
      .where("delivery_id", "=", d.id)
      .where("kind", "=", "complained")
      .execute();
    expect(again).toHaveLength(1);
  });

  it("unsubscribes through the List-Unsubscribe mailto", async () => {
    const p = await aPerson(t.db, { email: `bye-${dialect}@mottaker.example` });
    const sent = (await sendTo([p]))[p.email!]!;
    const header = sent.parsed!.headers.find((h) => h.key === "list-unsubscribe")!.value;
    const mailto = /<mailto:([^>?]+)/.exec(header)![1]!;
    await deliver(
      mailto,
      `From: ${p.email}\r\nTo: ${mailto}\r\nSubject: unsubscribe\r\n\r\nunsubscribe\r\n`,
      p.email!,
    );
    const d = await deliveryOf(p.email!);
    const events = await t.db
      .selectFrom("events")
      .select(["kind", "detail"])
      .where("delivery_id", "=", d.id)
      .where("kind", "=", "unsubscribed")
      .execute();
    expect(events).toEqual([{ kind: "unsubscribed", detail: "one-click" }]);
    expect(d.status).toBe("sent");
  });
});
