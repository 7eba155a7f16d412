// V8 flags for the commands that stream a large file through one process, and the relaunch that applies them.
import { fileURLToPath } from "node:url";

/**
 * Node's defaults let the young generation grow to 2 × 64 MB and the old generation to several times what is live:
 * a million-row import then peaks near 400 MB, though it keeps little alive. With these it stays near 210 MB at the
 * same speed (`npm run bench -- import`, docs/imports.md). Sending is another matter (the same flags cost a third of
 * its throughput), so the server and worker keep Node's defaults.
 */
export const LEAN_NODE_FLAGS = ["--max-semi-space-size=8", "--heap-growing-percent=20"] as const;

/** Commands (the first two words) that read a whole file into the database. */
const LEAN_COMMANDS = ["persons import", "mailings import-recipients"];

const flagName = (flag: string) => flag.split("=")[0]!;

/**
 * The flags to start Node with for these arguments: none for most commands; for an import, those of LEAN_NODE_FLAGS
 * that Node was not already given (on its command line or in NODE_OPTIONS, where the user's own value wins).
 */
export function missingNodeFlags(args: string[], execArgv: string[], nodeOptions = ""): string[] {
  const command = args
    .filter((arg) => !arg.startsWith("-"))
    .slice(0, 2)
    .join(" ");
  if (!LEAN_COMMANDS.includes(command)) return [];
  const given = [...execArgv, ...nodeOptions.split(/\s+/)].map(flagName);
  return LEAN_NODE_FLAGS.filter((flag) => !given.includes(flagName(flag)));
}

/**
 * Restarts this process in place (same pid, stdio and environment) with the flags an import needs; returns when none
 * are missing, or where Node cannot replace a running process (Windows), which then runs with Node's defaults.
 */
export function relaunchWithNodeFlags(main: URL): void {
  const flags = missingNodeFlags(process.argv.slice(2), process.execArgv, process.env.NODE_OPTIONS);
  if (flags.length === 0 || typeof process.execve !== "function") return;
  process.execve(process.execPath, [
    process.execPath,
    ...flags,
    ...process.execArgv,
    fileURLToPath(main),
    ...process.argv.slice(2),
  ]);
}
