// What every CLI command gets: the parsed config (loaded once, on first use), output helpers and a database scope.
import type { DbHandle } from "../db/connect.ts";
// Not from ../main.ts: that loads the whole server, and a CLI command such as an import needs little of it.
import { openMigrated } from "../db/migrate.ts";
import { type Config, loadConfig } from "../shared/config.ts";
import { invalid } from "../shared/errors.ts";

export type CliContext = {
  config(): Config;
  json: () => boolean;
  print(line: string): void;
  printJson(value: unknown): void;
  withDb<T>(fn: (handle: DbHandle) => Promise<T>): Promise<T>;
};

export function createContext(isJson: () => boolean): CliContext {
  let config: Config | undefined;
  const context: CliContext = {
    config: () => {
      config ??= loadConfig();
      return config;
    },
    json: isJson,
    print: (line) => process.stdout.write(`${line}\n`),
    printJson: (value) => process.stdout.write(`${JSON.stringify(value)}\n`),
    withDb: async (fn) => {
      const handle = await openMigrated(context.config());
      try {
        return await fn(handle);
      } finally {
        await handle.close();
      }
    },
  };
  return context;
}

/** A plain text table: columns padded to their widest cell. */
export function table(headers: string[], rows: Array<Array<string | number | null>>): string {
  const cells = [headers, ...rows.map((r) => r.map((c) => (c == null ? "" : String(c))))];
  const widths = headers.map((_, i) => Math.max(...cells.map((r) => (r[i] ?? "").length)));
  return cells
    .map((r) =>
      r
        .map((c, i) => (c ?? "").padEnd(widths[i]!))
        .join("  ")
        .trimEnd(),
    )
    .join("\n");
}

export function parseIntOption(value: string, name: string): number {
  if (!/^\d+$/.test(value))
    throw invalid([{ field: name, message: `must be a whole number, got "${value}"` }]);
  return Number(value);
}
