// The two languages say the same things: every message of one has its counterpart in the other, with the same
// placeholders, so a detail the server gives (an error's {field}, a count) is shown in Norwegian and in English alike.
// (The compiler checks that English has every Norwegian key; this also checks the other way and the placeholders.)
import { describe, expect, it } from "vitest";
import en from "./en.json";
import { type MessageTree, messageLeaves } from "./message-leaves.ts";
import nb from "./nb.json";

const placeholders = (text: string) => [...new Set(text.match(/\{\w+\}/g) ?? [])].sort();

describe("nb and en", () => {
  const languages = { nb: messageLeaves(nb as MessageTree), en: messageLeaves(en as MessageTree) };

  it("have the same messages, none empty", () => {
    const only = (a: Map<string, string>, b: Map<string, string>) =>
      [...a.keys()].filter((key) => !b.has(key));
    expect(only(languages.nb, languages.en)).toEqual([]);
    expect(only(languages.en, languages.nb)).toEqual([]);
    for (const [language, messages] of Object.entries(languages))
      expect([...messages].filter(([, text]) => !text.trim()).map(([key]) => `${language}: ${key}`)).toEqual(
        [],
      );
  });

  it("fill in the same placeholders in each message", () => {
    const differ = [...languages.nb]
      .filter(([key, text]) => {
        const other = languages.en.get(key);
        return other !== undefined && placeholders(text).join() !== placeholders(other).join();
      })
      .map(
        ([key, text]) =>
          `${key}: nb ${placeholders(text).join(" ")} / en ${placeholders(languages.en.get(key)!).join(" ")}`,
      );
    expect(differ).toEqual([]);
  });
});
