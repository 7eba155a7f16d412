import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { classifyMessage, MAX_MESSAGE_BYTES } from "./classify.ts";
import { classifyFiles } from "./classify-files.ts";

const crlf = (s: string) => s.replace(/\r?\n/g, "\r\n");

function dsn(fields: { action?: string; status: string; diagnostic?: string; extra?: string }): string {
  return crlf(`Return-Path: <>
From: Mail Delivery System <MAILER-DAEMON@mx.example.net>
To: bounces+d42.x7Yz@bounce.example.org
Subject: Undelivered Mail Returned to Sender
MIME-Version: 1.0
Content-Type: multipart/report; report-type=delivery-status; boundary="B1"

--B1
Content-Type: text/plain

This is the mail system at host mx.example.net.

--B1
Content-Type: message/delivery-status

Reporting-MTA: dns; mx.example.net

${fields.extra ?? ""}Final-Recipient: rfc822; alice@example.com
Action: ${fields.action ?? "failed"}
Status: ${fields.status}
Diagnostic-Code: smtp; ${fields.diagnostic ?? "550 5.1.1 <alice@example.com>: User unknown"}

--B1
Content-Type: message/rfc822

Return-Path: <bounces+d42.x7Yz@bounce.example.org>
From: News <news@example.org>
To: alice@example.com
Message-ID: <d42.1@example.org>
Subject: Our news

Hello
--B1--
`);
}

function arf(feedbackType: string): string {
  return crlf(`From: feedback@isp.example.net
To: fbl@example.org
Subject: Abuse Report
MIME-Version: 1.0
Content-Type: multipart/report; report-type=feedback-report; boundary="F1"

--F1
Content-Type: text/plain

This is an email abuse report.

--F1
Content-Type: message/feedback-report

Feedback-Type: ${feedbackType}
User-Agent: ExampleFBL/1.0
Version: 1
Original-Rcpt-To: <carol@example.com>

--F1
Content-Type: message/rfc822

From: News <news@example.org>
To: carol@example.com
Message-ID: <d43.1@example.org>
Subject: Our news

Hello
--F1--
`);
}

describe("classifyMessage with RFC 3464 delivery reports", () => {
  it("counts a 5.1.1 failure as hard and names the failed recipient", async () => {
    const c = await classifyMessage(dsn({ status: "5.1.1" }));
    expect(c).toMatchObject({
      kind: "hard",
      recipients: ["alice@example.com"],
      status: "5.1.1",
      action: "failed",
    });
    expect(c.reason).toContain("User unknown");
  });

  it("reads the original Message-ID and the VERP token of the bounce address", async () => {
    const c = await classifyMessage(dsn({ status: "5.1.1" }));
    expect(c.originalMessageId).toBe("d42.1@example.org");
    expect(c.verpToken).toBe("d42.x7Yz");
  });

  it("counts a full mailbox (5.2.2) as soft", async () => {
    const c = await classifyMessage(dsn({ status: "5.2.2", diagnostic: "552 5.2.2 Mailbox full" }));
    expect(c).toMatchObject({ kind: "soft", status: "5.2.2" });
  });

  it("counts a generic 5.0.0 whose diagnostic says over quota as soft", async () => {
    const c = await classifyMessage(dsn({ status: "5.0.0", diagnostic: "550 recipient reached disk quota" }));
    expect(c.kind).toBe("soft");
  });

  it("counts a delay notice (Action: delayed) as soft and says it is delayed", async () => {
    const c = await classifyMessage(
      dsn({ action: "delayed", status: "4.4.1", diagnostic: "connect timed out" }),
    );
    expect(c).toMatchObject({ kind: "soft", action: "delayed", recipients: ["alice@example.com"] });
  });

  it("counts a final failure with a 4.x.x status (queue expired) as soft", async () => {
    const c = await classifyMessage(dsn({ status: "4.4.7", diagnostic: "Message expired" }));
    expect(c).toMatchObject({ kind: "soft", action: "failed" });
  });

  it("counts a permanent policy refusal (5.7.1) as hard, as the corpus labelling rules do", async () => {
    const c = await classifyMessage(
      dsn({ status: "5.7.1", diagnostic: "554 5.7.1 Client host blocked using RBL" }),
    );
    expect(c.kind).toBe("hard");
  });

  it("prefers the Original-Recipient to the Final-Recipient", async () => {
    const c = await classifyMessage(
      dsn({ status: "5.1.1", extra: "Original-Recipient: rfc822; al@example.com\r\n" }),
    );
    expect(c.recipients).toEqual(["al@example.com"]);
  });

  it("reads an RFC 6533 global delivery report with an internationalised address", async () => {
    const global = dsn({ status: "5.1.1" })
      .replace("Content-Type: message/delivery-status", "Content-Type: message/global-delivery-status")
      .replace("rfc822; alice@example.com", "utf-8; jos\u00e9@example.com");
    const c = await classifyMessage(global);
    expect(c).toMatchObject({ kind: "hard", recipients: ["jos\u00e9@example.com"] });
  });

  it("returns unknown for a report in which every recipient was delivered", async () => {
    const c = await classifyMessage(dsn({ action: "delivered", status: "2.0.0", diagnostic: "250 OK" }));
    expect(c.kind).toBe("unknown");
  });

  it("accepts LF-only input, a string or bytes, and an mbox From line in front", async () => {
    const lf = dsn({ status: "5.1.1" }).replace(/\r\n/g, "\n");
    const text = `From MAILER-DAEMON Thu Jan  1 00:00:00 2026\n${lf}`;
    expect((await classifyMessage(text)).kind).toBe("hard");
    expect((await classifyMessage(new TextEncoder().encode(text))).kind).toBe("hard");
  });
});

