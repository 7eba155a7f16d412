// Which column of an import file fills which person or company field: explicit choices, saved mappings and header guesses.
import type { FieldProblem } from "../shared/errors.ts";

/**
 * What identifies a row: the e-mail address (persons, e-mail recipients) or the mobile number (an SMS mailing's
 * recipients). Every row needs it, and a later row with the same one is a duplicate.
 */
export type RecordKey = "email" | "mobile";

export const PERSON_FIELDS = [
  "email",
  "name",
  "firstName",
  "middleName",
  "lastName",
  "title",
  "mrmrs",
  "mobile",
  "phone",
  "language",
  "interests",
] as const;
export const COMPANY_FIELDS = [
  "company.name",
  "company.orgNumber",
  "company.street",
  "company.postcode",
  "company.city",
  "company.country",
  "company.domain",
] as const;

export type PersonField = (typeof PERSON_FIELDS)[number];
export type CompanyField = (typeof COMPANY_FIELDS)[number];
/** A field a column can fill; custom fields are `custom.<key>`. */
export type Field = PersonField | CompanyField | `custom.${string}`;

export type CustomFieldInfo = {
  id: number;
  key: string;
  label: string;
  type: "text" | "number" | "date" | "boolean";
};

/** How each column of the file is used: the field it fills (null: not imported) and whether that was a guess. */
export type ColumnUse = { index: number; column: string; field: Field | null; guessed: boolean };

/** Words to leave a column out on purpose in an explicit mapping. */
const IGNORE = new Set(["", "-", "ignore", "skip", "none"]);

/** Header guesses, keyed by the header with case, spaces and punctuation removed (see `headerKey`). */
const GUESSES: Record<string, Field> = {};
const guess = (field: Field, ...headers: string[]) => {
  for (const header of headers) GUESSES[header] = field;
};
guess(
  "email",
  "epost",
  "epostadresse",
  "email",
  "emailadresse",
  "emailaddress",
  "mail",
  "mailadresse",
  "epostadr",
);
guess("name", "navn", "name", "fulltnavn", "fullname", "kontaktperson", "contactname");
guess("firstName", "fornavn", "firstname", "givenname", "forename");
guess("middleName", "mellomnavn", "middlename");
guess("lastName", "etternavn", "lastname", "surname", "familyname");
guess("title", "tittel", "title", "stilling", "stillingstittel", "jobtitle");
guess("mrmrs", "tiltale", "mrms", "salutation", "herrfru");
guess(
  "mobile",
  "mobil",
  "mobiltelefon",
  "mobilnummer",
  "mobilnr",
  "mobiltlf",
  "mobile",
  "mobilephone",
  "mobilenumber",
  "cellphone",
  "cell",
);
guess("phone", "telefon", "telefonnummer", "tlf", "tlfnr", "phone", "telephone", "phonenumber");
guess("language", "språk", "sprak", "language", "lang");
guess("interests", "interesser", "interesse", "interests", "interest");
guess(
  "company.name",
  "firma",
  "firmanavn",
  "bedrift",
  "bedriftsnavn",
  "selskap",
  "organisasjon",
  "company",
  "companyname",
  "organisation",
  "organization",
);
guess(
  "company.orgNumber",
  "orgnr",
  "orgnummer",
  "organisasjonsnummer",
  "orgnumber",
  "orgno",
  "organisationnumber",
  "organizationnumber",
);
guess("company.street", "adresse", "gateadresse", "postadresse", "address", "street", "streetaddress");
guess("company.postcode", "postnummer", "postnr", "postcode", "postalcode", "zip", "zipcode");
guess("company.city", "poststed", "sted", "by", "city", "town");
guess("company.country", "land", "country");
guess("company.domain", "domene", "nettside", "domain", "website");

/** A header reduced to lower-case letters and digits, so "E-post", "E post" and "epost" compare equal. */
export function headerKey(header: string): string {
  return header
    .normalize("NFC")
    .toLowerCase()
    .replace(/[^\p{L}\p{N}]+/gu, "");
}

/** "A", "B" … "Z", "AA": how a spreadsheet names the column at a 0-based index. */
export function columnLetter(index: number): string {
  let name = "";
  for (let n = index + 1; n > 0; n = Math.floor((n - 1) / 26))
    name = String.fromCharCode(65 + ((n - 1) % 26)) + name;
  return name;
}

/** The name a column is reported under: its header as written, or "column C" when the header cell is blank. */
export function columnName(header: string | undefined, index: number): string {
  const trimmed = (header ?? "").trim();
  return trimmed === "" ? `column ${columnLetter(index)}` : trimmed;
}

