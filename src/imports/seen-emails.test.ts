import { describe, expect, it } from "vitest";
import { SeenEmails } from "./seen-emails.ts";

describe("seen e-mail addresses", () => {
  it.each([
    ["sized for the rows up front", 50_000],
    ["grown from the smallest table", 0],
  ])("gives the first row of every repeated address, %s", (_, expected) => {
    const seen = new SeenEmails(expected);
    for (let i = 0; i < 50_000; i++) expect(seen.firstRow(`person${i}@example.no`, i + 2)).toBeNull();
    expect(seen.size).toBe(50_000);
    expect(seen.firstRow("person0@example.no", 60_000)).toBe(2);
    expect(seen.firstRow("person49999@example.no", 60_001)).toBe(50_001);
    expect(seen.firstRow("someone.else@example.no", 60_002)).toBeNull();
    expect(seen.size).toBe(50_001);
  });
});
