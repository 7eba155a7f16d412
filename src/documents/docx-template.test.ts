import { randomBytes } from "node:crypto";
import { mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  context,
  documentXmlOf,
  docx,
  header,
  paragraph,
  textOf,
  zerosZip,
} from "../../test/helpers/docx.ts";
import type { MergeContext } from "../mailings/merge-fields.ts";
import { AppError } from "../shared/errors.ts";
import { inspectTemplate, mergeTemplate, starterTemplate } from "./docx-template.ts";

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "utsend-docx-"));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

// `[[customer.name]]` as Word leaves it after an edit: three runs, the middle one bold.
const SPLIT_NAME =
  '<w:r><w:t>[[custo</w:t></w:r><w:r><w:rPr><w:b/></w:rPr><w:t>mer.na</w:t></w:r><w:r><w:t xml:space="preserve">me]] </w:t></w:r>';

const letterTemplate = () =>
  docx(
    [
      paragraph("Til: ", SPLIT_NAME),
      // Word's autocorrect makes the quotes curly; a proofing mark sits inside the tag.
      paragraph(
        '<w:r><w:t xml:space="preserve">Hei [[customer.firstname | default: “kunde”</w:t></w:r><w:proofErr w:type="spellStart"/><w:r><w:t>]],</w:t></w:r>',
      ),
      paragraph("Overskrift: [[document.heading]]"),
      paragraph("[% if company %]"),
      paragraph("Firma: [[company.name]]"),
      paragraph("[% endif %]"),
      paragraph("Slutt på brevet til [[customer.lastname]]."),
    ].join("\n"),
  );

const company = (name: string): MergeContext["company"] => ({
  id: "7",
  name,
  department: null,
  address: null,
  domain: null,
  phone: null,
  ourContact: null,
});

