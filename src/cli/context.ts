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
    throw invalid([
      {
        field: name,
        message: `must be a whole number, got "${value}"`,
        kind: "type",
        params: { type: "integer" },
      },
    ]);
  return Number(value);
}

/** A page as a table with "N of total", or as JSON with --json. */
export function printPage<T>(
  ctx: CliContext,
  page: { items: T[]; total: number; offset: number },
  headers: string[],
  row: (item: T) => Array<string | number | null>,
) {
  if (ctx.json()) {
    ctx.printJson(page);
    return;
  }
  ctx.print(table(headers, page.items.map(row)));
  ctx.print(`${page.items.length} of ${page.total} (from ${page.offset + 1})`);
}

/** An option that must be one of `values`, or undefined when not given. */
export function oneOf<T extends string>(
  value: string | undefined,
  values: readonly T[],
  option: string,
): T | undefined {
  if (value === undefined) return undefined;
  if ((values as readonly string[]).includes(value)) return value as T;
  throw invalid([
    {
      field: option,
      message: `must be one of ${values.join(", ")}; got "${value}"`,
      kind: "enum",
      params: { values: values.join(", ") },
    },
  ]);
}

/** `--limit` (1–500) and `--offset` as numbers. */
export function pageOptions(options: { limit: string; offset: string }) {
  return {
    limit: Math.min(500, Math.max(1, parseIntOption(options.limit, "--limit"))),
    offset: parseIntOption(options.offset, "--offset"),
  };
}
