import { describe, expect, it } from "vitest";
import { attachmentName } from "./attachment-names.ts";

const nameOf = (given: string) => {
  const result = attachmentName(given);
  return result.ok ? result.name : `refused: ${result.problem.message}`;
};

describe("attachment names", () => {
  it("keeps ordinary names, Nordic letters included, and trims spaces", () => {
    expect(nameOf("  Tilbud – høst 2026.pdf ")).toBe("Tilbud – høst 2026.pdf");
    expect(nameOf("rapport.v2.xlsx")).toBe("rapport.v2.xlsx");
  });

  it("normalises to NFC, so a decomposed å becomes one character", () => {
    const decomposed = "pa\u030Ameldingsskjema.pdf";
    expect(nameOf(decomposed)).toBe("påmeldingsskjema.pdf");
    expect(nameOf(decomposed)).toHaveLength("påmeldingsskjema.pdf".length);
  });

  it("strips a right-to-left override and other bidi and control characters", () => {
    expect(nameOf("faktura\u202Efdp.exe")).toBe("fakturafdp.exe");
    expect(nameOf("a\u2066b\u2069c\u200F.txt")).toBe("abc.txt");
    expect(nameOf("linje\r\nneste.txt")).toBe("linjeneste.txt");
    expect(nameOf("tab\there.txt")).toBe("tabhere.txt");
  });

  it.each([
    ["", "empty"],
    ["\u202E\u0000", "empty"],
    [".", "not a file name"],
    ["..", "not a file name"],
    [" . ", "not a file name"],
    ["CON", "reserved device name"],
    ["con.txt", "reserved device name"],
    ["LPT1.pdf", "reserved device name"],
    ["<script>.txt", "must not contain"],
    ["a/b.txt", "must not contain"],
    ["..\\..\\boot.ini", "must not contain"],
    ["notat.", "must not end"],
    ["x".repeat(201), "at most 200"],
  ])("refuses %j (%s)", (given, reason) => {
    const result = attachmentName(given);
    expect(result.ok).toBe(false);
    if (!result.ok) {
      expect(result.problem.field).toBe("filename");
      expect(result.problem.message).toContain(reason === "empty" ? "empty" : reason);
    }
  });
});
