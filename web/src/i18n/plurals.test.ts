// Every message that shows a count has its singular and its plural form in both languages, and the translator picks
// the form from the count: "1 person", "2 personer".
import { describe, expect, it } from "vitest";
import en from "./en.json";
import { translator } from "./i18n.tsx";
import { messageLeaves } from "./message-leaves.ts";
import nb from "./nb.json";

const languages = { nb: messageLeaves(nb), en: messageLeaves(en) };
const PLURAL = /_(one|other)$/;

describe("plural forms of count messages", () => {
  it.each(Object.keys(languages) as Array<keyof typeof languages>)(
    "%s has a _one and an _other form, in both languages, for every message with {count}",
    (language) => {
      const problems: string[] = [];
      for (const [key, text] of languages[language]) {
        if (!text.includes("{count}") && !PLURAL.test(key)) continue;
        if (!PLURAL.test(key)) {
          problems.push(`${key}: shows {count} without _one/_other forms`);
          continue;
        }
        const base = key.replace(PLURAL, "");
        for (const [other, messages] of Object.entries(languages)) {
          for (const form of ["one", "other"]) {
            if (!messages.get(`${base}_${form}`)?.trim()) problems.push(`${other} lacks ${base}_${form}`);
          }
        }
      }
      expect([...new Set(problems)]).toEqual([]);
    },
  );

  it.each(Object.keys(languages) as Array<keyof typeof languages>)(
    "%s puts no count other than {count} before a plural noun (it could say '1 personer')",
    (language) => {
      // A count passed under another name is not chosen by number; a message with two counts builds them from
      // parts that each take their own {count} (see importCounts).
      const beforePlural =
        /\{(?!count\})\w+\} (personer|mottakere|mottakerne|rader|adresser|e-poster|nye|ugyldige|persons|recipients|rows|addresses|messages|newcomers)\b/;
      const problems = [...languages[language]]
        .filter(([, text]) => beforePlural.test(text))
        .map(([key, text]) => `${key}: ${text}`);
      expect(problems).toEqual([]);
    },
  );

  it("says one person in the singular and several in the plural, in Norwegian and English", () => {
    const nbT = translator("nb");
    const enT = translator("en");
    expect(nbT("criteria.previewCount", { count: 1 })).toBe("1 person passer");
    expect(nbT("criteria.previewCount", { count: 0 })).toBe("0 personer passer");
    expect(nbT("criteria.previewCount", { count: 2 })).toBe("2 personer passer");
    expect(enT("criteria.previewCount", { count: 1 })).toBe("1 person matches");
    expect(enT("criteria.previewCount", { count: 2 })).toBe("2 persons match");
  });

  it("builds a message with several counts from parts that each agree with their own number", () => {
    const t = translator("nb");
    const text = t("recipients.importCounts", {
      rows: t("recipients.importCountsParts.rows", { count: 3 }),
      valid: t("recipients.importCountsParts.valid", { count: 2 }),
      invalid: t("recipients.importCountsParts.invalid", { count: 1 }),
      duplicates: t("recipients.importCountsParts.duplicates", { count: 0 }),
    });
    expect(text).toBe("3 rader: 2 gyldige, 1 ugyldig (hoppes over), 0 gjentar en tidligere adresse");
  });

  it("says one recipient, one corrected person and one newcomer in the singular", () => {
    const t = translator("nb");
    expect(t("preview.emptyTitle", { count: 1 })).toBe("Tomme flettefelt for 1 mottaker");
    expect(t("preview.emptyTitle", { count: 2 })).toBe("Tomme flettefelt blant 2 mottakere");
    expect(
      t("bounces.corrected", {
        persons: t("bounces.correctedParts.persons", { count: 1 }),
        resent: t("bounces.correctedParts.resent", { count: 1 }),
      }),
    ).toBe("Rettet på 1 person; 1 e-post sendes på nytt.");
    expect(
      t("followUp.recipients.resent", {
        count: 1,
        added: t("followUp.recipients.resentParts.added", { count: 1 }),
        skipped: t("followUp.recipients.resentParts.skipped", { count: 2 }),
      }),
    ).toBe("1 nytt forsøk lagt i kø; 1 ny funnet, 2 utelatt.");
    expect(translator("en")("bounces.correctedParts.persons", { count: 1 })).toBe("Corrected on 1 person");
  });

  it("shows the count formatted for the language", () => {
    expect(translator("nb")("followUp.clicksInAll", { count: 12345 })).toBe("12\u00a0345 klikk i alt");
    expect(translator("en")("followUp.clicksInAll", { count: 12345 })).toBe("12,345 clicks in all");
  });
});
