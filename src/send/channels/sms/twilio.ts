// The Twilio transport and the reading of Twilio's webhooks: every answer of the Messages API told as a
// SendOutcome, so that throttling never fails a recipient and a request whose answer was lost is never resent.
import { createHmac, timingSafeEqual } from "node:crypto";
import { invalid } from "../../../shared/errors.ts";
import type { Transport } from "../../channel.ts";
import type { SendOutcome } from "../../outcomes.ts";
import type { DeliveryReport, InboundSms, SmsMessage } from "./types.ts";

export type TwilioConfig = {
  accountSid: string;
  authToken: string;
  /** Default https://api.twilio.com; tests point it at a local server. */
  apiUrl?: string;
  /** Where Twilio posts the delivery reports (MessageStatus). */
  statusCallbackUrl?: string;
  /** Requests in flight at once; default 10. */
  concurrency?: number;
  /** The first pause after a 429 that names no Retry-After; it doubles while 429s keep coming, up to maxRetryDelayMs. */
  retryDelayMs?: number;
  maxRetryDelayMs?: number;
  /** How long one request may go unanswered; after that its outcome is unknown. Default 30 s. */
  timeoutMs?: number;
};

const DEFAULT_API_URL = "https://api.twilio.com";

/**
 * Twilio's 400 codes that say the recipient's number cannot take this message, now or later: resending
 * cannot help, so the delivery fails hard and the number is flagged (SPEC §12). Any other 400 (a bad From,
 * an empty Body, a suspended account) is about the sending account or the message, and stays temporary, so a
 * broken account does not fail its recipients.
 */
const RECIPIENT_CODES = new Set([
  21211, // invalid 'To' number
  21214, // 'To' number cannot be reached
  21217, // number does not appear to be valid
  21408, // sending to the number's region is not enabled for the account
  21610, // the recipient replied STOP to this sender (unsubscribed)
  21612, // 'To' number is not reachable by SMS (e.g. a landline)
  21614, // 'To' number is not a valid mobile number
]);

// Failures that happen before a connection exists: no byte of the request left us, so a retry is safe.
const NOT_SENT_CODES = new Set([
  "ECONNREFUSED",
  "ENOTFOUND",
  "EAI_AGAIN",
  "EHOSTUNREACH",
  "ENETUNREACH",
  "UND_ERR_CONNECT_TIMEOUT",
  "CERT_HAS_EXPIRED",
  "DEPTH_ZERO_SELF_SIGNED_CERT",
  "UNABLE_TO_VERIFY_LEAF_SIGNATURE",
  "ERR_TLS_CERT_ALTNAME_INVALID",
]);

type TwilioAnswer = { sid?: unknown; status?: unknown; code?: unknown; message?: unknown };

/** One request's result: an outcome, or a 429 that asks us to wait (`retryAfterMs` when Twilio said how long). */
type Attempt = { kind: "outcome"; outcome: SendOutcome } | { kind: "throttled"; retryAfterMs: number | null };

