// Exports persons (all, or a selection's members) as CSV or XLSX, streamed page by page; cells cannot smuggle formulas.
import { once } from "node:events";
import { PassThrough, Readable } from "node:stream";
import { stringify } from "csv-stringify";
import ExcelJS from "exceljs";
import type { Expression } from "kysely";
import type { Db } from "../db/connect.ts";
import { selectionPersonIds } from "../selections/compile.ts";
import { neutralise } from "../shared/spreadsheet-cells.ts";

export { neutralise };

export type ExportFormat = "csv" | "xlsx";
export type ExportOptions = {
  format: ExportFormat;
  selectionId?: number | null;
  delimiter?: "," | ";";
  pageSize?: number;
};

export const CONTENT_TYPES: Record<ExportFormat, string> = {
  csv: "text/csv; charset=utf-8",
  xlsx: "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
};

/** Headers the import's guesses map back to the same fields (custom fields by label). */
const FIXED_HEADERS = [
  "ID",
  "E-mail",
  "First name",
  "Middle name",
  "Last name",
  "Title",
  "Mr/Ms",
  "Mobile",
  "Phone",
  "Language",
  "Company",
  "Org number",
  "Interests",
  "Former employee",
];
const TRAILING_HEADERS = ["Created", "Updated"];

type PageRow = {
  id: number;
  email: string | null;
  first_name: string | null;
  middle_name: string | null;
  last_name: string | null;
  title: string | null;
  mrmrs: string | null;
  mobile: string | null;
  phone: string | null;
  language: string | null;
  company_name: string | null;
  org_number: string | null;
  former_employee: number;
  created_at: string;
  updated_at: string;
};

async function* personRows(
  db: Db,
  restrictTo: Expression<number> | null,
  fields: Array<{ id: number }>,
  pageSize: number,
): AsyncGenerator<string[]> {
  let after = 0;
  for (;;) {
    let query = db
      .selectFrom("persons as p")
      .leftJoin("companies as c", "c.id", "p.company_id")
      .leftJoin("person_emails as e", (join) =>
        join.onRef("e.person_id", "=", "p.id").on("e.is_primary", "=", 1),
      )
      .select([
        "p.id",
        "e.address as email",
        "p.first_name",
        "p.middle_name",
        "p.last_name",
        "p.title",
        "p.mrmrs",
        "p.mobile",
        "p.phone",
        "p.language",
        "c.name as company_name",
        "c.org_number",
        "p.former_employee",
        "p.created_at",
        "p.updated_at",
      ])
      .where("p.id", ">", after)
      .orderBy("p.id")
      .limit(pageSize);
    if (restrictTo) query = query.where("p.id", "in", restrictTo);
    const page: PageRow[] = await query.execute();
    if (page.length === 0) return;
    const ids = page.map((p) => p.id);
    const [interests, custom] = await Promise.all([
      db
        .selectFrom("person_interests as pi")
        .innerJoin("interests as i", "i.id", "pi.interest_id")
        .select(["pi.person_id", "i.name"])
        .where("pi.person_id", "in", ids)
        .orderBy("i.name_lower")
        .execute(),
      fields.length === 0
        ? Promise.resolve([])
        : db
            .selectFrom("person_custom_values")
            .select(["person_id", "field_id", "value"])
            .where("person_id", "in", ids)
            .execute(),
    ]);
    const interestsOf = new Map<number, string[]>();
    for (const row of interests)
      interestsOf.set(row.person_id, [...(interestsOf.get(row.person_id) ?? []), row.name]);
    const customOf = new Map<string, string>(custom.map((c) => [`${c.person_id}:${c.field_id}`, c.value]));
    for (const p of page) {
      yield [
        String(p.id),
        p.email ?? "",
        p.first_name ?? "",
        p.middle_name ?? "",
        p.last_name ?? "",
        p.title ?? "",
        p.mrmrs ?? "",
        p.mobile ?? "",
        p.phone ?? "",
        p.language ?? "",
        p.company_name ?? "",
        p.org_number ?? "",
        (interestsOf.get(p.id) ?? []).join(", "),
        p.former_employee === 1 ? "yes" : "no",
        ...fields.map((f) => customOf.get(`${p.id}:${f.id}`) ?? ""),
        p.created_at,
        p.updated_at,
      ].map(neutralise);
    }
    after = page[page.length - 1]!.id;
  }
}

/**
 * The export as a byte stream. A missing selection fails here, before the first byte, so an HTTP caller still
 * gets a proper error; a failure later ends the stream with that error.
 */
export async function exportPersons(db: Db, options: ExportOptions): Promise<Readable> {
  const restrictTo = options.selectionId ? await selectionPersonIds(db, options.selectionId) : null;
  const fields = await db.selectFrom("custom_fields").select(["id", "label"]).orderBy("id").execute();
  const headers = [...FIXED_HEADERS, ...fields.map((f) => f.label), ...TRAILING_HEADERS].map(neutralise);
  const rows = personRows(db, restrictTo, fields, options.pageSize ?? 1000);
  return tableStream(options.format, headers, rows, { delimiter: options.delimiter, sheetName: "Persons" });
}

/**
 * Any table as a CSV or XLSX byte stream. The caller neutralises the cells (see `neutralise`); rows are pulled as
 * the reader takes them.
 */
export function tableStream(
  format: ExportFormat,
  headers: string[],
  rows: AsyncIterable<string[]>,
  options: { delimiter?: "," | ";" | undefined; sheetName: string },
): Readable {
  if (format === "csv") {
    // A BOM makes Excel read the file as UTF-8 (æ ø å intact).
    const csv = stringify({ bom: true, delimiter: options.delimiter ?? ",", record_delimiter: "windows" });
    const source = Readable.from(
      (async function* () {
        yield headers;
        yield* rows;
      })(),
    );
    source.on("error", (error) => csv.destroy(error));
    return source.pipe(csv);
  }
  const out = new PassThrough();
  void writeXlsx(out, headers, rows, options.sheetName).catch((error: Error) => out.destroy(error));
  return out;
}

async function writeXlsx(
  out: PassThrough,
  headers: string[],
  rows: AsyncIterable<string[]>,
  sheetName: string,
): Promise<void> {
  const workbook = new ExcelJS.stream.xlsx.WorkbookWriter({
    stream: out,
    useStyles: false,
    useSharedStrings: false,
  });
  const sheet = workbook.addWorksheet(sheetName);
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
