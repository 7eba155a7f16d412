import { describe, expect, it } from "vitest";
import type { FormDefinition, FormField } from "./definition.ts";
import {
  type DefinitionSettings,
  definitionProblems,
  inactiveReason,
  type KnownReferences,
  redirectProblem,
  slugFromName,
  slugProblem,
} from "./rules.ts";

const label = (text: string) => ({ nb: text, en: text });
const email: FormField = {
  kind: "mapped",
  key: "email",
  label: label("E-post"),
  required: true,
  maps: "email",
  prefill: false,
};
const known: KnownReferences = {
  purposeKeys: new Set(["newsletter"]),
  subscriptionTypeIds: new Set([1]),
  customFieldIds: new Set([7]),
};
const manual: DefinitionSettings = { processingMode: "manual", doubleOptIn: false };
const fieldsOf = (...fields: FormField[]): FormDefinition => ({ fields });
const named = (def: FormDefinition, settings = manual, refs: KnownReferences | null = known) =>
  definitionProblems(def, settings, refs).map((p) => p.field);

describe("a form definition", () => {
  it("is sound with an e-mail, a choice with options, a consent and a subscription that exist", () => {
    const def = fieldsOf(
      email,
      {
        kind: "free",
        key: "size",
        type: "choice",
        label: label("Størrelse"),
        required: false,
        prefill: false,
        options: [label("S"), label("M")],
      },
      {
        kind: "consent",
        key: "ok",
        purposeKey: "newsletter",
        label: label("Ja"),
        text: label("Jeg vil ha nyhetsbrev"),
        required: false,
      },
      { kind: "subscription", key: "news", subscriptionTypeId: 1, label: label("Nyheter"), required: false },
      { kind: "mapped", key: "shoe", maps: "custom:7", label: label("Sko"), required: false, prefill: true },
    );
    expect(definitionProblems(def, { processingMode: "automatic", doubleOptIn: true }, known)).toEqual([]);
  });

  it("names a key that breaks the pattern and a key used twice", () => {
    const def = fieldsOf(
      email,
      { ...email, key: "Email", maps: "first_name" },
      { ...email, key: "email", maps: "last_name" },
    );
    expect(named(def)).toEqual(["definition.fields[1].key", "definition.fields[2].key"]);
  });

  it("wants labels in both languages", () => {
    expect(named(fieldsOf({ ...email, label: { nb: "E-post", en: " " } }))).toEqual([
      "definition.fields[0].label.en",
    ]);
  });

  it("wants options on a choice and none on a text", () => {
    const def = fieldsOf(
      { kind: "free", key: "c", type: "multi-choice", label: label("C"), required: false, prefill: false },
      {
        kind: "free",
        key: "t",
        type: "text",
        label: label("T"),
        required: false,
        prefill: false,
        options: [label("x")],
      },
    );
    expect(named(def)).toEqual(["definition.fields[0].options", "definition.fields[1].options"]);
  });

  it("lets one field only fill each CRM field", () => {
    expect(named(fieldsOf(email, { ...email, key: "email2" }))).toEqual(["definition.fields[1].maps"]);
  });

  it("needs a required e-mail field for automatic processing and for double opt-in", () => {
    const name: FormField = { ...email, key: "name", maps: "first_name" };
    expect(named(fieldsOf(name), { processingMode: "automatic", doubleOptIn: false })).toEqual([
      "definition.fields",
    ]);
    expect(named(fieldsOf(name), { processingMode: "manual", doubleOptIn: true })).toEqual([
      "definition.fields",
    ]);
    expect(
      named(fieldsOf({ ...email, required: false }), { processingMode: "automatic", doubleOptIn: false }),
    ).toEqual(["definition.fields[0].required"]);
    expect(named(fieldsOf(name), { processingMode: "automatic-if-match", doubleOptIn: false })).toEqual([]);
  });

  it("refuses purposes, subscription types and custom fields the database does not know", () => {
    const def = fieldsOf(
      {
        kind: "consent",
        key: "ok",
        purposeKey: "nope",
        label: label("Ja"),
        text: label("t"),
        required: false,
      },
      { kind: "subscription", key: "news", subscriptionTypeId: 9, label: label("N"), required: false },
      { kind: "mapped", key: "shoe", maps: "custom:8", label: label("S"), required: false, prefill: false },
      {
        kind: "mapped",
        key: "pw",
        maps: "password" as "email",
        label: label("S"),
        required: false,
        prefill: false,
      },
    );
    expect(named(def)).toEqual([
      "definition.fields[0].purposeKey",
      "definition.fields[1].subscriptionTypeId",
      "definition.fields[2].maps",
      "definition.fields[3].maps",
    ]);
    // Without the database's knowledge (a preview) only the shape is judged.
    expect(named(def, manual, null)).toEqual(["definition.fields[3].maps"]);
  });
});

describe("redirects and slugs", () => {
  it("takes only absolute https addresses without credentials", () => {
    expect(redirectProblem("https://example.no/takk")).toBeNull();
    expect(redirectProblem("http://example.no/takk")).toMatch(/https/);
    expect(redirectProblem("javascript:alert(1)")).toMatch(/https/);
    expect(redirectProblem("/takk")).toMatch(/absolute/);
    expect(redirectProblem("https://user:pw@example.no/")).toMatch(/password/);
  });

  it("makes a slug from a Norwegian name and checks one given", () => {
    expect(slugFromName("Påmelding – Sommerfest 2026!")).toBe("pamelding-sommerfest-2026");
    expect(slugFromName("Ærlig øl")).toBe("aerlig-ol");
    expect(slugFromName("???")).toBe("form");
    expect(slugProblem("sommerfest-2026")).toBeNull();
    expect(slugProblem("-x")).not.toBeNull();
    expect(slugProblem("Stor")).not.toBeNull();
  });
});

describe("whether a form takes submissions", () => {
  const now = "2026-12-06T12:00:00.000Z";
  const published = { status: "published" as const, deactivateAt: null, deactivateAfter: null };

  it("says why not: a draft, unpublished, its date passed, its count reached", () => {
    expect(inactiveReason(published, 5, now)).toBeNull();
    expect(inactiveReason({ ...published, status: "draft" }, 0, now)).toBe("draft");
    expect(inactiveReason({ ...published, status: "unpublished" }, 0, now)).toBe("unpublished");
    expect(inactiveReason({ ...published, deactivateAt: now }, 0, now)).toBe("date");
    expect(inactiveReason({ ...published, deactivateAt: "2026-12-07T00:00:00.000Z" }, 0, now)).toBeNull();
    expect(inactiveReason({ ...published, deactivateAfter: 3 }, 2, now)).toBeNull();
    expect(inactiveReason({ ...published, deactivateAfter: 3 }, 3, now)).toBe("count");
  });
});
