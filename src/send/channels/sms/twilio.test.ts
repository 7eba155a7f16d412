import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { afterEach, describe, expect, it } from "vitest";
import { type FakeTwilio, startFakeTwilio } from "../../../../test/helpers/fake-twilio.ts";
import type { Transport } from "../../channel.ts";
import {
  createTwilioTransport,
  parseInboundWebhook,
  parseStatusCallback,
  type TwilioConfig,
  verifyTwilioSignature,
} from "./twilio.ts";
import type { DeliveryReport, SmsMessage } from "./types.ts";

const cleanup: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const step of cleanup.splice(0).reverse()) await step();
});

async function fakeTwilio(): Promise<FakeTwilio> {
  const fake = await startFakeTwilio();
  cleanup.push(() => fake.close());
  return fake;
}

function transport(fake: FakeTwilio, options: Partial<TwilioConfig> = {}): Transport<SmsMessage> {
  const t = createTwilioTransport({
    accountSid: fake.accountSid,
    authToken: fake.authToken,
    apiUrl: fake.url,
    retryDelayMs: 5,
    ...options,
  });
  cleanup.push(() => t.close());
  return t;
}

function sms(to = "+4791234567", n = 1): SmsMessage {
  return {
    mailingId: 1,
    deliveryId: n,
    isTest: false,
    from: "Fjordlys",
    to,
    text: `Hei! Årsmøtet er tirsdag kl. 19. (${n})\nSvar STOPP for å melde deg av`,
    encoding: "gsm7",
    parts: 1,
  };
}

