// `utsend bounces classify <file.eml>…`: classify returned mail without touching the database.
import type { Command } from "commander";
import { classifyFiles } from "../../bounces/classify-files.ts";
import { type CliContext, table } from "../context.ts";

export function registerBounceCommands(program: Command, ctx: CliContext): void {
  const bounces = program.command("bounces").description("returned mail");
  bounces
    .command("classify <files...>")
    .description(
      "classify bounce, complaint and auto-reply messages (.eml); with --json one object per line per file",
    )
    .action(async (files: string[]) => {
      const results = await classifyFiles(files);
      if (ctx.json()) {
        for (const r of results)
          ctx.printJson({
            file: r.file,
            kind: r.kind,
            recipients: r.recipients,
            status: r.status,
            reason: r.reason,
          });
        return;
      }
      ctx.print(
        table(
          ["File", "Kind", "Status", "Recipients", "Reason"],
          results.map((r) => [
            r.file,
            r.kind,
            r.status,
            r.recipients.join(", "),
            (r.reason ?? "").slice(0, 80),
          ]),
        ),
      );
    });
}
