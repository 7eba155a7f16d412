// `npm run bench -- import`: imports a 1,000,000-row CSV and a 100,000-row XLSX on SQLite and PostgreSQL, each in its
// own process, and prints rows per second and the process's peak RSS (target: 1M CSV rows in < 2 min, < 300 MB).
import { spawn } from "node:child_process";
import { once } from "node:events";
import { createWriteStream, mkdtempSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import ExcelJS from "exceljs";
import { sql } from "kysely";
import pg from "pg";
import { openDatabase } from "../src/db/connect.ts";
import { migrateToLatest } from "../src/db/migrate.ts";
import { importPersons } from "../src/imports/import-persons.ts";

const CSV_ROWS = Number(process.env.BENCH_CSV_ROWS ?? 1_000_000);
const XLSX_ROWS = Number(process.env.BENCH_XLSX_ROWS ?? 100_000);
const POSTGRES_URL = process.env.UTSEND_TEST_POSTGRES_URL ?? "postgres://postgres@127.0.0.1:5432/test";
/**
 * Node's default young generation grows to 2 × 64 MB on 64-bit builds during any long allocation-heavy run; capped
 * with this flag the import stays under 300 MB. The CSV → SQLite case is measured with and without it.
 */
const NODE_FLAGS = (process.env.BENCH_NODE_FLAGS ?? "--max-semi-space-size=8").split(" ").filter(Boolean);
/** `BENCH_IMPORT_ONLY=csv-sqlite` runs only the million-row CSV into SQLite (with and without the flags above). */
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

/** The measured part, run in a child process so that its peak RSS is the import's own. */
async function child(file: string, databaseUrl: string, schema: string): Promise<void> {
  const handle = await openDatabase({ databaseUrl, dataDir: tmpdir(), databaseSchema: schema });
  await migrateToLatest(handle);
  const started = performance.now();
  let shown = 0;
  const report = await importPersons(
    handle,
    { path: file },
    {
      attestation: { legalBasis: "consent", source: "benchmark" },
      defaultCountry: "NO",
      ...(BATCH ? { batchSize: BATCH } : {}),
      onProgress: (p) => {
        const tenth = Math.floor((p.bytes / Math.max(1, p.totalBytes)) * 10);
        if (p.phase === "writing" && tenth > shown) {
          shown = tenth;
          process.stderr.write(
            `  ${p.rows} rows written, ${((performance.now() - started) / 1000).toFixed(1)} s\n`,
          );
        }
      },
    },
  );
  const seconds = (performance.now() - started) / 1000;
  if (handle.dialect === "postgres") await sql`drop schema ${sql.id(schema)} cascade`.execute(handle.db);
  await handle.close();
  const result: Result = {
    rows: report.rows,
    created: report.created,
    invalid: report.invalid,
    seconds,
    maxRssMb: process.resourceUsage().maxRSS / 1024,
  };
  process.stdout.write(`${JSON.stringify(result)}\n`);
}

async function measure(file: string, databaseUrl: string, schema: string, flags: string[]): Promise<Result> {
  const proc = spawn(
    process.execPath,
    [...flags, import.meta.filename, "--child", file, databaseUrl, schema],
    {
      stdio: ["ignore", "pipe", "inherit"],
    },
  );
  let output = "";
  proc.stdout.on("data", (chunk: Buffer) => {
    output += chunk.toString();
  });
  const [code] = (await once(proc, "exit")) as [number | null];
  if (code !== 0) throw new Error(`the import process exited with ${code}`);
  return JSON.parse(output.trim().split("\n").at(-1)!) as Result;
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
    console.log(`generating ${CSV_ROWS} CSV rows and ${XLSX_ROWS} XLSX rows in ${dir}`);
    await writeCsv(csv, CSV_ROWS);
    if (ONLY === "") await writeXlsx(xlsx, XLSX_ROWS);
    const mb = (path: string) => (statSync(path).size / 1024 / 1024).toFixed(1);
    console.log(ONLY === "" ? `CSV ${mb(csv)} MB, XLSX ${mb(xlsx)} MB` : `CSV ${mb(csv)} MB`);
    const databases = ["SQLite"];
    if (ONLY === "" && (await postgresReachable())) databases.push("PostgreSQL");
    else if (ONLY === "") console.log(`PostgreSQL skipped: nothing answers at ${POSTGRES_URL}`);
    const runs: Array<{ file: string; label: string; database: string; flags: string[] }> = [];
    const files = [
      [csv, "CSV"],
      [xlsx, "XLSX"],
    ] as const;
    for (const [file, label] of ONLY === "" ? files : files.slice(0, 1))
      for (const database of databases) {
        if (label === "CSV" && database === "SQLite" && NODE_FLAGS.length > 0)
          runs.push({ file, label, database, flags: [] });
        runs.push({ file, label, database, flags: NODE_FLAGS });
      }
    for (const [i, run] of runs.entries()) {
      // A fresh SQLite file per run; PostgreSQL gets a schema per run, which the child drops.
      const databaseUrl = run.database === "SQLite" ? `sqlite:${join(dir, `bench-${i}.db`)}` : POSTGRES_URL;
      const name = `${run.label} → ${run.database} (node ${run.flags.join(" ") || "default flags"})`;
      console.log(name);
      const r = await measure(run.file, databaseUrl, `bench_import_${process.pid}_${i}`, run.flags);
      console.log(
        `${name}: ${r.rows} rows (${r.created} created, ${r.invalid} invalid) in ${r.seconds.toFixed(1)} s, ` +
          `${Math.round(r.rows / r.seconds)} rows/s, peak RSS ${Math.round(r.maxRssMb)} MB`,
      );
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

if (process.argv[2] === "--child" && process.argv[1] === import.meta.filename) {
  await child(process.argv[3]!, process.argv[4]!, process.argv[5]!);
}
