import { describe, expect, it } from "vitest";
import { BLACK, contrastRatio, over, parseColor, type Rgba, toHex, WHITE } from "./contrast.ts";

const color = (value: string) => parseColor(value) as Rgba;

describe("contrast by WCAG relative luminance", () => {
  it("is 21:1 for black on white, 1:1 for a colour on itself, and the same either way round", () => {
    expect(contrastRatio(BLACK, WHITE)).toBeCloseTo(21, 5);
    expect(contrastRatio(color("#0b5394"), color("#0b5394"))).toBe(1);
    expect(contrastRatio(color("#999"), WHITE)).toBe(contrastRatio(WHITE, color("#999")));
  });

  it("puts light grey #999 on white at 2.84:1 and #767676, the lightest grey that passes, at 4.54:1", () => {
    expect(Math.floor(contrastRatio(color("#999999"), WHITE) * 100) / 100).toBe(2.84);
    expect(Math.floor(contrastRatio(color("#767676"), WHITE) * 100) / 100).toBe(4.54);
  });

  it("reads the colour forms inline styles use, and says when it cannot", () => {
    expect(toHex(color("#abc"))).toBe("#aabbcc");
    expect(toHex(color("RGB(11, 83, 148)"))).toBe("#0b5394");
    expect(toHex(color("rgb(11 83 148 / 50%)"))).toBe("#0b5394");
    expect(color("rgba(0,0,0,0.5)").a).toBe(0.5);
    expect(color("#00000080").a).toBeCloseTo(0.5, 2);
    expect(toHex(color("lightgrey"))).toBe("#d3d3d3");
    expect(color("transparent").a).toBe(0);
    expect(parseColor("currentColor")).toBe("inherit");
    expect(parseColor("papayawhip")).toBeNull();
    expect(parseColor("[[customer.colour]]")).toBeNull();
  });

  it("paints a translucent colour over the one beneath it", () => {
    expect(toHex(over(color("rgba(0,0,0,0.5)"), WHITE))).toBe("#808080");
    expect(over(color("transparent"), color("#0b5394"))).toEqual(color("#0b5394"));
  });
});
