// A local stand-in for Twilio's Messages API (a paid API, the one kind of stand-in this project allows), on
// 127.0.0.1 and a free port: it checks what Twilio checks, answers in Twilio's shape, misbehaves on request,
// and posts status callbacks signed as Twilio signs them. It signs with its own code, not utsend's, so a test
// of utsend's verification against it is not circular.
import { createHmac, randomBytes } from "node:crypto";
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";

export type FakeTwilioRequest = {
  method: string;
  path: string;
  authorization: string | null;
  contentType: string | null;
  form: Record<string, string>;
  /** The HTTP status answered, or "dropped" when the connection was closed instead. */
  answered: number | "dropped";
};

export type FakeTwilioMessage = {
  sid: string;
  to: string;
  from: string;
  body: string;
  statusCallback: string | null;
};

export type StatusUpdate = {
  sid: string;
  status: "queued" | "sent" | "delivered" | "undelivered" | "failed";
  errorCode?: string;
};

export type FakeTwilio = {
  /** Base URL, as TwilioConfig.apiUrl takes it. */
  url: string;
  accountSid: string;
  authToken: string;
  requests: FakeTwilioRequest[];
  /** Messages it created (answered 201), in order. */
  messages: FakeTwilioMessage[];
  /** The most message requests it has held open at once. */
  maxInFlight: number;
  /** Answer the next `times` message requests with 429 (and this Retry-After header, when given). */
  throttle(times: number, retryAfter?: string): void;
  /** Answer every message to `to` with 400 and this Twilio error code. */
  reject(to: string, code: number, message: string): void;
  /** Read the next `times` requests' bodies in full and then close the connection without an answer. */
  dropAfterBody(times: number): void;
  /** Hold each answer this long (to see how many requests come at once). */
  delayMs: number;
  /** Posts a status callback to a 127.0.0.1 URL, signed with the auth token, as Twilio posts it. */
  sendStatusCallback(url: string, update: StatusUpdate): Promise<{ status: number }>;
  /** The same post with a signature made with the wrong key. */
  sendForgedStatusCallback(url: string, update: StatusUpdate): Promise<{ status: number }>;
  close(): Promise<void>;
};

function twilioError(code: number, message: string, status: number) {
  return { code, message, more_info: `https://www.twilio.com/docs/errors/${code}`, status };
}

// Written independently of src/send/channels/sms/twilio.ts on purpose.
function sign(authToken: string, url: string, params: Record<string, string>): string {
  const data = Object.keys(params)
    .sort()
    .reduce((acc, name) => acc + name + params[name], url);
  return createHmac("sha1", authToken).update(Buffer.from(data, "utf8")).digest("base64");
}

