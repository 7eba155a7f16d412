// Importing persons from CSV or XLSX: a checked read of the whole file first, then batched writes, and one report.
import { setImmediate as yieldToEventLoop } from "node:timers/promises";
import type { Db, Dialect } from "../db/connect.ts";
import { openPgSession, type PgSession } from "../db/pg-copy.ts";
import { LEGAL_BASES } from "../persons/person-rules.ts";
import { suppressionKey } from "../privacy/suppression.ts";
import { AppError, type FieldProblem, invalid } from "../shared/errors.ts";
import type { KnownCompany } from "./company-match.ts";
import { type ColumnUse, type CustomFieldInfo, type RecordKey, resolveMapping } from "./mapping.ts";
import { getMapping } from "./mappings.ts";
import { openCsv } from "./read-csv.ts";
import { openXlsx } from "./read-xlsx.ts";
import { checkedRecords, emptyReportBase, listed, type ReportBase } from "./report.ts";
import { type ImportRecord, mergeRecords } from "./rows.ts";
import { SeenEmails } from "./seen-emails.ts";
import {
  DEFAULT_LIMITS,
  type ImportFormat,
  type ImportInput,
  leadingBytes,
  type ReadLimits,
  sniffFormat,
  type TableSource,
} from "./source.ts";
import {
  type Attestation,
  type BatchContext,
  type BatchGate,
  type BatchRecord,
  type BatchResult,
  customFields,
  eMarketingPurposeId,
  lockImports,
  previewBatch,
  refreshStatistics,
  requireStaticSelection,
  touchSelection,
  unlockImports,
  writeBatch,
} from "./store.ts";

export type ImportProgress = {
  /** `checking`: reading the whole file before anything is written; `writing`: the batches being written. */
  phase: "checking" | "writing";
  rows: number;
  /** The file's rows, once a first pass has counted them (while writing); null while they are being counted. */
  totalRows: number | null;
  bytes: number;
  totalBytes: number;
};

export type ImportOptions = {
  dryRun?: boolean;
  /** Refuse the whole file (IMPORT_ROWS_INVALID, nothing written) when any row is invalid; else invalid rows are skipped. */
  allOrNothing?: boolean;
  /** `newConsent`: the file records consent given anew, which alone brings back addresses on the suppression list. */
  attestation: { legalBasis: string; source: string; newConsent?: boolean };
  selectionId?: number | null;
  /** Column name → field; wins over a saved mapping and over header guesses. */
  map?: Record<string, string>;
  mappingId?: number | null;
  format?: ImportFormat;
  userId?: number | null;
  defaultCountry: string;
  batchSize?: number;
  limits?: Partial<ReadLimits>;
  /** How many issues, duplicates and matches the report lists (the counts are always complete). */
  listLimit?: number;
  onProgress?: (progress: ImportProgress) => void;
};

/** `duplicatesInFile` counts rows merged into the person of the row that first had the address (later non-blank cells win). */
export type ImportReport = ReportBase & {
  /** Persons created (dry run: that would be created); in-file repeats of an address count once. */
  created: number;
  /** Persons already in the CRM (matched by e-mail) that were updated (dry run: would be). */
  updated: number;
  companiesCreated: number;
  consentRecorded: number;
  /** Persons whose e-marketing consent was withdrawn: the import left it withdrawn. */
  consentWithdrawnKept: number;
  /** Rows whose address is on the suppression list, without `newConsent`: no consent recorded. */
  consentSuppressedKept: number;
  addedToSelection: number;
};

// Each batch lives through several young-generation collections and is then promoted; 1,000 rows promote about
// half the garbage of 2,000 (the old generation's peak on a million-row CSV fell by 10–20 MB) at the same speed.
const DEFAULT_BATCH = 1_000;
const DEFAULT_LIST_LIMIT = 10_000;
/** Rows read between turns of the event loop while a batch is being written (PostgreSQL). */
const YIELD_EVERY = 50;
const ATTESTED_BASES = LEGAL_BASES.filter((b) => b !== "withdrawn");

