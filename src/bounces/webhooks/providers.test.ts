// What each provider's events mean (pure classification, as processing reads the stored rows) and how each
// provider's signature or secret is checked, without a server.
import { generateKeyPairSync } from "node:crypto";
import { describe, expect, it } from "vitest";
import {
  mailgunBody,
  mailgunComplained,
  mailgunFailed,
  postmarkBounce,
  postmarkComplaint,
  sendgridEvent,
  sendgridRequest,
  sesBounce,
  sesComplaint,
  snsNotification,
} from "../../../test/helpers/webhook-payloads.ts";
import { selfSignedCertificate } from "../../../test/helpers/x509.ts";
import { classifyWebhook } from "./classify.ts";
import { verifyMailgun } from "./mailgun.ts";
import { verifyPostmark } from "./postmark.ts";
import { sendgridPublicKey, verifySendgrid } from "./sendgrid.ts";
import { readSesMessage, sesEvents } from "./ses.ts";
import { ReplayGuard } from "./signatures.ts";

const kari = { address: "Kari@Mottaker.example", messageId: "a1b2.c3@firma.example" };
const bytes = (text: string) => Buffer.from(text, "utf8");

describe("SES through SNS", () => {
  const cert = selfSignedCertificate();
  const stored = (ses: unknown) => {
    const sns = snsNotification(cert.privateKey, ses);
    const raw = JSON.stringify(sns);
    const events = sesEvents(readSesMessage(sns.Message)!, raw, sns.MessageId);
    return events.map((e) => ({ ...e, c: classifyWebhook("webhook-ses", bytes(e.raw), e.recipient) }));
  };

  it("reads a Permanent bounce as hard with the status, the diagnostic and our Message-ID", () => {
    const [e] = stored(sesBounce(kari, "Permanent"));
    expect(e!.recipient).toBe(kari.address);
    expect(e!.key).toMatch(/^ses:.+:kari@mottaker\.example$/);
    expect(e!.c).toMatchObject({
      kind: "hard",
      recipients: [kari.address],
      status: "5.1.1",
      action: "failed",
      originalMessageId: kari.messageId,
    });
    expect(e!.c.reason).toMatch(/user unknown/);
  });

  it("reads a Transient bounce as soft and a complaint as a complaint; not-spam is no complaint", () => {
    expect(stored(sesBounce(kari, "Transient"))[0]!.c).toMatchObject({ kind: "soft", status: "5.2.2" });
    expect(stored(sesComplaint(kari))[0]!.c).toMatchObject({ kind: "complaint", feedbackType: "abuse" });
    expect(stored(sesComplaint(kari, "not-spam"))[0]!.c.kind).toBe("unknown");
  });

  it("stores one row per recipient, and nothing for deliveries", () => {
    const two = sesBounce(kari, "Permanent");
    two.bounce.bouncedRecipients.push({
      ...two.bounce.bouncedRecipients[0]!,
      emailAddress: "ola@mottaker.example",
    });
    expect(stored(two).map((e) => e.recipient)).toEqual([kari.address, "ola@mottaker.example"]);
    expect(readSesMessage(JSON.stringify({ notificationType: "Delivery", mail: {} }))).toBeNull();
    expect(readSesMessage("not json")).toBeNull();
  });

  it("finds the delivery's VERP token in the envelope sender SES reports", () => {
    const [e] = stored(
      sesBounce(
        { address: "x@mottaker.example", source: "bounces+a1.ABCDEFGHIJKL@b.firma.example" },
        "Permanent",
      ),
    );
    expect(e!.c.verpToken).toBe("a1.ABCDEFGHIJKL");
  });
});

describe("Mailgun", () => {
  const key = "key-3ax6xnjp29jd6fds4gc373sgvjxteol0";

  it("accepts a correctly signed body once, and refuses a wrong key, an old timestamp and a reused token", () => {
    const guard = new ReplayGuard();
    const body = JSON.stringify(mailgunBody(key, mailgunFailed(kari, "permanent")));
    const checked = verifyMailgun(body, key, guard);
    expect(checked.events).toHaveLength(1);
    guard.remember(checked.replayKey, checked.timestamp, Date.now());
    expect(() => verifyMailgun(body, key, guard)).toThrow(
      expect.objectContaining({ code: "WEBHOOK_REPLAYED" }),
    );
    expect(() => verifyMailgun(body, "key-wrong", new ReplayGuard())).toThrow(
      expect.objectContaining({ code: "WEBHOOK_SIGNATURE_INVALID" }),
    );
    const old = JSON.stringify(
      mailgunBody(key, mailgunFailed(kari, "permanent"), Math.floor(Date.now() / 1000) - 3600),
    );
    expect(() => verifyMailgun(old, key, new ReplayGuard())).toThrow(
      expect.objectContaining({ code: "WEBHOOK_REPLAYED" }),
    );
    const tampered = body.replace("permanent", "temporary");
    expect(() => verifyMailgun(tampered, key, new ReplayGuard())).not.toThrow();
    // The signature covers only timestamp + token (Mailgun's scheme); the replay guard is what stops a reuse.
  });

  it("reads permanent failures by their status, temporary ones as delays, and complaints", () => {
    const c = (data: unknown) =>
      classifyWebhook(
        "webhook-mailgun",
        bytes(JSON.stringify(mailgunBody(key, data as Record<string, unknown>))),
        kari.address,
      );
    expect(c(mailgunFailed(kari, "permanent"))).toMatchObject({
      kind: "hard",
      status: "5.1.1",
      originalMessageId: kari.messageId,
      action: "failed",
    });
    expect(c(mailgunFailed(kari, "permanent", 552, "5.2.2 Mailbox full"))).toMatchObject({ kind: "soft" });
    expect(c(mailgunFailed(kari, "temporary"))).toMatchObject({ kind: "soft", action: "delayed" });
    expect(c(mailgunComplained(kari))).toMatchObject({ kind: "complaint" });
    expect(c({ event: "delivered", recipient: kari.address }).kind).toBe("unknown");
  });

  it("stores nothing for events it does not act on", () => {
    const body = JSON.stringify(mailgunBody(key, { event: "opened", recipient: kari.address }));
    expect(verifyMailgun(body, key, new ReplayGuard()).events).toEqual([]);
  });
});

