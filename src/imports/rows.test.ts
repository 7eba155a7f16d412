import { describe, expect, it } from "vitest";
import { type CustomFieldInfo, resolveMapping } from "./mapping.ts";
import { cellText, checkRow, type ImportRecord, languageCode, mergeRecords, type RowRules } from "./rows.ts";
import { SeenEmails } from "./seen-emails.ts";

const customFields: CustomFieldInfo[] = [
  { id: 7, key: "memberNo", label: "Medlemsnummer", type: "number" },
  { id: 8, key: "joined", label: "Innmeldt", type: "date" },
  { id: 9, key: "vip", label: "VIP", type: "boolean" },
];

function rulesFor(headers: string[]): RowRules {
  const { columns, problems } = resolveMapping(headers, {}, customFields);
  if (problems.length > 0) throw new Error(JSON.stringify(problems));
  return { columns, customFields, defaultCountry: "NO" };
}

const HEADERS = [
  "E-post",
  "Fornavn",
  "Etternavn",
  "Mobil",
  "Telefon",
  "Språk",
  "Interesser",
  "Firma",
  "Poststed",
];
const rules = rulesFor(HEADERS);

function valid(cells: string[], row = 2): ImportRecord {
  const outcome = checkRow(rules, row, cells);
  if (outcome.kind !== "valid") throw new Error(JSON.stringify(outcome));
  return outcome.record;
}

describe("a valid row", () => {
  it("normalises mobile and phone to E.164, language names to codes and splits interests", () => {
    const record = valid([
      " Kari.Nordmann@Example.no ",
      "Kari",
      "Nordmann",
      "912 34 567",
      "22 33 44 55",
      "Norsk",
      "Ski; golf | Ski",
      "Blåbær AS",
      "Oslo",
    ]);
    expect(record.email).toBe("Kari.Nordmann@Example.no");
    expect(record.emailLower).toBe("kari.nordmann@example.no");
    expect(record.person).toEqual({
      firstName: "Kari",
      lastName: "Nordmann",
      mobile: "+4791234567",
      phone: "+4722334455",
      language: "nb",
    });
    expect(record.interests).toEqual(["Ski", "golf"]);
    expect(record.company).toEqual({ name: "Blåbær AS", city: "Oslo" });
  });

  it("holds only the cells that have something, so a blank cell can never clear a field", () => {
    const record = valid(["ola@example.no", "", "  ", "", "", "", "", "", ""]);
    expect(record.person).toEqual({});
    expect(record.interests).toEqual([]);
    expect(record.company).toBeNull();
  });

  it("splits a full-name column into first and last name, with the first and last name columns winning", () => {
    const named = rulesFor(["E-post", "Navn", "Etternavn"]);
    const outcome = checkRow(named, 2, ["a@example.no", "Anne  Marie Berg", ""]);
    expect(outcome.kind === "valid" && outcome.record.person).toEqual({
      firstName: "Anne Marie",
      lastName: "Berg",
    });
    const both = checkRow(named, 2, ["a@example.no", "Anne Berg", "Bergesen"]);
    expect(both.kind === "valid" && both.record.person).toEqual({ firstName: "Anne", lastName: "Bergesen" });
  });

  it("reads custom values by their type: decimal comma, Nordic dates, ja/nei", () => {
    const custom = rulesFor(["E-post", "Medlemsnummer", "Innmeldt", "VIP"]);
    const outcome = checkRow(custom, 2, ["a@example.no", "12,5", "1.2.2024", "Ja"]);
    expect(outcome.kind === "valid" && [...outcome.record.custom]).toEqual([
      [7, "12.5"],
      [8, "2024-02-01"],
      [9, "true"],
    ]);
  });
});