function checkAttestation(options: ImportOptions): Attestation {
  const problems: FieldProblem[] = [];
  const { legalBasis } = options.attestation;
  const source = options.attestation.source.trim();
  if (!(ATTESTED_BASES as string[]).includes(legalBasis))
    problems.push({
      field: "legalBasis",
      message: `must be one of ${ATTESTED_BASES.join(", ")}`,
      kind: "enum",
      params: { values: ATTESTED_BASES.join(", ") },
    });
  if (source === "")
    problems.push({
      field: "source",
      message: 'say where the consent comes from (e.g. "sign-up list, fair 2024")',
      kind: "required",
    });
  if (source.length > 500)
    problems.push({
      field: "source",
      message: "longer than 500 characters",
      kind: "maxLength",
      params: { limit: 500 },
    });
  const newConsent = options.attestation.newConsent === true;
  if (newConsent && legalBasis !== "consent")
    problems.push({
      field: "newConsent",
      message: "new consent needs the legal basis consent",
      kind: "requires",
      params: { values: "legalBasis = consent" },
    });
  if (problems.length > 0) throw invalid(problems);
  return { legalBasis: legalBasis as Attestation["legalBasis"], source, newConsent };
}

/** Opens the file by what its bytes are: a zip sent as text/csv is still read as the workbook it is. */
export async function openTable(
  input: ImportInput,
  limits: ReadLimits,
  format?: ImportFormat,
): Promise<TableSource> {
  const detected = sniffFormat(await leadingBytes(input, 4096));
  if (format === "xlsx" && detected !== "xlsx")
    throw new AppError(
      "IMPORT_FILE_INVALID",
      "The file is not an XLSX workbook (an XLSX file is a zip archive)",
      {
        reason: "not-zip",
      },
    );
  return detected === "xlsx" ? openXlsx(input, limits) : openCsv(input, limits);
}

/** Opens the file and decides each column's field; an invalid mapping closes the file and is IMPORT_MAPPING_INVALID. */
export async function openMappedTable(
  input: ImportInput,
  limits: ReadLimits,
  format: ImportFormat | undefined,
  explicit: Record<string, string>,
  fields: CustomFieldInfo[],
  key: RecordKey = "email",
): Promise<{ source: TableSource; columns: ColumnUse[] }> {
  const source = await openTable(input, limits, format);
  const mapping = resolveMapping(source.headers, explicit, fields, key);
  if (mapping.problems.length === 0) return { source, columns: mapping.columns };
  source.close();
  throw new AppError(
    "IMPORT_MAPPING_INVALID",
    `The column mapping is invalid: ${mapping.problems.map((p) => `${p.field}: ${p.message}`).join("; ")}`,
    { fields: mapping.problems, columns: source.headers },
  );
}

/** `expectedRows`: the data rows an earlier pass counted (0 when unknown), to size the table of seen addresses once. */
type Pass = {
  write: boolean;
  phase: ImportProgress["phase"];
  expectedRows: number;
  totalRows: number | null;
};

/**
 * Imports persons. A dry run reads and checks everything and writes nothing. A real run first reads the whole file
 * (a file that cannot be read to its end is refused before anything is written; with `allOrNothing` every row is
 * checked and one invalid row refuses the file), then writes in batches of `batchSize`, one transaction each.
 */
