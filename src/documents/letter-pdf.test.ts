import { createWriteStream } from "node:fs";
import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Writable } from "node:stream";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  pageText,
  pdfFonts,
  pdfImages,
  pdfPageCount,
  pdfPagePixels,
  pdfWords,
  type TextPage,
  type Word,
} from "../../test/helpers/pdf-text.ts";
import { solidPng } from "../../test/helpers/png.ts";
import { popplerAvailable } from "../../test/helpers/requirements.ts";
import { ENVELOPE_WINDOW, MM } from "./address-block.ts";
import { parseLetterBody } from "./letter-body.ts";
import { type BodyBlock, createLetterWriter, type Letter, type Letterhead } from "./letter-pdf.ts";

const LETTERHEAD: Letterhead = {
  companyName: "Fjordlys AS",
  addressLines: ["Storgata 1", "0155 Oslo"],
  orgNumber: "912 345 678",
  phone: "+47 22 33 44 55",
  web: "fjordlys.no",
  logo: solidPng(120, 40),
};

function letter(overrides: Partial<Letter> = {}): Letter {
  return {
    addressLines: ["Bjørn Ærlig", "Åsgårdstrandveien 12", "3179 Åsgårdstrand"],
    attention: null,
    date: "4. desember 2026",
    ourRef: "DOK-17",
    heading: "Invitasjon til vårsalg",
    body: parseLetterBody("<p>Hei! Vårsalget hos <strong>Fjordlys</strong> starter i dag.</p>").blocks,
    signature: { name: "Ola Selger", title: "Salgssjef", email: "ola@fjordlys.no" },
    ...overrides,
  };
}

const longBody = (paragraphs: number): BodyBlock[] =>
  Array.from({ length: paragraphs }, (_, i) => ({
    kind: "paragraph" as const,
    runs: [
      {
        text: `Avsnitt ${i + 1}. ${"Her står det mye om keramikk, tre og tekstil på våre kurs. ".repeat(6)}`,
      },
    ],
  }));

let dir = "";
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "utsend-letters-"));
});
afterAll(async () => {
  if (dir) await rm(dir, { recursive: true, force: true });
});

async function writeLetters(
  name: string,
  letters: Letter[],
  options: { oddPages?: boolean; letterhead?: Letterhead } = {},
) {
  const file = join(dir, name);
  const writer = createLetterWriter(createWriteStream(file), {
    letterhead: options.letterhead ?? LETTERHEAD,
    oddPages: options.oddPages ?? false,
    language: "nb",
  });
  const results = [];
  for (const l of letters) results.push(await writer.addLetter(l));
  const { pages } = await writer.finish();
  return { file, results, pages };
}

const WINDOW = {
  left: ENVELOPE_WINDOW.left,
  top: ENVELOPE_WINDOW.top,
  right: ENVELOPE_WINDOW.left + ENVELOPE_WINDOW.width,
  bottom: ENVELOPE_WINDOW.top + ENVELOPE_WINDOW.height,
};
const inside = (w: Word) =>
  w.xMin >= WINDOW.left && w.xMax <= WINDOW.right && w.yMin >= WINDOW.top && w.yMax <= WINDOW.bottom;
const touches = (w: Word) =>
  w.xMax > WINDOW.left && w.xMin < WINDOW.right && w.yMax > WINDOW.top && w.yMin < WINDOW.bottom;

/** The text lines shown in the envelope window, top to bottom; fails when a word straddles the window's edge. */
function windowLines(page: TextPage): string[] {
  const shown = page.words.filter(touches);
  for (const word of shown) expect(inside(word), `"${word.text}" crosses the window's edge`).toBe(true);
  const lines = new Map<number, Word[]>();
  for (const word of shown) {
    const key = Math.round(word.yMin);
    lines.set(key, [...(lines.get(key) ?? []), word]);
  }
  return [...lines.entries()]
    .sort(([a], [b]) => a - b)
    .map(([, words]) =>
      words
        .sort((a, b) => a.xMin - b.xMin)
        .map((w) => w.text)
        .join(" "),
    );
}

const RETURN_LINE = "Fjordlys AS, Storgata 1, 0155 Oslo";

