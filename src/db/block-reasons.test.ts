import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import {
  BLOCK_REASONS,
  LEFT_OUT_REASONS,
  LEFT_OUT_REASONS_BY_CHANNEL,
  recipientClass,
  tallyRecipients,
} from "./block-reasons.ts";

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

describe("the one definition of recipient, blocked and left out", () => {
  it("classes a row by its status and reason: no usable address is left out, any other reason blocked", () => {
    expect(recipientClass("eligible", null)).toBe("recipient");
    for (const reason of BLOCK_REASONS) expect(recipientClass("blocked", reason)).toBe("blocked");
    for (const reason of LEFT_OUT_REASONS) expect(recipientClass("blocked", reason)).toBe("left-out");
  });

  it("names for each channel only left-out reasons, and every left-out reason belongs to a channel", () => {
    const all = new Set(Object.values(LEFT_OUT_REASONS_BY_CHANNEL).flat());
    expect([...all].sort()).toEqual([...LEFT_OUT_REASONS].sort());
    expect(LEFT_OUT_REASONS_BY_CHANNEL.sms).toEqual(["no-mobile", "invalid-mobile"]);
    expect(LEFT_OUT_REASONS_BY_CHANNEL.document).toEqual(["no-postal-address"]);
  });

  it("tallies the list as recipients + blocked, and keeps the left out apart by reason", () => {
    const tally = tallyRecipients([
      { status: "eligible", reason: null, n: "31" },
      { status: "blocked", reason: "no-consent", n: 5 },
      { status: "blocked", reason: "duplicate", n: 3 },
      { status: "blocked", reason: "no-mobile", n: 1 },
      { status: "blocked", reason: "invalid-mobile", n: 1 },
    ]);
    expect(tally).toEqual({
      listed: 39,
      eligible: 31,
      blocked: 8,
      blockedByReason: { "no-consent": 5, duplicate: 3 },
      leftOut: 2,
      leftOutByReason: { "no-mobile": 1, "invalid-mobile": 1 },
    });
  });
});