describe("Twilio transport", () => {
  it("sends a message and reports it accepted with Twilio's message sid", async () => {
    const fake = await fakeTwilio();
    const [outcome] = await transport(fake).send([sms()]);

    const sid = fake.messages[0]?.sid;
    expect(sid).toMatch(/^SM[0-9a-f]{32}$/);
    expect(outcome).toEqual({ kind: "accepted", reply: `201 ${sid} queued`, providerIds: [sid] });
  });

  it("posts To, From, Body and StatusCallback as a form, with the account's Basic auth", async () => {
    const fake = await fakeTwilio();
    await transport(fake, { statusCallbackUrl: "https://utsend.example.no/webhooks/twilio/status" }).send([
      sms(),
    ]);

    const [request] = fake.requests;
    expect(request?.method).toBe("POST");
    expect(request?.path).toBe(`/2010-04-01/Accounts/${fake.accountSid}/Messages.json`);
    expect(request?.contentType).toMatch(/^application\/x-www-form-urlencoded/);
    expect(request?.authorization).toBe(
      `Basic ${Buffer.from(`${fake.accountSid}:${fake.authToken}`).toString("base64")}`,
    );
    expect(request?.form).toEqual({
      To: "+4791234567",
      From: "Fjordlys",
      Body: "Hei! Årsmøtet er tirsdag kl. 19. (1)\nSvar STOPP for å melde deg av",
      StatusCallback: "https://utsend.example.no/webhooks/twilio/status",
    });
  });

  it("leaves StatusCallback out when the account has none", async () => {
    const fake = await fakeTwilio();
    await transport(fake).send([sms()]);
    expect(fake.requests[0]?.form).not.toHaveProperty("StatusCallback");
  });

  it("answers one outcome per message, in the batch's order", async () => {
    const fake = await fakeTwilio();
    fake.reject("+4791111111", 21614, "'To' number is not a valid mobile number");
    const outcomes = await transport(fake).send([
      sms("+4790000001", 1),
      sms("+4791111111", 2),
      sms("+4790000003", 3),
    ]);

    expect(outcomes.map((o) => o.kind)).toEqual(["accepted", "permanent", "accepted"]);
    const sidTo = (to: string) => fake.messages.find((m) => m.to === to)?.sid;
    expect(outcomes[0]).toMatchObject({ providerIds: [sidTo("+4790000001")] });
    expect(outcomes[2]).toMatchObject({ providerIds: [sidTo("+4790000003")] });
  });

  it("waits and retries when throttled (429), and never fails the message for it", async () => {
    const fake = await fakeTwilio();
    fake.throttle(2);
    const started = Date.now();
    const [outcome] = await transport(fake, { retryDelayMs: 20 }).send([sms()]);

    expect(outcome?.kind).toBe("accepted");
    expect(fake.requests.map((r) => r.answered)).toEqual([429, 429, 201]);
    expect(fake.messages).toHaveLength(1);
    // 20 ms, then 40 ms: the pause grows while the 429s keep coming.
    expect(Date.now() - started).toBeGreaterThanOrEqual(55);
  });

  it("waits at least as long as Retry-After says", async () => {
    const fake = await fakeTwilio();
    fake.throttle(1, "1");
    const started = Date.now();
    const [outcome] = await transport(fake).send([sms()]);

    expect(outcome?.kind).toBe("accepted");
    expect(Date.now() - started).toBeGreaterThanOrEqual(990);
  });

  it("fails a message to an invalid number permanently, with Twilio's error code", async () => {
    const fake = await fakeTwilio();
    const [outcome] = await transport(fake).send([sms("+47123")]);

    expect(outcome).toEqual({
      kind: "permanent",
      code: 400,
      status: null,
      reply: "21211 Invalid 'To' Phone Number: +47123",
    });
  });

  it("fails a message to a number that unsubscribed at Twilio permanently", async () => {
    const fake = await fakeTwilio();
    fake.reject("+4791234567", 21610, "Attempt to send to unsubscribed recipient");
    const [outcome] = await transport(fake).send([sms()]);

    expect(outcome).toEqual({
      kind: "permanent",
      code: 400,
      status: null,
      reply: "21610 Attempt to send to unsubscribed recipient",
    });
  });

  it("keeps a 400 about the sending account temporary, so the account's fault fails no recipient", async () => {
    const fake = await fakeTwilio();
    const [outcome] = await transport(fake).send([{ ...sms(), from: "" }]);

    expect(outcome).toEqual({
      kind: "temporary",
      code: 400,
      status: null,
      reply: "400 21603 A 'From' phone number is required.",
    });
  });

  it("reports wrong credentials (401) as temporary", async () => {
    const fake = await fakeTwilio();
    const [outcome] = await transport(fake, { authToken: "wrong" }).send([sms()]);

    expect(outcome).toEqual({ kind: "temporary", code: 401, status: null, reply: "401 20003 Authenticate" });
    expect(fake.messages).toHaveLength(0);
  });

  it("reports a refused connection as temporary: nothing reached Twilio", async () => {
    const fake = await fakeTwilio();
    const url = fake.url;
    await fake.close();
    const [outcome] = await transport(fake, { apiUrl: url }).send([sms()]);

    expect(outcome).toMatchObject({ kind: "temporary", code: null, status: null });
    expect(outcome).toMatchObject({ reply: expect.stringMatching(/ECONNREFUSED/) });
  });

  it("reports a connection dropped after the request was read as unknown, and does not send it again", async () => {
    const fake = await fakeTwilio();
    fake.dropAfterBody(1);
    const [outcome] = await transport(fake).send([sms()]);

    expect(outcome).toEqual({
      kind: "unknown",
      reply: expect.stringMatching(/^the connection broke before Twilio answered/),
    });
    expect(fake.requests).toHaveLength(1);
    expect(fake.requests[0]?.answered).toBe("dropped");
  });

  it("reports a request that got no answer in time as unknown", async () => {
    const fake = await fakeTwilio();
    fake.delayMs = 500;
    const [outcome] = await transport(fake, { timeoutMs: 100 }).send([sms()]);

    expect(outcome).toEqual({ kind: "unknown", reply: expect.stringMatching(/no answer within 0.1 s/) });
  });

  it("holds no more requests open at once than its concurrency", async () => {
    const fake = await fakeTwilio();
    fake.delayMs = 30;
    const batch = Array.from({ length: 12 }, (_, i) => sms(`+479000000${String(i).padStart(2, "0")}`, i));
    const outcomes = await transport(fake, { concurrency: 3 }).send(batch);

    expect(outcomes.every((o) => o.kind === "accepted")).toBe(true);
    expect(fake.maxInFlight).toBe(3);
  });

  it("sends up to 10 at once by default", async () => {
    const fake = await fakeTwilio();
    fake.delayMs = 30;
    const batch = Array.from({ length: 25 }, (_, i) => sms(`+479000000${String(i).padStart(2, "0")}`, i));
    await transport(fake).send(batch);

    expect(fake.maxInFlight).toBe(10);
  });
});

