import PostalMime from "postal-mime";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { generateDkimKeyPair } from "../../../sending-domains/dkim-keys.ts";
import { buildLeanMessage, buildMessage, buildMessageWithComposer, type OutgoingMessage } from "./message.ts";
import { aMessage } from "./test-message.ts";

// The clock and the boundaries' random part are the only things two builds of one message differ in: the clock is
// frozen (Date only; MailComposer's streams still need real timers) and both builders get the same boundary.
const BOUNDARY = "0123456789abcdef";
let privateKey: string;

beforeAll(() => {
  vi.useFakeTimers({ toFake: ["Date"] });
  vi.setSystemTime(new Date("2026-12-07T15:04:05.678Z"));
  privateKey = generateDkimKeyPair().privateKeyPem;
});
afterAll(() => {
  vi.useRealTimers();
});

const pdf = Buffer.concat([
  Buffer.from("%PDF-1.4\n%\xe2\xe3\xcf\xd3\n", "latin1"),
  Buffer.from(Array.from({ length: 3001 }, (_, i) => (i * 37 + 11) % 256)),
]);
const longLine =
  "Dette er en veldig lang linje uten noen linjeskift som går langt forbi søttiseks tegn. ".repeat(6);
const longWord = `https://fjordlys.example/${"a1b2c3".repeat(60)}?q=${"æ".repeat(40)}`;

const cases: Array<[string, Partial<OutgoingMessage>]> = [
  ["Norwegian names, subject and bodies", {}],
  [
    "ASCII only",
    {
      from: { name: "Fjordlys", address: "post@fjordlys.example" },
      to: { name: "Kari Nordmann", address: "kari@example.no" },
      subject: "News for you",
      text: "Hello Kari,\nhere is the news.\n",
      html: "<p>Hello Kari,</p><p>here is the news.</p>",
    },
  ],
  [
    "emoji in subject, names and bodies",
    {
      from: { name: "Fjordlys 🌊", address: "post@fjordlys.example" },
      to: { name: "Kari 😀 Nordmann", address: "kari@example.no" },
      subject: "🎉 Nyheter 🎉 for deg 🚀",
      text: "Hei 👋\n🌊🌊🌊🌊🌊🌊🌊🌊🌊🌊",
      html: "<p>🎉🎉🎉🎉🎉🎉🎉🎉🎉🎉🎉🎉🎉🎉🎉</p>",
    },
  ],
  ["text only", { html: "" }],
  ["HTML only, ASCII", { text: "", html: "<p>Hello</p>" }],
  ["HTML only, Norwegian", { text: "" }],
  ["neither text nor HTML", { text: "", html: "" }],
  ["very long lines", { text: longLine, html: `<p>${longLine}</p>` }],
  ["long ASCII lines", { text: "word ".repeat(100), html: `<p>${"x".repeat(500)}</p>` }],
  ["long words", { text: longWord, html: `<a href="${longWord}">${longWord}</a>` }],
  [
    'lines starting with "." and "From "',
    { text: ".\n.hidden\nFrom here on\n..\nFrom: x\n", html: ".<p>x</p>\nFrom the board\n." },
  ],
  ["bare LF, CRLF and CR in bodies", { text: "a\nb\r\nc\rd\n\n\r\ne", html: "\n<p>æ\r\nø\nå</p>\r" }],
  ["trailing whitespace", { text: "Hei  \nhallo\t\nslutt   ", html: "<p>ø</p> \t " }],
  ["a body of only whitespace and line breaks", { text: " \n\t\n ", html: "\n" }],
  [
    "non-Latin scripts (base64 bodies)",
    { text: "Привет, мир! Это тест.", html: "<p>你好，世界。这是一个测试。</p>" },
  ],
  ["control characters in a body", { text: "a\u0001b\u0007c æ", html: "<p>\u001b</p>" }],
  [
    "long subjects that fold",
    {
      subject:
        "Invitasjon til årsmøtet i Sørlandet Idrettslag, med valg av styre, budsjett og mye mer å snakke om",
    },
  ],
  [
    "long ASCII subject",
    {
      subject:
        "An invitation to the annual general meeting, with elections, budget and much more to talk about",
    },
  ],
  ["subject with quotes and an encoded-word look-alike", { subject: 'Si "hei" =?utf-8?q?x?= til oss' }],
  ["empty subject", { subject: "" }],
  ["no reply-to", { replyTo: undefined }],
  ["reply-to with a plus", { replyTo: "svar+m12@lag.example.no" }],
  [
    "names with ASCII specials",
    {
      from: { name: 'Lag, "Sør" (styret)', address: "post@lag.example.no" },
      to: { name: "O'Brien; Kari", address: "kari@example.no" },
    },
  ],
  [
    "no display names",
    { from: { address: "post@lag.example.no" }, to: { name: "  ", address: "a@example.no" } },
  ],
  ["a long non-ASCII display name", { to: { name: "Æ".repeat(60), address: "ae@example.no" } }],
  ["an internationalised domain", { to: { name: "Kari", address: "kari@blåbær.example" } }],
  ["a non-ASCII local part", { to: { name: "Øystein", address: "øystein@example.no" } }],
  [
    "custom headers",
    {
      headers: {
        "X-Utsend-Mailing": "m12",
        "x-kategori": "Nyhetsbrev for medlemmer i Sørlandet",
        "x-campaign-id": "abc",
        "X-Quoted": 'a "quoted" value',
        "X-Empty": "",
        "X-Blank": "   ",
        "X-Long": `${"verdi ".repeat(30)}slutt`,
        "Content-Disposition": "inline (comment)",
        "mime-extra": "1",
        "Content-features": "x",
      },
    },
  ],
  ["no unsubscribe or feedback headers", { listUnsubscribe: undefined, feedbackId: undefined }],
  [
    "long unsubscribe URIs",
    {
      listUnsubscribe: {
        url: `https://utsend.example.no/u/${"t".repeat(120)}?a=1,2&b=<c>`,
        mailto: `mailto:unsub+${"m".repeat(80)}@bounce.lag.example.no?subject=unsubscribe`,
      },
    },
  ],
  ["feedback-ID with padding", { feedbackId: "  a:b:c  " }],
  [
    "a PDF attachment",
    { attachments: [{ filename: "Påmelding årsmøte.pdf", contentType: "application/pdf", content: pdf }] },
  ],
  [
    "attachments: text, non-ASCII and long file names",
    {
      attachments: [
        { filename: "liste.txt", contentType: "text/plain", content: Buffer.from("a;b\nc;d\n") },
        { filename: "Årsmøte – referat og vedlegg.pdf", contentType: "application/pdf", content: pdf },
        {
          filename: `${"Veldig langt filnavn ".repeat(6)}med æøå.docx`,
          contentType: "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
          content: pdf.subarray(0, 100),
        },
        {
          filename: `${"long-ascii-name-".repeat(8)}.csv`,
          contentType: "text/csv; charset=utf-8",
          content: pdf,
        },
        { filename: 'semi;colon "quoted".png', contentType: "image/png", content: Buffer.alloc(0) },
        { filename: "-dash.bin", contentType: "application/octet-stream", content: Buffer.from([0]) },
      ],
    },
  ],
  [
    "attachments without text or HTML",
    {
      text: "",
      html: "",
      attachments: [
        { filename: "a.pdf", contentType: "application/pdf", content: pdf },
        { filename: "b.txt", contentType: "text/plain", content: Buffer.from("b") },
      ],
    },
  ],
  [
    "an attachment with text only",
    { html: "", attachments: [{ filename: "a.pdf", contentType: "application/pdf", content: pdf }] },
  ],
  // The shapes mime.ts leaves to MailComposer; equal by construction, listed so a change there is seen here.
  [
    "an attachment as the whole message",
    {
      text: "",
      html: "",
      attachments: [{ filename: "a.pdf", contentType: "application/pdf", content: pdf }],
    },
  ],
  [
    "a message/rfc822 attachment and one without a name",
    {
      attachments: [
        { filename: "fwd.eml", contentType: "message/rfc822", content: Buffer.from("Subject: x\n\nbody\n") },
        { filename: "", contentType: "", content: pdf },
      ],
    },
  ],
];

