// Pure rules for one row of an import: each mapped cell checked and normalised, every problem named by row and column.
import { isValidEmail, toE164, toMobileE164 } from "../persons/person-rules.ts";
import type { RowIssueKind } from "./api-schemas.ts";
import type { ColumnUse, CompanyField, CustomFieldInfo, RecordKey } from "./mapping.ts";

/**
 * One problem with one cell: the row as the spreadsheet numbers it (header = 1), the column as the file names it, the
 * kind of problem (with `limit` for a length), and `reason`, the same in English for the CLI and logs.
 */
export type RowIssue = {
  row: number;
  column: string;
  value: string;
  kind: RowIssueKind;
  limit?: number;
  reason: string;
};

export type PersonValues = {
  firstName?: string;
  middleName?: string;
  lastName?: string;
  title?: string;
  mrmrs?: string;
  mobile?: string;
  phone?: string;
  language?: string;
};

export type CompanyValues = {
  name: string;
  orgNumber?: string;
  street?: string;
  postcode?: string;
  city?: string;
  country?: string;
  domain?: string;
};

/** A valid row: only the cells that hold something (a blank cell never clears a field). */
export type ImportRecord = {
  row: number;
  email: string;
  emailLower: string;
  person: PersonValues;
  interests: string[];
  company: CompanyValues | null;
  /** custom field id → value */
  custom: Map<number, string>;
};

export type RowOutcome =
  | { kind: "valid"; record: ImportRecord }
  | { kind: "invalid"; issues: RowIssue[] }
  | { kind: "blank" };

export type RowRules = {
  columns: ColumnUse[];
  customFields: CustomFieldInfo[];
  defaultCountry: string;
  /** What every row needs; e-mail unless said. */
  key?: RecordKey;
};

const MAX_LENGTH: Record<string, number> = {
  firstName: 100,
  middleName: 100,
  lastName: 100,
  name: 200,
  title: 100,
  mrmrs: 20,
  "company.name": 200,
  "company.orgNumber": 40,
  "company.street": 200,
  "company.postcode": 20,
  "company.city": 100,
  "company.country": 100,
  "company.domain": 200,
};
const MAX_INTEREST = 100;
const MAX_CUSTOM = 2000;
const LANGUAGE_CODE = /^[a-z]{2,3}(-[a-z]{2})?$/i;
const LANGUAGE_NAMES: Record<string, string> = {
  norsk: "nb",
  bokmål: "nb",
  bokmal: "nb",
  norwegian: "nb",
  nynorsk: "nn",
  engelsk: "en",
  english: "en",
  svensk: "sv",
  swedish: "sv",
  dansk: "da",
  danish: "da",
  tysk: "de",
  german: "de",
  finsk: "fi",
  finnish: "fi",
};
const TRUE_WORDS = new Set(["true", "ja", "yes", "1", "x", "sant"]);
const FALSE_WORDS = new Set(["false", "nei", "no", "0", "usant"]);

/** Undoes the export's formula neutralising (`'=…` → `=…`) so exported files import unchanged. */
export function cellText(raw: string | undefined): string {
  const value = (raw ?? "").trim();
  return value.length > 1 && value[0] === "'" && "=+-@".includes(value[1]!) ? value.slice(1) : value;
}

/** "nb", "en-GB", or a language written out ("norsk", "English"); null when it is neither. */
export function languageCode(value: string): string | null {
  const named = LANGUAGE_NAMES[value.toLowerCase()];
  if (named) return named;
  if (!LANGUAGE_CODE.test(value)) return null;
  const [language, region] = value.split("-");
  return region ? `${language!.toLowerCase()}-${region.toUpperCase()}` : language!.toLowerCase();
}