describe("verifyTwilioSignature", () => {
  // The example in Twilio's documentation of request validation (twilio-php's validation guide).
  const example = {
    authToken: "12345",
    url: "https://mycompany.com/myapp.php?foo=1&bar=2",
    params: {
      CallSid: "CA1234567890ABCDE",
      Caller: "+14158675309",
      Digits: "1234",
      From: "+14158675309",
      To: "+18005551212",
    },
    signature: "RSOYDt4T1cUTdK1PDd93/VVr8B8=",
  };

  it("accepts Twilio's documented example", () => {
    expect(verifyTwilioSignature(example)).toBe(true);
  });

  it("does not depend on the order the parameters came in", () => {
    const reversed = Object.fromEntries(Object.entries(example.params).reverse());
    expect(verifyTwilioSignature({ ...example, params: reversed })).toBe(true);
  });

  it("refuses a changed parameter", () => {
    expect(verifyTwilioSignature({ ...example, params: { ...example.params, Digits: "1235" } })).toBe(false);
  });

  it("refuses an added parameter", () => {
    expect(verifyTwilioSignature({ ...example, params: { ...example.params, Body: "STOPP" } })).toBe(false);
  });

  it("refuses a changed URL, also one that differs only in its query string", () => {
    expect(verifyTwilioSignature({ ...example, url: "https://mycompany.com/myapp.php?foo=1&bar=3" })).toBe(
      false,
    );
    expect(verifyTwilioSignature({ ...example, url: "https://mycompany.com/myapp.php" })).toBe(false);
  });

  it("refuses a forged, truncated or missing signature and a wrong token", () => {
    expect(verifyTwilioSignature({ ...example, signature: "RSOYDt4T1cUTdK1PDd93/VVr8B9=" })).toBe(false);
    expect(verifyTwilioSignature({ ...example, signature: "RSOYDt4T1cUTdK1PDd93" })).toBe(false);
    expect(verifyTwilioSignature({ ...example, signature: "" })).toBe(false);
    expect(verifyTwilioSignature({ ...example, signature: undefined })).toBe(false);
    expect(verifyTwilioSignature({ ...example, authToken: "12346" })).toBe(false);
  });
});

