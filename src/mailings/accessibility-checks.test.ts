import { describe, expect, it } from "vitest";
import { accessibilityWarnings } from "./accessibility-checks.ts";
import { inlineCss, renderSourceHtml } from "./content.ts";

// Enough text that the e-mail is not "one big image" when a sample has an image.
const BODY_TEXT =
  "<p>Vårkonferansen samler kunder og partnere i Bergen 24. april. Program, foredragsholdere og påmelding finner du på nettsidene våre.</p>";
const subject = "Vårkonferansen i Bergen 24. april";
const check = (html: string, more: { subject?: string | null; mjml?: string } = {}) =>
  accessibilityWarnings({ html: `<html><body>${BODY_TEXT}${html}</body></html>`, subject, ...more });
const codes = (html: string) => check(html).map((w) => w.code);

describe("images without alt text", () => {
  it("warns about an image that has no alt attribute, once per image, naming it", () => {
    const warnings = check(
      '<img src="https://cdn.example/banner.jpg"><img src="https://cdn.example/banner.jpg">',
    );
    expect(warnings).toEqual([
      expect.objectContaining({
        code: "image-without-alt",
        key: "image-without-alt:https://cdn.example/banner.jpg",
        src: "https://cdn.example/banner.jpg",
        count: 2,
      }),
    ]);
  });

  it('takes alt="" as a decorative image, and an image with alt text as described', () => {
    expect(codes('<img src="divider.png" alt=""><img src="logo.png" alt="Fjordlys">')).toEqual([]);
  });

  it("warns about an MJML image without alt, which MJML itself renders with an empty alt", async () => {
    const mjml = `<mjml><mj-body><mj-section><mj-column>
      <mj-image src="https://cdn.example/salg.jpg"></mj-image>
      <mj-image src="https://cdn.example/logo.png" alt="Fjordlys"></mj-image>
      <mj-text>${BODY_TEXT}</mj-text></mj-column></mj-section></mj-body></mjml>`;
    const { html } = await renderSourceHtml("mjml", mjml);
    expect(accessibilityWarnings({ html: inlineCss(html), subject, mjml })).toEqual([
      expect.objectContaining({ code: "image-without-alt", src: "https://cdn.example/salg.jpg" }),
    ]);
  });
});

describe("text contrast from inline colours", () => {
  it("fails light grey #999 on the default white background with its ratio of 2.84:1", () => {
    expect(check('<p style="color: #999">Du får denne e-posten fordi du abonnerer.</p>')).toEqual([
      expect.objectContaining({
        code: "low-contrast-text",
        key: "low-contrast-text:#999999/#ffffff",
        foreground: "#999999",
        background: "#ffffff",
        ratio: 2.84,
        required: 4.5,
        text: "Du får denne e-posten fordi du abonnerer.",
      }),
    ]);
  });

  it("passes dark text on a light background and white text on a dark inline background", () => {
    expect(
      codes(`<table bgcolor="#f5f5f5"><tr><td style="color:#1f2933">Mørk tekst på lys grå</td></tr></table>
        <table><tr><td style="background-color: #0b5394"><a href="https://x.example" style="color:#ffffff">Meld deg på konferansen</a></td></tr></table>
        <div style="background: #222 url() no-repeat"><font color="white">Hvit på mørk</font></div>`),
    ).toEqual([]);
  });

  it("takes colours from ancestors: white text inside a cell whose table has no dark background fails", () => {
    expect(check('<table><tr><td><span style="color:#fff">Usynlig</span></td></tr></table>')).toEqual([
      expect.objectContaining({
        code: "low-contrast-text",
        foreground: "#ffffff",
        background: "#ffffff",
        ratio: 1,
      }),
    ]);
  });

  it("asks 3:1 of large text, so a pale heading passes where the same colour in a paragraph fails", () => {
    const warnings = check(
      '<h1 style="color:#949494">Velkommen</h1><p style="color:#949494">Liten tekst</p>',
    );
    expect(warnings).toEqual([
      expect.objectContaining({ code: "low-contrast-text", text: "Liten tekst", required: 4.5 }),
    ]);
  });

  it("leaves alone what it cannot judge or nobody sees: text over a background image, hidden preheaders", () => {
    expect(
      codes(`<table><tr><td style="background-image:url(https://cdn.example/hav.jpg)"><p style="color:#fff">Over bildet</p></td></tr></table>
        <div style="display:none;color:#ffffff">Forhåndsvisning i innboksen</div>
        <p style="color:[[customer.farge]]">Farge fra en flettekode</p>`),
    ).toEqual([]);
  });

  it("reads unstyled links as blue, which fails on a dark background", () => {
    expect(
      check('<div style="background:#000080"><a href="https://x.example">Program for dagen</a></div>'),
    ).toEqual([
      expect.objectContaining({ code: "low-contrast-text", foreground: "#0000ee", background: "#000080" }),
    ]);
  });
});

