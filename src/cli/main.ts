// The `utsend` command line: parses arguments, runs one command, maps errors to exit codes.
import { readFileSync } from "node:fs";
import { Command, CommanderError } from "commander";
import { AppError } from "../shared/errors.ts";
import { registerBounceCommands } from "./commands/bounces.ts";
import { registerCrmCommands } from "./commands/crm.ts";
import { registerImportCommands } from "./commands/imports.ts";
import { registerMailingImportCommands } from "./commands/mailing-imports.ts";
import { registerMailingCommands } from "./commands/mailings.ts";
import { registerPrivacyCommands } from "./commands/privacy.ts";
import { registerServerCommands } from "./commands/server.ts";
import { registerUserCommands } from "./commands/users.ts";
import { createContext } from "./context.ts";
import { exitCodeOf } from "./exit-codes.ts";

function packageVersion(): string {
  const manifest = JSON.parse(readFileSync(new URL("../../package.json", import.meta.url), "utf8")) as {
    version: string;
  };
  return manifest.version;
}

export function buildProgram(): Command {
  const program = new Command("utsend")
    .description("utsend: marketing mailings over a small CRM")
    // Which Node runs utsend, in one line: the system's may be older (npm scripts put Node 24 first on PATH).
    .version(
      `utsend ${packageVersion()} on Node ${process.version}`,
      "-V, --version",
      "print the version and the Node that runs it",
    )
    .option("--json", "print machine-readable JSON")
    .showHelpAfterError()
    .exitOverride();
  const ctx = createContext(() => Boolean(program.opts().json));
  registerServerCommands(program, ctx);
  registerUserCommands(program, ctx);
  registerCrmCommands(program, ctx);
  registerImportCommands(program, ctx);
  registerPrivacyCommands(program, ctx);
  registerBounceCommands(program, ctx);
  registerMailingCommands(program, ctx);
  registerMailingImportCommands(program, ctx);
  return program;
}

export async function runCli(argv: string[]): Promise<number> {
  const program = buildProgram();
  try {
    await program.parseAsync(argv, { from: "user" });
    return 0;
  } catch (error) {
    if (error instanceof CommanderError) return error.exitCode === 0 ? 0 : 2;
    const json = argv.includes("--json");
    if (error instanceof AppError) {
      if (json)
        process.stderr.write(
          `${JSON.stringify({ error: { code: error.code, message: error.message, details: error.details } })}\n`,
        );
      else process.stderr.write(`error ${error.code}: ${error.message}\n`);
      return exitCodeOf[error.code];
    }
    const message = (error as Error).message ?? String(error);
    if (json)
      process.stderr.write(`${JSON.stringify({ error: { code: "INTERNAL", message, details: {} } })}\n`);
    else process.stderr.write(`error: ${message}\n`);
    return 1;
  }
}

const isEntry = process.argv[1] && /(cli[/\\]main\.ts|bin[/\\]utsend(\.js)?)$/.test(process.argv[1]);
if (isEntry) {
  const code = await runCli(process.argv.slice(2));
  // `start` keeps the process alive through the server; everything else ends here.
  const stays = ["start", "worker"].some((c) => process.argv.slice(2).includes(c));
  if (code !== 0 || !stays) process.exitCode = code;
}
