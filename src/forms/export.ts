// A form's submissions as CSV or XLSX, streamed page by page: one column per field of the latest version (earlier
// versions' answers fill the columns whose keys they share), then status and time. Cells cannot smuggle formulas.
import { once } from "node:events";
import { PassThrough, Readable } from "node:stream";
import { stringify } from "csv-stringify";
import ExcelJS from "exceljs";
import type { Db } from "../db/connect.ts";
import { neutralise } from "../shared/spreadsheet-cells.ts";
import type { FormAnswers, FormField } from "./definition.ts";
import type { FormLanguage } from "./rules.ts";
import { getForm } from "./store.ts";

export type SubmissionExportFormat = "csv" | "xlsx";
export const EXPORT_CONTENT_TYPES: Record<SubmissionExportFormat, string> = {
  csv: "text/csv; charset=utf-8",
  xlsx: "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
};
const PAGE = 500;

const cell = (value: string | string[] | undefined) =>
  neutralise(Array.isArray(value) ? value.join(", ") : (value ?? ""));

function headerOf(field: FormField, language: FormLanguage): string {
  return field.label[language] || field.key;
}

async function* rowsOf(db: Db, formId: number, fields: FormField[]): AsyncGenerator<string[]> {
  let after = 0;
  for (;;) {
    const page = await db
      .selectFrom("form_submissions")
      .select(["id", "answers", "status", "submitted_at"])
      .where("form_id", "=", formId)
      .where("id", ">", after)
      .orderBy("id")
      .limit(PAGE)
      .execute();
    if (page.length === 0) return;
    for (const row of page) {
      const answers = JSON.parse(row.answers) as FormAnswers;
      yield [...fields.map((f) => cell(answers[f.key])), row.status, row.submitted_at];
    }
    after = page[page.length - 1]!.id;
  }
}

/**
 * The export as a byte stream; a missing form fails before the first byte. `rows` is the number of submissions when
 * the export starts, for the audit log (one arriving while it streams may be in the file too).
 */
export async function exportSubmissions(
  db: Db,
  formId: number,
  format: SubmissionExportFormat,
): Promise<{ stream: Readable; slug: string; name: string; rows: number }> {
  const form = await getForm(db, formId);
  const counted = await db
    .selectFrom("form_submissions")
    .select((eb) => eb.fn.countAll<number | string>().as("n"))
    .where("form_id", "=", formId)
    .executeTakeFirstOrThrow();
  const about = { slug: form.slug, name: form.name, rows: Number(counted.n) };
  const latest = await db
    .selectFrom("form_versions")
    .select("definition")
    .where("form_id", "=", formId)
    .orderBy("version", "desc")
    .limit(1)
    .executeTakeFirst();
  const fields = latest
    ? (JSON.parse(latest.definition) as { fields: FormField[] }).fields
    : form.definition.fields;
  const trailing = form.language === "nb" ? ["Status", "Sendt inn"] : ["Status", "Submitted at"];
  const headers = [...fields.map((f) => neutralise(headerOf(f, form.language))), ...trailing];
  const rows = rowsOf(db, formId, fields);
  if (format === "csv") {
    // A BOM makes Excel read the file as UTF-8 (æ ø å intact).
    const csv = stringify({ bom: true, record_delimiter: "windows" });
    const source = Readable.from(
      (async function* () {
        yield headers;
        yield* rows;
      })(),
    );
    source.on("error", (error) => csv.destroy(error));
    return { stream: source.pipe(csv), ...about };
  }
  const out = new PassThrough();
  void writeXlsx(out, headers, rows).catch((error: Error) => out.destroy(error));
  return { stream: out, ...about };
}

async function writeXlsx(out: PassThrough, headers: string[], rows: AsyncIterable<string[]>): Promise<void> {
  const workbook = new ExcelJS.stream.xlsx.WorkbookWriter({
    stream: out,
    useStyles: false,
    useSharedStrings: false,
  });
  const sheet = workbook.addWorksheet("Submissions");
  sheet.addRow(headers).commit();
  for await (const row of rows) {
    sheet.addRow(row).commit();
    // The writer has no backpressure of its own: wait while the reader is behind (or gone).
    if (out.writableNeedDrain) await Promise.race([once(out, "drain"), once(out, "close")]);
    if (out.destroyed) return;
  }
  sheet.commit();
  await workbook.commit();
}