export async function startFakeTwilio(
  options: { accountSid?: string; authToken?: string } = {},
): Promise<FakeTwilio> {
  const accountSid = options.accountSid ?? `AC${randomBytes(16).toString("hex")}`;
  const authToken = options.authToken ?? randomBytes(16).toString("hex");
  const expectedAuth = `Basic ${Buffer.from(`${accountSid}:${authToken}`).toString("base64")}`;
  const rejections = new Map<string, { code: number; message: string }>();
  let throttles: { times: number; retryAfter?: string | undefined } = { times: 0 };
  let drops = 0;
  let inFlight = 0;

  const readBody = (req: IncomingMessage) =>
    new Promise<string>((resolve, reject) => {
      const chunks: Buffer[] = [];
      req.on("data", (c: Buffer) => chunks.push(c));
      req.on("end", () => resolve(Buffer.concat(chunks).toString("utf8")));
      req.on("error", reject);
    });

  async function handle(req: IncomingMessage, res: ServerResponse, record: FakeTwilioRequest) {
    const json = (status: number, body: unknown, headers: Record<string, string> = {}) => {
      record.answered = status;
      res.writeHead(status, { "content-type": "application/json", ...headers });
      res.end(JSON.stringify(body));
    };
    if (drops > 0) {
      drops--;
      record.answered = "dropped";
      req.socket.destroy();
      return;
    }
    if (record.path !== `/2010-04-01/Accounts/${accountSid}/Messages.json`) {
      return json(404, twilioError(20404, "The requested resource was not found", 404));
    }
    if (record.authorization !== expectedAuth) return json(401, twilioError(20003, "Authenticate", 401));
    if (record.method !== "POST") return json(405, twilioError(20004, "Method not allowed", 405));
    if (!record.contentType?.startsWith("application/x-www-form-urlencoded")) {
      return json(400, twilioError(21602, "Message body is required.", 400));
    }
    if (throttles.times > 0) {
      throttles.times--;
      const headers: Record<string, string> = throttles.retryAfter
        ? { "retry-after": throttles.retryAfter }
        : {};
      return json(429, twilioError(20429, "Too Many Requests", 429), headers);
    }
    const { To: to, From: from, Body: body, StatusCallback: statusCallback } = record.form;
    if (!to) return json(400, twilioError(21604, "A 'To' phone number is required.", 400));
    if (!from) return json(400, twilioError(21603, "A 'From' phone number is required.", 400));
    if (!body) return json(400, twilioError(21602, "Message body is required.", 400));
    if (!/^\+\d{8,15}$/.test(to)) {
      return json(400, twilioError(21211, `Invalid 'To' Phone Number: ${to}`, 400));
    }
    const rejection = rejections.get(to);
    if (rejection) return json(400, twilioError(rejection.code, rejection.message, 400));

    const sid = `SM${randomBytes(16).toString("hex")}`;
    fake.messages.push({ sid, to, from, body, statusCallback: statusCallback ?? null });
    const now = new Date().toUTCString().replace("GMT", "+0000");
    json(201, {
      account_sid: accountSid,
      api_version: "2010-04-01",
      body,
      date_created: now,
      date_sent: null,
      date_updated: now,
      direction: "outbound-api",
      error_code: null,
      error_message: null,
      from,
      messaging_service_sid: null,
      num_media: "0",
      num_segments: String(Math.max(1, Math.ceil(body.length / 153))),
      price: null,
      price_unit: "USD",
      sid,
      status: "queued",
      subresource_uris: { media: `/2010-04-01/Accounts/${accountSid}/Messages/${sid}/Media.json` },
      to,
      uri: `/2010-04-01/Accounts/${accountSid}/Messages/${sid}.json`,
    });
  }

  const server = createServer(async (req, res) => {
    inFlight++;
    fake.maxInFlight = Math.max(fake.maxInFlight, inFlight);
    try {
      const raw = await readBody(req);
      const record: FakeTwilioRequest = {
        method: req.method ?? "",
        path: req.url ?? "",
        authorization: req.headers.authorization ?? null,
        contentType: req.headers["content-type"] ?? null,
        form: Object.fromEntries(new URLSearchParams(raw)),
        answered: 0,
      };
      fake.requests.push(record);
      if (fake.delayMs > 0) await new Promise((resolve) => setTimeout(resolve, fake.delayMs));
      await handle(req, res, record);
    } finally {
      inFlight--;
    }
  });
  server.listen(0, "127.0.0.1");
  await new Promise<void>((resolve, reject) => {
    server.once("listening", resolve);
    server.once("error", reject);
  });
  const { port } = server.address() as AddressInfo;

  async function postCallback(url: string, update: StatusUpdate, key: string) {
    if (new URL(url).hostname !== "127.0.0.1")
      throw new Error(`fake Twilio posts only to 127.0.0.1, not ${url}`);
    const message = fake.messages.find((m) => m.sid === update.sid);
    const params: Record<string, string> = {
      AccountSid: accountSid,
      ApiVersion: "2010-04-01",
      From: message?.from ?? "+4740000000",
      MessageSid: update.sid,
      MessageStatus: update.status,
      SmsSid: update.sid,
      SmsStatus: update.status,
      To: message?.to ?? "+4791234567",
      ...(update.errorCode ? { ErrorCode: update.errorCode } : {}),
    };
    const response = await fetch(url, {
      method: "POST",
      headers: {
        "content-type": "application/x-www-form-urlencoded",
        "x-twilio-signature": sign(key, url, params),
        "user-agent": "TwilioProxy/1.1",
      },
      body: new URLSearchParams(params).toString(),
    });
    await response.arrayBuffer();
    return { status: response.status };
  }

  const fake: FakeTwilio = {
    url: `http://127.0.0.1:${port}`,
    accountSid,
    authToken,
    requests: [],
    messages: [],
    maxInFlight: 0,
    delayMs: 0,
    throttle(times, retryAfter) {
      throttles = { times, retryAfter };
    },
    reject(to, code, message) {
      rejections.set(to, { code, message });
    },
    dropAfterBody(times) {
      drops = times;
    },
    sendStatusCallback: (url, update) => postCallback(url, update, authToken),
    sendForgedStatusCallback: (url, update) => postCallback(url, update, `${authToken}-forged`),
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
  return fake;
}
