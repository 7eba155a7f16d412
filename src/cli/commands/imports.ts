// `utsend persons import <file>` and `utsend persons export`: the import report, a progress bar, streamed exports.
import { createWriteStream } from "node:fs";
import { pipeline } from "node:stream/promises";
import { SingleBar } from "cli-progress";
import type { Command } from "commander";
import type { DbHandle } from "../../db/connect.ts";
import type { ExportFormat } from "../../imports/export.ts";
import type { ImportProgress, ImportReport } from "../../imports/import-persons.ts";
import { parseMapText } from "../../imports/mapping.ts";
import type { ReportBase } from "../../imports/report.ts";
import { AppError, invalid } from "../../shared/errors.ts";
import { type CliContext, parseIntOption, table } from "../context.ts";

const SHOWN_ISSUES = 50;

/** A progress bar on stderr (only on a terminal): bytes of the file, rows per second and the time left. */
export function progressBar(ctx: CliContext): { update(p: ImportProgress): void; stop(): void } {
  if (ctx.json() || !process.stderr.isTTY) return { update: () => {}, stop: () => {} };
  const bar = new SingleBar({
    stream: process.stderr,
    format: "{phase} [{bar}] {percentage}% | {rows} rows | {speed} rows/s | ETA {eta_formatted}",
    hideCursor: true,
    etaBuffer: 50,
  });
  let phase: ImportProgress["phase"] | null = null;
  let started = Date.now();
  return {
    update: (p) => {
      if (p.phase !== phase) {
        if (phase) bar.stop();
        phase = p.phase;
        started = Date.now();
        bar.start(Math.max(1, p.totalBytes), 0, { phase, rows: 0, speed: 0 });
      }
      const seconds = Math.max(0.001, (Date.now() - started) / 1000);
      bar.update(p.bytes, { phase: p.phase, rows: p.rows, speed: Math.round(p.rows / seconds) });
    },
    stop: () => {
      if (phase) bar.stop();
    },
  };
}

function printReport(ctx: CliContext, report: ImportReport): void {
  const verb = report.dryRun ? "would be " : "";
  const columns = report.columns.map(
    (c) => `${c.column} → ${c.field ?? "(not imported)"}${c.guessed ? " (guessed)" : ""}`,
  );
  ctx.print(`Columns: ${columns.join(", ")}`);
  ctx.print(
    `${report.rows} rows: ${report.valid} valid, ${report.invalid} invalid${report.invalid > 0 ? " (skipped)" : ""}, ` +
      `${report.duplicatesInFile} repeating an address from an earlier row`,
  );
  ctx.print(
    `Persons ${verb}created: ${report.created}, ${verb}updated: ${report.updated}; companies ${verb}created: ${report.companiesCreated}`,
  );
  ctx.print(
    `Consent ${verb}recorded for ${report.consentRecorded}; left withdrawn for ${report.consentWithdrawnKept}` +
      (report.consentSuppressedKept > 0
        ? `; not given to ${report.consentSuppressedKept} on the suppression list (use --new-consent for consent given anew)`
        : "") +
      (report.addedToSelection > 0 ? `; ${verb}added to the selection: ${report.addedToSelection}` : ""),
  );
  printIssues(ctx, report);
  if (report.dryRun) ctx.print("Dry run: nothing was written.");
}

/** The `--map "E-post=email,…"` option as columns → fields; a malformed pair is a field error. */
export function mapOption(text: string | undefined): Record<string, string> {
  const parsed = text ? parseMapText(text) : { map: {}, problems: [] };
  if (parsed.problems.length > 0) throw invalid(parsed.problems);
  return parsed.map;
}

/**
 * Runs an import with a progress bar and prints its report. When all-or-nothing refuses the file, the refusal's report
 * is in the error: on a terminal the rows that caused it are shown before the error itself.
 */
export async function runImport<R extends ReportBase>(
  ctx: CliContext,
  run: (handle: DbHandle, onProgress: (progress: ImportProgress) => void) => Promise<R>,
  print: (ctx: CliContext, report: R) => void,
): Promise<void> {
  const bar = progressBar(ctx);
  try {
    const report = await ctx.withDb((handle) => run(handle, bar.update));
    bar.stop();
    if (ctx.json()) ctx.printJson(report);
    else print(ctx, report);
  } catch (error) {
    bar.stop();
    if (error instanceof AppError && error.code === "IMPORT_ROWS_INVALID" && !ctx.json())
      printIssues(ctx, error.details.report as ReportBase);
    throw error;
  }
}