export function createTwilioTransport(config: TwilioConfig): Transport<SmsMessage> {
  const base = (config.apiUrl ?? DEFAULT_API_URL).replace(/\/+$/, "");
  const endpoint = `${base}/2010-04-01/Accounts/${encodeURIComponent(config.accountSid)}/Messages.json`;
  const authorization = `Basic ${Buffer.from(`${config.accountSid}:${config.authToken}`).toString("base64")}`;
  const timeoutMs = config.timeoutMs ?? 30_000;
  const initialDelay = config.retryDelayMs ?? 1_000;
  const maxDelay = config.maxRetryDelayMs ?? 60_000;
  const slot = limiter(config.concurrency ?? 10);
  const inFlight = new Set<Promise<SendOutcome[]>>();

  // One pause for the whole account: a 429 slows every send of this transport, not just the one that got it.
  const throttle = { until: 0, delay: initialDelay, since: 0 };

  function slowDown(startedAt: number, retryAfterMs: number | null): void {
    const now = Date.now();
    const wait = Math.max(retryAfterMs ?? 0, throttle.delay);
    throttle.until = Math.max(throttle.until, now + wait);
    // Requests already in flight when the pause began say nothing new; only a 429 to a request sent after it
    // means the pause was too short.
    if (startedAt >= throttle.since) {
      throttle.delay = Math.min(throttle.delay * 2, maxDelay);
      throttle.since = now;
    }
  }

  async function post(form: URLSearchParams): Promise<Attempt> {
    let response: Response;
    try {
      response = await fetch(endpoint, {
        method: "POST",
        headers: {
          authorization,
          "content-type": "application/x-www-form-urlencoded",
          accept: "application/json",
        },
        body: form.toString(),
        signal: AbortSignal.timeout(timeoutMs),
      });
    } catch (err) {
      return { kind: "outcome", outcome: outcomeOfRequestError(err, timeoutMs) };
    }
    const answer = await response
      .json()
      .then((body: unknown) => (body && typeof body === "object" ? (body as TwilioAnswer) : {}))
      .catch((): TwilioAnswer => ({}));
    if (response.status === 429) {
      return { kind: "throttled", retryAfterMs: parseRetryAfter(response.headers.get("retry-after")) };
    }
    return { kind: "outcome", outcome: outcomeOfAnswer(response.status, answer) };
  }

  async function sendOne(message: SmsMessage): Promise<SendOutcome> {
    const form = new URLSearchParams({ To: message.to, From: message.from, Body: message.text });
    if (config.statusCallbackUrl) form.set("StatusCallback", config.statusCallbackUrl);
    for (;;) {
      while (Date.now() < throttle.until) await sleep(throttle.until - Date.now());
      const startedAt = Date.now();
      const attempt = await post(form);
      if (attempt.kind === "throttled") {
        slowDown(startedAt, attempt.retryAfterMs);
        continue;
      }
      if (attempt.outcome.kind === "accepted") throttle.delay = initialDelay;
      return attempt.outcome;
    }
  }

  return {
    send(batch) {
      const sending = Promise.all(batch.map((message) => slot(() => sendOne(message))));
      inFlight.add(sending);
      // sendOne answers every failure as an outcome, so `sending` does not reject; the catch only keeps a bug
      // from surfacing as an unhandled rejection here instead of at the caller.
      sending.finally(() => inFlight.delete(sending)).catch(() => {});
      return sending;
    },
    async close() {
      await Promise.allSettled([...inFlight]);
    },
  };
}

function outcomeOfAnswer(httpStatus: number, answer: TwilioAnswer): SendOutcome {
  if (httpStatus === 200 || httpStatus === 201) {
    const sid = typeof answer.sid === "string" ? answer.sid : null;
    // Twilio created the message even when its answer cannot be read; without a sid its reports cannot be
    // matched, but it was sent.
    if (!sid) return { kind: "accepted", reply: `${httpStatus} (the answer names no message sid)` };
    return {
      kind: "accepted",
      reply: `${httpStatus} ${sid} ${String(answer.status ?? "")}`.trim(),
      providerIds: [sid],
    };
  }
  const code = typeof answer.code === "number" ? answer.code : Number(answer.code) || null;
  const message = typeof answer.message === "string" ? answer.message : "";
  if (httpStatus === 400 && code !== null && RECIPIENT_CODES.has(code)) {
    return { kind: "permanent", code: 400, status: null, reply: `${code} ${message}`.trim() };
  }
  // 401/403 (credentials), 404 (a wrong account sid), 5xx, and 400s about the account or message.
  const reply = [httpStatus, code, message].filter((part) => part !== null && part !== "").join(" ");
  return { kind: "temporary", code: httpStatus, status: null, reply };
}

/**
 * fetch cannot say how much of the request left before it failed. Only failures to connect prove that nothing
 * did; a reset, a closed socket or a timeout may come after Twilio read the request and created the message.
 */
function outcomeOfRequestError(err: unknown, timeoutMs: number): SendOutcome {
  const error = err as { name?: string; message?: string; cause?: { code?: string; message?: string } };
  if (error.name === "TimeoutError") {
    return {
      kind: "unknown",
      reply: `no answer within ${timeoutMs / 1000} s; Twilio may have created the message`,
    };
  }
  const code = error.cause?.code;
  const detail = [code, error.cause?.message ?? error.message].filter(Boolean).join(" ");
  if (code && NOT_SENT_CODES.has(code)) return { kind: "temporary", code: null, status: null, reply: detail };
  return { kind: "unknown", reply: `the connection broke before Twilio answered: ${detail}` };
}

