import { describe, expect, it } from "vitest";
import {
  ANSWER_MAX,
  emailOf,
  isIsoDate,
  NAME_MAX,
  postedValues,
  prefillValues,
  readAnswers,
} from "./answers.ts";
import type { FormField } from "./definition.ts";

const label = (text: string) => ({ nb: text, en: text });
const fields: FormField[] = [
  { kind: "mapped", key: "email", maps: "email", label: label("E-post"), required: true, prefill: true },
  {
    kind: "mapped",
    key: "first_name",
    maps: "first_name",
    label: label("Fornavn"),
    required: false,
    prefill: true,
  },
  { kind: "mapped", key: "mobile", maps: "mobile", label: label("Mobil"), required: false, prefill: false },
  { kind: "free", key: "day", type: "date", label: label("Dag"), required: false, prefill: false },
  {
    kind: "free",
    key: "size",
    type: "choice",
    label: label("Størrelse"),
    required: true,
    prefill: false,
    options: [
      { nb: "Liten", en: "Small" },
      { nb: "Stor", en: "Large" },
    ],
  },
  {
    kind: "free",
    key: "food",
    type: "multi-choice",
    label: label("Mat"),
    required: false,
    prefill: false,
    options: [label("Fisk"), label("Kjøtt")],
  },
  { kind: "free", key: "note", type: "long-text", label: label("Merknad"), required: false, prefill: false },
  {
    kind: "consent",
    key: "ok",
    purposeKey: "newsletter",
    label: label("Ja"),
    text: label("t"),
    required: true,
  },
];
const codes = (posted: Record<string, string | string[]>) =>
  readAnswers(fields, posted, "nb").problems.map((p) => `${p.key}:${p.code}`);

describe("answers to a published version", () => {
  it("keeps a valid submission's answers, a ticked box as on, and drops names the version does not have", () => {
    const read = postedValues(
      "email=Kari%40Example.no&first_name=Kari&day=2026-02-28&size=Stor&food=Fisk&food=Kj%C3%B8tt&ok=on&admin=1",
    );
    if (!read.ok) throw new Error(`unreadable: ${read.malformed}`);
    const posted = read.values;
    const { answers, problems } = readAnswers(fields, posted, "nb");
    expect(problems).toEqual([]);
    expect(answers).toMatchObject({
      email: "Kari@Example.no",
      size: "Stor",
      food: ["Fisk", "Kjøtt"],
      ok: "on",
    });
    expect(answers).not.toHaveProperty("admin");
    expect(emailOf(fields, answers)).toBe("kari@example.no");
  });

  it("reads a body strictly: plus as space, repeated names as lists, and refuses what no browser sends", () => {
    expect(postedValues("a=Kari+%C3%85se&b=1&b=2&c&&d=")).toEqual({
      ok: true,
      values: { a: "Kari Åse", b: ["1", "2"], c: "", d: "" },
    });
    expect(postedValues("note=linje%0D%0Aneste%09tab")).toMatchObject({ ok: true });
    const refused = (body: string) => {
      const read = postedValues(body);
      return read.ok ? "read" : read.malformed;
    };
    expect(refused("a=%zz")).toBe("bad-percent");
    expect(refused("a=Kari%")).toBe("bad-percent");
    expect(refused("a%2=1")).toBe("bad-percent");
    expect(refused("a=%ff%fe")).toBe("not-utf8");
    expect(refused("a=%C3")).toBe("not-utf8");
    expect(refused("a=%ED%A0%80")).toBe("not-utf8");
    expect(refused("a=Kari\uFFFD")).toBe("not-utf8");
    expect(refused("a=Ka%00ri")).toBe("control-character");
    expect(refused("a=Ka\u0000ri")).toBe("control-character");
    expect(refused("a%1B=1")).toBe("control-character");
    expect(refused(`${"x".repeat(NAME_MAX + 1)}=1`)).toBe("long-name");
    expect(refused(`${"x".repeat(NAME_MAX)}=1`)).toBe("read");
  });

  it("names every missing required field and every wrong type", () => {
    expect(codes({ email: "", size: "" })).toEqual(["email:required", "size:required", "ok:required"]);
    expect(
      codes({ email: "nope", mobile: "ring meg", day: "2026-02-30", size: "Huge", food: ["Tofu"], ok: "on" }),
    ).toEqual(["email:email", "mobile:phone", "day:date", "size:choice", "food:choice"]);
  });

  it("takes the options in the form's language", () => {
    const { problems } = readAnswers(fields, { email: "a@b.no", size: "Large", ok: "on" }, "en");
    expect(problems).toEqual([]);
  });

  it("limits an answer to 2,000 characters and a long text to 10,000", () => {
    const long = "x".repeat(ANSWER_MAX + 1);
    expect(codes({ email: "a@b.no", size: "Stor", ok: "on", first_name: long, note: long })).toEqual([
      "first_name:too-long",
    ]);
    expect(codes({ email: "a@b.no", size: "Stor", ok: "on", note: "x".repeat(10_001) })).toEqual([
      "note:too-long",
    ]);
  });

  it("reads real calendar dates only", () => {
    expect(isIsoDate("2028-02-29")).toBe(true);
    expect(isIsoDate("2026-02-29")).toBe(false);
    expect(isIsoDate("29.02.2028")).toBe(false);
  });

  it("pre-fills only fields marked so, never the e-mail and never t", () => {
    const withT: FormField[] = [
      ...fields,
      { kind: "free", key: "t", type: "hidden", label: label("T"), required: false, prefill: true },
      { kind: "free", key: "src", type: "hidden", label: label("Kilde"), required: false, prefill: true },
    ];
    expect(
      prefillValues(withT, { email: "x@y.no", first_name: "Kari", mobile: "123", t: "token", src: "fb" }),
    ).toEqual({
      first_name: "Kari",
      src: "fb",
    });
  });
});
