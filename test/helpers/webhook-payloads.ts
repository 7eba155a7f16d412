// Real-looking provider webhook payloads (shaped after each provider's documented examples), signed the way each
// provider signs them, for the webhook unit tests and the end-to-end test.
import { createHmac, createSign, type KeyObject, randomBytes, randomUUID } from "node:crypto";
import { type SnsMessage, snsStringToSign } from "../../src/bounces/webhooks/sns.ts";

export const TOPIC = "arn:aws:sns:eu-west-1:123456789012:utsend-ses-feedback";
export const CERT_URL =
  "https://sns.eu-west-1.amazonaws.com/SimpleNotificationService-9c6465fa7f48f5cacd23014631ec1136.pem";

type Recipient = { address: string; messageId?: string; source?: string };

function mailOf(r: Recipient) {
  return {
    timestamp: new Date().toISOString(),
    source: r.source ?? "post@firma.example",
    sourceArn: "arn:aws:ses:eu-west-1:123456789012:identity/firma.example",
    sendingAccountId: "123456789012",
    messageId: "0102018f5c2b9d7e-9f1a2b3c-4d5e-6f70-8192-a3b4c5d6e7f8-000000",
    destination: [r.address],
    headersTruncated: false,
    headers: [
      { name: "From", value: "Fjordlys <post@firma.example>" },
      { name: "To", value: r.address },
      ...(r.messageId ? [{ name: "Message-ID", value: `<${r.messageId}>` }] : []),
      { name: "Subject", value: "Nyheter" },
    ],
    commonHeaders: { from: ["Fjordlys <post@firma.example>"], to: [r.address], subject: "Nyheter" },
  };
}

export function sesBounce(
  r: Recipient,
  bounceType: "Permanent" | "Transient",
  status = bounceType === "Permanent" ? "5.1.1" : "5.2.2",
) {
  return {
    notificationType: "Bounce",
    bounce: {
      feedbackId: "0102018f5c2ba1b2-11111111-2222-3333-4444-555555555555-000000",
      bounceType,
      bounceSubType: bounceType === "Permanent" ? "General" : "MailboxFull",
      bouncedRecipients: [
        {
          emailAddress: r.address,
          action: "failed",
          status,
          diagnosticCode:
            bounceType === "Permanent"
              ? "smtp; 550 5.1.1 user unknown"
              : "smtp; 552 5.2.2 Mailbox full, try again later",
        },
      ],
      timestamp: new Date().toISOString(),
      remoteMtaIp: "192.0.2.25",
      reportingMTA: "dns; a1-23.smtp-out.eu-west-1.amazonses.com",
    },
    mail: mailOf(r),
  };
}

export function sesComplaint(r: Recipient, feedbackType = "abuse") {
  return {
    notificationType: "Complaint",
    complaint: {
      feedbackId: "0102018f5c2bc3d4-66666666-7777-8888-9999-000000000000-000000",
      complaintSubType: null,
      complainedRecipients: [{ emailAddress: r.address }],
      timestamp: new Date().toISOString(),
      userAgent: "Amazonses-FBL/1.0",
      complaintFeedbackType: feedbackType,
      arrivalDate: new Date().toISOString(),
    },
    mail: mailOf(r),
  };
}

/** An SNS HTTP(S) message, signed with `key` (SignatureVersion 1: SHA1withRSA, 2: SHA256withRSA). */
export function snsMessage(
  key: KeyObject,
  fields: Partial<SnsMessage> & { Type: SnsMessage["Type"]; Message: string },
  version: "1" | "2" = "1",
): SnsMessage {
  const m: SnsMessage = {
    MessageId: randomUUID(),
    TopicArn: TOPIC,
    Timestamp: new Date().toISOString(),
    SignatureVersion: version,
    Signature: "",
    SigningCertURL: CERT_URL,
    ...fields,
  };
  if (m.Type !== "Notification") {
    m.Token ??= randomBytes(32).toString("hex");
    m.SubscribeURL ??= `https://sns.eu-west-1.amazonaws.com/?Action=ConfirmSubscription&TopicArn=${encodeURIComponent(m.TopicArn)}&Token=${m.Token}`;
  }
  m.Signature = createSign(version === "1" ? "RSA-SHA1" : "RSA-SHA256")
    .update(snsStringToSign(m))
    .sign(key, "base64");
  return m;
}

export function snsNotification(key: KeyObject, ses: unknown, version: "1" | "2" = "1"): SnsMessage {
  return snsMessage(key, { Type: "Notification", Message: JSON.stringify(ses) }, version);
}

/** A Mailgun webhook body with its HMAC signature. */
export function mailgunBody(
  signingKey: string,
  eventData: Record<string, unknown>,
  timestamp = Math.floor(Date.now() / 1000),
) {
  const token = randomBytes(25).toString("hex");
  const signature = createHmac("sha256", signingKey).update(`${timestamp}${token}`).digest("hex");
  return { signature: { timestamp: String(timestamp), token, signature }, "event-data": eventData };
}

