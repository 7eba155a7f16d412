import { describe, expect, it } from "vitest";
import { breakIntoLines, type Measure, shortenToWidth } from "./line-breaking.ts";

// Every character is one unit wide at size 1, two in bold: lines can be counted by hand.
const measure: Measure = (text, font, size) => [...text].length * size * (font.startsWith("Bold") ? 2 : 1);
const texts = (lines: ReturnType<typeof breakIntoLines>) =>
  lines.map((line) => line.map((p) => p.text).join(""));

describe("breakIntoLines", () => {
  it("breaks at the last space that fits and leaves the space out", () => {
    expect(texts(breakIntoLines([{ text: "Vi har nye kurs i keramikk" }], 12, 1, measure))).toEqual([
      "Vi har nye",
      "kurs i",
      "keramikk",
    ]);
  });

  it("starts a new line at every newline, an empty one for two in a row", () => {
    expect(texts(breakIntoLines([{ text: "Linje en\nlinje to\n\ntre" }], 40, 1, measure))).toEqual([
      "Linje en",
      "linje to",
      "",
      "tre",
    ]);
  });

  it("cuts a word longer than a line where the line is full", () => {
    expect(texts(breakIntoLines([{ text: "se https://fjordlys.no/kurs" }], 10, 1, measure))).toEqual([
      "se",
      "https://fj",
      "ordlys.no/",
      "kurs",
    ]);
  });

  it("keeps each style's pieces with their widths and joins a word split over runs", () => {
    const [line, ...rest] = breakIntoLines(
      [{ text: "Hei " }, { text: "Bjørn", bold: true }, { text: "s venner" }],
      40,
      1,
      measure,
    );
    expect(rest).toEqual([]);
    expect(line).toEqual([
      { font: "Regular", text: "Hei ", width: 4 },
      { font: "Bold", text: "Bjørn", width: 10 },
      { font: "Regular", text: "s venner", width: 8 },
    ]);
  });

  it("measures at the given size", () => {
    expect(texts(breakIntoLines([{ text: "aa bb cc" }], 10, 2, measure))).toEqual(["aa bb", "cc"]);
  });
});

describe("shortenToWidth", () => {
  const widthOf = (text: string) => [...text].length;

  it("leaves a text that fits alone", () => {
    expect(shortenToWidth("Storgata 1", 10, widthOf)).toBe("Storgata 1");
  });

  it("cuts a text too wide and ends it with an ellipsis, without a space before it", () => {
    expect(shortenToWidth("Kong Christian Frederiks plass 5", 10, widthOf)).toBe("Kong Chri…");
    expect(shortenToWidth("Kong Christian Frederiks plass 5", 6, widthOf)).toBe("Kong…");
  });
});