async function rejection(promise: Promise<unknown>): Promise<AppError> {
  const error = await promise.then(
    () => null,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(AppError);
  return error as AppError;
}

describe("inspecting a Word template", () => {
  it("finds a merge field that Word split over three runs, and every other variable", async () => {
    const found = await inspectTemplate(letterTemplate());
    expect([...found.variables].sort()).toEqual([
      "company",
      "company.name",
      "customer.firstname",
      "customer.lastname",
      "customer.name",
      "document.heading",
    ]);
    expect(found.unknownVariables).toEqual([]);
  });

  it("reports an unknown variable instead of refusing the template", async () => {
    const found = await inspectTemplate(
      docx(paragraph("Skostørrelse: [[customer.shoeSize]] [[link.unsubscribe]]")),
    );
    expect(found.unknownVariables).toEqual(["customer.shoeSize", "link.unsubscribe"]);
  });

  it("knows the custom fields it is told about", async () => {
    const found = await inspectTemplate(docx(paragraph("[[customer.medlemsnummer]]")), {
      customFieldKeys: ["medlemsnummer"],
    });
    expect(found.unknownVariables).toEqual([]);
  });

  it("refuses a file that is not a zip", async () => {
    const error = await rejection(inspectTemplate(Buffer.from("Dette er ikke et Word-dokument")));
    expect(error.code).toBe("DOCUMENT_TEMPLATE_INVALID");
    expect(error.message).toMatch(/not a ZIP/);
  });

  it("refuses a zip without word/document.xml", async () => {
    const error = await rejection(inspectTemplate(await zerosZip("notes.txt", 10)));
    expect(error.code).toBe("DOCUMENT_TEMPLATE_INVALID");
    expect(error.message).toMatch(/not a Word document/);
    expect(error.details).toEqual({ entry: "word/document.xml" });
  });

  it("refuses a zip bomb from its directory, before inflating anything", async () => {
    const bomb = await zerosZip("word/document.xml", 200 * 1024 * 1024);
    expect(bomb.length).toBeLessThan(1024 * 1024);
    const error = await rejection(inspectTemplate(bomb));
    expect(error.code).toBe("DOCUMENT_TEMPLATE_INVALID");
    expect(error.message).toMatch(/unpacks to more than 52428800 bytes/);
    expect(error.details).toMatchObject({ limit: 52428800, entry: "word/document.xml" });
  });

  it("stops inflating a zip bomb whose directory lies about its size", async () => {
    const liar = await zerosZip("word/document.xml", 200 * 1024 * 1024, 4000);
    const error = await rejection(inspectTemplate(liar));
    expect(error.code).toBe("DOCUMENT_TEMPLATE_INVALID");
    expect(error.message).toMatch(/inflates to more than the size its directory declares/);
  });

  it("refuses an image over 10 MB", async () => {
    const template = docx(paragraph("Logo"), { "word/media/image1.png": randomBytes(11 * 1024 * 1024) });
    const error = await rejection(inspectTemplate(template));
    expect(error.message).toMatch(/word\/media\/image1.png is larger than 10 MB/);
    expect(error.details).toMatchObject({ entry: "word/media/image1.png", limit: 10 * 1024 * 1024 });
  });

  it("refuses a merge field that never closes, naming it", async () => {
    const error = await rejection(inspectTemplate(docx(paragraph("Hei [[customer.name og resten"))));
    expect(error.code).toBe("DOCUMENT_TEMPLATE_INVALID");
    expect(error.message).toMatch(/unclosed/);
    expect(error.details).toMatchObject({
      problems: [{ file: "word/document.xml", tag: expect.stringContaining("[[customer.name") }],
    });
  });

  it("refuses a Liquid syntax error, naming the tag", async () => {
    const filter = await rejection(inspectTemplate(docx(paragraph("[[customer.name | shout]]"))));
    expect(filter.code).toBe("DOCUMENT_TEMPLATE_INVALID");
    expect(filter.message).toMatch(/the filter "shout" does not exist/);
    const unclosedIf = await rejection(inspectTemplate(docx(paragraph("[% if company %] Firma"))));
    expect(unclosedIf.message).toMatch(/if company/);
  });

  it("refuses merge fields in a header, where they cannot differ per letter", async () => {
    const template = docx(paragraph("Brev"), { "word/header1.xml": header(paragraph("[[customer.name]]")) });
    const error = await rejection(inspectTemplate(template));
    expect(error.details).toEqual({ file: "word/header1.xml", tag: "[[customer.name]]" });
  });

  it("refuses a condition that starts in a table and ends outside it", async () => {
    const table = `<w:tbl><w:tr><w:tc>${paragraph("[% if company %] inne")}</w:tc></w:tr></w:tbl>`;
    const error = await rejection(inspectTemplate(docx(`${table}${paragraph("ute [% endif %]")}`)));
    expect(error.message).toMatch(/different parts of the document/);
  });

  it("reads the starter templates without a problem", async () => {
    for (const language of ["nb", "en"] as const) {
      const found = await inspectTemplate(await starterTemplate(language));
      expect(found.unknownVariables).toEqual([]);
      expect(found.variables).toEqual(
        expect.arrayContaining([
          "customer.bestName",
          "document.date",
          "document.ourRef",
          "document.heading",
          "ourContact.name",
        ]),
      );
    }
  });
});

describe("merging a Word template", () => {
  const recipients = () => [
    context("Bjørn", "Ærlig", { company: company("Ærlig & Sønn AS") }),
    context(null, "Øvre", { customer: { ...context("Åse", "Øvre").customer, firstname: null } }),
    context("Per", "<&> Hansen"),
  ];

  it("writes a letter per recipient in order, each after the first on a new page, with values escaped", async () => {
    const out = join(dir, "three.docx");
    expect(await mergeTemplate(letterTemplate(), recipients(), out)).toEqual({ letters: 3 });
    const merged = await readFile(out);
    const text = await textOf(merged);
    const letters = text.split("Slutt på brevet").slice(0, 3);
    expect(letters[0]).toContain("Til: Bjørn Ærlig");
    expect(letters[0]).toContain("Hei Bjørn,");
    expect(letters[0]).toContain("Firma: Ærlig & Sønn AS");
    expect(letters[1]).toContain("Til: Åse Øvre");
    expect(letters[1]).toContain("Hei kunde,");
    expect(letters[1]).not.toContain("Firma:");
    expect(letters[2]).toContain("Til: Per <&> Hansen");
    expect(text).toContain("til <&> Hansen.");
    const xml = documentXmlOf(merged);
    expect(xml).toContain("Per &lt;&amp;&gt; Hansen");
    expect(xml).not.toMatch(/\[\[|\[%|custo|mer\.na/);
    expect(xml.match(/<w:pageBreakBefore\/>/g)).toHaveLength(2);
    expect(xml.match(/<w:sectPr>/g)).toHaveLength(1);
    // Five paragraphs with a company, four without: none is left over from the condition's own paragraphs.
    expect(xml.match(/<w:p>/g)?.length).toBe(5 + 4 + 4);
  });

  it("turns line breaks and tabs in a value into Word's and drops characters XML cannot hold", async () => {
    const out = join(dir, "address.docx");
    const address = company("Firma");
    if (address) address.address = "Storgata 1\n0155 Oslo\tNorge\u0001";
    await mergeTemplate(
      docx(paragraph("[[company.address]]")),
      [context("A", "B", { company: address })],
      out,
    );
    const xml = documentXmlOf(await readFile(out));
    expect(xml).toContain('Storgata 1</w:t><w:br/><w:t xml:space="preserve">0155 Oslo</w:t><w:tab/>');
    expect(xml).not.toContain("\u0001");
    expect(await textOf(await readFile(out))).toContain("0155 Oslo\tNorge");
  });

  it("takes the recipients from an async iterable, one at a time", async () => {
    let made = 0;
    async function* many(): AsyncGenerator<MergeContext> {
      for (let i = 0; i < 50; i++) {
        made++;
        yield context(`Person${i}`, "Hansen");
      }
    }
    const out = join(dir, "fifty.docx");
    expect(await mergeTemplate(letterTemplate(), many(), out)).toEqual({ letters: 50 });
    expect(made).toBe(50);
    const text = await textOf(await readFile(out));
    expect(text.indexOf("Person0 ")).toBeLessThan(text.indexOf("Person49 "));
  });

  it("starts a letter whose first element is not a paragraph with a page-break paragraph", async () => {
    const out = join(dir, "table-first.docx");
    const template = docx(`<w:tbl><w:tr><w:tc>${paragraph("[[customer.name]]")}</w:tc></w:tr></w:tbl>`);
    await mergeTemplate(template, [context("A", "B"), context("C", "D")], out);
    const xml = documentXmlOf(await readFile(out));
    expect(xml).toContain('</w:tbl><w:p><w:r><w:br w:type="page"/></w:r></w:p><w:tbl>');
  });

  it("duplex: each letter is a section of the template's page setup that starts on an odd page", async () => {
    const out = join(dir, "duplex.docx");
    const template = docx(
      `${paragraph("[[customer.name]]")}<w:tbl><w:tr><w:tc>${paragraph("x")}</w:tc></w:tr></w:tbl>${paragraph("Hilsen")}`,
    );
    await mergeTemplate(template, recipients(), out, { oddPages: true });
    const xml = documentXmlOf(await readFile(out));
    const sections = [...xml.matchAll(/<w:sectPr>[\s\S]*?<\/w:sectPr>/g)].map((m) => m[0]);
    expect(sections).toHaveLength(3);
    for (const section of sections) {
      expect(section).toMatch(
        /^<w:sectPr><w:type w:val="oddPage"\/><w:pgSz w:w="11906" w:h="16838"\/><w:pgMar /,
      );
    }
    // The first two end in each letter's last paragraph (no empty paragraph that could push a page over), the last
    // closes the body; no page breaks besides.
    expect(xml.match(/<w:p><w:pPr><w:sectPr>/g)).toHaveLength(2);
    expect(xml).toMatch(/Hilsen<\/w:t><\/w:r><\/w:p><w:sectPr>[\s\S]*<\/w:sectPr><\/w:body>/);
    expect(xml).not.toContain("pageBreakBefore");
    const text = await textOf(await readFile(out));
    expect(text.indexOf("Bjørn Ærlig")).toBeLessThan(text.indexOf("Per <&> Hansen"));
  });

  it("a section per recipient: each letter a section of the template's page setup that starts on a new page", async () => {
    const out = join(dir, "sections.docx");
    const template = docx(`${paragraph("[[customer.name]]")}${paragraph("Hilsen")}`);
    await mergeTemplate(template, recipients(), out, { sections: true });
    const xml = documentXmlOf(await readFile(out));
    const sections = [...xml.matchAll(/<w:sectPr>[\s\S]*?<\/w:sectPr>/g)].map((m) => m[0]);
    expect(sections).toHaveLength(3);
    for (const section of sections)
      expect(section).toMatch(
        /^<w:sectPr><w:type w:val="nextPage"\/><w:pgSz w:w="11906" w:h="16838"\/><w:pgMar /,
      );
    expect(xml.match(/<w:p><w:pPr><w:sectPr>/g)).toHaveLength(2);
    expect(xml).not.toContain("pageBreakBefore");
    const text = await textOf(await readFile(out));
    expect(text.indexOf("Bjørn Ærlig")).toBeLessThan(text.indexOf("Per <&> Hansen"));
  });

  it("duplex: a template with sections of its own starts each letter's first section on an odd page", async () => {
    const out = join(dir, "duplex-sections.docx");
    const inner =
      '<w:sectPr><w:headerReference w:type="default" r:id="rId9"/><w:type w:val="continuous"/><w:pgSz w:w="11906" w:h="16838"/></w:sectPr>';
    const template = docx(
      `<w:p><w:pPr>${inner}</w:pPr><w:r><w:t>[[customer.name]]</w:t></w:r></w:p>${paragraph("Side 2")}`,
    );
    await mergeTemplate(template, [context("A", "B"), context("C", "D")], out, { oddPages: true });
    const types = [...documentXmlOf(await readFile(out)).matchAll(/<w:sectPr>([\s\S]*?)<\/w:sectPr>/g)].map(
      (m) => /<w:type w:val="(\w+)"\/>/.exec(m[1] ?? "")?.[1] ?? "nextPage",
    );
    // Letter 1: its own section (odd), then the template's page setup; letter 2 the same.
    expect(types).toEqual(["oddPage", "nextPage", "oddPage", "nextPage"]);
    expect(documentXmlOf(await readFile(out))).toContain(
      '<w:sectPr><w:headerReference w:type="default" r:id="rId9"/><w:type w:val="oddPage"/><w:pgSz',
    );
  });

  it("marks where each letter starts with a bookmark in its first paragraph, for finding it in the PDF", async () => {
    const out = join(dir, "marked.docx");
    const template = docx(`<w:tbl><w:tr><w:tc>${paragraph("[[customer.name]]")}</w:tc></w:tr></w:tbl>`);
    await mergeTemplate(template, [context("A", "B"), context("C", "D")], out, { markLetters: true });
    const xml = documentXmlOf(await readFile(out));
    expect(xml.match(/<w:bookmarkStart [^>]*w:name="UtsendLetter\d+"\/>/g)).toEqual([
      '<w:bookmarkStart w:id="900000001" w:name="UtsendLetter1"/>',
      '<w:bookmarkStart w:id="900000002" w:name="UtsendLetter2"/>',
    ]);
    expect(xml).toContain('<w:tc><w:p><w:bookmarkStart w:id="900000002"');
  });

  it("merges the starter template with the address block filled in", async () => {
    const out = join(dir, "starter.docx");
    const bjorn = context("Bjørn", "Ærlig", { company: company("Ærlig & Sønn AS") });
    const template = await starterTemplate("nb");
    expect(await mergeTemplate(template, [bjorn, context("Åse", "Øvre")], out)).toEqual({ letters: 2 });
    const text = await textOf(await readFile(out));
    expect(text).toContain("Bjørn Ærlig");
    expect(text).toContain("Ærlig & Sønn AS");
    expect(text).toContain("Hei Åse,");
    expect(text).toContain("Dato: 4. desember 2026");
    expect(text).toContain("Kari Selger");
  });

  it("leaves no half-written file when a recipient cannot be merged", async () => {
    const out = join(dir, "broken.docx");
    async function* failing(): AsyncGenerator<MergeContext> {
      yield context("A", "B");
      throw new Error("the database went away");
    }
    await expect(mergeTemplate(letterTemplate(), failing(), out)).rejects.toThrow("the database went away");
    await expect(readFile(out)).rejects.toMatchObject({ code: "ENOENT" });
  });

  it("refuses a template the same way inspecting does", async () => {
    const error = await rejection(mergeTemplate(docx(paragraph("[[customer.name")), [], join(dir, "x.docx")));
    expect(error.code).toBe("DOCUMENT_TEMPLATE_INVALID");
    const filter = await rejection(
      mergeTemplate(docx(paragraph("Hei [[customer.name | shout]]")), [], join(dir, "y.docx")),
    );
    expect(filter.details).toMatchObject({ tag: "[[customer.name | shout]]" });
  });
});
