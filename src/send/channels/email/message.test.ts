import { generateKeyPairSync } from "node:crypto";
import PostalMime from "postal-mime";
import { beforeAll, describe, expect, it } from "vitest";
import { verifyDkim } from "../../../../test/helpers/smtp-sink.ts";
import { dkimDnsRecord, generateDkimKeyPair } from "../../../sending-domains/dkim-keys.ts";
import type { AppError } from "../../../shared/errors.ts";
import { buildMessage, type OutgoingMessage } from "./message.ts";
import { aMessage } from "./test-message.ts";

let keys: { privateKeyPem: string; publicKeyPem: string };
let records: Record<string, string>;

beforeAll(() => {
  keys = generateDkimKeyPair();
  const record = dkimDnsRecord("utsend1", "lag.example.no", keys.publicKeyPem);
  records = { [record.name]: record.value };
});

function signed(overrides: Partial<OutgoingMessage> = {}): OutgoingMessage {
  return aMessage({
    dkim: { domainName: "lag.example.no", keySelector: "utsend1", privateKey: keys.privateKeyPem },
    ...overrides,
  });
}

function header(raw: Buffer, name: string): string[] {
  const head = raw.toString("latin1").split("\r\n\r\n")[0] ?? "";
  return head
    .replace(/\r\n[ \t]+/g, " ")
    .split("\r\n")
    .filter((line) => line.toLowerCase().startsWith(`${name.toLowerCase()}:`))
    .map((line) => line.slice(name.length + 1).trim());
}

async function rejection(promise: Promise<unknown>): Promise<AppError> {
  try {
    await promise;
  } catch (err) {
    return err as AppError;
  }
  throw new Error("expected the promise to be rejected");
}

describe("buildMessage", () => {
  it("writes every header a mailbox provider and the bounce handling read", async () => {
    const raw = await buildMessage(aMessage());
    const email = await PostalMime.parse(raw);

    expect(email.from).toEqual({ name: "Sørlandet Idrettslag", address: "post@lag.example.no" });
    expect(email.to).toEqual([{ name: "Åse Øvrebø", address: "ase@example.com" }]);
    expect(email.replyTo).toEqual([{ name: "", address: "styret@lag.example.no" }]);
    expect(email.subject).toBe("Årsmøte på Ærøy – påmelding");
    expect(email.messageId).toBe("<m12.r34.a1@lag.example.no>");
    expect(Date.now() - Date.parse(email.date ?? "")).toBeLessThan(60_000);
    expect(header(raw, "MIME-Version")).toEqual(["1.0"]);
    expect(header(raw, "List-Unsubscribe")).toEqual([
      "<https://utsend.example.no/u/m12r34a1tok>, <mailto:unsub+m12r34a1tok@bounce.lag.example.no>",
    ]);
    expect(header(raw, "List-Unsubscribe-Post")).toEqual(["List-Unsubscribe=One-Click"]);
    expect(header(raw, "Feedback-ID")).toEqual(["m12:p3:newsletter:utsend"]);
    expect(email.html?.replace(/\r\n/g, "\n").trim()).toBe("<p>Hei Åse!</p>\n<p>Velkommen til årsmøtet.</p>");
    expect(email.text?.replace(/\r\n/g, "\n").trim()).toBe("Hei Åse!\nVelkommen til årsmøtet.");
  });

  it("sets no Return-Path, Bcc or X-Mailer header: the return path is the SMTP envelope's", async () => {
    const raw = await buildMessage(aMessage());
    for (const name of ["Return-Path", "Bcc", "X-Mailer", "DKIM-Signature"])
      expect(header(raw, name)).toEqual([]);
  });

  it("leaves out the unsubscribe and feedback headers when they are not given", async () => {
    const raw = await buildMessage(aMessage({ listUnsubscribe: undefined, feedbackId: undefined }));
    expect(header(raw, "List-Unsubscribe")).toEqual([]);
    expect(header(raw, "List-Unsubscribe-Post")).toEqual([]);
    expect(header(raw, "Feedback-ID")).toEqual([]);
  });

  it("encodes Norwegian letters in names and subject as MIME encoded words, so the header block stays ASCII", async () => {
    const raw = await buildMessage(aMessage());
    const head = raw.toString("latin1").split("\r\n\r\n")[0] ?? "";
    expect(head).toMatch(/^[\x20-\x7e\r\n\t]*$/);
    expect(header(raw, "Subject")[0]).toMatch(/=\?UTF-8\?/);
  });

  it("ends every line with CRLF, so a relay has no bare LF to rewrite under the signature", async () => {
    const raw = (await buildMessage(signed())).toString("latin1");
    expect(raw).not.toMatch(/[^\r]\n/);
    expect(raw).not.toMatch(/\r(?!\n)/);
  });

  it("carries attachments with their file names", async () => {
    const raw = await buildMessage(
      aMessage({
        attachments: [
          {
            filename: "Påmelding årsmøte.pdf",
            contentType: "application/pdf",
            content: Buffer.from("%PDF-1.4"),
          },
        ],
      }),
    );
    const email = await PostalMime.parse(raw, { attachmentEncoding: "utf8" });
    expect(email.attachments).toHaveLength(1);
    expect(email.attachments[0]).toMatchObject({
      filename: "Påmelding årsmøte.pdf",
      mimeType: "application/pdf",
      content: "%PDF-1.4",
    });
  });

  it("adds the caller's own headers", async () => {
    const raw = await buildMessage(
      aMessage({ headers: { "X-Utsend-Mailing": "m12", "X-Kategori": "Nyhetsbrev" } }),
    );
    expect(header(raw, "X-Utsend-Mailing")).toEqual(["m12"]);
    expect(header(raw, "X-Kategori")).toEqual(["Nyhetsbrev"]);
  });
});

