// Importing a mailing's recipients from CSV or XLSX (SPEC §4): the person import's reader, mapping and row rules;
// rows are stored with the mailing, not in the CRM. A row whose address a CRM person has is linked to that person
// when the list is resolved; the others stay import-only recipients carrying the importer's consent confirmation.
import { setImmediate as yieldToEventLoop } from "node:timers/promises";
import type { Db, Dialect } from "../db/connect.ts";
import {
  beginImport,
  completeImport,
  discardImport,
  lookUpAddresses,
  lookUpMobiles,
  type StoredRecipientRow,
  storeRows,
} from "../mailings/recipient-rows.ts";
import { resolveRecipients } from "../mailings/recipients.ts";
import { requireEditable } from "../mailings/store.ts";
import { AppError, invalid } from "../shared/errors.ts";
import { type ImportProgress, openMappedTable } from "./import-persons.ts";
import type { ColumnUse, CustomFieldInfo, RecordKey } from "./mapping.ts";
import { getMapping } from "./mappings.ts";
import { checkedRecords, emptyReportBase, listed, type ReportBase } from "./report.ts";
import type { ImportRecord } from "./rows.ts";
import { SeenEmails } from "./seen-emails.ts";
import {
  DEFAULT_LIMITS,
  type ImportFormat,
  type ImportInput,
  type ReadLimits,
  type TableSource,
} from "./source.ts";
import { customFields } from "./store.ts";

export type RecipientImportOptions = {
  dryRun?: boolean;
  /** Refuse the whole file (IMPORT_ROWS_INVALID, nothing kept) when any row is invalid; else invalid rows are skipped. */
  allOrNothing?: boolean;
  /** The importer confirms that the people in the file consented to marketing; required unless a dry run. */
  consentConfirmed?: boolean;
  /** Where that consent comes from, kept with the import. */
  consentSource?: string | null;
  fileName?: string | null;
  map?: Record<string, string>;
  mappingId?: number | null;
  format?: ImportFormat;
  userId?: number | null;
  defaultCountry: string;
  batchSize?: number;
  limits?: Partial<ReadLimits>;
  listLimit?: number;
  onProgress?: (progress: ImportProgress) => void;
};

/** `duplicatesInFile` counts rows left out for repeating an address (the first row is the recipient). */
export type RecipientImportReport = ReportBase & {
  /** Recipients whose address belongs to a CRM person: that person's consent and unsubscribes apply. */
  linked: number;
  /** Recipients not in the CRM: only the file's values (name, e-mail, …) are known about them. */
  importOnly: number;
  /** Recipients whose address is blocked (bounces, complaint, unsubscribed without a CRM record): listed as blocked. */
  blockedAddresses: number;
  /** The mailing source the rows became (null in a dry run). */
  sourceId: number | null;
};

const DEFAULT_BATCH = 2_000;
const DEFAULT_LIST_LIMIT = 10_000;

/** The values a recipient keeps, named as merge fields (`customer.firstname`, `customer.<custom key>` …). */
export function recipientValues(record: ImportRecord, keyOf: Map<number, string>): StoredRecipientRow {
  const p = record.person;
  const name = [p.firstName, p.middleName, p.lastName].filter(Boolean).join(" ");
  const fields: Record<string, string> = {};
  const put = (key: string, value: string | undefined) => {
    if (value !== undefined && value !== "") fields[key] = value;
  };
  put("firstname", p.firstName);
  put("middlename", p.middleName);
  put("lastname", p.lastName);
  put("title", p.title);
  put("mrmrs", p.mrmrs);
  put("phone", p.phone);
  put("language", p.language);
  put("company", record.company?.name);
  for (const [id, value] of record.custom) put(keyOf.get(id) ?? `field${id}`, value);
  return {
    row: record.row,
    email: record.email,
    emailLower: record.emailLower,
    name: name === "" ? null : name,
    mobile: p.mobile ?? null,
    fields: Object.keys(fields).length > 0 ? fields : null,
  };
}

/**
 * Imports a file as recipients of a draft (or scheduled) mailing. A dry run reads and checks everything and writes
 * nothing. A real run stores the rows in batches and adds them as one source only after the last row is stored and
 * the file was read to its end, so a broken file or a crash leaves the mailing as it was.
 */
