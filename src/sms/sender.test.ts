import { describe, expect, it } from "vitest";
import { senderCanReceiveReplies, smsSenderProblem } from "./sender.ts";

describe("smsSenderProblem", () => {
  it.each(["Fjordlys", "A", "Lag 2026", "Sorlandet11", "+4791234567", "+12025550123", "+12345678"])(
    "accepts %j",
    (sender) => {
      expect(smsSenderProblem(sender)).toBeNull();
    },
  );

  it("says how long a too long sender ID is", () => {
    expect(smsSenderProblem("Sorlandet IL")).toBe("the sender ID may hold at most 11 characters (it has 12)");
    expect(smsSenderProblem("FjordlysMedia")).toBe(
      "the sender ID may hold at most 11 characters (it has 13)",
    );
  });

  it("names the characters an ID may not hold, each once", () => {
    expect(smsSenderProblem("Sørlandet-Ø")).toBe(
      'the sender ID may hold only A–Z, a–z, 0–9 and spaces (not "ø", "-", "Ø")',
    );
  });

  it("refuses an ID of only digits and points to the number form", () => {
    expect(smsSenderProblem("12345")).toMatch(/at least one letter.*leading "\+"/);
  });

  it("refuses an ID of only spaces", () => {
    expect(smsSenderProblem("   ")).toBe("the sender ID may not be only spaces");
  });

  it("refuses an empty sender", () => {
    expect(smsSenderProblem("")).toMatch(/empty/);
  });

  it.each(["+47 912 34 567", "+1234567", "+1234567890123456", "+47abc"])(
    "refuses the number %j",
    (sender) => {
      expect(smsSenderProblem(sender)).toMatch(/E\.164/);
    },
  );
});

describe("senderCanReceiveReplies", () => {
  it("is true for an E.164 number", () => {
    expect(senderCanReceiveReplies("+4791234567")).toBe(true);
  });

  it("is false for an alphanumeric ID, even one of digits and letters", () => {
    expect(senderCanReceiveReplies("Fjordlys")).toBe(false);
    expect(senderCanReceiveReplies("Lag 2026")).toBe(false);
  });

  it("is false for a malformed number", () => {
    expect(senderCanReceiveReplies("+47 912 34 567")).toBe(false);
  });
});