export async function importPersons(
  handle: { db: Db; dialect: Dialect },
  input: ImportInput,
  options: ImportOptions,
): Promise<ImportReport> {
  const { db } = handle;
  const attestation = checkAttestation(options);
  const selectionId = options.selectionId ?? null;
  if (selectionId !== null) await requireStaticSelection(db, selectionId);
  const saved = options.mappingId ? (await getMapping(db, options.mappingId)).columns : {};
  const explicit = { ...saved, ...options.map };
  const fields = await customFields(db);
  const context: BatchContext = {
    purposeId: await eMarketingPurposeId(db),
    attestation,
    userId: options.userId ?? null,
    selectionId,
    customFieldIds: new Set(fields.map((f) => f.id)),
    suppressionKey: await suppressionKey(db),
  };
  const limits = { ...DEFAULT_LIMITS, ...options.limits };
  const batchSize = Math.max(1, options.batchSize ?? DEFAULT_BATCH);
  const listLimit = options.listLimit ?? DEFAULT_LIST_LIMIT;
  let last: ImportProgress | null = null;
  const progressOf = (
    source: TableSource,
    phase: ImportProgress["phase"],
    rows: number,
    totalRows: number | null = null,
  ) => {
    const now = { phase, rows, totalRows, bytes: source.bytesRead(), totalBytes: source.totalBytes };
    if (last && last.phase === phase && last.rows === rows && last.bytes === now.bytes) return;
    last = now;
    options.onProgress?.(now);
  };

  const open = () => openMappedTable(input, limits, options.format, explicit, fields);

  async function run(source: TableSource, columns: ColumnUse[], pass: Pass): Promise<ImportReport> {
    const report = emptyReport(!pass.write, source, columns);
    const rules = { columns, customFields: fields, defaultCountry: options.defaultCountry };
    const seen = new SeenEmails(pass.expectedRows);
    let batch: ImportRecord[] = [];
    let repeats = new Map<ImportRecord, number>();
    const plannedCompanies: KnownCompany[] = [];
    // Statistics are refreshed at the start and each time the persons created by this pass double.
    let analyzeAt = pass.write ? 10_000 : Number.POSITIVE_INFINITY;
    await refreshStatistics(handle);
    // PostgreSQL writes on two connections held for the pass, so that the server works on two cores: a batch is
    // written beside the one before it (see `gated`), and batches commit in file order. Each commit waits for the
    // disk: a batch the report counts as imported survives a crash of the database server too.
    const sessions: PgSession[] = [];
    let older: Written | null = null;
    let newest: Written | null = null;
    let turn = 0;
    // Refreshing statistics runs beside the writing, one at a time; the pass waits for it only at its end.
    let analyzing: Promise<void> = Promise.resolve();
    const flush = async () => {
      if (batch.length === 0) return;
      const records = mergeWithinBatch(batch, repeats);
      batch = [];
      repeats = new Map();
      // The rows up to this batch's end: with a batch in flight the reader is further on when it is written.
      const rowsDone = report.rows;
      const counted = (result: BatchResult) => {
        addResult(report, result, listLimit);
        if (report.created >= analyzeAt) {
          analyzeAt = report.created * 2;
          analyzing = analyzing.then(() => refreshStatistics(handle));
        }
        progressOf(source, pass.phase, rowsDone, pass.totalRows);
      };
      if (sessions.length === 0) {
        counted(
          pass.write
            ? await writeBatch(handle, records, context)
            : await previewBatch(db, handle.dialect, records, context, plannedCompanies),
        );
        // SQLite calls and XLSX rows never leave the microtask queue; without a turn of the event loop the native
        // memory of finished statements is not released (and timers and HTTP requests would wait for the whole file).
        await yieldToEventLoop();
        return;
      }
      // At most two batches in flight: the one before the newest has committed before another starts.
      if (older) await older.settled;
      const written = gated(records, newest, sessions[turn++ % 2]!, async (session, gate) => {
        const result = await writeBatch(handle, records, context, session, gate);
        counted(result);
      });
      older = newest;
      newest = written;
      await yieldToEventLoop();
    };
    try {
      if (pass.write && handle.dialect === "postgres") {
        sessions.push(await openPgSession(db));
        await lockImports(sessions[0]!);
        sessions.push(await openPgSession(db));
      }
      for await (const { record, firstRow } of checkedRecords(source, rules, report, seen, listLimit)) {
        // A repeat goes into the batch too: it is merged into its first row's person (later non-blank cells win).
        if (firstRow !== null) repeats.set(record, firstRow);
        batch.push(record);
        if (batch.length >= batchSize) await flush();
        // Rows that are already read come as microtasks, and the connection's answers wait for a turn of the event
        // loop: without one now and then, each round trip of the batches in flight waited for the next batch's
        // reading to finish, and the database sat idle meanwhile.
        else if (newest && batch.length % YIELD_EVERY === 0) await yieldToEventLoop();
      }
      await flush();
      await (older as Written | null)?.settled;
      await (newest as Written | null)?.settled;
      await analyzing;
    } finally {
      source.close();
      // A file that broke while batches were being written: they end (committed or not) before the connections go
      // back to the pool.
      await (older as Written | null)?.settled.catch(() => {});
      await (newest as Written | null)?.settled.catch(() => {});
      await analyzing;
      if (sessions[0]) await unlockImports(sessions[0]).catch(() => {});
      for (const session of sessions) await session.release();
    }
    progressOf(source, pass.phase, report.rows, pass.totalRows);
    return report;
  }

  /** Reads the file to its end without checking rows, so that a broken file is refused before any write. */
  async function readThrough(source: TableSource): Promise<number> {
    let rows = 0;
    try {
      for await (const _ of source.rows)
        if (++rows % batchSize === 0) {
          progressOf(source, "checking", rows);
          // As in `run`: let a progress request (and every other) through while a large file is read.
          await yieldToEventLoop();
        }
    } finally {
      source.close();
    }
    progressOf(source, "checking", rows);
    return rows;
  }

  const first = await open();
  if (options.dryRun)
    return run(first.source, first.columns, {
      write: false,
      phase: "checking",
      expectedRows: 0,
      totalRows: null,
    });
  let writing = first;
  let expectedRows = 0;
  let totalRows = 0;
  if (options.allOrNothing) {
    const check = await run(first.source, first.columns, {
      write: false,
      phase: "checking",
      expectedRows: 0,
      totalRows: null,
    });
    expectedRows = check.valid;
    totalRows = check.rows;
    if (check.invalid > 0)
      throw new AppError(
        "IMPORT_ROWS_INVALID",
        `${check.invalid} of ${check.rows} rows are invalid; nothing was imported (all-or-nothing)`,
        { report: check },
      );
    writing = await open();
  } else {
    // CSV and XLSX both stream, so the file is read through once before the first write.
    expectedRows = await readThrough(first.source);
    totalRows = expectedRows;
    writing = await open();
  }
  const report = await run(writing.source, writing.columns, {
    write: true,
    phase: "writing",
    expectedRows,
    totalRows,
  });
  if (selectionId !== null && report.addedToSelection > 0) await touchSelection(db, selectionId);
  return report;
}