describe("an invalid row", () => {
  it("names every bad cell by row, column as in the file, value and reason", () => {
    const outcome = checkRow(rules, 17, ["kari@", "Kari", "", "123", "abc", "klingon", "", "", ""]);
    expect(outcome).toEqual({
      kind: "invalid",
      issues: [
        {
          row: 17,
          column: "E-post",
          value: "kari@",
          kind: "invalid-email",
          reason: "is not a valid e-mail address",
        },
        {
          row: 17,
          column: "Mobil",
          value: "123",
          kind: "invalid-mobile",
          reason: "is not a valid mobile number",
        },
        {
          row: 17,
          column: "Telefon",
          value: "abc",
          kind: "invalid-phone",
          reason: "is not a valid phone number",
        },
        {
          row: 17,
          column: "Språk",
          value: "klingon",
          kind: "invalid-language",
          reason: "is not a language such as nb, en or norsk",
        },
      ],
    });
  });

  it("needs an e-mail address, and only one per row", () => {
    const blank = checkRow(rules, 3, ["", "Kari", "", "", "", "", "", "", ""]);
    expect(blank.kind === "invalid" && blank.issues.map((i) => [i.column, i.reason])).toEqual([
      ["E-post", "is blank; every imported person needs an e-mail address"],
    ]);
    const two = checkRow(rules, 4, ["a@example.no; b@example.no", "", "", "", "", "", "", "", ""]);
    expect(two.kind === "invalid" && two.issues[0]!.reason).toContain("more than one e-mail address");
  });

  it("refuses company details without the company's name", () => {
    const outcome = checkRow(rules, 5, ["a@example.no", "", "", "", "", "", "", "", "Bergen"]);
    expect(outcome.kind === "invalid" && outcome.issues).toEqual([
      {
        row: 5,
        column: "Poststed",
        value: "Bergen",
        kind: "company-without-name",
        reason: "company details need the company's name in the same row",
      },
    ]);
  });

  it("refuses custom values that do not fit the field's type", () => {
    const custom = rulesFor(["E-post", "Medlemsnummer", "Innmeldt", "VIP"]);
    const outcome = checkRow(custom, 2, ["a@example.no", "tolv", "31.02.2024", "kanskje"]);
    expect(outcome.kind === "invalid" && outcome.issues.map((i) => i.column)).toEqual([
      "Medlemsnummer",
      "Innmeldt",
      "VIP",
    ]);
  });

  it("refuses a name longer than the person register holds", () => {
    const outcome = checkRow(rules, 2, ["a@example.no", "x".repeat(101), "", "", "", "", "", "", ""]);
    expect(outcome.kind === "invalid" && outcome.issues[0]!.reason).toBe("longer than 100 characters");
  });
});

describe("cells", () => {
  it("treats a row of blank cells as blank, not invalid", () => {
    expect(checkRow(rules, 9, ["", " ", "", "", "", "", "", "", ""])).toEqual({ kind: "blank" });
    expect(checkRow(rules, 9, [])).toEqual({ kind: "blank" });
  });

  it("strips the apostrophe the export puts before a formula character, and only that one", () => {
    expect(cellText("'+4791234567")).toBe("+4791234567");
    expect(cellText("'=SUM(A1)")).toBe("=SUM(A1)");
    expect(cellText("'Tis")).toBe("'Tis");
    expect(cellText("  x  ")).toBe("x");
  });

  it("knows language codes and written-out languages", () => {
    expect(languageCode("EN-gb")).toBe("en-GB");
    expect(languageCode("nynorsk")).toBe("nn");
    expect(languageCode("English")).toBe("en");
    expect(languageCode("e")).toBeNull();
  });
});

describe("rows repeating an address", () => {
  it("merge into the first: later non-blank cells win, interests add up, blanks change nothing", () => {
    const first = valid(["ola@example.no", "Ola", "Normann", "91234567", "", "", "Ski", "", ""]);
    const later = valid(["OLA@example.no", "", "Nordmann", "", "", "en", "Golf, ski", "", ""], 5);
    mergeRecords(first, later);
    expect(first.person).toEqual({
      firstName: "Ola",
      lastName: "Nordmann",
      mobile: "+4791234567",
      language: "en",
    });
    expect(first.interests).toEqual(["ski", "Golf"]);
  });

  it("are found by their lower-cased address, with the row that first had it", () => {
    const seen = new SeenEmails(4);
    expect(seen.firstRow("a@example.no", 2)).toBeNull();
    expect(seen.firstRow("b@example.no", 3)).toBeNull();
    expect(seen.firstRow("a@example.no", 9)).toBe(2);
    for (let i = 0; i < 50_000; i++) expect(seen.firstRow(`p${i}@example.no`, i + 10)).toBeNull();
    expect(seen.size).toBe(50_002);
    expect(seen.firstRow("p49999@example.no", 1)).toBe(50_009);
    expect(seen.firstRow("b@example.no", 1)).toBe(3);
  });
});
