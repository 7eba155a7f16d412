// `utsend persons export-data|erase` and `utsend suppressions count|check|clear`: a person's data export, their
// erasure and the suppression list (SPEC §11), each audited as the command line's doing.
import { createWriteStream } from "node:fs";
import { Readable, type Writable } from "node:stream";
import { pipeline } from "node:stream/promises";
import type { Command } from "commander";
import type { AuditEntryInput } from "../../audit/log.ts";
import type { Db } from "../../db/connect.ts";
import { validationFailed } from "../../shared/errors.ts";
import type { CliContext } from "../context.ts";

async function audit(db: Db, entry: Omit<AuditEntryInput, "actor" | "origin">): Promise<void> {
  const { recordAudit } = await import("../../audit/log.ts");
  await recordAudit(db, { ...entry, actor: { kind: "cli" }, origin: { ip: null, userAgent: null } });
}

export function registerPrivacyCommands(program: Command, ctx: CliContext): void {
  const persons =
    program.commands.find((c) => c.name() === "persons") ??
    program.command("persons").description("the person register");

  persons
    .command("export-data <person>")
    .description("everything kept about a person (by id or e-mail address), as JSON or a readable HTML page")
    .option("-o, --output <file>", "write to this file instead of standard output")
    .option("--html", "a readable HTML page in the person's language instead of JSON")
    .action(async (person: string, options: { output?: string; html?: boolean }) => {
      const { exportParts, exportPerson, exportPersonJson, personIdOf } = await import(
        "../../privacy/person-data.ts"
      );
      const { renderExportHtml } = await import("../../privacy/export-html.ts");
      // The file holds the person's data: readable by its owner only.
      const target = (): Writable =>
        options.output ? createWriteStream(options.output, { mode: 0o600 }) : process.stdout;
      await ctx.withDb(async ({ db }) => {
        const id = await personIdOf(db, person);
        const format = options.html ? "html" : "json";
        const logged = () =>
          audit(db, { action: "person.data-exported", target: { type: "person", id }, detail: { format } });
        // JSON streams (the deliveries a page at a time); the page is built whole. Logged before writing starts.
        let text: Readable;
        if (options.html) {
          const page = renderExportHtml(await exportPerson(db, id));
          text = Readable.from([page]);
        } else text = Readable.from(exportPersonJson(await exportParts(db, id)));
        await logged();
        await pipeline(text, target(), { end: options.output !== undefined });
      });
      if (options.output) {
        if (!ctx.json()) ctx.print(`Wrote ${options.output}`);
        else ctx.printJson({ file: options.output });
      }
    });

  persons
    .command("erase <person>")
    .description(
      "erase a person (by id or e-mail address): personal data deleted, deliveries and events kept anonymously, addresses suppressed",
    )
    .option("--yes", "erase without asking (required: erasure cannot be undone)")
    .action(async (person: string, options: { yes?: boolean }) => {
      const { personIdOf } = await import("../../privacy/person-data.ts");
      const { erasePerson, erasurePlan } = await import("../../privacy/erase.ts");
      const result = await ctx.withDb(async ({ db }) => {
        const id = await personIdOf(db, person);
        if (!options.yes) {
          const plan = await erasurePlan(db, id);
          throw validationFailed(
            `Erasing person ${id} removes ${describe(plan)} and cannot be undone; run again with --yes`,
            [{ field: "yes", message: "required", kind: "needs-confirmation" }],
            { plan },
          );
        }
        const erased = await erasePerson(db, id);
        await audit(db, { action: "person.erased", target: { type: "person", id }, detail: { ...erased } });
        return erased;
      });
      if (ctx.json()) ctx.printJson(result);
      else ctx.print(`Erased person ${result.personId}: ${describe(result)}`);
    });

  const suppressions = program.command("suppressions").description("the suppression list (hashed addresses)");
  suppressions
    .command("count")
    .description("how many addresses are on the list, by reason")
    .action(async () => {
      const { countSuppressions } = await import("../../privacy/suppression.ts");
      const counts = await ctx.withDb(({ db }) => countSuppressions(db));
      if (ctx.json()) ctx.printJson(counts);
      else
        ctx.print(
          `${counts.total} suppressed: ${counts.byReason.erased} erased, ${counts.byReason.unsubscribed} unsubscribed, ${counts.byReason.complained} complained`,
        );
    });
  suppressions
    .command("check <address>")
    .description("whether an address is on the list")
    .action(async (address: string) => {
      const { checkAddress } = await import("../../privacy/suppression.ts");
      const entry = await ctx.withDb(({ db }) => checkAddress(db, address));
      if (ctx.json()) ctx.printJson({ suppressed: entry !== null, entry });
      else ctx.print(entry ? `Suppressed (${entry.reason}) since ${entry.createdAt}` : "Not suppressed");
    });
  suppressions
    .command("clear <address>")
    .description("take an address off the list (audited)")
    .action(async (address: string) => {
      const { clearSuppression } = await import("../../privacy/suppression.ts");
      const { notFound } = await import("../../shared/errors.ts");
      const cleared = await ctx.withDb(async ({ db }) => {
        const found = await clearSuppression(db, address);
        if (!found) throw notFound("suppression entry for the address", address);
        await audit(db, {
          action: "suppression.cleared",
          target: { type: "suppression", id: found.hash },
          detail: { reason: found.reason, since: found.createdAt },
        });
        return found;
      });
      if (ctx.json()) ctx.printJson({ cleared: { reason: cleared.reason, createdAt: cleared.createdAt } });
      else ctx.print(`Cleared (was ${cleared.reason} since ${cleared.createdAt})`);
    });
}

function describe(plan: Record<string, number>): string {
  return Object.entries(plan)
    .filter(([key, n]) => key !== "personId" && n > 0)
    .map(([key, n]) => `${n} ${key}`)
    .join(", ");
}
