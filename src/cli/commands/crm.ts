// `utsend persons list`, `utsend selections list|members <id>` and `utsend projects list`.
import type { Command } from "commander";
import type { PersonSummary } from "../../persons/persons.ts";
import { type CliContext, pageOptions, parseIntOption, printPage } from "../context.ts";

function printPersons(ctx: CliContext, page: { items: PersonSummary[]; total: number; offset: number }) {
  printPage(ctx, page, ["ID", "Name", "E-mail", "Mobile", "Company"], (p) => [
    p.id,
    p.fullName,
    p.email,
    p.mobile,
    p.companyName,
  ]);
}

export function registerCrmCommands(program: Command, ctx: CliContext): void {
  const persons = program.command("persons").description("the person register");
  persons
    .command("list")
    .description("list persons, optionally searching by name, e-mail or company")
    .option("-q, --query <text>", "search text")
    .option("--limit <n>", "rows to show (1–500)", "50")
    .option("--offset <n>", "rows to skip", "0")
    .action(async (options: { query?: string; limit: string; offset: string }) => {
      const { limit, offset } = pageOptions(options);
      const { listPersons } = await import("../../persons/persons.ts");
      const page = await ctx.withDb((h) => listPersons(h.db, { q: options.query }, { limit, offset }));
      printPersons(ctx, page);
    });

  const selections = program.command("selections").description("selections");
  selections
    .command("list")
    .description("list selections (id, name, kind), optionally searching by name")
    .option("-q, --query <text>", "search text")
    .option("--limit <n>", "rows to show (1–500)", "50")
    .option("--offset <n>", "rows to skip", "0")
    .action(async (options: { query?: string; limit: string; offset: string }) => {
      const { limit, offset } = pageOptions(options);
      const { listSelections } = await import("../../selections/store.ts");
      const page = await ctx.withDb((h) => listSelections(h.db, { q: options.query }, { limit, offset }));
      printPage(ctx, page, ["ID", "Name", "Kind", "Updated"], (s) => [s.id, s.name, s.kind, s.updatedAt]);
    });
  selections
    .command("members <id>")
    .description("list a selection's members, evaluated now")
    .option("--limit <n>", "rows to show (1–500)", "50")
    .option("--offset <n>", "rows to skip", "0")
    .action(async (id: string, options: { limit: string; offset: string }) => {
      const selectionId = parseIntOption(id, "id");
      const { limit, offset } = pageOptions(options);
      const { selectionMembers } = await import("../../selections/store.ts");
      const page = await ctx.withDb((h) => selectionMembers(h.db, selectionId, {}, { limit, offset }));
      printPersons(ctx, page);
    });

  const projects = program.command("projects").description("projects");
  projects
    .command("list")
    .description("list projects (id, name, status, members), optionally searching by name")
    .option("-q, --query <text>", "search text")
    .option("--limit <n>", "rows to show (1–500)", "50")
    .option("--offset <n>", "rows to skip", "0")
    .action(async (options: { query?: string; limit: string; offset: string }) => {
      const { limit, offset } = pageOptions(options);
      const { listProjects } = await import("../../projects/store.ts");
      const page = await ctx.withDb((h) => listProjects(h.db, { q: options.query }, { limit, offset }));
      printPage(ctx, page, ["ID", "Name", "Status", "Members"], (p) => [
        p.id,
        p.name,
        p.status,
        p.memberCount,
      ]);
    });
}