describe.runIf(popplerAvailable())("createLetterWriter, read back with poppler", () => {
  it("puts each recipient's name and address inside the envelope window, Nordic letters intact", async () => {
    const letters = [
      letter(),
      letter({
        addressLines: ["Ærlig Consulting AS", "Postboks 45 Økern", "0508 Oslo"],
        attention: "Åse Ødegård",
      }),
      letter({ addressLines: ["Jürgen Müller", "Hauptstraße 5", "10115 Berlin", "TYSKLAND"] }),
    ];
    const { file, results } = await writeLetters("window.pdf", letters);
    const pages = await pdfWords(file);
    expect(results.map((r) => r.firstPage)).toEqual([1, 2, 3]);
    expect(windowLines(pages[0]!)).toEqual([
      RETURN_LINE,
      "Bjørn Ærlig",
      "Åsgårdstrandveien 12",
      "3179 Åsgårdstrand",
    ]);
    expect(windowLines(pages[1]!)).toEqual([
      RETURN_LINE,
      "Ærlig Consulting AS",
      "Att.: Åse Ødegård",
      "Postboks 45 Økern",
      "0508 Oslo",
    ]);
    expect(windowLines(pages[2]!)).toEqual([
      RETURN_LINE,
      "Jürgen Müller",
      "Hauptstraße 5",
      "10115 Berlin",
      "TYSKLAND",
    ]);
    for (const r of results) expect(r.warnings).toEqual([]);
  });

  it("prints the letterhead, date, reference, heading, body and signature on the letter's first page", async () => {
    const { file } = await writeLetters("parts.pdf", [letter()]);
    const [page] = await pdfWords(file);
    const text = pageText(page!);
    for (const part of [
      "Fjordlys AS",
      "Storgata 1",
      "Org.nr. 912 345 678",
      "Tlf. +47 22 33 44 55",
      "fjordlys.no",
      "4. desember 2026",
      "Vår ref.: DOK-17",
      "Invitasjon til vårsalg",
      "Hei! Vårsalget hos Fjordlys starter i dag.",
      "Med vennlig hilsen",
      "Ola Selger",
      "Salgssjef",
    ])
      expect(text).toContain(part);
    // The date is right-aligned at the 25 mm right margin, below the window.
    const year = page!.words.find((w) => w.text === "2026")!;
    expect(year.xMax).toBeCloseTo(page!.width - 25 * MM, 0);
    expect(year.yMin).toBeGreaterThan(WINDOW.bottom);
  });

  it("draws a letter the same whether its lines are new or were drawn for an earlier letter", async () => {
    // The writer keeps what it drew and writes it again for the next letters: the second letter, made of lines the
    // first one drew (its letterhead, closing, body and the second page's footer) and lines of its own, must come
    // out exactly as when it is the only letter in the file.
    const shared = { body: longBody(9) };
    const second = letter({
      ...shared,
      addressLines: ["Kari Nordmann", "Storgata 5", "0155 Oslo"],
      ourRef: "DOK-18",
    });
    const both = await writeLetters("twice.pdf", [letter(shared), second]);
    const alone = await writeLetters("alone.pdf", [second]);
    expect(both.results[1]).toMatchObject({ firstPage: 3, pageCount: 2 });
    const [, , ...secondInBoth] = await pdfWords(both.file);
    const secondAlone = await pdfWords(alone.file);
    expect(secondAlone).toHaveLength(2);
    const placed = (page: TextPage) =>
      page.words.map((w) => `${w.text} ${w.xMin.toFixed(2)} ${w.yMin.toFixed(2)} ${w.xMax.toFixed(2)}`);
    expect(secondInBoth.map(placed)).toEqual(secondAlone.map(placed));
    expect(pageText(secondInBoth[0]!)).toContain("Kari Nordmann");
    expect(pageText(secondInBoth[1]!)).toContain("Side 2");
  });

  it("gives a long letter a second page without letterhead and counts pages per letter", async () => {
    const { file, results, pages } = await writeLetters("long.pdf", [
      letter(),
      letter({ addressLines: ["Kari Nordmann", "Lang gate 2", "5003 Bergen"], body: longBody(9) }),
      letter({ addressLines: ["Siri Håkonsen", "Kort vei 3", "7010 Trondheim"] }),
    ]);
    expect(results.map((r) => [r.firstPage, r.pageCount])).toEqual([
      [1, 1],
      [2, 2],
      [4, 1],
    ]);
    expect(pages).toBe(4);
    expect(await pdfPageCount(file)).toBe(4);
    const text = (await pdfWords(file)).map(pageText);
    expect(text[1]).toContain("Kari Nordmann");
    expect(text[2]).not.toContain("Fjordlys AS");
    expect(text[2]).toContain("Side 2");
    expect(text[2]).toContain("Med vennlig hilsen");
    expect(text[3]).toContain("Siri Håkonsen");
    // Nothing is drawn into the bottom margin but the page number.
    for (const page of await pdfWords(file))
      for (const word of page.words.filter((w) => w.yMax > page.height - 20 * MM))
        expect(word.text).toMatch(/^(Side|\d+)$/);
  });

  it("prints its own words in each letter's language, whatever the writer's", async () => {
    const { file } = await writeLetters("languages.pdf", [
      letter({ language: "en", body: longBody(9), date: "4 December 2026" }),
      letter(),
    ]);
    const text = (await pdfWords(file)).map(pageText);
    expect(text).toHaveLength(3);
    expect(text[0]).toContain("Our ref.: DOK-17");
    expect(text[0]).toContain("Org. no. 912 345 678");
    expect(text[0]).toContain("Phone +47 22 33 44 55");
    expect(text[0]).not.toContain("Vår ref.");
    expect(text[1]).toContain("Page 2");
    expect(text[1]).toContain("Kind regards");
    expect(text[2]).toContain("Vår ref.: DOK-17");
    expect(text[2]).toContain("Org.nr. 912 345 678");
    expect(text[2]).toContain("Med vennlig hilsen");
  });

  it("starts every letter on an odd page when asked, adding blank pages", async () => {
    const { file, results, pages } = await writeLetters(
      "odd.pdf",
      [letter(), letter({ body: longBody(9) }), letter(), letter()],
      { oddPages: true },
    );
    expect(results.map((r) => [r.firstPage, r.pageCount])).toEqual([
      [1, 1],
      [3, 2],
      [5, 1],
      [7, 1],
    ]);
    expect(pages).toBe(7);
    expect(await pdfPageCount(file)).toBe(7);
    const text = (await pdfWords(file)).map(pageText);
    expect(text[1]).toBe("");
    expect(text[5]).toBe("");
    for (const first of [0, 2, 4, 6]) expect(text[first]).toContain("Fjordlys AS");
  });

  it("shortens an address line too wide for the window with an ellipsis, and says so", async () => {
    const street = "Kong Christian Frederiks plass 5, oppgang B, tredje etasje, ved siden av kafeen";
    const { file, results } = await writeLetters("wide.pdf", [
      letter({ addressLines: ["Bjørn Ærlig", street, "3179 Åsgårdstrand"] }),
    ]);
    const [warning] = results[0]!.warnings;
    expect(warning).toMatchObject({ kind: "address-line-shortened", line: 1, original: street });
    const shown = warning?.kind === "address-line-shortened" ? warning.shown : "";
    expect(shown.endsWith("…")).toBe(true);
    expect(street.startsWith(shown.slice(0, -1))).toBe(true);
    const lines = windowLines((await pdfWords(file))[0]!);
    expect(lines).toEqual([RETURN_LINE, "Bjørn Ærlig", shown, "3179 Åsgårdstrand"]);
  });

  it("drops middle lines when there are more than the window holds, keeping name, street and postcode", async () => {
    const { file, results } = await writeLetters("many.pdf", [
      letter({
        addressLines: [
          "Ærlig Consulting AS",
          "Avdeling Øst",
          "Seksjon for innkjøp",
          "Team Åsgård",
          "Bygg 4",
          "c/o Kari Nordmann",
          "Åsgårdstrandveien 12",
          "3179 Åsgårdstrand",
        ],
        attention: "Bjørn Ærlig",
      }),
    ]);
    expect(results[0]!.warnings).toEqual([
      { kind: "address-lines-dropped", dropped: ["Bygg 4", "c/o Kari Nordmann"] },
    ]);
    expect(windowLines((await pdfWords(file))[0]!)).toEqual([
      RETURN_LINE,
      "Ærlig Consulting AS",
      "Att.: Bjørn Ærlig",
      "Avdeling Øst",
      "Seksjon for innkjøp",
      "Team Åsgård",
      "Åsgårdstrandveien 12",
      "3179 Åsgårdstrand",
    ]);
  });

  it("embeds its fonts, and the logo and a repeated body image once for all letters", async () => {
    const picture = solidPng(300, 100, [200, 50, 50]);
    const body = (): BodyBlock[] => [
      {
        kind: "paragraph",
        runs: [{ text: "Normal, " }, { text: "fet", bold: true }, { text: ", kursiv", italic: true }],
      },
      { kind: "paragraph", runs: [{ text: "og begge", bold: true, italic: true }] },
      { kind: "image", data: Buffer.from(picture) }, // a new Buffer each letter, as when each body is parsed anew
    ];
    const { file } = await writeLetters("fonts.pdf", [letter({ body: body() }), letter({ body: body() })]);
    const fonts = await pdfFonts(file);
    expect(fonts.map((f) => f.name.replace(/^[A-Z]{6}\+/, "")).sort()).toEqual([
      "DejaVuSans",
      "DejaVuSans-Bold",
      "DejaVuSans-BoldOblique",
      "DejaVuSans-Oblique",
    ]);
    for (const font of fonts) expect(font).toMatchObject({ embedded: true, subset: true });
    const images = await pdfImages(file);
    expect(images.map((i) => i.page)).toEqual([1, 1, 2, 2]);
    const logo = images.filter((i) => i.width === 120);
    const pictures = images.filter((i) => i.width === 300);
    expect(new Set(logo.map((i) => i.object)).size).toBe(1);
    expect(new Set(pictures.map((i) => i.object)).size).toBe(1);
  });

  it("scales a wide image to the text width and writes the next letter after ones whose images are broken", async () => {
    const broken = Buffer.concat([solidPng(10, 10).subarray(0, 30), Buffer.from("not the rest")]);
    const file = join(dir, "images.pdf");
    const writer = createLetterWriter(createWriteStream(file), {
      letterhead: { ...LETTERHEAD, logo: solidPng(120, 40, [0, 0, 0, 128]) }, // a logo with alpha is embedded later
      language: "nb",
    });
    await expect(writer.addLetter(letter({ body: [{ kind: "image", data: broken }] }))).rejects.toThrow();
    // pdfkit would inflate this one (it has alpha) in a callback of its own, where the error would end the process.
    const damagedWithAlpha = solidPng(10, 10, [0, 0, 0, 128], true);
    await expect(
      writer.addLetter(letter({ body: [{ kind: "image", data: damagedWithAlpha }] })),
    ).rejects.toThrow("the PNG image's pixel data is damaged");
    const wide = solidPng(4000, 200, [220, 20, 20]);
    const next = await writer.addLetter(
      letter({ body: [{ kind: "image", data: wide }], addressLines: ["Kari Nordmann", "0155 Oslo"] }),
    );
    expect(next).toMatchObject({ firstPage: 1, pageCount: 1 });
    expect(await writer.finish()).toEqual({ pages: 1 });
    expect(pageText((await pdfWords(file))[0]!)).toContain("Kari Nordmann");
    expect(await pdfPageCount(file)).toBe(1);
    // The red picture spans the text width exactly: from the 25 mm left margin to the 25 mm right margin.
    const dpi = 72;
    const { width, height, rgb } = await pdfPagePixels(file, 1, dpi);
    let [left, right] = [width, -1];
    for (let y = 0; y < height; y++)
      for (let x = 0; x < width; x++) {
        const at = (y * width + x) * 3;
        if (rgb[at]! > 180 && rgb[at + 1]! < 80 && rgb[at + 2]! < 80)
          [left, right] = [Math.min(left, x), Math.max(right, x)];
      }
    expect(left).toBeGreaterThanOrEqual(Math.floor(25 * MM) - 1);
    expect(left).toBeLessThanOrEqual(Math.ceil(25 * MM) + 1);
    expect(right).toBeGreaterThanOrEqual(Math.floor(width - 25 * MM) - 2);
    expect(right).toBeLessThanOrEqual(Math.ceil(width - 25 * MM) + 1);
  });

  it("keeps writing 200 letters to a slow destination, waiting for it to drain instead of holding the letters", async () => {
    const received: Buffer[] = [];
    let most = 0;
    let drains = 0;
    // A letter is about 1.3 KB: with a 1 KB mark every letter's write asks the writer to wait.
    const slow = new Writable({
      highWaterMark: 1024,
      write(chunk: Buffer, _encoding, done) {
        received.push(chunk);
        setTimeout(done, 2);
      },
    });
    slow.on("drain", () => drains++);
    const writer = createLetterWriter(slow, { letterhead: LETTERHEAD, language: "en" });
    for (let i = 0; i < 200; i++) {
      await writer.addLetter(
        letter({
          addressLines: [`Person ${i} Ødegård`, `Gate ${i}`, `${1000 + i} Oslo`],
          date: "4 December 2026",
        }),
      );
      // Once a letter has resolved, at most its own bytes wait in the destination.
      most = Math.max(most, slow.writableLength);
    }
    expect(drains).toBeGreaterThanOrEqual(190);
    expect(most).toBeLessThan(16 * 1024);
    expect(await writer.finish()).toEqual({ pages: 200 });
    const file = join(dir, "slow.pdf");
    await writeFile(file, Buffer.concat(received));
    expect(await pdfPageCount(file)).toBe(200);
    const pages = await pdfWords(file);
    expect(windowLines(pages[199]!)).toEqual([RETURN_LINE, "Person 199 Ødegård", "Gate 199", "1199 Oslo"]);
    expect(pageText(pages[0]!)).toContain("Org. no. 912 345 678");
    expect(pageText(pages[0]!)).toContain("Kind regards");
    expect((await readFile(file)).subarray(0, 5).toString()).toBe("%PDF-");
  }, 120_000);
  it("writes a page tree that lists every page in order and a cross-reference entry that finds every object", async () => {
    // The writer keeps written pages as numbers only and writes pdfkit's table in blocks (letter-pdf.ts): a wrong
    // number or offset leaves a file viewers must repair, or pages out of order.
    const letters = Array.from({ length: 40 }, (_, i) =>
      letter({
        addressLines: [`Mottaker ${i + 1} Åsen`, `Vei ${i + 1}`, "0155 Oslo"],
        body: i === 7 ? longBody(9) : letter().body,
      }),
    );
    const { file, pages } = await writeLetters("tree.pdf", letters);
    expect(pages).toBe(41);
    const bytes = await readFile(file);
    const text = bytes.toString("latin1");
    const xrefAt = Number(/startxref\n(\d+)\n%%EOF\n?$/.exec(text)?.[1]);
    const table = /^xref\n0 (\d+)\n/.exec(text.slice(xrefAt));
    expect(table, "the startxref offset points at the table").not.toBeNull();
    const objects = Number(table![1]);
    const entries = text
      .slice(xrefAt + table![0].length)
      .split("\n")
      .slice(0, objects);
    expect(entries[0]).toBe("0000000000 65535 f ");
    for (let id = 1; id < objects; id++) {
      expect(entries[id]).toMatch(/^\d{10} 00000 n $/);
      const at = Number(entries[id]!.slice(0, 10));
      expect(text.slice(at, at + `${id} 0 obj`.length), `object ${id}`).toBe(`${id} 0 obj`);
    }
    const pagesId = /\/Pages (\d+) 0 R/.exec(text)![1];
    const tree = new RegExp(`\\n${pagesId} 0 obj\\n<<([^]*?)>>\\nendobj`).exec(text)![1]!;
    const kids = [.../\/Kids \[([^\]]*)\]/.exec(tree)![1]!.matchAll(/(\d+) 0 R/g)].map((m) => Number(m[1]));
    expect(kids).toHaveLength(41);
    expect(/\/Count 41/.test(tree)).toBe(true);
    for (const kid of kids) expect(text).toMatch(new RegExp(`\\n${kid} 0 obj\\n<<\\n/Type /Page\\n`));
    const read = (await pdfWords(file)).map(pageText);
    expect(read).toHaveLength(41);
    for (const [i, at] of [0, 7, 9, 39].map((n) => [n, n > 7 ? n + 1 : n] as const))
      expect(read[at]).toContain(`Mottaker ${i + 1} Åsen`);
    expect(read[8]).toContain("Side 2");
  });
});