export function mailgunFailed(
  r: Recipient,
  severity: "permanent" | "temporary",
  code = severity === "permanent" ? 550 : 452,
  message = severity === "permanent"
    ? "5.1.1 The email account that you tried to reach does not exist."
    : "4.2.2 The email account that you tried to reach is over quota.",
) {
  return {
    event: "failed",
    id: randomBytes(11).toString("base64url"),
    timestamp: Date.now() / 1000,
    "log-level": severity === "permanent" ? "error" : "warn",
    severity,
    reason: severity === "permanent" ? "bounce" : "generic",
    recipient: r.address,
    "recipient-domain": r.address.split("@")[1],
    envelope: { transport: "smtp", sender: r.source ?? "post@mg.firma.example", targets: r.address },
    message: {
      headers: {
        to: r.address,
        "message-id": r.messageId ?? "20260501120000.1.ABCDEF@mg.firma.example",
        from: "post@firma.example",
        subject: "Nyheter",
      },
      attachments: [],
      size: 4321,
    },
    "delivery-status": {
      "attempt-no": 1,
      message: message,
      code,
      description: "",
      "session-seconds": 1.2,
      "mx-host": "mx.mottaker.example",
    },
    flags: { "is-routed": false, "is-authenticated": true, "is-system-test": false, "is-test-mode": false },
  };
}

export function mailgunComplained(r: Recipient) {
  return {
    event: "complained",
    id: randomBytes(11).toString("base64url"),
    timestamp: Date.now() / 1000,
    "log-level": "warn",
    recipient: r.address,
    envelope: { sender: r.source ?? "post@mg.firma.example" },
    message: {
      headers: { to: r.address, "message-id": r.messageId ?? "x@mg.firma.example", subject: "Nyheter" },
    },
  };
}

/** A SendGrid Event Webhook request: the body and its ECDSA signature headers. */
export function sendgridRequest(
  privateKey: KeyObject,
  events: unknown[],
  timestamp = Math.floor(Date.now() / 1000),
) {
  const body = JSON.stringify(events);
  const signature = createSign("sha256").update(`${timestamp}${body}`).sign(privateKey, "base64");
  return {
    body,
    headers: {
      "content-type": "application/json",
      "x-twilio-email-event-webhook-signature": signature,
      "x-twilio-email-event-webhook-timestamp": String(timestamp),
    },
  };
}

export function sendgridEvent(r: Recipient, event: string, extra: Record<string, unknown> = {}) {
  return {
    email: r.address,
    timestamp: Math.floor(Date.now() / 1000),
    "smtp-id": r.messageId ? `<${r.messageId}>` : "<14c5d75ce93.dfd.64b469@ismtpd-555>",
    event,
    category: ["nyhetsbrev"],
    sg_event_id: randomBytes(16).toString("base64url"),
    sg_message_id: "14c5d75ce93.dfd.64b469.filter0001.16648.5515E0B88.0",
    ...extra,
  };
}

export function postmarkBounce(
  r: Recipient,
  type: string,
  details = "smtp;550 5.1.1 The email account that you tried to reach does not exist.",
) {
  return {
    RecordType: "Bounce",
    ID: Math.floor(Math.random() * 1e10),
    Type: type,
    TypeCode: type === "HardBounce" ? 1 : type === "SoftBounce" ? 4096 : 2,
    Name: type === "HardBounce" ? "Hard bounce" : "Soft bounce",
    Tag: "nyhetsbrev",
    MessageID: randomUUID(),
    Metadata: {},
    ServerID: 23,
    MessageStream: "broadcast",
    Description: "The server was unable to deliver your message (ex: unknown user, mailbox not found).",
    Details: details,
    Email: r.address,
    From: "post@firma.example",
    BouncedAt: new Date().toISOString(),
    DumpAvailable: false,
    Inactive: type === "HardBounce",
    CanActivate: true,
    Subject: "Nyheter",
  };
}

export function postmarkComplaint(r: Recipient) {
  return {
    RecordType: "SpamComplaint",
    ID: Math.floor(Math.random() * 1e10),
    Type: "SpamComplaint",
    TypeCode: 512,
    Name: "Spam complaint",
    Tag: "nyhetsbrev",
    MessageID: randomUUID(),
    Metadata: {},
    ServerID: 23,
    MessageStream: "broadcast",
    Description: "The subscriber explicitly marked this message as spam.",
    Details: "Test spam complaint details",
    Email: r.address,
    From: "post@firma.example",
    BouncedAt: new Date().toISOString(),
    DumpAvailable: true,
    Inactive: true,
    CanActivate: false,
    Subject: "Nyheter",
  };
}