/** A batch being written on PostgreSQL: `settled` ends when it has committed (and is counted) or failed. */
type Written = {
  firstRow: number;
  /** The persons the batch found, once its reading is final (empty if it failed before). */
  matched: Promise<Set<number>>;
  settled: Promise<void>;
};

/**
 * Starts writing `records` on `session` beside `before` (the batch before it, maybe still in flight), so that the
 * result is the one a batch after another would give:
 * - a batch that repeats an address whose first row is in `before` waits for it to commit, to find the person it made;
 * - a batch that found a person `before` found, or that would create a company or an interest or fill in a company,
 *   waits for `before` to commit and reads again (it read in its own transaction, before that commit);
 * - it commits only after `before` has, and rolls back when `before` failed.
 * Otherwise the two share no row they write, so neither waits for a lock the other holds.
 */
function gated(
  records: BatchRecord[],
  before: Written | null,
  session: PgSession,
  write: (session: PgSession, gate: BatchGate) => Promise<void>,
): Written {
  const firstRow = records.reduce((least, r) => Math.min(least, r.row), Number.POSITIVE_INFINITY);
  let resolveMatched: (ids: Set<number>) => void = () => {};
  const matched = new Promise<Set<number>>((resolve) => {
    resolveMatched = resolve;
  });
  let waited = before === null;
  const gate: BatchGate = {
    async afterRead({ personIds, createsShared }) {
      if (!waited) {
        const theirs = await before!.matched;
        if (createsShared || personIds.some((id) => theirs.has(id))) {
          await before!.settled;
          waited = true;
          return true;
        }
      }
      resolveMatched(new Set(personIds));
      return false;
    },
    async beforeCommit() {
      await before?.settled;
    },
  };
  const settled = (async () => {
    try {
      if (before && records.some((r) => r.repeatOf !== null && r.repeatOf >= before.firstRow)) {
        await before.settled;
        waited = true;
      }
      await write(session, gate);
    } finally {
      resolveMatched(new Set());
    }
  })();
  // Its failure is thrown where it is awaited; this only keeps it from being reported as unhandled meanwhile.
  settled.catch(() => {});
  return { firstRow, matched, settled };
}

/** Folds rows that repeat an address within the batch into its first row; marks repeats of earlier batches. */
function mergeWithinBatch(batch: ImportRecord[], repeats: Map<ImportRecord, number>): BatchRecord[] {
  const byEmail = new Map<string, BatchRecord>();
  for (const record of batch) {
    const earlier = byEmail.get(record.emailLower);
    if (earlier) mergeRecords(earlier, record);
    else byEmail.set(record.emailLower, { ...record, repeatOf: repeats.get(record) ?? null });
  }
  return [...byEmail.values()];
}

function emptyReport(dryRun: boolean, source: TableSource, columns: ColumnUse[]): ImportReport {
  return {
    ...emptyReportBase(dryRun, source, columns),
    created: 0,
    updated: 0,
    companiesCreated: 0,
    consentRecorded: 0,
    consentWithdrawnKept: 0,
    consentSuppressedKept: 0,
    addedToSelection: 0,
  };
}

function addResult(report: ImportReport, result: BatchResult, listLimit: number): void {
  report.created += result.created;
  report.updated += result.updated;
  report.companiesCreated += result.companiesCreated;
  report.consentRecorded += result.consentRecorded;
  report.consentWithdrawnKept += result.consentWithdrawnKept;
  report.consentSuppressedKept += result.consentSuppressedKept;
  report.addedToSelection += result.addedToSelection;
  for (const match of result.matches) listed(report.matches, match, report.notListed, "matches", listLimit);
}
