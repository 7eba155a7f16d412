// Provider webhooks end to end: a mailing goes to the SMTP sink from a running server, then SES (through SNS, with
// a locally made signing certificate), Mailgun, SendGrid and Postmark report bounces and complaints over HTTP, and
// the deliveries, blocks and consents follow SPEC §7 and §8 as for returned mail. Every forgery is refused with
// nothing stored.
import { generateKeyPairSync } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { processPending } from "../../src/bounces/inbound.ts";
import { storeEvents } from "../../src/bounces/webhooks/receive.ts";
import type { Db } from "../../src/db/connect.ts";
import { keyringFromSecret } from "../../src/deliveries/tokens.ts";
import { ensureSecret } from "../../src/send/accounts.ts";
import { beginSending } from "../../src/send/planner.ts";
import { aPerson } from "../helpers/builders.ts";
import { testDialects } from "../helpers/dialects.ts";
import { aReadyMailing, aSendingSetup } from "../helpers/mailings.ts";
import { request, signIn, startTestServer, type TestServer } from "../helpers/server.ts";
import { type SmtpSink, startSmtpSink } from "../helpers/smtp-sink.ts";
import {
  CERT_URL,
  mailgunBody,
  mailgunComplained,
  mailgunFailed,
  postmarkBounce,
  postmarkComplaint,
  sendgridEvent,
  sendgridRequest,
  sesBounce,
  sesComplaint,
  snsMessage,
  snsNotification,
  TOPIC,
} from "../helpers/webhook-payloads.ts";
import { selfSignedCertificate } from "../helpers/x509.ts";

const cert = selfSignedCertificate();
const forger = selfSignedCertificate();
const MAILGUN_KEY = "key-3ax6xnjp29jd6fds4gc373sgvjxteol0";
const POSTMARK_SECRET = "pm-0123456789abcdef-secret";
const sendgrid = generateKeyPairSync("ec", { namedCurve: "prime256v1" });

type Sent = { id: number; email: string; messageId: string; personId: number };

