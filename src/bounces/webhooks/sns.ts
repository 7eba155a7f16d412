// Amazon SNS over HTTP(S): checks a message's signature against the certificate at SigningCertURL, which is only
// ever fetched over https from sns.<region>.amazonaws.com in the exact shape SNS uses, and confirms subscriptions through the same fetcher.
// The fetcher is passed in (tests play SNS with a local certificate); production fetches with a timeout and caches.
import { createVerify, X509Certificate } from "node:crypto";
import { AppError, invalid } from "../../shared/errors.ts";
import { objectOf, parseJson, stringOf } from "./provider-event.ts";

/** GETs an https URL and returns the body as text; throws when it cannot. */
export type FetchText = (url: string) => Promise<string>;

export type SnsMessage = {
  Type: "Notification" | "SubscriptionConfirmation" | "UnsubscribeConfirmation";
  MessageId: string;
  TopicArn: string;
  Message: string;
  Timestamp: string;
  SignatureVersion: string;
  Signature: string;
  SigningCertURL: string;
  Subject?: string;
  SubscribeURL?: string;
  Token?: string;
};

const TYPES = new Set(["Notification", "SubscriptionConfirmation", "UnsubscribeConfirmation"]);
const AWS_SNS_HOST = /^sns\.[a-z]{2}(?:-[a-z]+)+-\d\.amazonaws\.com(?:\.cn)?$/;

/** True for an https URL on an SNS host of some region, with no credentials or port: the only URLs we fetch. */
export function isAwsSnsUrl(value: string): boolean {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    return false;
  }
  return (
    url.protocol === "https:" &&
    url.port === "" &&
    url.username === "" &&
    url.password === "" &&
    AWS_SNS_HOST.test(url.hostname)
  );
}

const SNS_CERTIFICATE_PATH = /^\/SimpleNotificationService-[0-9a-f]{32}\.pem$/;

/**
 * The certificate URL exactly as SNS writes it (`https://sns.<region>.amazonaws.com/SimpleNotificationService-<32 hex>.pem`),
 * with no query, fragment or other spelling: anything that varies the URL without changing the file is refused, so
 * a sender cannot make us fetch again by varying it.
 */
export function isSnsCertificateUrl(value: string): boolean {
  if (!isAwsSnsUrl(value)) return false;
  const url = new URL(value);
  return SNS_CERTIFICATE_PATH.test(url.pathname) && value === `${url.origin}${url.pathname}`;
}

/** The SNS message in a request body, with the fields its type needs; VALIDATION_FAILED names what is missing. */
export function readSnsMessage(body: string): SnsMessage {
  const parsed = parseJson(body);
  if (typeof parsed !== "object" || parsed === null || Array.isArray(parsed))
    throw invalid([
      {
        field: "body",
        message: "must be an SNS message (a JSON object)",
        kind: "type",
        params: { type: "object" },
      },
    ]);
  const m = objectOf(parsed);
  const type = stringOf(m.Type);
  if (!type || !TYPES.has(type))
    throw invalid([
      {
        field: "Type",
        message: "must be Notification, SubscriptionConfirmation or UnsubscribeConfirmation",
        kind: "enum",
        params: { values: [...TYPES].join(", ") },
      },
    ]);
  const needed = [
    "MessageId",
    "TopicArn",
    "Message",
    "Timestamp",
    "SignatureVersion",
    "Signature",
    "SigningCertURL",
  ];
  if (type !== "Notification") needed.push("SubscribeURL", "Token");
  const missing = needed.filter((k) => typeof m[k] !== "string");
  if (missing.length > 0)
    throw invalid(missing.map((field) => ({ field, message: "is required (a string)", kind: "required" })));
  // Some senders write a missing subject as null; it is not part of the signed text then.
  if (m.Subject === null) delete m.Subject;
  if (m.Subject !== undefined && typeof m.Subject !== "string")
    throw invalid([
      { field: "Subject", message: "must be a string", kind: "type", params: { type: "string" } },
    ]);
  return m as unknown as SnsMessage;
}

/** The text SNS signs: the type's fields in alphabetical order, each as "Name\nvalue\n". */
export function snsStringToSign(m: SnsMessage): string {
  const keys =
    m.Type === "Notification"
      ? [
          "Message",
          "MessageId",
          ...(m.Subject !== undefined ? ["Subject"] : []),
          "Timestamp",
          "TopicArn",
          "Type",
        ]
      : ["Message", "MessageId", "SubscribeURL", "Timestamp", "Token", "TopicArn", "Type"];
  return keys.map((k) => `${k}\n${(m as Record<string, string | undefined>)[k]}\n`).join("");
}

const ALGORITHMS: Record<string, string> = { "1": "RSA-SHA1", "2": "RSA-SHA256" };

function refused(reason: string, field: string): AppError {
  return new AppError("WEBHOOK_SIGNATURE_INVALID", `SNS message refused: ${reason}`, { field });
}

export type CertificateSource = (url: string) => Promise<X509Certificate>;