describe("SendGrid", () => {
  const { privateKey, publicKey } = generateKeyPairSync("ec", { namedCurve: "prime256v1" });
  const configured = publicKey.export({ type: "spki", format: "der" }).toString("base64");
  const key = sendgridPublicKey(configured);

  it("reads the key as SendGrid shows it (base64) or as PEM, and refuses anything else as configuration", () => {
    expect(
      sendgridPublicKey(publicKey.export({ type: "spki", format: "pem" }) as string).asymmetricKeyType,
    ).toBe("ec");
    expect(() => sendgridPublicKey("bm90IGEga2V5")).toThrow(
      expect.objectContaining({ code: "CONFIG_INVALID" }),
    );
  });

  it("accepts a signed batch and keeps only bounce, dropped, deferred and spamreport events, one row each", () => {
    const req = sendgridRequest(privateKey, [
      sendgridEvent(kari, "delivered"),
      sendgridEvent(kari, "bounce", { type: "bounce", status: "5.1.1", reason: "550 5.1.1 User unknown" }),
      sendgridEvent(kari, "open"),
      sendgridEvent(kari, "spamreport"),
    ]);
    const checked = verifySendgrid(req.body, headersOf(req), key, new ReplayGuard());
    expect(checked.events.map((e) => JSON.parse(e.raw).event)).toEqual(["bounce", "spamreport"]);
    expect(checked.events.every((e) => e.key?.startsWith("sendgrid:"))).toBe(true);
  });

  it("refuses a changed body, another key, missing headers and an old timestamp", () => {
    const req = sendgridRequest(privateKey, [sendgridEvent(kari, "bounce", { type: "bounce" })]);
    const other = generateKeyPairSync("ec", { namedCurve: "prime256v1" }).privateKey;
    const forged = sendgridRequest(other, [sendgridEvent(kari, "bounce", { type: "bounce" })]);
    const old = sendgridRequest(
      privateKey,
      [sendgridEvent(kari, "bounce")],
      Math.floor(Date.now() / 1000) - 3600,
    );
    const refuse = (
      body: string,
      headers: { signature: string | null; timestamp: string | null },
      code: string,
    ) =>
      expect(() => verifySendgrid(body, headers, key, new ReplayGuard())).toThrow(
        expect.objectContaining({ code }),
      );
    refuse(req.body.replace("bounce", "bounced"), headersOf(req), "WEBHOOK_SIGNATURE_INVALID");
    refuse(forged.body, headersOf(forged), "WEBHOOK_SIGNATURE_INVALID");
    refuse(req.body, { signature: null, timestamp: null }, "WEBHOOK_SIGNATURE_INVALID");
    refuse(old.body, headersOf(old), "WEBHOOK_REPLAYED");
  });

  it("refuses the same signed body again when its ECDSA signature is rewritten as (r, n − s)", () => {
    const req = sendgridRequest(privateKey, [sendgridEvent(kari, "bounce", { type: "bounce" })]);
    const guard = new ReplayGuard();
    const first = verifySendgrid(req.body, headersOf(req), key, guard);
    guard.remember(first.replayKey, first.timestamp, Date.now());
    const twin = malleated(headersOf(req).signature!);
    expect(twin).not.toBe(headersOf(req).signature);
    // The twin is a valid signature of the same bytes: only the replay guard can stop it.
    expect(() =>
      verifySendgrid(req.body, { ...headersOf(req), signature: twin }, key, new ReplayGuard()),
    ).not.toThrow();
    expect(() => verifySendgrid(req.body, { ...headersOf(req), signature: twin }, key, guard)).toThrow(
      expect.objectContaining({ code: "WEBHOOK_REPLAYED" }),
    );
  });

  it("reads bounce types, dropped reasons, deferrals and spam reports", () => {
    const c = (e: unknown) => classifyWebhook("webhook-sendgrid", bytes(JSON.stringify(e)), kari.address);
    expect(
      c(sendgridEvent(kari, "bounce", { type: "bounce", status: "5.1.1", reason: "550 5.1.1 User unknown" })),
    ).toMatchObject({
      kind: "hard",
      status: "5.1.1",
      originalMessageId: kari.messageId,
    });
    expect(
      c(sendgridEvent(kari, "bounce", { type: "blocked", status: "4.0.0", reason: "421 try later" })).kind,
    ).toBe("soft");
    expect(c(sendgridEvent(kari, "dropped", { reason: "Bounced Address" })).kind).toBe("hard");
    expect(c(sendgridEvent(kari, "dropped", { reason: "Spam Content" })).kind).toBe("soft");
    expect(c(sendgridEvent(kari, "deferred", { response: "452 4.2.2 over quota" }))).toMatchObject({
      kind: "soft",
      action: "delayed",
    });
    expect(c(sendgridEvent(kari, "spamreport")).kind).toBe("complaint");
  });
});