function signed(m: OutgoingMessage): OutgoingMessage {
  return { ...m, dkim: { domainName: "lag.example.no", keySelector: "utsend1", privateKey } };
}

async function expectSameBytes(m: OutgoingMessage, label: string): Promise<Buffer> {
  const lean = await buildLeanMessage(m, BOUNDARY);
  const composed = await buildMessageWithComposer(m, BOUNDARY);
  // Compared as text first so a failure shows where the two part; then byte for byte.
  expect(lean.toString("latin1"), label).toBe(composed.toString("latin1"));
  expect(lean.equals(composed), label).toBe(true);
  return lean;
}

const crlfLines = (s: string) => s.replace(/\r\n|\r|\n/g, "\n");

describe("the lean message builder", () => {
  it.each(cases)("writes MailComposer's bytes: %s", async (label, overrides) => {
    await expectSameBytes(aMessage(overrides), label);
  });

  it.each(cases)("writes MailComposer's bytes with DKIM: %s", async (label, overrides) => {
    await expectSameBytes(signed(aMessage(overrides)), label);
  });

  it("writes MailComposer's bytes for a body over 64 KiB, whose QP is encoded in slices", async () => {
    // Whitespace around the 64 KiB slice edge and at the end, where nodemailer's encoder holds it back.
    const edge = 64 * 1024;
    for (const before of [edge - 2, edge - 1, edge, edge + 1])
      for (const after of ["  \t x  \næ  ", "  \ny", "\t\r\n"]) {
        const text = `${"x".repeat(before)}${after}`;
        await expectSameBytes(aMessage({ text, html: "" }), `${JSON.stringify(after)} at byte ${before}`);
      }
    const norwegian = "Blåbær og tyttebær. ".repeat(4000);
    await expectSameBytes(aMessage({ text: norwegian, html: `<p>${norwegian}</p>` }), "large Norwegian");
    const spaces = `æ${" ".repeat(edge + 10)}`;
    await expectSameBytes(aMessage({ text: spaces }), "whitespace over a slice");
  });

  it("writes MailComposer's bytes for generated strings of mixed scripts, whitespace and line lengths", async () => {
    const pieces = [
      "Hei",
      "hallo",
      "æøå",
      "ÆØÅ",
      "🌊",
      "你好",
      "Привет",
      " ",
      "  ",
      "\t",
      "\n",
      "\r\n",
      "\r",
      ".",
      "From ",
      "=",
      "=?",
      '"',
      "<b>",
      "x".repeat(80),
      "ø".repeat(30),
      "a-very-long-word-without-spaces-".repeat(4),
    ];
    let seed = 17;
    const random = (n: number) => {
      seed = (seed * 1103515245 + 12345) % 2147483648;
      return seed % n;
    };
    const text = (maxPieces: number) =>
      Array.from({ length: random(maxPieces) }, () => pieces[random(pieces.length)]).join("");
    for (let i = 0; i < 150; i++) {
      const m = aMessage({
        subject: text(12),
        from: { name: text(4), address: "post@lag.example.no" },
        to: { name: text(4), address: `p${i}@example.no` },
        text: text(60),
        html: i % 7 === 0 ? "" : text(120),
        headers: i % 3 === 0 ? { "X-Tekst": text(6).replace(/\s/g, " ") } : undefined,
        attachments:
          i % 5 === 0
            ? [
                {
                  filename: `${text(3).replace(/\s/g, "") || "f"}.txt`,
                  contentType: "text/plain",
                  content: pdf,
                },
              ]
            : undefined,
      });
      await expectSameBytes(i % 4 === 0 ? signed(m) : m, `generated message ${i}`);
    }
  });

  it("gives each message new boundaries", async () => {
    const boundaryOf = (raw: Buffer) => /boundary="([^"]+)"/.exec(raw.toString())?.[1];
    const [a, b] = [await buildMessage(aMessage()), await buildMessage(aMessage())];
    expect(boundaryOf(a)).toMatch(/^--_NmP-[0-9a-f]{16}-Part_1$/);
    expect(boundaryOf(a)).not.toBe(boundaryOf(b));
  });

  it("writes what a mail reader decodes back to the fields it was given", async () => {
    const attachments = [
      { filename: "Påmelding årsmøte.pdf", contentType: "application/pdf", content: pdf },
      // Without spaces: postal-mime drops a space that ends or starts an RFC 2231 section (MailComposer's bytes
      // keep it), which is the reader's business, not the builder's.
      { filename: `${"Årsmøtereferat-".repeat(6)}vedlegg.txt`, contentType: "text/plain", content: pdf },
    ];
    const roundTrips: Array<Partial<OutgoingMessage>> = [
      {},
      { subject: "🎉 Invitasjon til årsmøtet i Sørlandet Idrettslag, med valg av styre og budsjett 🎉" },
      { text: longLine, html: `<p>${longWord}</p>`, attachments },
      {
        text: "Привет, мир!\n.\nFrom here\n",
        html: "<p>你好，世界。</p>",
        to: { name: 'O"Brien, K', address: "k@example.no" },
      },
    ];
    for (const overrides of roundTrips) {
      const m = aMessage(overrides);
      const email = await PostalMime.parse(await buildMessage(m), { attachmentEncoding: "arraybuffer" });
      expect(email.subject).toBe(m.subject);
      expect(email.from).toEqual({ name: m.from.name, address: m.from.address });
      expect(email.to).toEqual([{ name: m.to.name, address: m.to.address }]);
      expect(email.messageId).toBe(`<${m.messageId}>`);
      expect(email.date).toBe("2026-12-07T15:04:05.000Z");
      expect(crlfLines(email.text ?? "").replace(/\n$/, "")).toBe(crlfLines(m.text).replace(/\n$/, ""));
      expect(crlfLines(email.html ?? "").replace(/\n$/, "")).toBe(crlfLines(m.html).replace(/\n$/, ""));
      expect(
        email.attachments.map((a) => ({
          filename: a.filename,
          mimeType: a.mimeType,
          content: Buffer.from(a.content as ArrayBuffer),
        })),
      ).toEqual(
        (m.attachments ?? []).map((a) => ({
          filename: a.filename,
          mimeType: a.contentType,
          content: a.content,
        })),
      );
    }
  });
});