describe.each(await testDialects())("provider webhooks on %s", (dialect) => {
  let server: TestServer;
  let sink: SmtpSink;
  let db: Db;
  let setup: Awaited<ReturnType<typeof aSendingSetup>>;
  const fetched: string[] = [];

  beforeAll(async () => {
    sink = await startSmtpSink({ parse: false });
    server = await startTestServer({
      dialect,
      config: {
        sesTopicArns: `${TOPIC}, arn:aws:sns:us-east-1:123456789012:other`,
        mailgunSigningKey: MAILGUN_KEY,
        sendgridPublicKey: sendgrid.publicKey.export({ type: "spki", format: "der" }).toString("base64"),
        postmarkWebhookSecret: POSTMARK_SECRET,
      },
      // Plays AWS: serves the test certificate at its URL, answers subscription confirmations, nothing else.
      snsFetch: async (url) => {
        fetched.push(url);
        if (url === CERT_URL) return cert.pem;
        if (url.startsWith("https://sns.eu-west-1.amazonaws.com/?Action=ConfirmSubscription"))
          return "<ConfirmSubscriptionResponse/>";
        throw new Error(`unexpected fetch ${url}`);
      },
    });
    db = server.server.handle.db;
    setup = await aSendingSetup(db, { host: sink.host, port: sink.port });
  });
  afterAll(async () => {
    await server?.close();
    await sink?.close();
  });

  /** Sends a mailing to one new person through the server's own worker and returns the delivery. */
  async function sent(name: string): Promise<Sent> {
    const p = await aPerson(db, { email: `${name}-${dialect}@mottaker.example` });
    const mailing = await aReadyMailing(db, setup, [p.id]);
    await beginSending(db, mailing.id);
    for (let i = 0; i < 200; i++) {
      const d = await db
        .selectFrom("deliveries")
        .select(["id", "status", "message_id"])
        .where("mailing_id", "=", mailing.id)
        .executeTakeFirst();
      if (d?.status === "sent")
        return { id: d.id, email: p.email!, messageId: d.message_id!, personId: p.id };
      await new Promise((r) => setTimeout(r, 100));
    }
    throw new Error(`mailing ${mailing.id} was not sent`);
  }

  const delivery = (id: number) =>
    db.selectFrom("deliveries").selectAll().where("id", "=", id).executeTakeFirstOrThrow();
  const block = (email: string) =>
    db
      .selectFrom("address_blocks")
      .selectAll()
      .where("address_lower", "=", email.toLowerCase())
      .executeTakeFirst();
  const rowsFor = (id: number) =>
    db.selectFrom("inbound_messages").selectAll().where("delivery_id", "=", id).orderBy("id").execute();
  const inboundCount = async () =>
    Number(
      (
        await db
          .selectFrom("inbound_messages")
          .select((eb) => eb.fn.countAll().as("n"))
          .executeTakeFirstOrThrow()
      ).n,
    );
  const consent = (personId: number) =>
    db
      .selectFrom("person_consents as pc")
      .innerJoin("consent_purposes as cp", "cp.id", "pc.purpose_id")
      .select("pc.legal_basis")
      .where("pc.person_id", "=", personId)
      .where("cp.key", "=", "e-marketing")
      .executeTakeFirst();
  const post = (path: string, body: unknown, headers: Record<string, string> = {}) =>
    request(server.url, "POST", path, {
      body: typeof body === "string" ? body : JSON.stringify(body),
      headers: { "content-type": "application/json", ...headers },
    });

  async function expectComplained(s: Sent) {
    expect(await delivery(s.id)).toMatchObject({ status: "complained" });
    expect((await consent(s.personId))?.legal_basis).toBe("withdrawn");
    expect(await block(s.email)).toMatchObject({ blocked: 1, reason: "complained" });
  }

  it("SES: a signed Permanent bounce (SignatureVersion 1) is stored raw, turns the delivery hard-bounced and blocks the address", async () => {
    const s = await sent("ses-hard");
    const body = JSON.stringify(
      snsNotification(cert.privateKey, sesBounce({ address: s.email, messageId: s.messageId }, "Permanent")),
    );
    const response = await post("/hooks/ses", body, { "content-type": "text/plain; charset=UTF-8" });
    expect(response.status, JSON.stringify(response.body)).toBe(200);
    expect(response.body).toEqual({ received: 1 });
    expect(await delivery(s.id)).toMatchObject({ status: "bounced", bounce_kind: "hard" });
    expect(await block(s.email)).toMatchObject({ blocked: 1, reason: "hard-bounce" });
    const [row] = await rowsFor(s.id);
    expect(row).toMatchObject({
      route: "webhook-ses",
      status: "processed",
      kind: "hard",
      recipient: s.email,
    });
    expect(Buffer.from(row!.raw).toString("utf8")).toBe(body);
    // SNS redelivers the same message: nothing new is stored or counted.
    expect((await post("/hooks/ses", body)).status).toBe(200);
    expect(await rowsFor(s.id)).toHaveLength(1);
  });

  it("SES: a Transient bounce (SignatureVersion 2) is soft and counted; a complaint withdraws consent", async () => {
    const soft = await sent("ses-soft");
    const v2 = snsNotification(
      cert.privateKey,
      sesBounce({ address: soft.email, messageId: soft.messageId }, "Transient"),
      "2",
    );
    expect((await post("/hooks/ses", v2)).status).toBe(200);
    expect(await delivery(soft.id)).toMatchObject({ status: "bounced", bounce_kind: "soft" });
    expect(await block(soft.email)).toMatchObject({ blocked: 0, soft_count: 1 });

    const spam = await sent("ses-spam");
    const complaint = snsNotification(
      cert.privateKey,
      sesComplaint({ address: spam.email, messageId: spam.messageId }),
    );
    expect((await post("/hooks/ses", complaint)).status).toBe(200);
    await expectComplained(spam);
  });

  it("SES: a subscription confirmation is confirmed by GET of its AWS SubscribeURL", async () => {
    const before = await inboundCount();
    const m = snsMessage(cert.privateKey, {
      Type: "SubscriptionConfirmation",
      Message: "You have chosen to subscribe",
    });
    const response = await post("/hooks/ses", m);
    expect(response.status).toBe(200);
    expect(fetched).toContain(m.SubscribeURL);
    expect(await inboundCount()).toBe(before);
  });

  it("Mailgun: a permanent failure is a hard bounce, a complaint a complaint", async () => {
    const hard = await sent("mg-hard");
    const r1 = await post(
      "/hooks/mailgun",
      mailgunBody(
        MAILGUN_KEY,
        mailgunFailed({ address: hard.email, messageId: hard.messageId }, "permanent"),
      ),
    );
    expect(r1.status, JSON.stringify(r1.body)).toBe(200);
    expect(await delivery(hard.id)).toMatchObject({ status: "bounced", bounce_kind: "hard" });
    expect(await block(hard.email)).toMatchObject({ blocked: 1, reason: "hard-bounce" });

    const spam = await sent("mg-spam");
    const r2 = await post(
      "/hooks/mailgun",
      mailgunBody(MAILGUN_KEY, mailgunComplained({ address: spam.email, messageId: spam.messageId })),
    );
    expect(r2.status).toBe(200);
    await expectComplained(spam);
  });

  it("SendGrid: a signed batch bounces one delivery, records a complaint on another and leaves a deferred one unchanged", async () => {
    const [hard, spam, slow] = [await sent("sg-hard"), await sent("sg-spam"), await sent("sg-slow")];
    const req = sendgridRequest(sendgrid.privateKey, [
      sendgridEvent({ address: hard.email, messageId: hard.messageId }, "processed"),
      sendgridEvent({ address: hard.email, messageId: hard.messageId }, "bounce", {
        type: "bounce",
        status: "5.1.1",
        reason: "550 5.1.1 The email account that you tried to reach does not exist",
      }),
      sendgridEvent({ address: spam.email, messageId: spam.messageId }, "spamreport"),
      sendgridEvent({ address: slow.email, messageId: slow.messageId }, "deferred", {
        response: "452 4.2.2 Mailbox over quota",
        attempt: "1",
      }),
    ]);
    const response = await post("/hooks/sendgrid", req.body, req.headers);
    expect(response.status, JSON.stringify(response.body)).toBe(200);
    expect(response.body).toEqual({ received: 3 });
    expect(await delivery(hard.id)).toMatchObject({ status: "bounced", bounce_kind: "hard" });
    expect(await block(hard.email)).toMatchObject({ blocked: 1 });
    await expectComplained(spam);
    expect(await delivery(slow.id)).toMatchObject({ status: "sent", bounce_kind: null });
    expect((await rowsFor(slow.id))[0]).toMatchObject({ route: "webhook-sendgrid", status: "processed" });
    expect((await rowsFor(slow.id))[0]!.detail).toMatch(/^delayed/);
    expect(await block(slow.email)).toBeUndefined();
  });

  it("Postmark: a hard bounce with the secret in the path, a spam complaint with it as basic auth", async () => {
    const hard = await sent("pm-hard");
    const r1 = await post(
      `/hooks/postmark/${POSTMARK_SECRET}`,
      postmarkBounce({ address: hard.email }, "HardBounce"),
    );
    expect(r1.status, JSON.stringify(r1.body)).toBe(200);
    expect(await delivery(hard.id)).toMatchObject({ status: "bounced", bounce_kind: "hard" });
    expect(await block(hard.email)).toMatchObject({ blocked: 1, reason: "hard-bounce" });

    const spam = await sent("pm-spam");
    const basic = `Basic ${Buffer.from(`postmark:${POSTMARK_SECRET}`).toString("base64")}`;
    const r2 = await post("/hooks/postmark", postmarkComplaint({ address: spam.email }), {
      authorization: basic,
    });
    expect(r2.status).toBe(200);
    await expectComplained(spam);
  });

  it("refuses forged, wrongly signed, stale and off-AWS requests with nothing stored and nothing changed", async () => {
    const s = await sent("forged");
    const who = { address: s.email, messageId: s.messageId };
    const before = await inboundCount();
    const fetchedBefore = fetched.length;
    const now = Math.floor(Date.now() / 1000);

    const good = snsNotification(cert.privateKey, sesBounce(who, "Permanent"));
    const forgedSes = { ...good, Message: good.Message.replace(s.email, "someone@else.example") };
    const otherKey = snsNotification(forger.privateKey, sesBounce(who, "Permanent"));
    const offAws = snsMessage(cert.privateKey, {
      Type: "Notification",
      Message: JSON.stringify(sesBounce(who, "Permanent")),
      SigningCertURL: "https://certs.evil.example/SimpleNotificationService.pem",
    });
    const otherTopic = snsMessage(cert.privateKey, {
      Type: "Notification",
      Message: JSON.stringify(sesBounce(who, "Permanent")),
      TopicArn: "arn:aws:sns:eu-west-1:666666666666:attacker",
    });
    const mgOld = mailgunBody(MAILGUN_KEY, mailgunFailed(who, "permanent"), now - 3600);
    const mgWrong = mailgunBody("key-not-the-right-one", mailgunFailed(who, "permanent"));
    const mgReused = mailgunBody(MAILGUN_KEY, { event: "opened", recipient: s.email });
    expect((await post("/hooks/mailgun", mgReused)).status).toBe(200);
    const sgOther = sendgridRequest(generateKeyPairSync("ec", { namedCurve: "prime256v1" }).privateKey, [
      sendgridEvent(who, "bounce", { type: "bounce" }),
    ]);
    const sgOld = sendgridRequest(
      sendgrid.privateKey,
      [sendgridEvent(who, "bounce", { type: "bounce" })],
      now - 3600,
    );
    const sgGood = sendgridRequest(sendgrid.privateKey, [sendgridEvent(who, "bounce", { type: "bounce" })]);

    const attempts: Array<[string, unknown, Record<string, string>, number, string]> = [
      ["/hooks/ses", forgedSes, {}, 401, "WEBHOOK_SIGNATURE_INVALID"],
      ["/hooks/ses", otherKey, {}, 401, "WEBHOOK_SIGNATURE_INVALID"],
      ["/hooks/ses", offAws, {}, 401, "WEBHOOK_SIGNATURE_INVALID"],
      ["/hooks/ses", otherTopic, {}, 403, "WEBHOOK_TOPIC_REFUSED"],
      ["/hooks/ses", { Type: "Notification" }, {}, 400, "VALIDATION_FAILED"],
      ["/hooks/ses", "{not json", {}, 400, "VALIDATION_FAILED"],
      ["/hooks/mailgun", mgWrong, {}, 401, "WEBHOOK_SIGNATURE_INVALID"],
      ["/hooks/mailgun", mgOld, {}, 403, "WEBHOOK_REPLAYED"],
      ["/hooks/mailgun", mgReused, {}, 403, "WEBHOOK_REPLAYED"],
      [
        "/hooks/mailgun",
        { "event-data": mailgunFailed(who, "permanent") },
        {},
        401,
        "WEBHOOK_SIGNATURE_INVALID",
      ],
      ["/hooks/sendgrid", sgOther.body, sgOther.headers, 401, "WEBHOOK_SIGNATURE_INVALID"],
      ["/hooks/sendgrid", sgOld.body, sgOld.headers, 403, "WEBHOOK_REPLAYED"],
      [
        "/hooks/sendgrid",
        sgGood.body.replace("bounce", "bounced"),
        sgGood.headers,
        401,
        "WEBHOOK_SIGNATURE_INVALID",
      ],
      ["/hooks/sendgrid", sgGood.body, {}, 401, "WEBHOOK_SIGNATURE_INVALID"],
      [
        `/hooks/postmark/${POSTMARK_SECRET.slice(0, -1)}x`,
        postmarkBounce(who, "HardBounce"),
        {},
        401,
        "WEBHOOK_SIGNATURE_INVALID",
      ],
      ["/hooks/postmark", postmarkBounce(who, "HardBounce"), {}, 401, "WEBHOOK_SIGNATURE_INVALID"],
    ];
    for (const [path, body, headers, status, code] of attempts) {
      const response = await post(path, body, headers);
      expect(response.status, `${path} ${JSON.stringify(response.body)}`).toBe(status);
      expect((response.body as { error: { code: string } }).error.code).toBe(code);
    }
    expect(await inboundCount()).toBe(before);
    // Only the one certificate URL on AWS was ever fetched.
    expect(fetched.slice(fetchedBefore).every((u) => u === CERT_URL)).toBe(true);
    expect(await delivery(s.id)).toMatchObject({ status: "sent" });
    expect(await block(s.email)).toBeUndefined();
  });

  it("processes a stored webhook row that a crash left unprocessed", async () => {
    const s = await sent("crash");
    const raw = JSON.stringify(postmarkBounce({ address: s.email }, "HardBounce"));
    const [id] = await storeEvents(db, "webhook-postmark", "postmark", [
      { recipient: s.email, raw, key: null },
    ]);
    expect(await delivery(s.id)).toMatchObject({ status: "sent" });
    // What the sweep (here, or in `utsend bounces listen`) does a minute later.
    await processPending(db, keyringFromSecret(await ensureSecret(db, "")), { bounceThreshold: 5 });
    const row = await db
      .selectFrom("inbound_messages")
      .selectAll()
      .where("id", "=", id!)
      .executeTakeFirstOrThrow();
    expect(row).toMatchObject({ status: "processed", kind: "hard", delivery_id: s.id });
    expect(await delivery(s.id)).toMatchObject({ status: "bounced", bounce_kind: "hard" });
  });
});

describe("provider webhooks without configuration", () => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startTestServer();
  });
  afterAll(async () => server?.close());

  it("answers 404 on every endpoint whose key is not configured, and the UI fallback leaves /hooks/ alone", async () => {
    for (const path of [
      "/hooks/ses",
      "/hooks/mailgun",
      "/hooks/sendgrid",
      "/hooks/postmark",
      "/hooks/postmark/abc",
    ]) {
      const response = await request(server.url, "POST", path, { body: { any: 1 } });
      expect(response.status, path).toBe(404);
      expect((response.body as { error: { code: string } }).error.code).toBe("NOT_FOUND");
    }
    expect((await request(server.url, "GET", "/hooks/ses")).status).toBe(404);
  });

  it("keeps the webhooks out of the OpenAPI document (providers define their bodies)", async () => {
    const admin = await signIn(server.url, server.adminEmail, server.adminPassword);
    const spec = (await admin.get("/api/openapi.json")).body as { paths: Record<string, unknown> };
    expect(Object.keys(spec.paths).filter((p) => p.startsWith("/hooks"))).toEqual([]);
  });
});
