// `utsend mailings import-recipients <id> <file>` and `utsend mailings export-recipients <id>`.
import { createWriteStream } from "node:fs";
import { basename } from "node:path";
import { pipeline } from "node:stream/promises";
import type { Command } from "commander";
import { type BlockReason, BLOCK_REASONS as REASONS } from "../../db/block-reasons.ts";
import type { ExportFormat } from "../../imports/export.ts";
import type { RecipientImportReport } from "../../imports/import-recipients.ts";
import { invalid } from "../../shared/errors.ts";
import { type CliContext, parseIntOption } from "../context.ts";
import { mapOption, printIssues, runImport } from "./imports.ts";

function printReport(ctx: CliContext, report: RecipientImportReport): void {
  const columns = report.columns.map(
    (c) => `${c.column} → ${c.field ?? "(not imported)"}${c.guessed ? " (guessed)" : ""}`,
  );
  ctx.print(`Columns: ${columns.join(", ")}`);
  ctx.print(
    `${report.rows} rows: ${report.valid} valid, ${report.invalid} invalid${report.invalid > 0 ? " (skipped)" : ""}, ` +
      `${report.duplicatesInFile} repeating an address from an earlier row (left out)`,
  );
  const verb = report.dryRun ? "would be " : "";
  ctx.print(
    `Recipients ${verb}added: ${report.linked + report.importOnly} (${report.linked} linked to CRM persons, ` +
      `${report.importOnly} import-only); ${report.blockedAddresses} with a blocked address`,
  );
  printIssues(ctx, report);
  if (report.dryRun) ctx.print("Dry run: nothing was written.");
  else ctx.print(`Added as source ${report.sourceId}; the recipient list was worked out again.`);
}

type ImportOptions = {
  dryRun?: boolean;
  map?: string;
  mapping?: string;
  allOrNothing?: boolean;
  consentConfirmed?: boolean;
  source?: string;
};

export function registerMailingImportCommands(program: Command, ctx: CliContext): void {
  const mailings =
    program.commands.find((c) => c.name() === "mailings") ??
    program.command("mailings").description("mailings");

  mailings
    .command("import-recipients <id> <file>")
    .description("add recipients to a draft mailing from CSV or XLSX (run with --dry-run first)")
    .option("--dry-run", "check and report only; write nothing")
    .option("--map <pairs>", 'columns to fields, e.g. "E-post=email,Navn=name" (others are guessed)')
    .option("--mapping <id>", "use a saved mapping (--map entries win over it)")
    .option("--all-or-nothing", "refuse the whole file when any row is invalid (default: skip invalid rows)")
    .option(
      "--consent-confirmed",
      "the people in the file consented to marketing (required unless --dry-run)",
    )
    .option("--source <text>", 'where that consent comes from, e.g. "sign-up sheet, fair 2024"')
    .action(async (id: string, file: string, options: ImportOptions) => {
      const mailingId = parseIntOption(id, "id");
      const map = mapOption(options.map);
      const { importRecipients } = await import("../../imports/import-recipients.ts");
      await runImport(
        ctx,
        (handle, onProgress) =>
          importRecipients(
            handle,
            mailingId,
            { path: file },
            {
              dryRun: options.dryRun === true,
              allOrNothing: options.allOrNothing === true,
              consentConfirmed: options.consentConfirmed === true,
              consentSource: options.source ?? null,
              fileName: basename(file),
              mappingId: options.mapping ? parseIntOption(options.mapping, "--mapping") : null,
              map,
              defaultCountry: ctx.config().defaultCountry,
              onProgress,
            },
          ),
        printReport,
      );
    });

  mailings
    .command("export-recipients <id>")
    .description("export a mailing's recipients with their status as CSV (stdout unless -o) or XLSX")
    .option("--format <format>", "csv or xlsx", "csv")
    .option("-o, --output <file>", "write to this file")
    .option("--status <status>", "only eligible or blocked rows")
    .option("--reason <reason>", `only rows blocked for this reason (${REASONS.join(", ")})`)
    .option("--delimiter <char>", 'CSV delimiter: "," or ";"', ",")
    .action(
      async (
        id: string,
        options: { format: string; output?: string; status?: string; reason?: string; delimiter: string },
      ) => {
        const mailingId = parseIntOption(id, "id");
        if (options.format !== "csv" && options.format !== "xlsx")
          throw invalid([
            {
              field: "format",
              message: "must be csv or xlsx",
              kind: "enum",
              params: { values: "csv, xlsx" },
            },
          ]);
        if (options.delimiter !== "," && options.delimiter !== ";")
          throw invalid([
            { field: "delimiter", message: 'must be "," or ";"', kind: "enum", params: { values: ", ;" } },
          ]);
        if (options.status !== undefined && options.status !== "eligible" && options.status !== "blocked")
          throw invalid([
            {
              field: "status",
              message: "must be eligible or blocked",
              kind: "enum",
              params: { values: "eligible, blocked" },
            },
          ]);
        if (options.reason !== undefined && !(REASONS as readonly string[]).includes(options.reason))
          throw invalid([
            {
              field: "reason",
              message: `must be one of ${REASONS.join(", ")}`,
              kind: "enum",
              params: { values: REASONS.join(", ") },
            },
          ]);
        if (options.format === "xlsx" && !options.output && process.stdout.isTTY)
          throw invalid([
            {
              field: "output",
              message: "an XLSX file needs --output (or redirect stdout)",
              kind: "required",
            },
          ]);
        await ctx.withDb(async (handle) => {
          const { exportRecipients } = await import("../../imports/export-recipients.ts");
          const stream = await exportRecipients(handle.db, mailingId, {
            format: options.format as ExportFormat,
            filter: {
              status: options.status as "eligible" | "blocked" | undefined,
              reason: options.reason as BlockReason | undefined,
            },
            delimiter: options.delimiter as "," | ";",
          });
          if (options.output) await pipeline(stream, createWriteStream(options.output));
          else await pipeline(stream, process.stdout, { end: false });
        });
      },
    );
}
