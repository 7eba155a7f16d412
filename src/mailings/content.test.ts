import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { join, relative } from "node:path";
import { describe, expect, it } from "vitest";
import { AppError } from "../shared/errors.ts";
import { inlineCss, renderSourceHtml, sanitizeForPreview, textFromHtml } from "./content.ts";
import { compileTemplate, type MergeContext, renderTemplate } from "./merge-fields.ts";

const context: MergeContext = {
  customer: {
    id: "1",
    name: "Kari Nordmann",
    firstname: "Kari",
    middlename: null,
    lastname: "Nordmann",
    bestName: "Kari",
    salutation: "Kari Nordmann",
    title: null,
    mrmrs: null,
    email: "kari@example.no",
    cellphone: null,
    phone: null,
    language: "en",
  },
  company: null,
  ourContact: null,
  mailing: { name: "Vårnytt", subject: "Nytt" },
  link: { unsubscribe: "https://utsend.example/u/abc", subscriptions: null, viewOnline: null },
};

const mergeHeavyHtml = `<html><head><style>p { color: red } .x { font-weight: bold }</style></head><body>
<table><tr><td>a</td></tr>[% if customer.firstname.size > 3 %]<tr><td class="x">b</td></tr>[% endif %]</table>
<p>Hei [[ customer.firstname | default: "kjære  venn" ]] &amp; co</p>
<a href="[[link.unsubscribe]]">Meld av</a>
<a href="https://example.no/?e=[[customer.email | url_encode]]&amp;a=1">Profil</a>
<h1>Hei [[customer.firstname]]</h1>
</body></html>`;

describe("MJML", () => {
  it("compiles MJML to HTML and keeps merge tags in text and in href attributes", async () => {
    const { html, warnings } = await renderSourceHtml(
      "mjml",
      `<mjml><mj-body><mj-section><mj-column>
        <mj-text>Hei [[ customer.firstname | default: "venn" ]]</mj-text>
        <mj-button href="[[link.unsubscribe]]">Meld av</mj-button>
      </mj-column></mj-section></mj-body></mjml>`,
    );
    expect(warnings).toEqual([]);
    expect(html).toContain('Hei [[ customer.firstname | default: "venn" ]]');
    expect(html).toContain('href="[[link.unsubscribe]]"');
  });

  it("returns MJML validation problems as warnings with their line", async () => {
    const { warnings } = await renderSourceHtml(
      "mjml",
      '<mjml>\n<mj-body>\n<mj-section><mj-column>\n<mj-text foo="bar">x</mj-text>\n</mj-column></mj-section></mj-body></mjml>',
    );
    expect(warnings).toEqual([{ message: expect.stringContaining("foo"), line: 4 }]);
  });

  it("warns when MJML drops a condition placed between sections", async () => {
    const { warnings } = await renderSourceHtml(
      "mjml",
      `<mjml><mj-body>\n[% if customer.language == "en" %]\n<mj-section><mj-column><mj-text>EN</mj-text></mj-column></mj-section>\n[% endif %]\n</mj-body></mjml>`,
    );
    expect(warnings.map((w) => w.line)).toEqual([2, 4]);
    expect(warnings[0]?.message).toContain('[% if customer.language == "en" %]');
  });

  it("keeps a condition between sections when it is written in mj-raw", async () => {
    const { html, warnings } = await renderSourceHtml(
      "mjml",
      `<mjml><mj-body><mj-raw>[% if customer.language == "en" %]</mj-raw><mj-section><mj-column><mj-text>EN</mj-text></mj-column></mj-section><mj-raw>[% endif %]</mj-raw></mj-body></mjml>`,
    );
    expect(warnings).toEqual([]);
    expect(
      renderTemplate(compileTemplate(html, "html"), {
        ...context,
        customer: { ...context.customer, language: "nb" },
      }),
    ).not.toContain(">EN<");
  });

  it("refuses malformed MJML with VALIDATION_FAILED", async () => {
    const error = await renderSourceHtml("mjml", "<p>not mjml").catch((e: unknown) => e);
    expect(error).toBeInstanceOf(AppError);
    expect((error as AppError).code).toBe("VALIDATION_FAILED");
  });

  it("never reads files from the server's disk through mj-include", async () => {
    // Inside the working directory, where MJML's own include guard would let it through.
    mkdirSync(join(process.cwd(), "node_modules/.cache"), { recursive: true });
    const dir = mkdtempSync(join(process.cwd(), "node_modules/.cache/utsend-mjml-"));
    const secret = join(dir, "secret.mjml");
    writeFileSync(secret, "<mj-text>TOP-SECRET-CONTENT</mj-text>");
    const include = `<mj-include path="./${relative(process.cwd(), secret)}" />`;
    try {
      const { html } = await renderSourceHtml(
        "mjml",
        `<mjml><mj-body><mj-section><mj-column>${include}</mj-column></mj-section></mj-body></mjml>`,
      );
      expect(html).not.toContain("TOP-SECRET-CONTENT");
    } finally {
      rmSync(dir, { recursive: true });
    }
  });

  it("passes plain HTML through unchanged", async () => {
    expect(await renderSourceHtml("html", "<p>[[customer.firstname]]</p>")).toEqual({
      html: "<p>[[customer.firstname]]</p>",
      warnings: [],
    });
  });
});

