import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import {
  FROM_MODES,
  GOAL_CATEGORIES,
  MAILING_STATUSES,
  SOURCE_KINDS,
  STEP_KEYS,
  TRACK_LINKS,
} from "./words.ts";

// The web UI lists these words and names each from its translation files: a word added here without a translation
// shows as its key.
const shown = {
  "mailings.statuses": MAILING_STATUSES,
  "mailings.goals": GOAL_CATEGORIES,
  "mailings.fromModes": FROM_MODES,
  "mailings.trackLinks": TRACK_LINKS,
  "mailings.steps": STEP_KEYS,
  "recipients.kinds": SOURCE_KINDS,
};

describe("the mailing words the web UI shows", () => {
  for (const language of ["en", "nb"])
    it(`have a ${language} translation each`, () => {
      const texts = JSON.parse(readFileSync(`web/src/i18n/${language}.json`, "utf8")) as Record<
        string,
        unknown
      >;
      for (const [path, words] of Object.entries(shown)) {
        const group = path
          .split(".")
          .reduce((at, key) => (at as Record<string, unknown>)[key], texts as unknown);
        expect(Object.keys(group as Record<string, string>), path).toEqual(
          expect.arrayContaining([...words]),
        );
      }
    });
});
