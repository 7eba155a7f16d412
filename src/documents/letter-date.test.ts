import { describe, expect, it } from "vitest";
import { formatLetterDate } from "./letter-date.ts";

describe("formatLetterDate", () => {
  const date = new Date("2026-12-04T10:00:00Z");

  it("writes a Norwegian date with the day, a full-stop and the month in lower case", () => {
    expect(formatLetterDate(date, "nb")).toBe("4. desember 2026");
    expect(formatLetterDate(date, "no")).toBe("4. desember 2026");
    expect(formatLetterDate(date, "nn")).toBe("4. desember 2026");
    expect(formatLetterDate(date, "nb-NO")).toBe("4. desember 2026");
  });

  it("writes an English date day first, as a letter does, whatever the region", () => {
    expect(formatLetterDate(date, "en")).toBe("4 December 2026");
    expect(formatLetterDate(date, "en-US")).toBe("4 December 2026");
  });

  it("takes the calendar day in the letter's time zone, not in UTC", () => {
    const lateEvening = new Date("2026-12-03T23:30:00Z");
    expect(formatLetterDate(lateEvening, "nb")).toBe("4. desember 2026");
    expect(formatLetterDate(lateEvening, "en", "UTC")).toBe("3 December 2026");
  });

  it("falls back to English for a language tag that is not well formed", () => {
    expect(formatLetterDate(date, "not a language!")).toBe("4 December 2026");
  });
});
