import { describe, expect, it } from "vitest";
import { type ContentCheckInput, contentChecks, HTML_SIZE_LIMIT } from "./content-checks.ts";

const PARAGRAPH =
  "<p>Vårkonferansen samler kunder og partnere i Bergen 24. april. Program, foredragsholdere og påmelding finner du på nettsidene våre, sammen med praktisk informasjon om reise, hotell og servering. Vi gleder oss til å se deg der, og til to dager med gode samtaler om det som skjer i bransjen i år.</p>";
const TEXT =
  "Vårkonferansen samler kunder og partnere i Bergen 24. april. Program og påmelding finner du på nettsidene våre.";
const PIXEL =
  '<img src="https://utsend.example/t/o/abc.gif" width="1" height="1" alt="" style="display:block;width:1px;height:1px;border:0">';

const check = (input: Partial<ContentCheckInput> & { body?: string }) =>
  contentChecks({
    subject: "Vårkonferansen i Bergen 24. april",
    html: `<html><body>${input.body ?? PARAGRAPH}</body></html>`,
    text: TEXT,
    attachments: [],
    ...input,
  });
const codes = (input: Partial<ContentCheckInput> & { body?: string }) => check(input).map((f) => f.code);

describe("a message with nothing to find", () => {
  it("has no findings: enough text, a text part, a plain subject, links that say where they go", () => {
    expect(
      check({
        body: `${PARAGRAPH}${PARAGRAPH}${PARAGRAPH}<img src="https://cdn.example/a.jpg" alt="Scenen">${PIXEL}<a href="https://fjordlys.no/program">fjordlys.no/program</a>`,
      }),
    ).toEqual([]);
  });
});

describe("text against images", () => {
  it("flags little text for its images, and says when the open pixel alone tips it", () => {
    const short = "<p>Velkommen til konferansen i Bergen.</p>";
    expect(check({ body: `${short}${PIXEL}` })).toEqual([
      expect.objectContaining({ code: "low-text-to-image", images: 1, pixelTipsIt: true }),
    ]);
    expect(codes({ body: short })).toEqual([]);
  });

  it("flags images with less than 400 characters of text each without blaming the pixel", () => {
    const body = `${PARAGRAPH}<img src="a.jpg" alt="A"><img src="b.jpg" alt="B">`;
    expect(check({ body })).toEqual([
      expect.objectContaining({ code: "low-text-to-image", images: 2, pixelTipsIt: false }),
    ]);
    expect(codes({ body: `${PARAGRAPH}${PARAGRAPH}${PARAGRAPH}<img src="a.jpg" alt="A">` })).toEqual([]);
  });

  it("flags an image-only mail, and not one whose text is written out", () => {
    expect(codes({ body: '<img src="salg.jpg" alt="Salg">' })).toEqual(["low-text-to-image", "image-only"]);
    expect(codes({ body: `<img src="salg.jpg" alt="Salg">${PARAGRAPH}${PARAGRAPH}` })).toEqual([]);
  });

  it("does not count hidden text such as the preheader", () => {
    expect(
      codes({ body: `<div style="display:none">${PARAGRAPH}</div><img src="salg.jpg" alt="Salg">` }),
    ).toContain("image-only");
  });
});

describe("the text part", () => {
  it("flags a missing and a very short text part, not a full one", () => {
    expect(check({ text: "" })).toEqual([
      expect.objectContaining({ code: "short-text-part", textLength: 0 }),
    ]);
    expect(codes({ text: "Se nettsidene." })).toEqual(["short-text-part"]);
    expect(codes({ text: TEXT })).toEqual([]);
  });
});

describe("links", () => {
  it("flags link text that names another domain than the link goes to, read from the URL before tracking", () => {
    const tracked = "https://utsend.example/t/c/tok1";
    const originals = new Map([[tracked, "https://evil.example/login"]]);
    const findings = check({
      body: `${PARAGRAPH}<a href="${tracked}">www.fjordlys.no</a>`,
      originalUrl: (href) => originals.get(href) ?? href,
    });
    expect(findings).toEqual([
      expect.objectContaining({
        code: "link-domain-mismatch",
        shownDomain: "fjordlys.no",
        targetDomain: "evil.example",
      }),
    ]);
  });

  it("lets a tracked link whose original URL matches its text pass, and subdomains count as the same site", () => {
    const tracked = "https://utsend.example/t/c/tok2";
    expect(
      codes({
        body: `${PARAGRAPH}<a href="${tracked}">fjordlys.no</a><a href="https://shop.fjordlys.no/">https://fjordlys.no</a>`,
        originalUrl: (href) => (href === tracked ? "https://www.fjordlys.no/salg" : href),
      }),
    ).toEqual([]);
  });

  it("flags URL shorteners, not ordinary links", () => {
    expect(check({ body: `${PARAGRAPH}<a href="https://bit.ly/3xYz">Program</a>` })).toEqual([
      expect.objectContaining({ code: "url-shortener", domain: "bit.ly" }),
    ]);
    expect(codes({ body: `${PARAGRAPH}<a href="https://t.co/abc">Program</a>` })).toEqual(["url-shortener"]);
    expect(codes({ body: `${PARAGRAPH}<a href="https://fjordlys.no/program">Program</a>` })).toEqual([]);
  });
});

describe("the subject", () => {
  it("flags an all-caps subject and a row of exclamation marks", () => {
    expect(check({ subject: "STORT SALG I DAG" })).toEqual([
      expect.objectContaining({ code: "shouting-subject", kind: "all-caps" }),
    ]);
    expect(check({ subject: "Salg i dag!!!" })).toEqual([
      expect.objectContaining({ code: "shouting-subject", kind: "exclamation-marks" }),
    ]);
  });

  it("lets a short acronym and one exclamation mark pass", () => {
    expect(codes({ subject: "Nytt fra NHO i dag!" })).toEqual([]);
    expect(codes({ subject: "NHO" })).toEqual([]);
  });
});

describe("attachments", () => {
  it("flags programs, macro documents and archives", () => {
    const findings = check({
      attachments: [
        { filename: "oppdatering.EXE" },
        { filename: "budsjett.xlsm" },
        { filename: "bilder.zip" },
      ],
    });
    expect(findings.map((f) => (f.code === "risky-attachment" ? f.kind : f.code))).toEqual([
      "executable",
      "macro-document",
      "archive",
    ]);
  });

  it("lets PDFs and ordinary documents pass", () => {
    expect(codes({ attachments: [{ filename: "program.pdf" }, { filename: "påmelding.docx" }] })).toEqual([]);
  });
});

describe("size", () => {
  it("flags HTML that Gmail clips, counted in UTF-8 bytes, and not HTML under the limit", () => {
    const big = `${PARAGRAPH}<p>${"æ".repeat(HTML_SIZE_LIMIT / 2)}</p>`;
    expect(check({ body: big })).toEqual([expect.objectContaining({ code: "html-too-large" })]);
    expect(codes({ body: `${PARAGRAPH}<p>${"a".repeat(HTML_SIZE_LIMIT / 2)}</p>` })).toEqual([]);
  });
});