/** Reads a field name as a user writes it: "email", "firstname", "company", "custom.memberNo", a custom field's label. */
export function parseField(text: string, customFields: CustomFieldInfo[]): Field | null {
  const wanted = text.trim();
  const lower = wanted.toLowerCase();
  for (const field of [...PERSON_FIELDS, ...COMPANY_FIELDS]) if (field.toLowerCase() === lower) return field;
  if (lower === "company" || lower === "companyname") return "company.name";
  const customKey = lower.startsWith("custom.") ? wanted.slice("custom.".length) : wanted;
  const custom =
    customFields.find((f) => f.key === customKey) ??
    customFields.find(
      (f) => f.key.toLowerCase() === customKey.toLowerCase() || f.label.toLowerCase() === lower,
    );
  return custom ? `custom.${custom.key}` : null;
}

/** The fields a user can name, for error messages and the API. */
export function knownFields(customFields: CustomFieldInfo[]): string[] {
  return [...PERSON_FIELDS, ...COMPANY_FIELDS, ...customFields.map((f) => `custom.${f.key}`)];
}

function guessField(header: string, customFields: CustomFieldInfo[]): Field | null {
  const key = headerKey(header);
  if (key === "") return null;
  const known = GUESSES[key];
  if (known) return known;
  const custom = customFields.find((f) => headerKey(f.key) === key || headerKey(f.label) === key);
  return custom ? `custom.${custom.key}` : null;
}

/**
 * Decides each column's field: an explicit mapping (column name → field, matched case-insensitively) first, then
 * header guesses for the rest. A guess never takes a field already taken; two explicit columns for one field, an
 * unknown field, a mapped column missing from the file and a file without an e-mail column are problems.
 */
export function resolveMapping(
  headers: string[],
  explicit: Record<string, string>,
  customFields: CustomFieldInfo[],
  key: RecordKey = "email",
): { columns: ColumnUse[]; problems: FieldProblem[] } {
  const problems: FieldProblem[] = [];
  const columns: ColumnUse[] = headers.map((header, index) => ({
    index,
    column: columnName(header, index),
    field: null,
    guessed: false,
  }));
  const taken = new Map<Field, string>();
  const decided = new Set<number>();
  for (const [name, target] of Object.entries(explicit)) {
    const matches = columns.filter((c) => c.column.toLowerCase() === name.trim().toLowerCase());
    if (matches.length === 0) {
      problems.push({
        field: name,
        message: `the mapping names column "${name}", which the file does not have`,
        kind: "unknown-column",
        params: { name },
      });
      continue;
    }
    const ignored = IGNORE.has(target.trim().toLowerCase());
    const field = ignored ? null : parseField(target, customFields);
    if (!ignored && !field) {
      problems.push({
        field: name,
        message: `"${target}" is not a field; use one of ${knownFields(customFields).join(", ")} or "ignore"`,
        kind: "unknown-field",
        params: { name: target },
      });
      continue;
    }
    for (const column of matches) {
      decided.add(column.index);
      if (!field) continue;
      const other = taken.get(field);
      if (other !== undefined) {
        problems.push({
          field: column.column,
          message: `both "${other}" and "${column.column}" are mapped to ${field}`,
          kind: "mapped-twice",
          params: { name: other },
        });
        continue;
      }
      column.field = field;
      taken.set(field, column.column);
    }
  }
  for (const column of columns) {
    if (decided.has(column.index)) continue;
    const field = guessField(headers[column.index] ?? "", customFields);
    if (!field || taken.has(field)) continue;
    column.field = field;
    column.guessed = true;
    taken.set(field, column.column);
  }
  if (key === "email" && !taken.has("email"))
    problems.push({
      field: "email",
      message:
        'no column holds the e-mail address (persons are matched by e-mail); map one, e.g. "E-post=email"',
      kind: "needs-column",
    });
  if (key === "mobile" && !taken.has("mobile"))
    problems.push({
      field: "mobile",
      message:
        'no column holds the mobile number (an SMS goes to a mobile number); map one, e.g. "Mobil=mobile"',
      kind: "needs-column",
    });
  return { columns, problems };
}

/** Parses the command line's `--map "E-post=email,Fornavn=firstName"` into column → field. */
export function parseMapText(text: string): { map: Record<string, string>; problems: FieldProblem[] } {
  const map: Record<string, string> = {};
  const problems: FieldProblem[] = [];
  for (const part of text.split(",")) {
    if (part.trim() === "") continue;
    const at = part.lastIndexOf("=");
    if (at <= 0) {
      problems.push({ field: "map", message: `"${part.trim()}" is not COLUMN=field`, kind: "pattern" });
      continue;
    }
    map[part.slice(0, at).trim()] = part.slice(at + 1).trim();
  }
  return { map, problems };
}