describe("link text that says nothing", () => {
  it('warns about "klikk her", "Les mer →", "click here" and "her", once per text', () => {
    const warnings = check(
      '<a href="https://a.example">Klikk her</a> <a href="https://b.example">Les mer →</a> <a href="https://c.example">Les mer</a> <a href="https://d.example">click here</a> <a href="https://e.example">her</a>',
    );
    expect(warnings.map((w) => [w.code, w.key, "count" in w ? w.count : 1])).toEqual([
      ["vague-link-text", "vague-link-text:klikk her", 1],
      ["vague-link-text", "vague-link-text:les mer", 2],
      ["vague-link-text", "vague-link-text:click here", 1],
      ["vague-link-text", "vague-link-text:her", 1],
    ]);
  });

  it("accepts link text that says where it goes, an image link's alt text, an aria-label and merge fields", () => {
    expect(
      codes(`<a href="https://a.example">Meld deg på Vårkonferansen</a>
        <a href="https://b.example"><img src="logo.png" alt="Fjordlys – til forsiden"></a>
        <a href="https://c.example" aria-label="Les mer om programmet">Les mer</a>
        <a href="[[link.viewOnline]]">[[link.viewOnline]]</a>
        <a name="topp"></a>`),
    ).toEqual([]);
  });

  it("warns about a link with no text at all, such as one around a decorative image", () => {
    expect(check('<a href="https://a.example"><img src="pil.png" alt=""></a>')).toEqual([
      expect.objectContaining({ code: "vague-link-text", text: "" }),
    ]);
  });
});

describe("a subject that says nothing", () => {
  it('warns about "Nyhetsbrev", "Klikk her!" and a greeting with only a name', () => {
    for (const vague of ["Nyhetsbrev", "Klikk her!", 'Hei [[customer.firstname | default: "du"]]!'])
      expect(check("", { subject: vague }), vague).toEqual([
        expect.objectContaining({ code: "vague-subject", subject: vague }),
      ]);
  });

  it("accepts a subject that says what the e-mail is about, or that is only merge fields", () => {
    for (const fine of [subject, "Nyhetsbrev for april: tre nye kurs", "[[mailing.name]]", null])
      expect(check("", { subject: fine })).toEqual([]);
  });
});

describe("an e-mail that is one big image", () => {
  it("warns when images carry the e-mail and there is hardly any text beside them", () => {
    const html = `<html><body><img src="https://cdn.example/vaarsalg.jpg" alt="Vårsalg: 30 % på alt til søndag">
      <p><a href="[[link.unsubscribe]]">Meld deg av</a></p><img src="https://t.example/p.gif" width="1" height="1" alt=""></body></html>`;
    expect(accessibilityWarnings({ html, subject })).toEqual([
      expect.objectContaining({
        code: "image-only-email",
        key: "image-only-email",
        images: 1,
        textLength: 11,
      }),
    ]);
  });

  it("does not warn when the image comes with text, nor about a short e-mail without images", () => {
    expect(codes('<img src="https://cdn.example/bergen.jpg" alt="Bryggen i Bergen">')).toEqual([]);
    expect(accessibilityWarnings({ html: "<p>Takk for i dag!</p>", subject })).toEqual([]);
  });
});

describe("an e-mail without faults", () => {
  it("gives no warnings, from HTML with a style sheet or from MJML", async () => {
    const html = inlineCss(`<html><head><style>
      body { color: #1f2933; } .knapp { background: #0b5394; color: #fff; } .liten { color: #6b7280; font-size: 12px; }
      </style></head><body><h1>Hei [[customer.firstname]]!</h1>${BODY_TEXT}
      <p><a class="knapp" href="https://fjordlys.example/konferanse">Meld deg på</a></p>
      <p class="liten">Du får denne e-posten fordi du abonnerer. <a href="[[link.unsubscribe]]">Meld deg av</a></p>
      </body></html>`);
    expect(accessibilityWarnings({ html, subject })).toEqual([]);
    const mjml = `<mjml><mj-body><mj-section><mj-column>
      <mj-image src="https://cdn.example/logo.png" alt="Fjordlys"></mj-image>
      <mj-text>${BODY_TEXT}</mj-text>
      <mj-button href="https://fjordlys.example/konferanse">Meld deg på</mj-button>
      </mj-column></mj-section></mj-body></mjml>`;
    const compiled = inlineCss((await renderSourceHtml("mjml", mjml)).html);
    expect(accessibilityWarnings({ html: compiled, subject, mjml })).toEqual([]);
  });
});
