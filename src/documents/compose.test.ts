import { describe, expect, it } from "vitest";
import { context } from "../../test/helpers/docx.ts";
import type { RecipientValues } from "../mailings/merge-values.ts";
import { composeLetter, type DocumentSetup, type LetterRecipient, prepareDocument } from "./compose.ts";

// 4 December 2026, 10:00 in Oslo.
const NOW = new Date("2026-12-04T09:00:00Z");

const SETUP: DocumentSetup = {
  mailingId: 1,
  name: "Julebrev",
  heading: "Tilbud til [[customer.firstname]]",
  attentionMode: "name-else-text",
  attentionText: "Innkjøp",
  ourRef: "KS/[[customer.id]]",
  body: "<p>Hei [[customer.firstname]]!</p>",
  sender: { name: "Siri Sender", email: "siri@fjordlys.no" },
  project: null,
};

/** A recipient of the test helper's context: Norwegian, with Kari Selger as our contact, at their own address. */
function recipient(
  overrides: { language?: string; ourContact?: RecipientValues["ourContact"]; toCompany?: boolean } = {},
): LetterRecipient {
  // The letter's own document.* values are made by composing, not brought by the recipient.
  const { mailing: _mailing, link: _link, document: _document, ...values } = context("Bjørn", "Ærlig");
  return {
    addressLines: ["Bjørn Ærlig", "Storgata 1", "0155 OSLO"],
    toCompany: overrides.toCompany ?? false,
    values: {
      ...values,
      customer: { ...values.customer, language: overrides.language ?? "nb" },
      ourContact: overrides.ourContact === undefined ? values.ourContact : overrides.ourContact,
      ourContactEmail: null,
    },
  };
}

const compose = (setup: Partial<DocumentSetup> = {}, to: LetterRecipient = recipient()) =>
  composeLetter(prepareDocument({ ...SETUP, ...setup }), to, NOW);

describe("composeLetter", () => {
  it("signs with the recipient's our contact, else the user who made the mailing, else nobody", () => {
    expect(compose().letter.signature).toEqual({ name: "Kari Selger", email: null, phone: null });
    expect(compose({}, recipient({ ourContact: null })).letter.signature).toEqual({
      name: "Siri Sender",
      email: "siri@fjordlys.no",
      phone: null,
    });
    expect(compose({ sender: null }, recipient({ ourContact: null })).letter.signature).toBeNull();
  });

  it("dates the letter and prints its own words in the recipient's language", () => {
    const nb = compose().letter;
    expect(nb).toMatchObject({ date: "4. desember 2026", closing: "Med vennlig hilsen", language: "nb" });
    const en = compose({}, recipient({ language: "en", toCompany: true })).letter;
    expect(en).toMatchObject({
      date: "4 December 2026",
      closing: "Kind regards",
      language: "en",
      attention: "Attn.: Bjørn Ærlig",
    });
  });

  it("names the person on the attention line at their company's address, else prints the text, or always the text", () => {
    expect(compose({}, recipient({ toCompany: true })).letter.attention).toBe("Att.: Bjørn Ærlig");
    expect(compose().letter.attention).toBe("Att.: Innkjøp");
    expect(compose({ attentionText: null }).letter.attention).toBeNull();
    const always = { attentionMode: "always-text" as const, attentionText: "Innkjøp, [[customer.lastname]]" };
    expect(compose(always, recipient({ toCompany: true })).letter.attention).toBe("Att.: Innkjøp, Ærlig");
  });

  it("merges the Setup texts and the body, document.* fields included", () => {
    const { letter, problems } = compose({
      body: "<p>[[document.heading]] ([[document.ourRef]]), [[document.date]], att. [[document.attention]]</p><p>[[document.address]]</p>",
    });
    expect(problems).toEqual([]);
    expect(letter.heading).toBe("Tilbud til Bjørn");
    expect(letter.ourRef).toBe("KS/1");
    expect(letter.body).toEqual([
      { kind: "paragraph", runs: [{ text: "Tilbud til Bjørn (KS/1), 4. desember 2026, att. Innkjøp" }] },
      // HTML: the address block's line breaks are white space, as a browser shows them (a Word template keeps them).
      { kind: "paragraph", runs: [{ text: "Bjørn Ærlig Storgata 1 0155 OSLO" }] },
    ]);
  });

  it("merges the linked project's name and description, empty (or the default) when no project is linked", () => {
    const body = '<p>[[project.name]]: [[project.description]]</p><p>[[project.name | default: "ingen"]]</p>';
    const linked = compose({ body, project: { name: "Vårmesse 2027", description: "Stand <B12>" } }).letter;
    expect(linked.body).toEqual([
      { kind: "paragraph", runs: [{ text: "Vårmesse 2027: Stand <B12>" }] },
      { kind: "paragraph", runs: [{ text: "Vårmesse 2027" }] },
    ]);
    const none = compose({ body }).letter;
    expect(none.body).toEqual([
      { kind: "paragraph", runs: [{ text: ":" }] },
      { kind: "paragraph", runs: [{ text: "ingen" }] },
    ]);
  });
});
