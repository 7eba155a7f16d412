// What the person and recipient imports share: the report's common part and the walk over a file's rows that fills
// it (blank rows skipped, invalid ones counted and listed, repeats of an address found).
import type { ColumnUse, Field } from "./mapping.ts";
import { checkRow, type ImportRecord, type RowIssue, type RowRules } from "./rows.ts";
import type { SeenEmails } from "./seen-emails.ts";
import type { ImportFormat, TableSource } from "./source.ts";

export type ReportBase = {
  dryRun: boolean;
  file: { format: ImportFormat; encoding: string | null; delimiter: string | null; bytes: number };
  columns: Array<{ column: string; field: Field | null; guessed: boolean }>;
  /** Data rows read (blank rows not counted). */
  rows: number;
  valid: number;
  invalid: number;
  /** Rows repeating an address an earlier row had (what becomes of them is each import's own). */
  duplicatesInFile: number;
  issues: RowIssue[];
  /** `mobile` is set when rows are told apart by mobile number (an SMS mailing's recipients); `email` may be "". */
  duplicates: Array<{ row: number; email: string; mobile?: string; firstRow: number }>;
  matches: Array<{ row: number; email: string; mobile?: string; personId: number }>;
  /** How many issues, duplicates and matches were left out of the lists above (see `listLimit`). */
  notListed: { issues: number; duplicates: number; matches: number };
};

export function emptyReportBase(dryRun: boolean, source: TableSource, columns: ColumnUse[]): ReportBase {
  return {
    dryRun,
    file: {
      format: source.format,
      encoding: source.encoding,
      delimiter: source.delimiter,
      bytes: source.totalBytes,
    },
    columns: columns.map(({ column, field, guessed }) => ({ column, field, guessed })),
    rows: 0,
    valid: 0,
    invalid: 0,
    duplicatesInFile: 0,
    issues: [],
    duplicates: [],
    matches: [],
    notListed: { issues: 0, duplicates: 0, matches: 0 },
  };
}

/** Adds to a report's list while it is shorter than `limit`; past that only counts what was left out. */
export function listed<T>(
  list: T[],
  item: T,
  notListed: ReportBase["notListed"],
  key: keyof ReportBase["notListed"],
  limit: number,
): void {
  if (list.length < limit) list.push(item);
  else notListed[key]++;
}

/**
 * Checks each row of the file, counting it in the report, and yields the valid ones with the row that first had their
 * address (null for the first). Blank rows are skipped; invalid rows are counted and their issues listed.
 */
export async function* checkedRecords(
  source: TableSource,
  rules: RowRules,
  report: ReportBase,
  seen: SeenEmails,
  listLimit: number,
): AsyncGenerator<{ record: ImportRecord; firstRow: number | null }> {
  for await (const { row, cells } of source.rows) {
    const outcome = checkRow(rules, row, cells);
    if (outcome.kind === "blank") continue;
    report.rows++;
    if (outcome.kind === "invalid") {
      report.invalid++;
      for (const issue of outcome.issues) listed(report.issues, issue, report.notListed, "issues", listLimit);
      continue;
    }
    report.valid++;
    const { record } = outcome;
    const byMobile = rules.key === "mobile";
    const firstRow = seen.firstRow(byMobile ? record.person.mobile! : record.emailLower, row);
    if (firstRow !== null) {
      report.duplicatesInFile++;
      listed(
        report.duplicates,
        { row, email: record.email, ...(byMobile ? { mobile: record.person.mobile! } : {}), firstRow },
        report.notListed,
        "duplicates",
        listLimit,
      );
    }
    yield { record, firstRow };
  }
}
