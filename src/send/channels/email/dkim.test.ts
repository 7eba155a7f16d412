import { createPrivateKey } from "node:crypto";
import DKIM from "nodemailer/lib/dkim";
import { beforeAll, describe, expect, it } from "vitest";
import { verifyDkim } from "../../../../test/helpers/smtp-sink.ts";
import { dkimDnsRecord, generateDkimKeyPair } from "../../../sending-domains/dkim-keys.ts";
import { dkimSign, headerEnd, relaxedBodyHash } from "./dkim.ts";
import { buildMessage, SIGNED_HEADERS } from "./message.ts";

let pem: string;
let records: Record<string, string>;

beforeAll(() => {
  const keys = generateDkimKeyPair();
  pem = keys.privateKeyPem;
  const record = dkimDnsRecord("utsend1", "lag.example.no", keys.publicKeyPem);
  records = { [record.name]: record.value };
});

/** What nodemailer's DKIM stream makes of the same bytes: the reference these signatures must equal. */
async function nodemailerSigned(message: Buffer): Promise<Buffer> {
  const signer = new DKIM({
    domainName: "lag.example.no",
    keySelector: "utsend1",
    privateKey: createPrivateKey(pem),
    headerFieldNames: SIGNED_HEADERS.join(":"),
  });
  const chunks: Buffer[] = [];
  for await (const chunk of signer.sign(message)) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

const ours = (message: Buffer) =>
  dkimSign(message, {
    domainName: "lag.example.no",
    keySelector: "utsend1",
    privateKey: createPrivateKey(pem),
    headerFieldNames: SIGNED_HEADERS.join(":"),
  });

const HEAD =
  "From: =?UTF-8?Q?S=C3=B8rlandet?= <post@lag.example.no>\r\nTo: ase@example.com\r\n" +
  "Subject: a long subject line that is folded\r\n  over two lines\t with\t tabs  \r\n" +
  "Date: Mon, 07 Dec 2026 07:04:34 +0000\r\nMessage-ID: <m1@lag.example.no>\r\nX-Other: not signed\r\n" +
  "MIME-Version: 1.0\r\nContent-Type: text/plain; charset=utf-8\r\n";

// Bodies that exercise each rule of relaxed body canonicalization: whitespace runs, trailing whitespace, empty lines
// inside and at the end, bare LF and CR, a body without a final line break, an empty body, bytes above 0x7f.
const BODIES = [
  "Hei Åse!\r\nVelkommen.\r\n",
  "a  b\t\tc   \r\n  indented\r\n\r\n\r\nafter three\r\n\r\n\r\n",
  "no final break",
  "",
  "\r\n\r\n",
  "bare\nLF\nlines\n\n",
  "a lone\rCR and a CR at the end\r",
  "trailing tab\t\r\n \t \r\nx",
  "=C3=A5re quoted-printable=\r\n soft break\r\n",
];

describe("DKIM signing of a finished message", () => {
  it("gives byte for byte what nodemailer's DKIM stream gives, for every rule of relaxed canonicalization", async () => {
    for (const body of BODIES) {
      const message = Buffer.from(`${HEAD}\r\n${body}`, "utf8");
      const expected = await nodemailerSigned(message);
      expect((await ours(message)).toString("latin1"), JSON.stringify(body)).toBe(
        expected.toString("latin1"),
      );
    }
  });

  it("gives what nodemailer gives for a built message with List-Unsubscribe, and a receiver verifies it", async () => {
    const unsigned = await buildMessage({
      from: { name: "Sørlandet Idrettslag", address: "post@lag.example.no" },
      to: { name: "Åse Øvrebø", address: "ase@example.com" },
      subject: "Årsmøte på Ærøy – påmelding",
      html: `<p>Hei Åse!</p>\n<p>${"Velkommen til årsmøtet. ".repeat(20)}</p>`,
      text: "Hei Åse!\nVelkommen til årsmøtet.",
      messageId: "m12.r34.a1@lag.example.no",
      listUnsubscribe: {
        url: "https://utsend.example.no/u/tok",
        mailto: "mailto:unsub+tok@bounce.lag.example.no",
      },
    });
    const signed = await ours(unsigned);
    expect(signed.toString("latin1")).toBe((await nodemailerSigned(unsigned)).toString("latin1"));
    expect((await verifyDkim(signed, records)).result).toBe("pass");
    expect(signed.toString("latin1")).toMatch(/^DKIM-Signature: v=1; a=rsa-sha256; c=relaxed\/relaxed;/);
    expect(signed.toString("latin1")).toMatch(/h=from:to:subject:date:message-id:mime-version:content-type:/);
  });

  it("hashes a body the way RFC 6376 §3.4.4 does", () => {
    // RFC 6376 §3.4.5's example: " C \r\nD \t E\r\n\r\n\r\n" canonicalizes to " C\r\nD E\r\n".
    const sha = (text: string) => relaxedBodyHash(Buffer.from(text));
    expect(sha(" C \r\nD \t E\r\n\r\n\r\n")).toBe(sha(" C\r\nD E\r\n"));
    expect(sha(" C \r\nD \t E\r\n\r\n\r\n")).not.toBe(sha("C\r\nD E\r\n"));
    expect(sha("")).toBe(sha("\r\n\r\n"));
    expect(sha("x")).toBe(sha("x\r\n"));
  });

  it("finds the end of the header block after CRLF CRLF or LF LF, and takes a message without a body whole", () => {
    expect(headerEnd(Buffer.from("A: 1\r\nB: 2\r\n\r\nbody"))).toBe(14);
    expect(headerEnd(Buffer.from("A: 1\n\nbody"))).toBe(6);
    expect(headerEnd(Buffer.from("A: 1\r\nB: 2\r\n"))).toBe(12);
  });
});
