import { describe, expect, it } from "vitest";
import {
  addField,
  addOption,
  deactivateAfterProblem,
  definitionProblems,
  keyFromLabel,
  moveField,
  parseNames,
  redirectUrlProblem,
  relabelField,
  removeField,
  removeOption,
  setOption,
  uniqueKey,
} from "./builder.ts";
import type { FormDefinition } from "./types.ts";

const empty: FormDefinition = { fields: [] };
const automatic = { doubleOptIn: false, processingMode: "automatic" as const };
const manual = { doubleOptIn: false, processingMode: "manual" as const };

function sample(): FormDefinition {
  let d = addField(empty, { kind: "mapped", maps: "email" });
  d = addField(d, { kind: "mapped", maps: "first_name" });
  d = addField(d, { kind: "consent", purposeKey: "newsletter", purposeName: "Nyhetsbrev" });
  d = addField(d, { kind: "free", type: "choice" });
  return d;
}

describe("field keys from labels", () => {
  it("spells Norwegian letters and accents in ASCII and joins words with _", () => {
    expect(keyFromLabel("Ønsket måltid")).toBe("onsket_maltid");
    expect(keyFromLabel("Bæreevne")).toBe("baereevne");
    expect(keyFromLabel("Café crème")).toBe("cafe_creme");
    expect(keyFromLabel("  Hva er 2+2? ")).toBe("hva_er_2_2");
  });

  it("falls back to 'field' when nothing of the label is left, and stays short", () => {
    expect(keyFromLabel("???")).toBe("field");
    expect(keyFromLabel("")).toBe("field");
    expect(keyFromLabel("a".repeat(60)).length).toBe(40);
  });

  it("adds _2, _3 … until the key is free", () => {
    expect(uniqueKey("text", [])).toBe("text");
    expect(uniqueKey("text", ["text"])).toBe("text_2");
    expect(uniqueKey("text", ["text", "text_2"])).toBe("text_3");
  });
});

describe("adding, removing and moving fields", () => {
  it("adds each kind with a unique key; a mapped field's key is what it fills; e-mail is required", () => {
    const d = sample();
    expect(d.fields.map((f) => f.key)).toEqual(["email", "first_name", "consent_newsletter", "choice"]);
    expect(d.fields[0]).toMatchObject({
      kind: "mapped",
      maps: "email",
      required: true,
      label: { nb: "E-post" },
    });
    expect(d.fields[1]).toMatchObject({ required: false, label: { nb: "Fornavn", en: "First name" } });
    expect(d.fields[2]).toMatchObject({ kind: "consent", purposeKey: "newsletter", required: false });
    expect(d.fields[3]).toMatchObject({ kind: "free", type: "choice", options: [] });
    const twice = addField(addField(empty, { kind: "free", type: "text" }), { kind: "free", type: "text" });
    expect(twice.fields.map((f) => f.key)).toEqual(["text", "text_2"]);
  });

  it("a subscription field names its type; a hidden field is pre-fillable from the start", () => {
    let d = addField(empty, { kind: "subscription", subscriptionTypeId: 4, typeName: "Kurs" });
    d = addField(d, { kind: "free", type: "hidden" });
    expect(d.fields[0]).toMatchObject({ kind: "subscription", subscriptionTypeId: 4, key: "subscribe_kurs" });
    expect(d.fields[1]).toMatchObject({ type: "hidden", prefill: true });
  });

  it("removes the field at an index and leaves the others in order", () => {
    expect(removeField(sample(), 1).fields.map((f) => f.key)).toEqual([
      "email",
      "consent_newsletter",
      "choice",
    ]);
  });

  it("moves a field up, down, to either end, and ignores moves past the ends", () => {
    const d = sample();
    const keys = (x: FormDefinition) => x.fields.map((f) => f.key);
    expect(keys(moveField(d, 2, 1))).toEqual(["email", "consent_newsletter", "first_name", "choice"]);
    expect(keys(moveField(d, 0, 1))).toEqual(["first_name", "email", "consent_newsletter", "choice"]);
    expect(keys(moveField(d, 3, 0))).toEqual(["choice", "email", "first_name", "consent_newsletter"]);
    expect(moveField(d, 0, -1)).toBe(d);
    expect(keys(moveField(d, 3, 9))).toEqual(keys(d));
    expect(moveField(d, 7, 0)).toBe(d);
  });
});

