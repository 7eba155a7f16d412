import { describe, expect, it } from "vitest";
import { jpegHeaderOnly, pngHeaderOnly, solidPng } from "../../test/helpers/png.ts";
import { parseLetterBody } from "./letter-body.ts";
import { IMAGE_MAX_BYTES } from "./letter-images.ts";

const dataUrl = (data: Buffer, type = "png") => `data:image/${type};base64,${data.toString("base64")}`;

describe("parseLetterBody", () => {
  it("reads paragraphs with bold and italic runs, joining runs that look the same", () => {
    const { blocks, problems } = parseLetterBody(
      "<p>Hei <strong>Bjørn</strong>, takk for <em>sist</em>!</p><p>Ha en <b><i>fin</i></b> dag.</p>",
    );
    expect(problems).toEqual([]);
    expect(blocks).toEqual([
      {
        kind: "paragraph",
        runs: [
          { text: "Hei " },
          { text: "Bjørn", bold: true },
          { text: ", takk for " },
          { text: "sist", italic: true },
          { text: "!" },
        ],
      },
      {
        kind: "paragraph",
        runs: [{ text: "Ha en " }, { text: "fin", bold: true, italic: true }, { text: " dag." }],
      },
    ]);
  });

  it("collapses whitespace as a browser does and keeps a line break as a newline without spaces around it", () => {
    const { blocks } = parseLetterBody("<p>\n   Linje   en  <br>\n  linje\tto  </p>");
    expect(blocks).toEqual([{ kind: "paragraph", runs: [{ text: "Linje en\nlinje to" }] }]);
  });

  it("makes h2 and h3 bold paragraphs", () => {
    const { blocks } = parseLetterBody("<h2>Program</h2><h3>Dag én</h3>");
    expect(blocks).toEqual([
      { kind: "paragraph", runs: [{ text: "Program", bold: true }] },
      { kind: "paragraph", runs: [{ text: "Dag én", bold: true }] },
    ]);
  });

  it("reads bulleted and numbered lists, one item per li, a nested list's items joining the outer list", () => {
    const { blocks } = parseLetterBody(
      "<ul><li>Første</li><li>Andre <strong>punkt</strong><ul><li>Under</li></ul></li></ul><ol><li>En</li><li>To</li></ol>",
    );
    expect(blocks).toEqual([
      {
        kind: "list",
        ordered: false,
        items: [
          [{ text: "Første" }],
          [{ text: "Andre " }, { text: "punkt", bold: true }],
          [{ text: "Under" }],
        ],
      },
      { kind: "list", ordered: true, items: [[{ text: "En" }], [{ text: "To" }]] },
    ]);
  });

  it("keeps the text of tags it does not know and drops scripts and styles", () => {
    const { blocks } = parseLetterBody(
      '<p>Se <a href="https://fjordlys.no">fjordlys.no</a> og <span style="color:red">tilbudet</span>.</p><style>p{}</style><script>x()</script>',
    );
    expect(blocks).toEqual([{ kind: "paragraph", runs: [{ text: "Se fjordlys.no og tilbudet." }] }]);
  });

  it("gathers text outside any paragraph into a paragraph of its own", () => {
    const { blocks } = parseLetterBody("Hei &amp; velkommen<p>Neste</p>");
    expect(blocks).toEqual([
      { kind: "paragraph", runs: [{ text: "Hei & velkommen" }] },
      { kind: "paragraph", runs: [{ text: "Neste" }] },
    ]);
  });

  it("reads a PNG or JPEG data: image as an image block, its width attribute in CSS pixels becoming millimetres", () => {
    const png = solidPng(20, 10);
    const jpeg = jpegHeaderOnly(640, 480);
    const { blocks, problems } = parseLetterBody(
      `<p>Før</p><img src="${dataUrl(png)}" width="96"><p>Etter<img src="${dataUrl(jpeg, "jpeg")}"></p>`,
    );
    expect(problems).toEqual([]);
    expect(blocks).toEqual([
      { kind: "paragraph", runs: [{ text: "Før" }] },
      { kind: "image", data: png, widthMm: 25.4 },
      { kind: "paragraph", runs: [{ text: "Etter" }] },
      { kind: "image", data: jpeg },
    ]);
  });

  it("puts an image found inside a list after the list instead of breaking it", () => {
    const png = solidPng(4, 4);
    const { blocks } = parseLetterBody(`<ul><li>En<img src="${dataUrl(png)}"></li><li>To</li></ul>`);
    expect(blocks.map((b) => b.kind)).toEqual(["list", "image"]);
  });

  it("leaves out, with a problem each, an image that is linked, too large, too many pixels or not an image", () => {
    const big = Buffer.alloc(IMAGE_MAX_BYTES + 1024);
    pngHeaderOnly(100, 100).copy(big);
    const { blocks, problems } = parseLetterBody(
      [
        '<img src="https://example.com/logo.png">',
        `<img src="${dataUrl(big)}">`,
        `<img src="${dataUrl(pngHeaderOnly(6001, 200))}">`,
        `<img src="${dataUrl(Buffer.from("GIF89a not really"), "png")}">`,
        `<img src="${dataUrl(pngHeaderOnly(6000, 6000))}">`,
      ].join(""),
    );
    expect(problems).toEqual([
      expect.stringMatching(/^image 1: not a PNG or JPEG embedded as a data: URL/),
      expect.stringMatching(/^image 2: 5\.0 MB, more than the 5 MB/),
      "image 3: 6001×200 pixels, more than the 6000×6000 a letter image may have",
      "image 4: the data is not a readable PNG or JPEG image",
    ]);
    expect(blocks).toEqual([{ kind: "image", data: pngHeaderOnly(6000, 6000) }]);
  });
});
