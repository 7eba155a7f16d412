import { describe, expect, it } from "vitest";
import { type CustomFieldInfo, columnLetter, parseMapText, resolveMapping } from "./mapping.ts";

const custom: CustomFieldInfo[] = [
  { id: 1, key: "memberNo", label: "Medlemsnummer", type: "number" },
  { id: 2, key: "shoeSize", label: "Skostørrelse", type: "text" },
];

const fieldsOf = (headers: string[], explicit: Record<string, string> = {}) =>
  resolveMapping(headers, explicit, custom).columns.map((c) => c.field);

describe("header guesses", () => {
  it("maps the Norwegian headers a CRM list uses", () => {
    expect(
      fieldsOf([
        "E-post",
        "Fornavn",
        "Etternavn",
        "Mobiltelefon",
        "Telefon",
        "Firma",
        "Tittel",
        "Språk",
        "Interesser",
      ]),
    ).toEqual([
      "email",
      "firstName",
      "lastName",
      "mobile",
      "phone",
      "company.name",
      "title",
      "language",
      "interests",
    ]);
    expect(fieldsOf(["Epost", "Mobil", "Bedrift"])).toEqual(["email", "mobile", "company.name"]);
  });

  it("maps English headers whatever their case, spacing and punctuation", () => {
    expect(
      fieldsOf([
        "E-mail",
        "First name",
        "LAST_NAME",
        "Mobile",
        "Phone",
        "Company",
        "Title",
        "Language",
        "Interests",
      ]),
    ).toEqual([
      "email",
      "firstName",
      "lastName",
      "mobile",
      "phone",
      "company.name",
      "title",
      "language",
      "interests",
    ]);
    expect(fieldsOf(["Email"])).toEqual(["email"]);
  });

  it("maps custom fields by key or by label", () => {
    expect(fieldsOf(["E-post", "memberNo", "Skostørrelse"])).toEqual([
      "email",
      "custom.memberNo",
      "custom.shoeSize",
    ]);
  });

  it("leaves unknown headers unmapped and marks guesses as guesses", () => {
    const { columns } = resolveMapping(["E-post", "Kundenummer hos oss"], {}, custom);
    expect(columns).toEqual([
      { index: 0, column: "E-post", field: "email", guessed: true },
      { index: 1, column: "Kundenummer hos oss", field: null, guessed: false },
    ]);
  });

  it("gives a second column with the same guess nothing, so one field has one column", () => {
    expect(fieldsOf(["E-post", "Email"])).toEqual(["email", null]);
  });

  it("names a column with a blank header by its spreadsheet letter", () => {
    const { columns } = resolveMapping(["E-post", "", "Fornavn"], {}, custom);
    expect(columns[1]!.column).toBe("column B");
    expect(columnLetter(0)).toBe("A");
    expect(columnLetter(25)).toBe("Z");
    expect(columnLetter(26)).toBe("AA");
  });
});

describe("explicit mappings", () => {
  it("win over guesses, and a guess never takes a field an explicit column has", () => {
    const { columns, problems } = resolveMapping(
      ["Kontakt-epost", "E-post", "Navn"],
      { "kontakt-epost": "email", Navn: "lastName" },
      custom,
    );
    expect(problems).toEqual([]);
    expect(columns.map((c) => [c.column, c.field, c.guessed])).toEqual([
      ["Kontakt-epost", "email", false],
      ["E-post", null, false],
      ["Navn", "lastName", false],
    ]);
  });

  it("can leave a guessed column out with ignore", () => {
    expect(fieldsOf(["E-post", "Telefon"], { Telefon: "ignore" })).toEqual(["email", null]);
  });

  it("accept custom fields as custom.<key>, by key and by label", () => {
    expect(
      fieldsOf(["E-post", "A", "B", "C"], { A: "custom.memberNo", B: "shoeSize", C: "medlemsnummer" }),
    ).toEqual(["email", "custom.memberNo", "custom.shoeSize", null]);
  });

  it("report an unknown field, a column the file lacks, and two columns for one field", () => {
    const { problems } = resolveMapping(
      ["E-post", "Fornavn", "Navn"],
      { Fornavn: "forename", Mangler: "email", Navn: "lastName", "E-post": "lastName" },
      custom,
    );
    expect(problems.map((p) => p.field)).toEqual(["Fornavn", "Mangler", "E-post", "email"]);
    expect(problems[0]!.message).toContain('"forename" is not a field');
    expect(problems[1]!.message).toContain("does not have");
    expect(problems[2]!.message).toContain("mapped to lastName");
    // Each with a kind the import page says in its own language.
    expect(problems.map((p) => [p.kind, p.params])).toEqual([
      ["unknown-field", { name: "forename" }],
      ["unknown-column", { name: "Mangler" }],
      ["mapped-twice", { name: "Navn" }],
      ["needs-column", undefined],
    ]);
  });

  it("require a column for the e-mail address, which persons are matched by", () => {
    const { problems } = resolveMapping(["Fornavn", "Etternavn"], {}, custom);
    expect(problems).toHaveLength(1);
    expect(problems[0]!.field).toBe("email");
  });
});

describe("the --map text", () => {
  it("reads COLUMN=field pairs, with = allowed in the column name", () => {
    expect(parseMapText("E-post=email, Fornavn = firstName,A=B=lastName,").map).toEqual({
      "E-post": "email",
      Fornavn: "firstName",
      "A=B": "lastName",
    });
  });

  it("reports a pair without =", () => {
    expect(parseMapText("E-post=email,Fornavn").problems).toEqual([
      { field: "map", message: '"Fornavn" is not COLUMN=field', kind: "pattern" },
    ]);
  });
});
