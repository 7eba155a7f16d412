// `utsend start` and `utsend migrate`.
import type { Command } from "commander";
import { openDatabase } from "../../db/connect.ts";
import { migrateToLatest } from "../../db/migrate.ts";
import type { CliContext } from "../context.ts";

export function registerServerCommands(program: Command, ctx: CliContext): void {
  program
    .command("start")
    .description("run the API and web UI (migrates, creates the admin and demo data on first start)")
    .action(async () => {
      const config = ctx.config();
      const { startServer } = await import("../../main.ts");
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
      const handle = await openDatabase(ctx.config());
      const applied = await migrateToLatest(handle)
        .then((names) => ({ describe: handle.describe, names }))
        .finally(() => handle.close());
      if (ctx.json()) ctx.printJson({ database: applied.describe, applied: applied.names });
      else
        ctx.print(
          `${applied.describe}: ${applied.names.length ? `applied ${applied.names.join(", ")}` : "schema was already up to date"}`,
        );
    });
}