export async function importRecipients(
  handle: { db: Db; dialect: Dialect },
  mailingId: number,
  input: ImportInput,
  options: RecipientImportOptions,
): Promise<RecipientImportReport> {
  const { db } = handle;
  const mailing = await requireEditable(db, mailingId);
  const dryRun = options.dryRun === true;
  if (mailing.type === "document")
    throw invalid([
      {
        field: "mailingId",
        message: "document mailings cannot take imported recipients",
        kind: "wrong-mailing-type",
      },
    ]);
  const consentSource = options.consentSource?.trim() || null;
  if (!dryRun && options.consentConfirmed !== true)
    throw invalid([
      {
        field: "consentConfirmed",
        message: "confirm that the people in the file consented to marketing",
        kind: "needs-confirmation",
      },
    ]);
  if (consentSource && consentSource.length > 500)
    throw invalid([
      { field: "source", message: "longer than 500 characters", kind: "maxLength", params: { limit: 500 } },
    ]);
  const saved = options.mappingId ? (await getMapping(db, options.mappingId)).columns : {};
  const fields: CustomFieldInfo[] = await customFields(db);
  const keyOf = new Map(fields.map((f) => [f.id, f.key]));
  const limits = { ...DEFAULT_LIMITS, ...options.limits };
  const batchSize = Math.max(1, options.batchSize ?? DEFAULT_BATCH);
  const listLimit = options.listLimit ?? DEFAULT_LIST_LIMIT;

  // An SMS goes to a mobile number: its rows need one and are told apart by it; the e-mail column is optional.
  const key: RecordKey = mailing.type === "sms" ? "mobile" : "email";
  const { source, columns } = await openMappedTable(
    input,
    limits,
    options.format,
    { ...saved, ...options.map },
    fields,
    key,
  );
  const report = emptyReport(dryRun, source, columns);
  const rules = { columns, customFields: fields, defaultCountry: options.defaultCountry, key };
  const importId = dryRun
    ? null
    : await beginImport(db, {
        mailingId,
        fileName: options.fileName?.trim().slice(0, 200) || null,
        format: source.format,
        consentSource,
        userId: options.userId ?? null,
      });
  const seen = new SeenEmails();
  let batch: StoredRecipientRow[] = [];
  const progress = () =>
    options.onProgress?.({
      phase: dryRun ? "checking" : "writing",
      rows: report.rows,
      // One pass: the total is known only at the end.
      totalRows: null,
      bytes: source.bytesRead(),
      totalBytes: source.totalBytes,
    });
  const flush = async () => {
    if (batch.length === 0) return;
    const rows = batch;
    batch = [];
    // What tells a row apart: its mobile number for an SMS mailing, else its address.
    const identity = (r: StoredRecipientRow) => (key === "mobile" ? r.mobile! : r.emailLower);
    const { personOf, blocked } = await (key === "mobile" ? lookUpMobiles : lookUpAddresses)(
      db,
      rows.map(identity),
    );
    for (const row of rows) {
      const personId = personOf.get(identity(row));
      if (personId === undefined) report.importOnly++;
      else {
        report.linked++;
        listed(
          report.matches,
          { row: row.row, email: row.email, ...(key === "mobile" ? { mobile: row.mobile! } : {}), personId },
          report.notListed,
          "matches",
          listLimit,
        );
      }
      if (blocked.has(identity(row))) report.blockedAddresses++;
    }
    // All-or-nothing stops writing at the first invalid row but reads on, so the report lists every invalid row.
    const writing = importId !== null && !(options.allOrNothing && report.invalid > 0);
    if (writing) await storeRows(handle, importId, rows);
    progress();
    await yieldToEventLoop();
  };

  try {
    try {
      for await (const { record, firstRow } of checkedRecords(source, rules, report, seen, listLimit)) {
        if (firstRow !== null) continue;
        batch.push(recipientValues(record, keyOf));
        if (batch.length >= batchSize) await flush();
      }
      await flush();
    } finally {
      source.close();
    }
    progress();
    if (importId === null) return report;
    if (options.allOrNothing && report.invalid > 0)
      throw new AppError(
        "IMPORT_ROWS_INVALID",
        `${report.invalid} of ${report.rows} rows are invalid; nothing was imported (all-or-nothing)`,
        { report: { ...report, dryRun: true } },
      );
    report.sourceId = await completeImport(db, mailingId, importId, report.linked + report.importOnly);
  } catch (error) {
    if (importId !== null && report.sourceId === null) await discardImport(db, importId);
    throw error;
  }
  await resolveRecipients(db, mailingId);
  return report;
}

function emptyReport(dryRun: boolean, source: TableSource, columns: ColumnUse[]): RecipientImportReport {
  return {
    ...emptyReportBase(dryRun, source, columns),
    linked: 0,
    importOnly: 0,
    blockedAddresses: 0,
    sourceId: null,
  };
}