describe("DKIM signing", () => {
  it("signs so that a receiver verifies the message against the published DNS record", async () => {
    const raw = await buildMessage(signed());
    const { result } = await verifyDkim(raw, records);
    expect(result).toBe("pass");
    expect(header(raw, "DKIM-Signature")[0]).toMatch(/\bd=lag\.example\.no;.*\bs=utsend1;/);
  });

  it("covers both unsubscribe headers, Feedback-ID and the address and subject headers", async () => {
    const raw = await buildMessage(signed());
    const { signedHeaders } = await verifyDkim(raw, records);
    expect(signedHeaders).toEqual(
      expect.arrayContaining([
        "list-unsubscribe",
        "list-unsubscribe-post",
        "feedback-id",
        "from",
        "to",
        "reply-to",
        "subject",
        "date",
        "message-id",
        "mime-version",
        "content-type",
      ]),
    );
    const tag = /\bh=([^;]+)/.exec(header(raw, "DKIM-Signature")[0] ?? "")?.[1]?.replace(/\s+/g, "");
    expect(tag?.toLowerCase().split(":")).toEqual(expect.arrayContaining(["list-unsubscribe-post"]));
  });

  it("fails verification when the Subject is changed after signing", async () => {
    const raw = (await buildMessage(signed({ subject: "Årsmøte" }))).toString("latin1");
    const subject = header(Buffer.from(raw, "latin1"), "Subject")[0] ?? "";
    const tampered = raw.replace(subject, "Vinn en iPhone");
    expect(tampered).not.toBe(raw);
    expect((await verifyDkim(Buffer.from(tampered, "latin1"), records)).result).toBe("fail");
  });

  it("fails verification when the unsubscribe one-click header is removed", async () => {
    const raw = (await buildMessage(signed())).toString("latin1");
    const stripped = raw.replace("List-Unsubscribe-Post: List-Unsubscribe=One-Click\r\n", "");
    expect(stripped).not.toBe(raw);
    expect((await verifyDkim(Buffer.from(stripped, "latin1"), records)).result).toBe("fail");
  });

  it("fails verification when the body is changed", async () => {
    const raw = (await buildMessage(signed())).toString("latin1");
    const tampered = raw.replace("Velkommen", "Velkomne");
    expect(tampered).not.toBe(raw);
    expect((await verifyDkim(Buffer.from(tampered, "latin1"), records)).result).toBe("fail");
  });

  it("refuses to build rather than send unsigned when the private key is unusable", async () => {
    await expect(
      buildMessage(
        signed({ dkim: { domainName: "lag.example.no", keySelector: "utsend1", privateKey: "nope" } }),
      ),
    ).rejects.toThrow();
  });

  it("refuses a key that is not RSA rather than sign a=rsa-sha256 with it", async () => {
    const ec = generateKeyPairSync("ec", { namedCurve: "P-256" }).privateKey.export({
      type: "pkcs8",
      format: "pem",
    });
    const dkim = { domainName: "lag.example.no", keySelector: "utsend1", privateKey: ec.toString() };
    await expect(buildMessage(signed({ dkim }))).rejects.toThrow(/not RSA/);
  });
});