export function printIssues(ctx: CliContext, report: Pick<ReportBase, "issues" | "notListed">): void {
  if (report.issues.length === 0) return;
  const shown = report.issues.slice(0, SHOWN_ISSUES);
  ctx.print(
    table(
      ["Row", "Column", "Value", "Problem"],
      shown.map((i) => [i.row, i.column, i.value, i.reason]),
    ),
  );
  const more = report.issues.length - shown.length + report.notListed.issues;
  if (more > 0) ctx.print(`… and ${more} more problems (--json lists them)`);
}

type ImportCommandOptions = {
  dryRun?: boolean;
  map?: string;
  mapping?: string;
  saveMapping?: string;
  allOrNothing?: boolean;
  legalBasis: string;
  source: string;
  newConsent?: boolean;
  selection?: string;
  batchSize?: string;
};

export function registerImportCommands(program: Command, ctx: CliContext): void {
  const persons =
    program.commands.find((c) => c.name() === "persons") ??
    program.command("persons").description("the person register");

  persons
    .command("import <file>")
    .description("import persons from CSV or XLSX (run with --dry-run first to see every invalid row)")
    .requiredOption(
      "--legal-basis <basis>",
      "the consent the people gave: consent, contract or legitimate-interest",
    )
    .requiredOption("--source <text>", 'where that consent comes from, e.g. "sign-up sheet, fair 2024"')
    .option(
      "--new-consent",
      "the file records consent given anew (legal basis consent): addresses on the suppression list get it too",
    )
    .option("--dry-run", "check and report only; write nothing")
    .option("--map <pairs>", 'columns to fields, e.g. "E-post=email,Fornavn=firstName" (others are guessed)')
    .option("--mapping <id>", "use a saved mapping (--map entries win over it)")
    .option("--save-mapping <name>", "save the --map columns under this name for later imports")
    .option("--all-or-nothing", "refuse the whole file when any row is invalid (default: skip invalid rows)")
    .option("--selection <id>", "add the imported persons to this static selection")
    .option("--batch-size <n>", "rows written per transaction", "1000")
    .action(async (file: string, options: ImportCommandOptions) => {
      const map = mapOption(options.map);
      const { saveMapping } = await import("../../imports/mappings.ts");
      const { importPersons } = await import("../../imports/import-persons.ts");
      await runImport(
        ctx,
        async (handle, onProgress) => {
          if (options.saveMapping) await saveMapping(handle.db, { name: options.saveMapping, columns: map });
          return importPersons(
            handle,
            { path: file },
            {
              dryRun: options.dryRun === true,
              allOrNothing: options.allOrNothing === true,
              attestation: {
                legalBasis: options.legalBasis,
                source: options.source,
                newConsent: options.newConsent === true,
              },
              selectionId: options.selection ? parseIntOption(options.selection, "--selection") : null,
              mappingId: options.mapping ? parseIntOption(options.mapping, "--mapping") : null,
              map,
              defaultCountry: ctx.config().defaultCountry,
              batchSize: Math.max(1, parseIntOption(options.batchSize ?? "1000", "--batch-size")),
              onProgress,
            },
          );
        },
        printReport,
      );
    });

  persons
    .command("export")
    .description(
      "export persons (or a selection's members) as CSV or XLSX; CSV goes to stdout unless --output",
    )
    .option("--format <format>", "csv or xlsx", "csv")
    .option("--selection <id>", "only this selection's members")
    .option("--output <file>", "write to this file")
    .option("--delimiter <char>", 'CSV delimiter: "," or ";"', ",")
    .action(async (options: { format: string; selection?: string; output?: string; delimiter: string }) => {
      if (options.format !== "csv" && options.format !== "xlsx")
        throw invalid([
          { field: "format", message: "must be csv or xlsx", kind: "enum", params: { values: "csv, xlsx" } },
        ]);
      if (options.delimiter !== "," && options.delimiter !== ";")
        throw invalid([
          { field: "delimiter", message: 'must be "," or ";"', kind: "enum", params: { values: ", ;" } },
        ]);
      if (options.format === "xlsx" && !options.output && process.stdout.isTTY)
        throw invalid([
          { field: "output", message: "an XLSX file needs --output (or redirect stdout)", kind: "required" },
        ]);
      const format = options.format as ExportFormat;
      const selectionId = options.selection ? parseIntOption(options.selection, "--selection") : null;
      await ctx.withDb(async (handle) => {
        const { exportPersons } = await import("../../imports/export.ts");
        const stream = await exportPersons(handle.db, {
          format,
          selectionId,
          delimiter: options.delimiter as "," | ";",
        });
        if (options.output) await pipeline(stream, createWriteStream(options.output));
        else await pipeline(stream, process.stdout, { end: false });
      });
    });
}