function customValue(type: CustomFieldInfo["type"], value: string): string | null {
  switch (type) {
    case "text":
      return value;
    case "number": {
      const normal = value.replace(/\s/g, "").replace(",", ".");
      return /^-?\d+(\.\d+)?$/.test(normal) ? normal : null;
    }
    case "date": {
      const nordic = /^(\d{1,2})\.(\d{1,2})\.(\d{4})$/.exec(value);
      const iso = nordic
        ? `${nordic[3]}-${nordic[2]!.padStart(2, "0")}-${nordic[1]!.padStart(2, "0")}`
        : value;
      if (!/^\d{4}-\d{2}-\d{2}$/.test(iso)) return null;
      const date = new Date(`${iso}T00:00:00Z`);
      return !Number.isNaN(date.getTime()) && date.toISOString().startsWith(iso) ? iso : null;
    }
    case "boolean": {
      const lower = value.toLowerCase();
      return TRUE_WORDS.has(lower) ? "true" : FALSE_WORDS.has(lower) ? "false" : null;
    }
  }
}

/** Splits "Ola Nordmann" into first and last name: the last word is the last name. */
function splitName(full: string): { firstName?: string; lastName?: string } {
  const words = full.split(/\s+/);
  if (words.length === 1) return { lastName: words[0]! };
  return { firstName: words.slice(0, -1).join(" "), lastName: words[words.length - 1]! };
}

const COMPANY_KEYS: Record<CompanyField, keyof CompanyValues> = {
  "company.name": "name",
  "company.orgNumber": "orgNumber",
  "company.street": "street",
  "company.postcode": "postcode",
  "company.city": "city",
  "company.country": "country",
  "company.domain": "domain",
};