describe("labels and options", () => {
  it("a free field's key follows its label until the key is set by hand", () => {
    let d = addField(empty, { kind: "free", type: "text" });
    d = relabelField(d, 0, { nb: "Bedriftens størrelse", en: "Company size" });
    expect(d.fields[0]!.key).toBe("company_size");
    d = { fields: [{ ...d.fields[0]!, key: "size" }] };
    d = relabelField(d, 0, { nb: "Antall ansatte", en: "Employees" });
    expect(d.fields[0]).toMatchObject({ key: "size", label: { en: "Employees" } });
  });

  it("a mapped field keeps its key when relabelled", () => {
    const d = relabelField(sample(), 1, { nb: "Navn", en: "Name" });
    expect(d.fields[1]).toMatchObject({ key: "first_name", label: { nb: "Navn", en: "Name" } });
  });

  it("adds, edits and removes the options of a choice field", () => {
    let d = addOption(sample(), 3);
    d = addOption(d, 3);
    d = setOption(d, 3, 0, { nb: "Liten", en: "Small" });
    d = setOption(d, 3, 1, { nb: "Stor", en: "Large" });
    expect(d.fields[3]).toMatchObject({ options: [{ en: "Small" }, { en: "Large" }] });
    d = removeOption(d, 3, 0);
    expect(d.fields[3]).toMatchObject({ options: [{ nb: "Stor", en: "Large" }] });
    expect(addOption(d, 0)).toBe(d);
  });
});

describe("problems the builder shows", () => {
  it("none for a complete form", () => {
    let d = addOption(sample(), 3);
    d = setOption(d, 3, 0, { nb: "Ja", en: "Yes" });
    expect(definitionProblems(d, automatic)).toEqual([]);
  });

  it("a choice field without options, an option without text, a missing label", () => {
    const d = sample();
    expect(definitionProblems(d, automatic)).toEqual([{ code: "optionsMissing", index: 3, key: "choice" }]);
    const blankOption = addOption(d, 3);
    expect(definitionProblems(blankOption, automatic)).toEqual([
      { code: "optionEmpty", index: 3, key: "choice" },
    ]);
    const unlabelled = relabelField(removeField(d, 3), 1, { nb: "Fornavn", en: " " });
    expect(definitionProblems(unlabelled, automatic)).toEqual([
      { code: "labelMissing", index: 1, key: "first_name" },
    ]);
  });

  it("keys that repeat or hold other characters", () => {
    const d = removeField(sample(), 3);
    const taken = { fields: d.fields.map((f, i) => (i === 1 ? { ...f, key: "email" } : f)) };
    expect(definitionProblems(taken, automatic)).toContainEqual({ code: "keyTaken", index: 1, key: "email" });
    const spaced = { fields: d.fields.map((f, i) => (i === 1 ? { ...f, key: "first name" } : f)) };
    expect(definitionProblems(spaced, automatic)).toContainEqual({
      code: "keyInvalid",
      index: 1,
      key: "first name",
    });
  });

  it("an e-mail field is needed for automatic processing and double opt-in, not for manual; never two", () => {
    const noEmail = removeField(removeField(sample(), 3), 0);
    expect(definitionProblems(noEmail, automatic)).toEqual([{ code: "emailNeeded" }]);
    expect(definitionProblems(noEmail, { ...manual, doubleOptIn: true })).toEqual([{ code: "emailNeeded" }]);
    expect(definitionProblems(noEmail, manual)).toEqual([]);
    const two = addField(removeField(sample(), 3), { kind: "mapped", maps: "email" });
    expect(two.fields[3]!.key).toBe("email_2");
    expect(definitionProblems(two, manual)).toEqual([{ code: "emailTwice" }]);
  });

  it("a consent check-box needs its text in both languages", () => {
    const d = removeField(sample(), 3);
    const field = d.fields[2]!;
    const blank = {
      fields: d.fields.map((f, i) =>
        i === 2 && f.kind === "consent" ? { ...f, text: { nb: "Ja", en: "" } } : f,
      ),
    };
    expect(field.kind).toBe("consent");
    expect(definitionProblems(blank, automatic)).toEqual([
      { code: "consentTextMissing", index: 2, key: "consent_newsletter" },
    ]);
  });
});

describe("settings", () => {
  it("a redirect URL must be https with a host; empty means the thank-you text", () => {
    expect(redirectUrlProblem("")).toBeNull();
    expect(redirectUrlProblem("https://fjordlys.example/takk")).toBeNull();
    expect(redirectUrlProblem("http://fjordlys.example/takk")).toBe("notHttps");
    expect(redirectUrlProblem("javascript:alert(1)")).toBe("notHttps");
    expect(redirectUrlProblem("fjordlys.example/takk")).toBe("invalid");
  });

  it("deactivation after N submissions takes a whole number of at least 1, or nothing", () => {
    expect(deactivateAfterProblem("")).toBeNull();
    expect(deactivateAfterProblem("100")).toBeNull();
    expect(deactivateAfterProblem("0")).toBe("notPositive");
    expect(deactivateAfterProblem("2.5")).toBe("notPositive");
    expect(deactivateAfterProblem("-3")).toBe("notPositive");
  });

  it("interest names from a comma- or line-separated list", () => {
    expect(parseNames("Seiling, Fiske\nFiske,, ")).toEqual(["Seiling", "Fiske"]);
  });
});