/**
 * Reads certificates through `fetchText`, remembering good ones by URL (SNS signs with few certificates), and
 * fetching at most `fetchesPerMinute` times a minute whatever the requests say: a flood of messages naming new
 * certificates costs a refusal each, not a fetch each.
 */
export function certificateSource(
  fetchText: FetchText,
  options: { max?: number; fetchesPerMinute?: number; nowMs?: () => number } = {},
): CertificateSource {
  const max = options.max ?? 20;
  const fetchesPerMinute = options.fetchesPerMinute ?? 10;
  const nowMs = options.nowMs ?? Date.now;
  const cache = new Map<string, X509Certificate>();
  const recentFetches: number[] = [];
  return async (url) => {
    const known = cache.get(url);
    if (known) return known;
    const now = nowMs();
    while (recentFetches.length > 0 && (recentFetches[0] ?? 0) <= now - 60_000) recentFetches.shift();
    if (recentFetches.length >= fetchesPerMinute)
      throw new AppError(
        "WEBHOOK_CERTIFICATE_UNAVAILABLE",
        `Fetched ${fetchesPerMinute} SNS signing certificates in the last minute; try again later`,
        { url },
      );
    recentFetches.push(now);
    let pem: string;
    try {
      pem = await fetchText(url);
    } catch (err) {
      throw new AppError(
        "WEBHOOK_CERTIFICATE_UNAVAILABLE",
        `Could not fetch the SNS signing certificate: ${(err as Error).message}`,
        { url },
      );
    }
    let cert: X509Certificate;
    try {
      cert = new X509Certificate(pem);
    } catch {
      throw refused("SigningCertURL did not return a certificate", "SigningCertURL");
    }
    if (cache.size >= max) cache.delete(cache.keys().next().value as string);
    cache.set(url, cert);
    return cert;
  };
}

/**
 * Throws unless the message is signed by the certificate at its SigningCertURL (checked to be an AWS SNS host
 * before anything is fetched) and the certificate is within its validity period.
 */
export async function verifySnsMessage(m: SnsMessage, certificates: CertificateSource, now = new Date()) {
  const algorithm = ALGORITHMS[m.SignatureVersion];
  if (!algorithm)
    throw refused(`unknown SignatureVersion ${m.SignatureVersion.slice(0, 10)}`, "SignatureVersion");
  if (!isSnsCertificateUrl(m.SigningCertURL))
    throw refused(
      "SigningCertURL is not https://sns.<region>.amazonaws.com/SimpleNotificationService-<id>.pem (no query or fragment)",
      "SigningCertURL",
    );
  const cert = await certificates(m.SigningCertURL);
  if (now < new Date(cert.validFrom) || now > new Date(cert.validTo))
    throw refused("the signing certificate is not valid now", "SigningCertURL");
  let ok = false;
  try {
    ok = createVerify(algorithm)
      .update(snsStringToSign(m), "utf8")
      .verify(cert.publicKey, m.Signature, "base64");
  } catch {
    ok = false;
  }
  if (!ok) throw refused("the signature does not match", "Signature");
}

/** `*` in an allowed ARN matches any run of characters (`arn:aws:sns:*:123456789012:*`). */
export function topicAllowed(topicArn: string, allowed: string[]): boolean {
  return allowed.some((pattern) => {
    const re = new RegExp(
      `^${pattern
        .split("*")
        .map((p) => p.replace(/[.*+?^${}()|[\]\\]/g, "\\$&"))
        .join(".*")}$`,
    );
    return re.test(topicArn);
  });
}

export function parseTopicList(value: string): string[] {
  return value
    .split(/[\s,]+/)
    .map((s) => s.trim())
    .filter(Boolean);
}

/** Confirms a subscription by GETting its SubscribeURL, which must be an AWS SNS URL too. */
export async function confirmSubscription(m: SnsMessage, fetchText: FetchText): Promise<void> {
  if (!m.SubscribeURL || !isAwsSnsUrl(m.SubscribeURL))
    throw refused("SubscribeURL is not an https URL on sns.<region>.amazonaws.com", "SubscribeURL");
  try {
    await fetchText(m.SubscribeURL);
  } catch (err) {
    throw new AppError(
      "WEBHOOK_CERTIFICATE_UNAVAILABLE",
      `Could not confirm the SNS subscription: ${(err as Error).message}`,
      { url: m.SubscribeURL },
    );
  }
}

/** The production fetcher: https only, no redirects, a timeout and a size limit. */
export function httpsFetchText(timeoutMs = 5000, maxBytes = 64 * 1024): FetchText {
  return async (url) => {
    if (!url.startsWith("https://")) throw new Error("only https URLs are fetched");
    const response = await fetch(url, { redirect: "error", signal: AbortSignal.timeout(timeoutMs) });
    if (!response.ok) throw new Error(`${url} answered ${response.status}`);
    const text = await response.text();
    if (text.length > maxBytes) throw new Error(`${url} answered more than ${maxBytes} bytes`);
    return text;
  };
}