/** Retry-After as seconds or an HTTP date, in milliseconds; null when absent or unreadable. */
function parseRetryAfter(value: string | null): number | null {
  if (value === null || value.trim() === "") return null;
  if (/^\d+(\.\d+)?$/.test(value.trim())) return Number(value) * 1000;
  const at = Date.parse(value);
  return Number.isNaN(at) ? null : Math.max(0, at - Date.now());
}

function limiter(size: number): <T>(task: () => Promise<T>) => Promise<T> {
  let active = 0;
  const waiting: Array<() => void> = [];
  return async (task) => {
    while (active >= size) await new Promise<void>((resolve) => waiting.push(resolve));
    active++;
    try {
      return await task();
    } finally {
      active--;
      waiting.shift()?.();
    }
  };
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

// ---- Webhooks: what Twilio posts to us. The routes (and their 403 on a bad signature) live in http/.

export type TwilioParams = Record<string, string | readonly string[] | undefined>;

/**
 * Twilio's X-Twilio-Signature: HMAC-SHA1, keyed with the auth token, over the full URL Twilio called (query
 * string included) followed by each POST parameter's name and value, sorted by name; base64.
 */
export function twilioSignature(authToken: string, url: string, params: TwilioParams): string {
  let data = url;
  for (const name of Object.keys(params).sort()) {
    const value = params[name];
    if (value === undefined) continue;
    const values = typeof value === "string" ? [value] : [...value].sort();
    for (const v of values) data += name + v;
  }
  return createHmac("sha1", authToken).update(data, "utf8").digest("base64");
}

/** Whether a webhook came from Twilio; compared in constant time so the signature cannot be guessed byte by byte. */
export function verifyTwilioSignature(input: {
  url: string;
  params: TwilioParams;
  signature: string | null | undefined;
  authToken: string;
}): boolean {
  if (!input.signature) return false;
  const expected = Buffer.from(twilioSignature(input.authToken, input.url, input.params));
  const given = Buffer.from(input.signature);
  return given.length === expected.length && timingSafeEqual(given, expected);
}

function param(params: TwilioParams, name: string): string | undefined {
  const value = params[name];
  return typeof value === "string" ? value : value?.[0];
}

/**
 * A status callback as a delivery report, or null while the message is still on its way (queued, sending,
 * sent, accepted, scheduled: Twilio posts those too, and "sent" there means handed to the carrier, not
 * delivered). Twilio may post the same final status twice; the report is the same each time.
 */
export function parseStatusCallback(
  params: TwilioParams,
  receivedAt: Date = new Date(),
): DeliveryReport | null {
  const sid = param(params, "MessageSid") ?? param(params, "SmsSid");
  const status = param(params, "MessageStatus") ?? param(params, "SmsStatus");
  if (!sid || !status) return null;
  const at = receivedAt.toISOString();
  switch (status) {
    case "delivered":
    case "read":
      return { providerMessageId: sid, status: "delivered", code: null, at };
    case "undelivered":
    case "failed":
    case "canceled":
      return { providerMessageId: sid, status: "failed", code: param(params, "ErrorCode") || null, at };
    default:
      return null;
  }
}

/** An SMS someone sent to one of our Twilio numbers. */
export function parseInboundWebhook(params: TwilioParams, receivedAt: Date = new Date()): InboundSms {
  const from = param(params, "From");
  const to = param(params, "To");
  if (!from || !to) {
    throw invalid([
      ...(from
        ? []
        : [
            { field: "From", message: "Twilio's inbound webhook names no sender", kind: "required" as const },
          ]),
      ...(to
        ? []
        : [
            {
              field: "To",
              message: "Twilio's inbound webhook names no receiving number",
              kind: "required" as const,
            },
          ]),
    ]);
  }
  return { from, to, text: param(params, "Body") ?? "", at: receivedAt.toISOString() };
}
