import { describe, expect, it } from "vitest";
import { DEFAULT_OPT_OUT_LINE, isOptOutReply, withOptOutLine } from "./opt-out.ts";

describe("isOptOutReply", () => {
  it.each(["stopp", "Stopp!", "  STOP please", "AVMELD", "avmeld meg", "\n«Stopp»", "stop.", "STOPP,takk"])(
    "reads %j as an opt-out",
    (text) => {
      expect(isOptOutReply(text)).toBe(true);
    },
  );

  it.each(["Ikke stopp", "STOPPE", "stoppested", "Hei, stopp", "", "   ", "!!!", "STO P"])(
    "does not read %j as an opt-out",
    (text) => {
      expect(isOptOutReply(text)).toBe(false);
    },
  );
});

describe("withOptOutLine", () => {
  it("appends the line on its own line", () => {
    expect(withOptOutLine("Velkommen til årsmøtet!", DEFAULT_OPT_OUT_LINE.nb)).toBe(
      "Velkommen til årsmøtet!\nSvar STOPP for å melde deg av",
    );
  });

  it("leaves a text that already ends with the line unchanged", () => {
    const text = "Tilbud i dag\nSvar STOPP for å melde deg av";
    expect(withOptOutLine(text, DEFAULT_OPT_OUT_LINE.nb)).toBe(text);
  });

  it("replaces trailing whitespace with one line break before the line", () => {
    expect(withOptOutLine("Sale today  \n\n", DEFAULT_OPT_OUT_LINE.en)).toBe(
      "Sale today\nReply STOP to unsubscribe",
    );
  });

  it("gives just the line for an empty text", () => {
    expect(withOptOutLine("", DEFAULT_OPT_OUT_LINE.en)).toBe("Reply STOP to unsubscribe");
  });
});