describe("classifyMessage with complaints", () => {
  it("counts an ARF abuse report as a complaint from the Original-Rcpt-To address", async () => {
    const c = await classifyMessage(arf("abuse"));
    expect(c).toMatchObject({ kind: "complaint", recipients: ["carol@example.com"], feedbackType: "abuse" });
    expect(c.originalMessageId).toBe("d43.1@example.org");
  });

  it("treats an ARF auth-failure (DMARC forensic) report as unknown, not as a complaint", async () => {
    const c = await classifyMessage(arf("auth-failure"));
    expect(c).toMatchObject({ kind: "unknown", feedbackType: "auth-failure" });
  });

  it("counts an Amazon SES complaint notification as a complaint", async () => {
    const c = await classifyMessage(
      "From: no-reply@sns.amazonaws.com\nTo: ops@example.org\nSubject: AWS Notification Message\n\n" +
        '{"notificationType":"Complaint","complaint":{"complainedRecipients":' +
        '[{"emailAddress":"dan@example.com"}],"complaintFeedbackType":"abuse"}}\n',
    );
    expect(c).toMatchObject({ kind: "complaint", recipients: ["dan@example.com"] });
  });

  it("counts a Microsoft JMRP report as a complaint from X-HmXmrOriginalRecipient", async () => {
    const c = await classifyMessage(
      crlf(`From: staff@hotmail.com
To: jmrp@example.org
Subject: complaint about message from 192.0.2.1
MIME-Version: 1.0
Content-Type: multipart/mixed; boundary="J1"

--J1
Content-Type: message/rfc822
Content-Disposition: inline

X-HmXmrOriginalRecipient: erin@example.com
From: news@example.org
To: erin@example.com
Subject: Our news

Hello
--J1--
`),
    );
    expect(c).toMatchObject({ kind: "complaint", recipients: ["erin@example.com"] });
  });
});

describe("classifyMessage with auto-replies", () => {
  it("counts an RFC 3834 auto-reply as autoreply, from its sender, not as a bounce", async () => {
    const c = await classifyMessage(
      "From: Frank <frank@example.com>\nTo: bounces+d44.q@bounce.example.org\nSubject: Away\n" +
        "Auto-Submitted: auto-replied\nIn-Reply-To: <d44.1@example.org>\n\nI am away until Monday.\n",
    );
    expect(c).toMatchObject({ kind: "autoreply", recipients: ["frank@example.com"], verpToken: "d44.q" });
    expect(c.originalMessageId).toBe("d44.1@example.org");
  });

  it("recognises an Exchange 'Automatic reply:' without Auto-Submitted", async () => {
    const c = await classifyMessage(
      "From: g@example.com\nTo: x@example.org\nSubject: Automatic reply: News\n\nOut.\n",
    );
    expect(c.kind).toBe("autoreply");
  });

  it("does not take a mail server's bounce marked auto-replied (Exim does) for an auto-reply", async () => {
    const c = await classifyMessage(`From: Mail Delivery System <Mailer-Daemon@mx.example.net>
To: x@example.org
Subject: Mail delivery failed: returning message to sender
Auto-Submitted: auto-replied
X-Failed-Recipients: heidi@example.com

A message that you sent could not be delivered to one or more of its
recipients. This is a permanent error. The following address(es) failed:

  heidi@example.com
    SMTP error from remote mail server after RCPT TO:<heidi@example.com>:
    550 5.1.1 User unknown
`);
    expect(c).toMatchObject({ kind: "hard", recipients: ["heidi@example.com"], status: "5.1.1" });
  });
});