describe("Postmark", () => {
  const secret = "pm-secret-0123456789abcdef";
  const raw = JSON.stringify(postmarkBounce(kari, "HardBounce"));

  it("accepts the secret in the path or as the basic-auth password, compared whole", () => {
    expect(verifyPostmark(raw, { pathSecret: secret, authorization: undefined }, secret)).toHaveLength(1);
    const basic = `Basic ${Buffer.from(`postmark:${secret}`).toString("base64")}`;
    expect(verifyPostmark(raw, { pathSecret: null, authorization: basic }, secret)).toHaveLength(1);
    for (const given of [
      { pathSecret: "wrong", authorization: undefined },
      { pathSecret: secret.slice(0, -1), authorization: undefined },
      { pathSecret: `${secret}x`, authorization: undefined },
      { pathSecret: null, authorization: undefined },
      { pathSecret: null, authorization: `Basic ${Buffer.from(`${secret}:x`).toString("base64")}` },
    ])
      expect(() => verifyPostmark(raw, given, secret)).toThrow(
        expect.objectContaining({ code: "WEBHOOK_SIGNATURE_INVALID" }),
      );
  });

  it("reads hard and soft bounces, transient delays, auto-replies and spam complaints", () => {
    const c = (r: unknown) => classifyWebhook("webhook-postmark", bytes(JSON.stringify(r)), kari.address);
    expect(c(postmarkBounce(kari, "HardBounce"))).toMatchObject({ kind: "hard", status: "5.1.1" });
    expect(c(postmarkBounce(kari, "SoftBounce", "smtp;552 5.2.2 mailbox full")).kind).toBe("soft");
    expect(c(postmarkBounce(kari, "Transient", "smtp;451 4.3.0 try again"))).toMatchObject({
      action: "delayed",
    });
    expect(c(postmarkBounce(kari, "AutoResponder", "Out of office")).kind).toBe("autoreply");
    expect(c(postmarkComplaint(kari)).kind).toBe("complaint");
    expect(c(postmarkBounce(kari, "SpamNotification")).kind).toBe("unknown");
  });
});

describe("classifyWebhook", () => {
  it("gives unknown for a stored payload it cannot read", () => {
    for (const route of ["webhook-ses", "webhook-mailgun", "webhook-sendgrid", "webhook-postmark"] as const)
      expect(classifyWebhook(route, bytes("{not json"), "x@y.example").kind).toBe("unknown");
  });
});

function headersOf(req: ReturnType<typeof sendgridRequest>) {
  return {
    signature: req.headers["x-twilio-email-event-webhook-signature"],
    timestamp: req.headers["x-twilio-email-event-webhook-timestamp"],
  };
}

const P256_ORDER = BigInt("0xFFFFFFFF00000000FFFFFFFFFFFFFFFFBCE6FAADA7179E84F3B9CAC2FC632551");

/** The other valid ECDSA signature of the same message: DER (r, s) → (r, n − s). */
function malleated(base64: string): string {
  const der = Buffer.from(base64, "base64");
  const readInt = (at: number) => {
    const length = der[at + 1]!;
    return {
      value: BigInt(`0x${der.subarray(at + 2, at + 2 + length).toString("hex")}`),
      end: at + 2 + length,
    };
  };
  const r = readInt(2);
  const s = readInt(r.end);
  const integer = (n: bigint) => {
    let hex = n.toString(16);
    if (hex.length % 2) hex = `0${hex}`;
    let bytes = Buffer.from(hex, "hex");
    if (bytes[0]! & 0x80) bytes = Buffer.concat([Buffer.from([0]), bytes]);
    return Buffer.concat([Buffer.from([0x02, bytes.length]), bytes]);
  };
  const body = Buffer.concat([integer(r.value), integer(P256_ORDER - s.value)]);
  return Buffer.concat([Buffer.from([0x30, body.length]), body]).toString("base64");
}
