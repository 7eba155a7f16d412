import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { context, docx, paragraph } from "../../test/helpers/docx.ts";
import { pageText, pdfPageCount, pdfWords } from "../../test/helpers/pdf-text.ts";
import { partAvailable, popplerAvailable } from "../../test/helpers/requirements.ts";
import { mergeTemplate, starterTemplate } from "./docx-template.ts";
import { convertToPdf, findLibreOffice } from "./libreoffice.ts";
import { letterPages } from "./pdf-pages.ts";

const hasLibreOffice =
  partAvailable(
    "LibreOffice",
    (await findLibreOffice()) !== null,
    "`soffice` is not on PATH (apt-get install libreoffice-writer-nogui)",
  ) && popplerAvailable();

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "utsend-pdf-pages-"));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

// One page a letter, but two for "Lang": a page break inside a condition.
const template = docx(
  [
    paragraph("Til [[customer.name]]"),
    paragraph('[% if customer.lastname == "Lang" %]'),
    paragraph('<w:r><w:br w:type="page"/></w:r>', "Side to for [[customer.name]]"),
    paragraph("[% endif %]"),
  ].join(""),
);
const recipients = () => [
  context("Anne", "Aas"),
  context("Bjørn", "Lang"),
  context("Cato", "Carlsen"),
  context("Dina", "Dahl"),
];

async function converted(name: string, oddPages: boolean) {
  const docxPath = join(dir, `${name}.docx`);
  await mergeTemplate(template, recipients(), docxPath, { markLetters: true });
  const pdf = await convertToPdf(docxPath, { namedDestinations: true });
  const placed = await letterPages(pdf, 4, { oddPages });
  return { pdf, placed, pages: await pdfWords(pdf) };
}

describe("letters from a Word template in LibreOffice's PDF", () => {
  it.runIf(hasLibreOffice)(
    "duplex: a blank page after each letter of an odd number of pages, so every letter starts on an odd page; a 2-page letter gets none",
    { timeout: 180_000 },
    async () => {
      const { pdf, placed, pages } = await converted("duplex", true);
      expect(await pdfPageCount(pdf)).toBe(7);
      expect(placed.pages).toBe(7);
      expect(placed.letters).toEqual([
        { first: 1, count: 1 },
        { first: 3, count: 2 },
        { first: 5, count: 1 },
        { first: 7, count: 1 },
      ]);
      expect(pages.map(pageText)).toEqual([
        "Til Anne Aas",
        "",
        "Til Bjørn Lang",
        "Side to for Bjørn Lang",
        "Til Cato Carlsen",
        "",
        "Til Dina Dahl",
      ]);
      // The blank pages are the letters' paper size.
      expect(new Set(pages.map((p) => `${Math.round(p.width)}×${Math.round(p.height)}`))).toEqual(
        new Set(["595×842"]),
      );
    },
  );

  it.runIf(hasLibreOffice)(
    "without duplex: no blank pages, and each letter's page range as printed",
    { timeout: 180_000 },
    async () => {
      const { pdf, placed, pages } = await converted("simplex", false);
      expect(await pdfPageCount(pdf)).toBe(5);
      expect(placed).toEqual({
        pages: 5,
        letters: [
          { first: 1, count: 1 },
          { first: 2, count: 2 },
          { first: 4, count: 1 },
          { first: 5, count: 1 },
        ],
      });
      expect(pages.map(pageText)).toEqual([
        "Til Anne Aas",
        "Til Bjørn Lang",
        "Side to for Bjørn Lang",
        "Til Cato Carlsen",
        "Til Dina Dahl",
      ]);
    },
  );

  it.runIf(hasLibreOffice)(
    "duplex keeps the starter's address 5 mm inside the envelope window on every letter",
    { timeout: 180_000 },
    async () => {
      const docxPath = join(dir, "starter-duplex.docx");
      const names = ["Bjørn", "Åse", "Øystein"];
      await mergeTemplate(
        await starterTemplate("nb"),
        names.map((name) => context(name, "Ærlig")),
        docxPath,
        { markLetters: true },
      );
      const pdf = await convertToPdf(docxPath, { namedDestinations: true });
      const placed = await letterPages(pdf, 3, { oddPages: true });
      expect(placed.letters.map((l) => l.first)).toEqual([1, 3, 5]);
      const pages = await pdfWords(pdf);
      expect(pages).toHaveLength(5);
      const mm = (pt: number | undefined) => ((pt ?? 0) * 25.4) / 72;
      names.forEach((name, i) => {
        const word = pages[i * 2]?.words.find((w) => w.text === name);
        expect(mm(word?.xMin)).toBeCloseTo(25, 0);
        expect(mm(word?.yMin)).toBeCloseTo(50, 0);
      });
      expect(pages[1]?.words).toEqual([]);
      expect(pages[3]?.words).toEqual([]);
    },
  );
});
