// SNS message signatures against a locally made certificate: versions 1 and 2, forgeries, and the rule that
// nothing is fetched from a host that is not AWS SNS.
import { describe, expect, it } from "vitest";
import { CERT_URL, sesBounce, snsMessage, snsNotification } from "../../../test/helpers/webhook-payloads.ts";
import { selfSignedCertificate } from "../../../test/helpers/x509.ts";
import {
  certificateSource,
  confirmSubscription,
  isAwsSnsUrl,
  readSnsMessage,
  topicAllowed,
  verifySnsMessage,
} from "./sns.ts";

const cert = selfSignedCertificate();
const other = selfSignedCertificate();

function fetcher(pem = cert.pem) {
  const asked: string[] = [];
  return {
    asked,
    fetchText: async (url: string) => {
      asked.push(url);
      return pem;
    },
  };
}

const bounce = sesBounce({ address: "kari@mottaker.example" }, "Permanent");

describe("isAwsSnsUrl", () => {
  it("accepts https URLs on sns.<region>.amazonaws.com only", () => {
    expect(isAwsSnsUrl(CERT_URL)).toBe(true);
    expect(isAwsSnsUrl("https://sns.us-gov-west-1.amazonaws.com/x.pem")).toBe(true);
    expect(isAwsSnsUrl("https://sns.cn-north-1.amazonaws.com.cn/x.pem")).toBe(true);
    for (const bad of [
      "http://sns.eu-west-1.amazonaws.com/x.pem",
      "https://sns.eu-west-1.amazonaws.com.evil.example/x.pem",
      "https://evil.example/sns.eu-west-1.amazonaws.com/x.pem",
      "https://sns.eu-west-1.amazonaws.com:8443/x.pem",
      "https://user@sns.eu-west-1.amazonaws.com/x.pem",
      "https://s3.eu-west-1.amazonaws.com/x.pem",
      "https://sns.amazonaws.com/x.pem",
      "not a url",
    ])
      expect(isAwsSnsUrl(bad), bad).toBe(false);
  });
});

