import { parse } from "parse5";
import { describe, expect, it } from "vitest";
import { renderSourceHtml } from "../../../mailings/content.ts";
import { fillDocumentMarkers, markDocument, recipientLanguage } from "./document.ts";

type Node = { nodeName: string; attrs?: Array<{ name: string; value: string }>; childNodes?: Node[] };

/** What a reader of the sent HTML sees: the html element's lang, the head's title, each table's role. */
function shape(html: string) {
  const doc = parse(html) as unknown as Node;
  const all: Node[] = [];
  const walk = (n: Node) => {
    all.push(n);
    for (const c of n.childNodes ?? []) walk(c);
  };
  walk(doc);
  const attr = (n: Node | undefined, name: string) => n?.attrs?.find((a) => a.name === name)?.value;
  const titleEl = all.find((n) => n.nodeName === "title");
  return {
    lang: attr(
      all.find((n) => n.nodeName === "html"),
      "lang",
    ),
    title: titleEl?.childNodes?.map((c) => (c as { value?: string }).value ?? "").join(""),
    tableRoles: all.filter((n) => n.nodeName === "table").map((t) => attr(t, "role") ?? null),
    otherLangs: all.filter((n) => n.nodeName !== "html" && attr(n, "lang")).map((n) => attr(n, "lang")),
  };
}

const sent = (html: string, language: "nb" | "en", subject: string) =>
  fillDocumentMarkers(markDocument(html), language, subject);

describe("the sent HTML as a document", () => {
  it("gives an MJML e-mail the recipient's language instead of lang=und, the subject as title, and keeps its layout tables presentational", async () => {
    const { html } = await renderSourceHtml(
      "mjml",
      `<mjml><mj-body><mj-section><mj-column><mj-text>Hei [[customer.firstname]]</mj-text></mj-column></mj-section></mj-body></mjml>`,
    );
    const result = shape(sent(html, "en", "Spring conference"));
    expect(result.lang).toBe("en");
    expect(result.title).toBe("Spring conference");
    expect(result.otherLangs).toEqual(["en"]);
    expect(result.tableRoles.length).toBeGreaterThan(0);
    expect(result.tableRoles.every((r) => r === "presentation")).toBe(true);
  });

  it("writes <html lang> and a <title> into content that has neither html nor head", () => {
    const html = sent("<p>Hei [[customer.firstname]]</p>", "nb", "Vårkonferansen");
    expect(shape(html)).toMatchObject({ lang: "nb", title: "Vårkonferansen" });
    expect(html).toBe('<html lang="nb"><title>Vårkonferansen</title><p>Hei [[customer.firstname]]</p>');
  });

  it("puts the title after <html> or <head> and keeps the doctype first", () => {
    expect(sent("<!DOCTYPE html><html><body><p>x</p></body></html>", "nb", "S")).toBe(
      '<!DOCTYPE html><html lang="nb"><title>S</title><body><p>x</p></body></html>',
    );
    expect(sent("<html><head><meta charset=utf-8></head><body>x</body></html>", "en", "S")).toBe(
      '<html lang="en"><head><title>S</title><meta charset=utf-8></head><body>x</body></html>',
    );
    expect(sent("<!doctype html><p>x</p>", "nb", "S")).toBe(
      '<!doctype html><html lang="nb"><title>S</title><p>x</p>',
    );
  });

  it("keeps a language and a title the author wrote, and fills an empty title", () => {
    expect(
      shape(sent('<html lang="en"><head><title>Our news</title></head><body>x</body></html>', "nb", "S")),
    ).toMatchObject({
      lang: "en",
      title: "Our news",
    });
    expect(
      shape(sent("<html><head><title> </title></head><body>x</body></html>", "nb", "Nytt")),
    ).toMatchObject({
      lang: "nb",
      title: "Nytt",
    });
  });

  it("escapes the merged subject in the title", () => {
    const html = sent("<p>x</p>", "nb", `Tips & triks <b>"nå"</b>`);
    expect(html).toContain("<title>Tips &#38; triks &#60;b&#62;&#34;nå&#34;&#60;/b&#62;</title>");
    expect(shape(html).title).toBe(`Tips & triks <b>"nå"</b>`);
  });

  it("marks layout tables as presentation, but not tables with headers, a caption or a role of their own", () => {
    const html = sent(
      [
        '<table width="600"><tr><td><table><tr><th>Vare</th></tr><tr><td>Sykkel</td></tr></table></td></tr></table>',
        "<table><caption>Priser</caption><tr><td>1</td></tr></table>",
        '<table role="grid"><tr><td>1</td></tr></table>',
        "<TABLE\n  border=0><tr><td>layout</td></tr></TABLE>",
      ].join(""),
      "nb",
      "S",
    );
    expect(shape(html).tableRoles).toEqual(["presentation", null, null, "grid", "presentation"]);
    expect(html).toContain('<TABLE role="presentation"\n  border=0>');
  });

  it("changes nothing but what it adds: merge tags between rows and in attributes stay as written", () => {
    const source =
      '<html lang="en"><head><title>T</title></head><body><table role="presentation">[% if company %]<tr><td class="[[customer.x]]">[[company.name]]</td></tr>[% endif %]</table></body></html>';
    expect(markDocument(source)).toBe(source);
  });
});

describe("the recipient's language", () => {
  it("is English for en and Norwegian for every other or missing language", () => {
    expect([
      recipientLanguage("en"),
      recipientLanguage("nb"),
      recipientLanguage("sv"),
      recipientLanguage(null),
    ]).toEqual(["en", "nb", "nb", "nb"]);
  });
});
