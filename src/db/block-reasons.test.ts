import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { BLOCK_REASONS, LEFT_OUT_REASONS } from "./block-reasons.ts";

// The web UI names each reason from its translation files: a reason added here without words shows as its key.
describe("block reasons", () => {
  for (const language of ["en", "nb"])
    it(`have a ${language} translation each`, () => {
      const texts = JSON.parse(readFileSync(`web/src/i18n/${language}.json`, "utf8")) as {
        recipients: { reasons: Record<string, string> };
      };
      const named = Object.keys(texts.recipients.reasons).sort();
      expect(named).toEqual([...BLOCK_REASONS, ...LEFT_OUT_REASONS].sort());
    });
});
