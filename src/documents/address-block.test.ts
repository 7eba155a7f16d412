import { describe, expect, it } from "vitest";
import { fitAddressLines } from "./address-block.ts";

describe("fitAddressLines", () => {
  const lines = (addressLines: string[], attention: string | null, capacity: number) =>
    fitAddressLines({ addressLines, attention }, "Att.:", capacity);

  it("puts the attention line under the first line and keeps everything that fits", () => {
    expect(lines(["Firma AS", "Gate 1", "0155 Oslo"], "Kari", 7).kept.map((l) => l.text)).toEqual([
      "Firma AS",
      "Att.: Kari",
      "Gate 1",
      "0155 Oslo",
    ]);
    expect(lines(["Firma AS", "0155 Oslo"], "Att: Kari", 7).kept.map((l) => l.text)).toEqual([
      "Firma AS",
      "Att: Kari",
      "0155 Oslo",
    ]);
  });

  it("drops the middle lines from the last one up before the attention, street, country, name and postcode", () => {
    const all = ["Firma AS", "Avdeling", "Seksjon", "Gate 1", "0155 Oslo", "NORGE"];
    expect(lines(all, "Kari", 6).dropped).toEqual(["Seksjon"]);
    expect(lines(all, "Kari", 5).dropped).toEqual(["Avdeling", "Seksjon"]);
    expect(lines(all, "Kari", 4).dropped).toEqual(["Att.: Kari", "Avdeling", "Seksjon"]);
    expect(lines(all, "Kari", 3).kept.map((l) => l.text)).toEqual(["Firma AS", "0155 Oslo", "NORGE"]);
    expect(lines(all, "Kari", 1).kept.map((l) => l.text)).toEqual(["0155 Oslo"]);
  });

  it("tells which address line each kept line came from, the attention line as -1", () => {
    expect(lines(["Firma AS", "", "0155 Oslo"], "Kari", 7).kept).toEqual([
      { text: "Firma AS", source: 0 },
      { text: "Att.: Kari", source: -1 },
      { text: "0155 Oslo", source: 2 },
    ]);
  });
});