describe("status callbacks from Twilio", () => {
  /** A receiver like the webhook route: verifies the signature against the URL it was called on, then parses. */
  async function receiver(authToken: string) {
    const reports: DeliveryReport[] = [];
    const server = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on("data", (c: Buffer) => chunks.push(c));
      req.on("end", () => {
        const params = Object.fromEntries(new URLSearchParams(Buffer.concat(chunks).toString("utf8")));
        const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}${req.url}`;
        const signature = req.headers["x-twilio-signature"];
        if (!verifyTwilioSignature({ url, params, signature: String(signature ?? ""), authToken })) {
          res.writeHead(403).end();
          return;
        }
        const report = parseStatusCallback(params);
        if (report) reports.push(report);
        res.writeHead(204).end();
      });
    });
    server.listen(0, "127.0.0.1");
    await new Promise((resolve) => server.once("listening", resolve));
    cleanup.push(() => new Promise((resolve) => server.close(() => resolve())));
    const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/webhooks/twilio/status?account=7`;
    return { url, reports };
  }

  it("verifies and reads a signed delivery report for a message it sent", async () => {
    const fake = await fakeTwilio();
    const r = await receiver(fake.authToken);
    const [outcome] = await transport(fake, { statusCallbackUrl: r.url }).send([sms()]);
    const sid = outcome?.kind === "accepted" ? outcome.providerIds?.[0] : undefined;

    expect(await fake.sendStatusCallback(r.url, { sid: sid!, status: "sent" })).toEqual({ status: 204 });
    expect(await fake.sendStatusCallback(r.url, { sid: sid!, status: "delivered" })).toEqual({ status: 204 });
    expect(r.reports).toEqual([
      { providerMessageId: sid, status: "delivered", code: null, at: expect.any(String) },
    ]);
  });

  it("refuses a forged delivery report", async () => {
    const fake = await fakeTwilio();
    const r = await receiver(fake.authToken);

    expect(await fake.sendForgedStatusCallback(r.url, { sid: "SMforged", status: "delivered" })).toEqual({
      status: 403,
    });
    expect(r.reports).toEqual([]);
  });
});

describe("parseStatusCallback", () => {
  const receivedAt = new Date("2026-12-05T15:00:00Z");
  const base = {
    AccountSid: "AC1",
    MessageSid: "SM1",
    SmsSid: "SM1",
    From: "+4740000000",
    To: "+4791234567",
  };

  it("reads delivered as delivered", () => {
    expect(parseStatusCallback({ ...base, MessageStatus: "delivered" }, receivedAt)).toEqual({
      providerMessageId: "SM1",
      status: "delivered",
      code: null,
      at: "2026-12-05T15:00:00.000Z",
    });
  });

  it.each(["undelivered", "failed"])("reads %s as failed, keeping Twilio's error code", (status) => {
    expect(parseStatusCallback({ ...base, MessageStatus: status, ErrorCode: "30003" }, receivedAt)).toEqual({
      providerMessageId: "SM1",
      status: "failed",
      code: "30003",
      at: "2026-12-05T15:00:00.000Z",
    });
  });

  it.each(["queued", "sent", "accepted", "sending"])("gives no report while the message is %s", (status) => {
    expect(parseStatusCallback({ ...base, MessageStatus: status })).toBeNull();
  });

  it("reads the older SmsSid and SmsStatus when MessageSid and MessageStatus are missing", () => {
    expect(parseStatusCallback({ SmsSid: "SM9", SmsStatus: "delivered" })).toMatchObject({
      providerMessageId: "SM9",
      status: "delivered",
    });
  });

  it("gives no report for a callback without a sid or a status", () => {
    expect(parseStatusCallback({ MessageStatus: "delivered" })).toBeNull();
    expect(parseStatusCallback({ MessageSid: "SM1" })).toBeNull();
  });
});

describe("parseInboundWebhook", () => {
  it("reads who sent what to which of our numbers", () => {
    const params = {
      MessageSid: "SM2",
      AccountSid: "AC1",
      From: "+4791234567",
      To: "+4740000000",
      Body: "Stopp",
      NumMedia: "0",
    };
    expect(parseInboundWebhook(params, new Date("2026-12-05T15:00:00Z"))).toEqual({
      from: "+4791234567",
      to: "+4740000000",
      text: "Stopp",
      at: "2026-12-05T15:00:00.000Z",
    });
  });

  it("reads a message without a body as empty text", () => {
    expect(parseInboundWebhook({ From: "+4791234567", To: "+4740000000" }).text).toBe("");
  });

  it("refuses a webhook that names no sender, saying which field is missing", () => {
    expect(() => parseInboundWebhook({ To: "+4740000000", Body: "STOP" })).toThrow(/From/);
  });
});