describe("inlining CSS", () => {
  it("moves style rules into style attributes", () => {
    expect(inlineCss(mergeHeavyHtml)).toContain('<p style="color: red;">');
  });

  it("keeps [[ ]] and [% %] tags intact, in text, between table rows and inside href attributes", () => {
    const inlined = inlineCss(mergeHeavyHtml);
    expect(inlined).toContain('Hei [[ customer.firstname | default: "kjære  venn" ]] &amp; co');
    expect(inlined).toContain("</tr>[% if customer.firstname.size > 3 %]<tr>");
    expect(inlined).toContain('href="[[link.unsubscribe]]"');
    expect(inlined).toContain('href="https://example.no/?e=[[customer.email | url_encode]]&amp;a=1"');
  });

  it("leaves a template that still merges per recipient", () => {
    const html = renderTemplate(compileTemplate(inlineCss(mergeHeavyHtml), "html"), context);
    expect(html).toContain('<a href="https://utsend.example/u/abc">Meld av</a>');
    expect(html).toContain("Hei Kari &amp; co");
    expect(html).toContain('<td class="x" style="font-weight: bold;">b</td>');
  });
});

describe("the text part", () => {
  it("is a text template in which the merge tags survive unchanged", () => {
    const text = textFromHtml(mergeHeavyHtml);
    expect(text).toContain('Hei [[ customer.firstname | default: "kjære  venn" ]] & co');
    expect(text).toContain("Meld av <[[link.unsubscribe]]>");
    expect(text).toContain("Profil <https://example.no/?e=[[customer.email | url_encode]]&a=1>");
    expect(text).toContain("Hei [[customer.firstname]]");
    expect(text).not.toContain("color: red");
  });

  it("does not wrap a long merge tag across lines", () => {
    const tag = '[[ customer.firstname | default: "en veldig lang reserve som ikke får brytes midt i" ]]';
    const text = textFromHtml(`<p>${"ord ".repeat(17)}${tag} slutt</p>`);
    expect(text).toContain(tag);
  });

  it("merges per recipient in text mode, with raw values", () => {
    const text = renderTemplate(compileTemplate(textFromHtml(mergeHeavyHtml), "text"), {
      ...context,
      customer: { ...context.customer, firstname: "Kari & <Ola>" },
    });
    expect(text).toContain("Hei Kari & <Ola> & co");
    expect(text).toContain("Meld av <https://utsend.example/u/abc>");
    expect(text).toContain("e=kari%40example.no&a=1");
  });
});

describe("the preview sanitiser", () => {
  const dirty = `<html><head><style>p { color: red }</style></head><body>
<p style="color: blue" onclick="steal()">Hei</p>
<script>alert(1)</script>
<img src="https://example.no/logo.png" onerror="alert(2)" alt="logo">
<img src="data:image/png;base64,iVBORw0KGgo=">
<a href="javascript:alert(3)">bad</a> <a href="JaVaScRiPt:alert(4)">bad2</a>
<a href="https://example.no/">good</a>
<table><tr><td background="javascript:alert(5)">t</td></tr></table>
<iframe src="https://evil.example/"></iframe>
<svg><script>alert(6)</script></svg>
</body></html>`;

  it("strips scripts, event handlers and javascript: URLs", () => {
    const clean = sanitizeForPreview(dirty);
    expect(clean).not.toMatch(/<script|onclick|onerror|javascript:|<iframe|alert\(/i);
  });

  it("keeps inline styles, style sheets, images and safe links", () => {
    const clean = sanitizeForPreview(dirty);
    expect(clean).toContain('<p style="color:blue">Hei</p>');
    expect(clean).toContain("<style>p { color: red }</style>");
    expect(clean).toContain('<img src="https://example.no/logo.png" alt="logo" />');
    expect(clean).toContain('src="data:image/png;base64,iVBORw0KGgo="');
    expect(clean).toContain('href="https://example.no/"');
  });

  it("opens links outside the preview frame", () => {
    expect(sanitizeForPreview('<a href="https://example.no/">x</a>')).toBe(
      '<a href="https://example.no/" target="_blank" rel="noopener noreferrer">x</a>',
    );
  });
});
