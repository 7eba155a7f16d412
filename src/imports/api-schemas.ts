// The import reports' shapes (person import and recipients from a file) as TypeBox schemas: the routes validate and
// serialize with them and the web UI takes its types from them (type-only imports), so this file imports only
// typebox and shared/schemas.ts.
import Type, { type Static } from "typebox";
import { literals, Nullable } from "../shared/schemas.ts";

/** What is wrong with a cell, as a word a client can say in its own language (the web UI: imports.rowIssues.<kind>). */
export const ROW_ISSUE_KINDS = [
  "too-long",
  "several-emails",
  "invalid-email",
  "invalid-mobile",
  "invalid-phone",
  "invalid-language",
  "interest-too-long",
  "invalid-date",
  "invalid-number",
  "invalid-yes-no",
  "missing-email",
  "missing-mobile",
  "company-without-name",
  "nul-character",
] as const;
export type RowIssueKind = (typeof ROW_ISSUE_KINDS)[number];

/** The parts both reports have: the file as read, its columns, and the counts of rows. */
const Row = Type.Integer({ description: "row as the spreadsheet numbers it: the header is row 1" });

const reportFileFields = {
  dryRun: Type.Boolean(),
  file: Type.Object({
    format: literals(["csv", "xlsx"] as const),
    encoding: Nullable(Type.String()),
    delimiter: Nullable(Type.String()),
    bytes: Type.Integer(),
  }),
  columns: Type.Array(
    Type.Object({ column: Type.String(), field: Nullable(Type.String()), guessed: Type.Boolean() }),
  ),
  rows: Type.Integer(),
  valid: Type.Integer(),
  invalid: Type.Integer(),
  duplicatesInFile: Type.Integer(),
};

/** The rows listed by what was wrong or found, at most a few hundred of each. */
const reportListFields = {
  issues: Type.Array(
    Type.Object({
      row: Row,
      column: Type.String(),
      value: Type.String(),
      kind: literals(ROW_ISSUE_KINDS, {
        description: "What is wrong, for a client to say in its own language",
      }),
      limit: Type.Optional(
        Type.Integer({ description: "too-long, interest-too-long: the most characters allowed" }),
      ),
      reason: Type.String({ description: "The same in English" }),
    }),
  ),
  duplicates: Type.Array(
    Type.Object({
      row: Row,
      email: Type.String({ description: '"" when an SMS recipient row has no e-mail' }),
      mobile: Type.Optional(
        Type.String({ description: "SMS recipients: the number rows are told apart by" }),
      ),
      firstRow: Row,
    }),
  ),
  matches: Type.Array(
    Type.Object({
      row: Row,
      email: Type.String(),
      mobile: Type.Optional(Type.String()),
      personId: Type.Integer(),
    }),
  ),
  notListed: Type.Object({ issues: Type.Integer(), duplicates: Type.Integer(), matches: Type.Integer() }),
};

export const PersonImportReportSchema = Type.Object({
  ...reportFileFields,
  created: Type.Integer(),
  updated: Type.Integer(),
  companiesCreated: Type.Integer(),
  consentRecorded: Type.Integer(),
  consentWithdrawnKept: Type.Integer(),
  consentSuppressedKept: Type.Integer(),
  addedToSelection: Type.Integer(),
  ...reportListFields,
});

export const RecipientImportReportSchema = Type.Object({
  ...reportFileFields,
  linked: Type.Integer({ description: "rows whose address belongs to a CRM person (linked to that person)" }),
  importOnly: Type.Integer({ description: "rows not in the CRM: import-only recipients" }),
  blockedAddresses: Type.Integer(),
  sourceId: Nullable(Type.Integer()),
  ...reportListFields,
});

export type PersonImportReport = Static<typeof PersonImportReportSchema>;
export type RecipientImportReport = Static<typeof RecipientImportReportSchema>;
export type ImportIssue = PersonImportReport["issues"][number];
