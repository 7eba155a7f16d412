// `utsend start` and `utsend migrate`.
import type { Command } from "commander";
import { startServer } from "../../main.ts";
import type { CliContext } from "../context.ts";

export function registerServerCommands(program: Command, ctx: CliContext): void {
  program
    .command("start")
    .description("run the API and web UI (migrates, creates the admin and demo data on first start)")
    .action(async () => {
      const config = ctx.config();
      const server = await startServer(config, { info: (line) => console.log(line) });
      console.log(`utsend is running at ${server.url} (${server.handle.describe})`);
      const stop = async () => {
        await server.close();
        process.exit(0);
      };
      process.once("SIGINT", stop);
      process.once("SIGTERM", stop);
    });

  program
    .command("migrate")
    .description("bring the database schema up to date")
    .action(async () => {
      const applied = await ctx.withDb(async (handle) => {
        const { migrateToLatest } = await import("../../db/migrate.ts");
        return { describe: handle.describe, names: await migrateToLatest(handle) };
      });
      if (ctx.json()) ctx.printJson({ database: applied.describe, applied: applied.names });
      else ctx.print(`${applied.describe}: schema is up to date`);
    });
}