describe("header injection", () => {
  it("turns a line break in the subject into a space instead of a new header", async () => {
    const raw = await buildMessage(aMessage({ subject: "Hei\r\nBcc: victim@example.org\nX-Evil: 1" }));
    const email = await PostalMime.parse(raw);
    expect(email.subject).toBe("Hei Bcc: victim@example.org X-Evil: 1");
    expect(email.headers.map((h) => h.key)).not.toContain("bcc");
    expect(email.headers.map((h) => h.key)).not.toContain("x-evil");
  });

  it("turns a line break in a display name into a space instead of a new header", async () => {
    const raw = await buildMessage(
      aMessage({
        from: { name: "Lag\r\nBcc: victim@example.org", address: "post@lag.example.no" },
        to: { name: "Åse\nX-Evil: 1", address: "ase@example.com" },
      }),
    );
    const email = await PostalMime.parse(raw);
    expect(email.from?.name).toBe("Lag Bcc: victim@example.org");
    expect(email.to?.[0]?.name).toBe("Åse X-Evil: 1");
    expect(email.headers.map((h) => h.key)).not.toContain("bcc");
    expect(email.headers.map((h) => h.key)).not.toContain("x-evil");
  });

  it("refuses an address, Message-ID, unsubscribe URI or Feedback-ID that carries a line break", async () => {
    const cases: Array<[string, Partial<OutgoingMessage>]> = [
      ["to.address", { to: { address: "ase@example.com\r\nBcc: victim@example.org" } }],
      ["from.address", { from: { address: "post@lag.example.no>\r\nX: y" } }],
      ["replyTo", { replyTo: "styret@lag.example.no\nBcc: v@example.org" }],
      ["messageId", { messageId: "m1@lag.example.no>\r\nBcc: <v@example.org" }],
      ["feedbackId", { feedbackId: "a:b\r\nBcc: v@example.org" }],
      [
        "listUnsubscribe.mailto",
        { listUnsubscribe: { url: "https://u.example.no/x", mailto: "https://not-mailto.example.no" } },
      ],
      [
        "listUnsubscribe.url",
        { listUnsubscribe: { url: "javascript:alert(1)", mailto: "mailto:u@example.no" } },
      ],
    ];
    for (const [field, overrides] of cases) {
      const err = await rejection(buildMessage(aMessage(overrides)));
      expect(err.code, field).toBe("VALIDATION_FAILED");
      expect(err.details.fields, field).toEqual([expect.objectContaining({ field })]);
    }
  });

  it("keeps an unsubscribe URL inside its angle brackets whatever characters it holds", async () => {
    const raw = await buildMessage(
      aMessage({
        listUnsubscribe: { url: "https://u.example.no/x?a=1,2&b=<c>", mailto: "mailto:u@example.no" },
      }),
    );
    expect(header(raw, "List-Unsubscribe")).toEqual([
      "<https://u.example.no/x?a=1%2C2&b=%3Cc%3E>, <mailto:u@example.no>",
    ]);
  });

  it("refuses custom headers that would replace utsend's own or carry a line break", async () => {
    const cases: Array<[string, Record<string, string>]> = [
      ["headers.From", { From: "ceo@example.org" }],
      ["headers.list-unsubscribe", { "list-unsubscribe": "<https://evil.example.org>" }],
      ["headers.X-Ok", { "X-Ok": "a\r\nBcc: v@example.org" }],
      ["headers.X Bad", { "X Bad": "1" }],
      ["headers.X:Bad", { "X:Bad": "1" }],
    ];
    for (const [field, headers] of cases) {
      const err = await rejection(buildMessage(aMessage({ headers })));
      expect(err.details.fields, field).toEqual([expect.objectContaining({ field })]);
    }
  });
});