describe("classifyMessage with text-only bounces", () => {
  it("reads a qmail bounce: the failed address from its list and the cause from its text", async () => {
    const c = await classifyMessage(
      `From: MAILER-DAEMON@mx.example.net
To: bounces+d45.z@bounce.example.org
Subject: failure notice

Hi. This is the qmail-send program at mx.example.net.
I'm afraid I wasn't able to deliver your message to the following addresses.
This is a permanent error; I've given up. Sorry it didn't work out.

<ivan@example.com>:
Sorry, no mailbox here by that name. (#5.1.1)

--- Below this line is a copy of the message.

Return-Path: <bounces+d45.z@bounce.example.org>
From: news@example.org
To: ivan@example.com
Message-ID: <d45.1@example.org>

Hello
`,
    );
    expect(c).toMatchObject({ kind: "hard", recipients: ["ivan@example.com"], status: "5.1.1" });
    expect(c.originalMessageId).toBe("d45.1@example.org");
  });

  it("counts a qmail over-quota bounce as soft even though it says the error is permanent", async () => {
    const c = await classifyMessage(`From: MAILER-DAEMON@mx.example.net
To: x@example.org
Subject: failure notice

Hi. This is the qmail-send program at mx.example.net.
This is a permanent error; I've given up.

<judy@example.com>:
The e-mail message could not be delivered because the user's mailfolder is full.
`);
    expect(c).toMatchObject({ kind: "soft", recipients: ["judy@example.com"] });
  });

  it("counts a warning that delivery will be retried as soft", async () => {
    const c = await classifyMessage(
      "From: Mail Delivery Subsystem <mailer-daemon@example.net>\nTo: x@example.org\n" +
        "Subject: Delivery Status Notification (Delay)\n\nTHIS IS A WARNING MESSAGE ONLY.\n\n" +
        "Delivery to the following recipient has been delayed:\n\n     kim@example.com\n\n" +
        "Message will be retried for 2 more day(s)\n",
    );
    expect(c).toMatchObject({ kind: "soft", action: "delayed", recipients: ["kim@example.com"] });
  });

  it("ignores help-desk addresses mentioned in a report", async () => {
    const c = await classifyMessage(`From: postmaster@example.net
To: x@example.org
Subject: Undeliverable Mail

Invalid final delivery userid: lena@example.com

Please contact helpdesk@example.net for help.
`);
    expect(c.recipients).toEqual(["lena@example.com"]);
  });
});

describe("classifyMessage with input it cannot read", () => {
  it("returns unknown for malformed MIME instead of throwing", async () => {
    const broken =
      'Content-Type: multipart/report; boundary="\n--\n\x00\xff--B\nContent-Type: message/delivery';
    await expect(classifyMessage(broken)).resolves.toMatchObject({ kind: "unknown", recipients: [] });
  });

  it("returns unknown for empty input and for random bytes", async () => {
    expect((await classifyMessage("")).kind).toBe("unknown");
    const noise = new Uint8Array(4096).map((_, i) => (i * 7919) % 256);
    expect((await classifyMessage(noise)).kind).toBe("unknown");
  });

  it("returns unknown for an ordinary message from a person", async () => {
    const c = await classifyMessage(
      "From: mia@example.com\nTo: x@example.org\nSubject: Re: News\n\nThanks, it failed to load.\n",
    );
    expect(c.kind).toBe("unknown");
  });

  it("exports the size limit that callers enforce (10 MiB)", () => {
    expect(MAX_MESSAGE_BYTES).toBe(10 * 1024 * 1024);
  });
});

describe("classifyFiles", () => {
  it("classifies each file and reports an unreadable one as unknown, the error as reason", async () => {
    const dir = await mkdtemp(path.join(tmpdir(), "utsend-bounces-"));
    try {
      const good = path.join(dir, "a.eml");
      await writeFile(good, dsn({ status: "5.1.1" }));
      const missing = path.join(dir, "missing.eml");
      const [a, b] = await classifyFiles([good, missing]);
      expect(a).toMatchObject({ file: good, kind: "hard", recipients: ["alice@example.com"] });
      expect(b).toMatchObject({ file: missing, kind: "unknown", recipients: [] });
      expect(b?.reason).toMatch(/ENOENT/);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