/** Checks one data row against the mapping. A row whose cells are all blank is `blank`, not invalid. */
export function checkRow(rules: RowRules, row: number, cells: string[]): RowOutcome {
  const issues: RowIssue[] = [];
  const person: PersonValues = {};
  const company: Partial<CompanyValues> = {};
  const custom = new Map<number, string>();
  let interests: string[] = [];
  let email = "";
  let fullName = "";
  let firstCompanyColumn: { column: string; value: string } | null = null;
  let anyCell = false;
  for (const cell of cells) if (cellText(cell) !== "") anyCell = true;
  if (!anyCell) return { kind: "blank" };

  const key = rules.key ?? "email";
  let keyColumn: string = key;
  for (const use of rules.columns) {
    if (!use.field) continue;
    const value = cellText(cells[use.index]);
    if (use.field === key) keyColumn = use.column;
    if (value === "") continue;
    const fail = (kind: RowIssueKind, reason: string, limit?: number) =>
      issues.push({
        row,
        column: use.column,
        value: value.slice(0, 200),
        kind,
        ...(limit !== undefined ? { limit } : {}),
        reason,
      });
    // PostgreSQL text cannot hold NUL at all (SQLite would keep it): invalid on both, so a dry run says so.
    // The issue shows each NUL as U+FFFD, so the report itself can be stored and shown anywhere.
    if (value.includes("\u0000")) {
      issues.push({
        row,
        column: use.column,
        value: value.slice(0, 200).replaceAll("\u0000", "\ufffd"),
        kind: "nul-character",
        reason: "holds a NUL character (code 0), which cannot be stored",
      });
      continue;
    }
    const max = MAX_LENGTH[use.field];
    if (max !== undefined && value.length > max) {
      fail("too-long", `longer than ${max} characters`, max);
      continue;
    }
    switch (use.field) {
      case "email":
        if (/[\s,;]/.test(value) && value.split(/[\s,;]+/).filter(Boolean).length > 1)
          fail("several-emails", "holds more than one e-mail address; import one address per row");
        else if (!isValidEmail(value)) fail("invalid-email", "is not a valid e-mail address");
        else email = value;
        break;
      case "name":
        fullName = value.replace(/\s+/g, " ");
        break;
      case "firstName":
      case "middleName":
      case "lastName":
      case "title":
      case "mrmrs":
        person[use.field] = value;
        break;
      case "mobile": {
        const e164 = toMobileE164(value, rules.defaultCountry);
        if (e164) person.mobile = e164;
        else fail("invalid-mobile", "is not a valid mobile number");
        break;
      }
      case "phone": {
        const e164 = toE164(value, rules.defaultCountry);
        if (e164) person.phone = e164;
        else fail("invalid-phone", "is not a valid phone number");
        break;
      }
      case "language": {
        const code = languageCode(value);
        if (code) person.language = code;
        else fail("invalid-language", "is not a language such as nb, en or norsk");
        break;
      }
      case "interests": {
        const names = value
          .split(/[,;|]/)
          .map((n) => n.trim())
          .filter((n) => n !== "");
        const tooLong = names.find((n) => n.length > MAX_INTEREST);
        if (tooLong)
          fail(
            "interest-too-long",
            `the interest "${tooLong.slice(0, 40)}…" is longer than ${MAX_INTEREST} characters`,
            MAX_INTEREST,
          );
        else interests = [...new Map(names.map((n) => [n.toLowerCase(), n])).values()];
        break;
      }
      default:
        if (use.field.startsWith("company.")) {
          const key = COMPANY_KEYS[use.field as CompanyField];
          company[key] = use.field === "company.orgNumber" ? value.replace(/\s/g, "") : value;
          firstCompanyColumn ??= { column: use.column, value };
        } else {
          const key = use.field.slice("custom.".length);
          const field = rules.customFields.find((f) => f.key === key);
          if (!field) break;
          if (value.length > MAX_CUSTOM) {
            fail("too-long", `longer than ${MAX_CUSTOM} characters`, MAX_CUSTOM);
            break;
          }
          const normal = customValue(field.type, value);
          if (normal === null)
            fail(
              ...((field.type === "date"
                ? ["invalid-date", "is not a date (YYYY-MM-DD or DD.MM.YYYY)"]
                : field.type === "number"
                  ? ["invalid-number", "is not a number"]
                  : ["invalid-yes-no", "is not yes or no (ja/nei, true/false)"]) as [RowIssueKind, string]),
            );
          else custom.set(field.id, normal);
        }
    }
  }
  const keyValue = key === "email" ? email : (person.mobile ?? "");
  if (keyValue === "" && !issues.some((i) => i.column === keyColumn))
    issues.push({
      row,
      column: keyColumn,
      value: "",
      kind: key === "email" ? "missing-email" : "missing-mobile",
      reason:
        key === "email"
          ? "is blank; every imported person needs an e-mail address"
          : "is blank; every recipient of an SMS mailing needs a mobile number",
    });
  if (firstCompanyColumn && company.name === undefined)
    issues.push({
      row,
      column: firstCompanyColumn.column,
      value: firstCompanyColumn.value.slice(0, 200),
      kind: "company-without-name",
      reason: "company details need the company's name in the same row",
    });
  if (issues.length > 0) return { kind: "invalid", issues };
  if (fullName !== "") {
    const split = splitName(fullName);
    person.firstName ??= split.firstName;
    person.lastName ??= split.lastName;
    if (person.firstName === undefined) delete person.firstName;
  }
  return {
    kind: "valid",
    record: {
      row,
      email,
      emailLower: email.toLowerCase(),
      person,
      interests,
      company: company.name !== undefined ? (company as CompanyValues) : null,
      custom,
    },
  };
}

/** Folds a later row for the same e-mail into an earlier one: its non-blank cells win, interests add up. */
export function mergeRecords(into: ImportRecord, later: ImportRecord): void {
  Object.assign(into.person, later.person);
  const names = new Map([...into.interests, ...later.interests].map((n) => [n.toLowerCase(), n]));
  into.interests = [...names.values()];
  if (later.company) into.company = into.company ? { ...into.company, ...later.company } : later.company;
  for (const [id, value] of later.custom) into.custom.set(id, value);
}