describe("verifySnsMessage", () => {
  it("accepts messages signed with SignatureVersion 1 (SHA1withRSA) and 2 (SHA256withRSA)", async () => {
    for (const version of ["1", "2"] as const) {
      const m = readSnsMessage(JSON.stringify(snsNotification(cert.privateKey, bounce, version)));
      await expect(verifySnsMessage(m, certificateSource(fetcher().fetchText))).resolves.toBeUndefined();
    }
  });

  it("accepts a signed subscription confirmation and confirms it by GET of an AWS URL", async () => {
    const m = snsMessage(cert.privateKey, { Type: "SubscriptionConfirmation", Message: "You have chosen…" });
    const f = fetcher();
    await verifySnsMessage(readSnsMessage(JSON.stringify(m)), certificateSource(f.fetchText));
    await confirmSubscription(m, f.fetchText);
    expect(f.asked).toEqual([CERT_URL, m.SubscribeURL]);
    const elsewhere = { ...m, SubscribeURL: "https://evil.example/confirm" };
    await expect(confirmSubscription(elsewhere, f.fetchText)).rejects.toMatchObject({
      code: "WEBHOOK_SIGNATURE_INVALID",
    });
    expect(f.asked).toHaveLength(2);
  });

  it("signs the Subject when there is one, and ignores a null one", async () => {
    const source = certificateSource(fetcher().fetchText);
    const withSubject = snsMessage(cert.privateKey, {
      Type: "Notification",
      Message: JSON.stringify(bounce),
      Subject: "Amazon SES Email Event Notification",
    });
    await expect(
      verifySnsMessage(readSnsMessage(JSON.stringify(withSubject)), source),
    ).resolves.toBeUndefined();
    await expect(verifySnsMessage({ ...withSubject, Subject: "Changed" }, source)).rejects.toMatchObject({
      code: "WEBHOOK_SIGNATURE_INVALID",
    });
    const plain = snsNotification(cert.privateKey, bounce);
    const nullSubject = readSnsMessage(JSON.stringify({ ...plain, Subject: null }));
    await expect(verifySnsMessage(nullSubject, source)).resolves.toBeUndefined();
  });

  it("refuses a forged message: changed text, another key, a wrong version", async () => {
    const good = snsNotification(cert.privateKey, bounce);
    const changed = { ...good, Message: good.Message.replace("Permanent", "Transient") };
    const otherKey = snsNotification(other.privateKey, bounce);
    const v2 = { ...good, SignatureVersion: "2" };
    const v3 = { ...good, SignatureVersion: "3" };
    for (const m of [changed, otherKey, v2, v3])
      await expect(verifySnsMessage(m, certificateSource(fetcher().fetchText))).rejects.toMatchObject({
        code: "WEBHOOK_SIGNATURE_INVALID",
      });
  });

  it("refuses a certificate URL off AWS before fetching anything", async () => {
    for (const url of [
      "https://evil.example/cert.pem",
      "http://sns.eu-west-1.amazonaws.com/cert.pem",
      "https://sns.eu-west-1.amazonaws.com/cert.txt",
    ]) {
      const f = fetcher();
      const m = snsMessage(cert.privateKey, {
        Type: "Notification",
        Message: JSON.stringify(bounce),
        SigningCertURL: url,
      });
      await expect(verifySnsMessage(m, certificateSource(f.fetchText))).rejects.toMatchObject({
        code: "WEBHOOK_SIGNATURE_INVALID",
        details: { field: "SigningCertURL" },
      });
      expect(f.asked).toEqual([]);
    }
  });

  it("accepts only the exact certificate URL shape SNS uses: no query, fragment, port or other spelling", async () => {
    const variants = [
      `${CERT_URL}?x=1`,
      `${CERT_URL}?`,
      `${CERT_URL}#a`,
      CERT_URL.replace("https://sns.eu-west-1.amazonaws.com", "https://sns.eu-west-1.amazonaws.com:443"),
      CERT_URL.replace("https://sns.eu-west-1.amazonaws.com", "https://SNS.eu-west-1.amazonaws.com"),
      CERT_URL.replace("/SimpleNotificationService", "/./SimpleNotificationService"),
      CERT_URL.replace("/SimpleNotificationService", "//SimpleNotificationService"),
      CERT_URL.replace("/SimpleNotificationService", "/%53impleNotificationService"),
      CERT_URL.replace("/SimpleNotificationService-", "/x/SimpleNotificationService-"),
      "https://sns.eu-west-1.amazonaws.com/SimpleNotificationService-short.pem",
    ];
    for (const url of variants) {
      const f = fetcher();
      const m = snsMessage(cert.privateKey, {
        Type: "Notification",
        Message: JSON.stringify(bounce),
        SigningCertURL: url,
      });
      await expect(verifySnsMessage(m, certificateSource(f.fetchText)), url).rejects.toMatchObject({
        code: "WEBHOOK_SIGNATURE_INVALID",
        details: { field: "SigningCertURL" },
      });
      expect(f.asked, url).toEqual([]);
    }
  });

  it("fetches at most the allowed number of certificates a minute, however many URLs the messages name", async () => {
    const f = fetcher();
    let now = 1_000_000;
    const source = certificateSource(f.fetchText, { fetchesPerMinute: 3, nowMs: () => now });
    const naming = (i: number) =>
      snsMessage(cert.privateKey, {
        Type: "Notification",
        Message: JSON.stringify(bounce),
        SigningCertURL: `https://sns.eu-west-1.amazonaws.com/SimpleNotificationService-${i.toString(16).padStart(32, "0")}.pem`,
      });
    for (let i = 1; i <= 3; i++) await verifySnsMessage(naming(i), source);
    for (let i = 4; i <= 6; i++)
      await expect(verifySnsMessage(naming(i), source)).rejects.toMatchObject({
        code: "WEBHOOK_CERTIFICATE_UNAVAILABLE",
      });
    expect(f.asked).toHaveLength(3);
    // Known certificates are still served from the cache, and the budget comes back after a minute.
    await verifySnsMessage(naming(2), source);
    now += 60_001;
    await verifySnsMessage(naming(7), source);
    expect(f.asked).toHaveLength(4);
  });

  it("fetches a certificate once, and reports a failed fetch as unavailable", async () => {
    const f = fetcher();
    const source = certificateSource(f.fetchText);
    for (let i = 0; i < 3; i++) await verifySnsMessage(snsNotification(cert.privateKey, bounce), source);
    expect(f.asked).toEqual([CERT_URL]);
    const failing = certificateSource(async () => {
      throw new Error("timeout");
    });
    await expect(verifySnsMessage(snsNotification(cert.privateKey, bounce), failing)).rejects.toMatchObject({
      code: "WEBHOOK_CERTIFICATE_UNAVAILABLE",
    });
    const notACert = certificateSource(async () => "<html>hello</html>");
    await expect(verifySnsMessage(snsNotification(cert.privateKey, bounce), notACert)).rejects.toMatchObject({
      code: "WEBHOOK_SIGNATURE_INVALID",
    });
  });

  it("names the missing fields of a malformed message", () => {
    expect(() => readSnsMessage("{not json")).toThrow(/body/);
    try {
      readSnsMessage(JSON.stringify({ Type: "Notification", Message: "x" }));
      expect.unreachable();
    } catch (err) {
      const fields = (err as { details: { fields: Array<{ field: string }> } }).details.fields.map(
        (f) => f.field,
      );
      expect(fields).toEqual([
        "MessageId",
        "TopicArn",
        "Timestamp",
        "SignatureVersion",
        "Signature",
        "SigningCertURL",
      ]);
    }
  });
});

describe("topicAllowed", () => {
  it("matches exact ARNs and * patterns", () => {
    const arn = "arn:aws:sns:eu-west-1:123456789012:utsend";
    expect(topicAllowed(arn, [arn])).toBe(true);
    expect(topicAllowed(arn, ["arn:aws:sns:*:123456789012:*"])).toBe(true);
    expect(topicAllowed(arn, ["*"])).toBe(true);
    expect(topicAllowed(arn, ["arn:aws:sns:eu-west-1:999999999999:utsend"])).toBe(false);
    expect(topicAllowed("arn:aws:sns:eu-west-1:123456789012:utsend-x", [arn])).toBe(false);
    expect(topicAllowed(arn, [])).toBe(false);
  });
});
