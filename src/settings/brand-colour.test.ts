import { describe, expect, it } from "vitest";
import { BLACK, brandColours, contrast, isBrandColour, PAGE_TEXT, textOn, WHITE } from "./brand-colour.ts";

describe("the brand colour", () => {
  it("is written #rrggbb and nothing else", () => {
    expect(["#0b5394", "#FFEB3B", "#000000"].map(isBrandColour)).toEqual([true, true, true]);
    expect(["0b5394", "#fff", "#0b53941", "blue", "#gggggg", "rgb(0,0,0)", ""].map(isBrandColour)).toEqual(
      Array(7).fill(false),
    );
  });

  it("measures contrast as WCAG does", () => {
    expect(contrast(WHITE, BLACK)).toBeCloseTo(21, 5);
    expect(contrast("#0b5394", WHITE)).toBeCloseTo(7.84, 2);
    expect(contrast("#777777", WHITE)).toBeCloseTo(4.48, 2);
  });

  it("puts white on a dark colour and black on a light one", () => {
    expect(textOn("#0b5394")).toBe(WHITE);
    expect(textOn("#ffeb3b")).toBe(BLACK);
    expect(textOn("#ffffff")).toBe(BLACK);
  });

  it("keeps the button's text at AA (4.5:1), at rest and under the pointer, for every grey and some bright colours", () => {
    const greys = Array.from({ length: 256 }, (_, v) => `#${v.toString(16).padStart(2, "0").repeat(3)}`);
    for (const brand of [...greys, "#ff0000", "#00ff00", "#0000ff", "#ff00ff", "#00ffff", "#ff7f00"]) {
      const colours = brandColours(brand);
      expect(contrast(colours.brand, colours.onBrand), brand).toBeGreaterThanOrEqual(4.5);
      expect(contrast(colours.hover, colours.onBrand), brand).toBeGreaterThanOrEqual(
        contrast(colours.brand, colours.onBrand),
      );
    }
  });

  it("rings focus in the brand colour only where it shows on white at 3:1", () => {
    expect(brandColours("#0B5394").focusRing).toBe("#0b5394");
    expect(brandColours("#ffeb3b").focusRing).toBe(PAGE_TEXT);
  });
});
