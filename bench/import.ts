// `npm run bench -- import`: imports a 1,000,000-row CSV and a 100,000-row XLSX on SQLite and PostgreSQL, each in its
// own process, and prints rows per second and the process's peak RSS (target: 1M CSV rows in < 2 min, < 300 MB).
import { spawn } from "node:child_process";
import { once } from "node:events";
import { createWriteStream, mkdtempSync, rmSync, statSync } from "node:fs";
import { loadavg, tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import ExcelJS from "exceljs";
import pg from "pg";
import type { ImportReport } from "../src/imports/import-persons.ts";

const CSV_ROWS = Number(process.env.BENCH_CSV_ROWS ?? 1_000_000);
const XLSX_ROWS = Number(process.env.BENCH_XLSX_ROWS ?? 100_000);
const POSTGRES_URL = process.env.UTSEND_TEST_POSTGRES_URL ?? "postgres://postgres@127.0.0.1:5432/test";
/** Node's own heap defaults (what an import inside the server runs with), given so that the CLI keeps them. */
const NODE_DEFAULTS = ["--max-semi-space-size=0", "--heap-growing-percent=0"];
/** Runs of each case; the median (min–max) is printed when there are several. */
const RUNS = Math.max(1, Number(process.env.BENCH_IMPORT_RUNS ?? 1));
/**
 * `BENCH_IMPORT_ONLY=csv-sqlite` runs only the million-row CSV into SQLite (with the CLI's flags and Node's defaults);
 * `xlsx-sqlite` only the XLSX into SQLite (`BENCH_XLSX_ROWS=1000000` for the million-row workbook); `csv` the CSV into
 * SQLite and PostgreSQL with the CLI's flags. Runs go round the cases (run 1 of each, then run 2 …), so that a
 * shared machine's load falls on every case alike.
 */
const ONLY = process.env.BENCH_IMPORT_ONLY ?? "";
/** Rows per batch (the import's default when unset), to compare batch sizes on the same machine. */
const BATCH = process.env.BENCH_IMPORT_BATCH ? Number(process.env.BENCH_IMPORT_BATCH) : undefined;

const HEADERS = ["E-post", "Fornavn", "Etternavn", "Mobil", "Firma", "Interesser"];
const FIRST = ["Ola", "Kari", "Per", "Åse", "Bjørn", "Ingrid", "Lars", "Sølvi"];
const LAST = ["Nordmann", "Hansen", "Johansen", "Ødegård", "Berg", "Haugen", "Dahl", "Lie"];

function row(i: number): string[] {
  return [
    `person${i}@example${i % 97}.no`,
    FIRST[i % FIRST.length]!,
    LAST[Math.floor(i / FIRST.length) % LAST.length]!,
    `9${String(1_000_000 + (i % 8_999_999)).padStart(7, "0")}`,
    `Firma ${i % 5000} AS`,
    i % 3 === 0 ? "Golf, Ski" : "",
  ];
}

async function writeCsv(path: string, rows: number): Promise<void> {
  const out = createWriteStream(path);
  out.write(`${HEADERS.join(";")}\n`);
  for (let i = 0; i < rows; i++) if (!out.write(`${row(i).join(";")}\n`)) await once(out, "drain");
  out.end();
  await once(out, "finish");
}

async function writeXlsx(path: string, rows: number): Promise<void> {
  const workbook = new ExcelJS.stream.xlsx.WorkbookWriter({
    filename: path,
    useStyles: false,
    useSharedStrings: false,
  });
  const sheet = workbook.addWorksheet("Personer");
  sheet.addRow(HEADERS).commit();
  for (let i = 0; i < rows; i++) sheet.addRow(row(i)).commit();
  sheet.commit();
  await workbook.commit();
}

type Result = { rows: number; created: number; invalid: number; seconds: number; maxRssMb: number };

const BIN = fileURLToPath(new URL("../bin/utsend.js", import.meta.url));
/**
 * Loaded before the CLI (and again after its relaunch, which keeps Node's arguments): reports the peak RSS at exit, as
 * VmHWM (bench/peak-rss.ts says why not resourceUsage().maxRSS: this bench had grown to 380 MB writing the workbook,
 * and every import it spawned reported those 380 MB).
 */
const PEAK_RSS_REPORTER = `data:text/javascript,${encodeURIComponent(
  "const fs=process.getBuiltinModule('node:fs');process.on('exit',()=>{let kb=process.resourceUsage().maxRSS;" +
    "try{const m=/VmHWM:\\s+(\\d+) kB/.exec(fs.readFileSync('/proc/self/status','utf8'));if(m)kb=Number(m[1])}catch{}" +
    "process.stderr.write('BENCH_MAX_RSS_KB='+kb+'\\n')})",
)}`;

/**
 * Runs `utsend persons import <file> --json` as a user would (the command restarts itself with its lean V8 flags),
 * timing the whole command, start-up and migrations included. `nodeArgs` set to Node's defaults stands for an
 * import run inside the server, which keeps them.
 */
async function measure(file: string, env: Record<string, string>, nodeArgs: string[] = []): Promise<Result> {
  const started = performance.now();
  const proc = spawn(
    process.execPath,
    [
      ...nodeArgs,
      "--import",
      PEAK_RSS_REPORTER,
      BIN,
      "persons",
      "import",
      file,
      "--json",
      "--legal-basis",
      "consent",
      "--source",
      "benchmark",
      ...(BATCH ? ["--batch-size", String(BATCH)] : []),
    ],
    {
      stdio: ["ignore", "pipe", "pipe"],
      env: {
        ...process.env,
        ...env,
        UTSEND_LOG_LEVEL: "silent",
      },
    },
  );
  let stdout = "";
  let stderr = "";
  proc.stdout.on("data", (chunk: Buffer) => {
    stdout += chunk.toString();
  });
  proc.stderr.on("data", (chunk: Buffer) => {
    stderr += chunk.toString();
  });
  const heartbeat = setInterval(() => {
    process.stderr.write(`  importing, ${((performance.now() - started) / 1000).toFixed(0)} s\n`);
  }, 15_000);
  const [code] = (await once(proc, "exit")) as [number | null];
  clearInterval(heartbeat);
  const seconds = (performance.now() - started) / 1000;
  if (code !== 0) throw new Error(`utsend persons import exited with ${code}: ${stderr}`);
  const report = JSON.parse(stdout.trim().split("\n").at(-1)!) as ImportReport;
  const peak = /BENCH_MAX_RSS_KB=(\d+)/.exec(stderr);
  if (!peak) throw new Error(`no peak RSS reported: ${stderr}`);
  return {
    rows: report.rows,
    created: report.created,
    invalid: report.invalid,
    seconds,
    maxRssMb: Number(peak[1]) / 1024,
  };
}

async function dropSchema(schema: string): Promise<void> {
  const client = new pg.Client({ connectionString: POSTGRES_URL });
  await client.connect();
  try {
    await client.query(`drop schema if exists "${schema}" cascade`);
  } finally {
    await client.end();
  }
}

async function postgresReachable(): Promise<boolean> {
  const client = new pg.Client({ connectionString: POSTGRES_URL, connectionTimeoutMillis: 3000 });
  try {
    await client.connect();
    return true;
  } catch {
    return false;
  } finally {
    await client.end().catch(() => {});
  }
}

export async function benchImport(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), "utsend-bench-import-"));
  try {
    const csv = join(dir, "persons.csv");
    const xlsx = join(dir, "persons.xlsx");
    const wantCsv = ["", "csv", "csv-sqlite"].includes(ONLY);
    const wantXlsx = ["", "xlsx-sqlite"].includes(ONLY);
    const wantPostgres = ["", "csv"].includes(ONLY);
    const wantNodeDefaults = ["", "csv-sqlite"].includes(ONLY);
    const wanted = [
      ...(wantCsv ? [`${CSV_ROWS} CSV rows`] : []),
      ...(wantXlsx ? [`${XLSX_ROWS} XLSX rows`] : []),
    ];
    console.log(`generating ${wanted.join(" and ")} in ${dir}`);
    if (wantCsv) await writeCsv(csv, CSV_ROWS);
    if (wantXlsx) await writeXlsx(xlsx, XLSX_ROWS);
    const mb = (path: string) => (statSync(path).size / 1024 / 1024).toFixed(1);
    console.log(
      [...(wantCsv ? [`CSV ${mb(csv)} MB`] : []), ...(wantXlsx ? [`XLSX ${mb(xlsx)} MB`] : [])].join(", "),
    );
    const databases = ["SQLite"];
    if (wantPostgres && (await postgresReachable())) databases.push("PostgreSQL");
    else if (wantPostgres) console.log(`PostgreSQL skipped: nothing answers at ${POSTGRES_URL}`);
    type Case = { file: string; label: string; database: string; nodeArgs?: string[]; results: Result[] };
    const cases: Case[] = [];
    const files = [
      ...(wantCsv ? [[csv, "CSV"] as const] : []),
      ...(wantXlsx ? [[xlsx, "XLSX"] as const] : []),
    ];
    for (const [file, label] of files)
      for (const database of databases) {
        cases.push({ file, label, database, results: [] });
        if (label === "CSV" && database === "SQLite" && wantNodeDefaults)
          cases.push({ file, label, database, nodeArgs: NODE_DEFAULTS, results: [] });
      }
    const nameOf = (c: Case) =>
      `${c.label} → ${c.database} (${c.nodeArgs ? "Node's heap defaults, as in the server" : "utsend persons import"})`;
    let n = 0;
    for (let run = 1; run <= RUNS; run++)
      for (const c of cases) {
        // A fresh SQLite file per run; PostgreSQL gets a schema per run, dropped afterwards.
        const schema = `bench_import_${process.pid}_${++n}`;
        const env: Record<string, string> =
          c.database === "SQLite"
            ? { UTSEND_DATABASE_URL: `sqlite:${join(dir, `bench-${n}.db`)}`, UTSEND_DATA_DIR: dir }
            : { UTSEND_DATABASE_URL: POSTGRES_URL, UTSEND_DATABASE_SCHEMA: schema, UTSEND_DATA_DIR: dir };
        console.log(`${nameOf(c)}, run ${run} of ${RUNS} (load average ${loadavg()[0]!.toFixed(2)})`);
        try {
          const r = await measure(c.file, env, c.nodeArgs);
          c.results.push(r);
          console.log(
            `  ${r.rows} rows (${r.created} created, ${r.invalid} invalid) in ${r.seconds.toFixed(1)} s, ` +
              `${Math.round(r.rows / r.seconds)} rows/s, peak RSS ${Math.round(r.maxRssMb)} MB`,
          );
        } finally {
          if (c.database === "PostgreSQL") await dropSchema(schema);
          else
            for (const suffix of ["", "-wal", "-shm"])
              rmSync(join(dir, `bench-${n}.db${suffix}`), { force: true });
        }
      }
    const spread = (values: number[], digits: number) => {
      const sorted = [...values].sort((x, y) => x - y);
      const median = sorted[Math.floor(sorted.length / 2)]!;
      return sorted.length === 1
        ? median.toFixed(digits)
        : `${median.toFixed(digits)} (${sorted[0]!.toFixed(digits)}–${sorted.at(-1)!.toFixed(digits)})`;
    };
    for (const c of cases)
      console.log(
        `${nameOf(c)}: ${c.results[0]!.rows} rows in ${spread(
          c.results.map((r) => r.seconds),
          1,
        )} s, peak RSS ${spread(
          c.results.map((r) => r.maxRssMb),
          0,
        )} MB${RUNS > 1 ? ` (median of ${RUNS}, min–max)` : ""}`,
      );
    console.log(
      `load average at the end: ${loadavg()
        .map((l) => l.toFixed(2))
        .join(", ")}`,
    );
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
