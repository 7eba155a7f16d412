import { spawnSync } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { LEAN_NODE_FLAGS, missingNodeFlags } from "./node-flags.ts";

describe("missingNodeFlags", () => {
  it("gives imports the lean flags and every other command none", () => {
    expect(missingNodeFlags(["persons", "import", "a.csv", "--dry-run"], [])).toEqual([...LEAN_NODE_FLAGS]);
    expect(missingNodeFlags(["--json", "mailings", "import-recipients", "7", "a.csv"], [])).toEqual([
      ...LEAN_NODE_FLAGS,
    ]);
    expect(missingNodeFlags(["persons", "export"], [])).toEqual([]);
    expect(missingNodeFlags(["start"], [])).toEqual([]);
    expect(missingNodeFlags(["mailings", "list", "import"], [])).toEqual([]);
  });

  it("leaves out what Node already has, and lets the user's own value win", () => {
    expect(missingNodeFlags(["persons", "import", "a.csv"], [...LEAN_NODE_FLAGS])).toEqual([]);
    expect(
      missingNodeFlags(
        ["persons", "import", "a.csv"],
        ["--max-semi-space-size=32"],
        "--heap-growing-percent=50",
      ),
    ).toEqual([]);
    expect(missingNodeFlags(["persons", "import", "a.csv"], [], "--max-semi-space-size=4")).toEqual([
      "--heap-growing-percent=20",
    ]);
  });
});

describe("bin/utsend.js", () => {
  const dataDir = mkdtempSync(join(tmpdir(), "utsend-node-flags-"));
  afterAll(() => rmSync(dataDir, { recursive: true, force: true }));
  // A preload that reports the flags of the process that finally runs the command; exec replaces the first process
  // before its exit handlers could run, so only the relaunched one reports.
  const report =
    "process.on('exit',()=>process.stderr.write('EXECARGV'+JSON.stringify(process.execArgv)+'\\n'))";
  const run = (args: string[]) => {
    const result = spawnSync(
      process.execPath,
      ["--import", `data:text/javascript,${encodeURIComponent(report)}`, "bin/utsend.js", ...args],
      { encoding: "utf8", env: { ...process.env, UTSEND_DATA_DIR: dataDir, UTSEND_LOG_LEVEL: "silent" } },
    );
    const lines = result.stderr.split("\n").filter((line) => line.startsWith("EXECARGV"));
    return { code: result.status, stderr: result.stderr, reports: lines.map((l) => JSON.parse(l.slice(8))) };
  };

  it("restarts an import in place with the lean flags, once", () => {
    const file = join(import.meta.dirname, "../../test/fixtures/imports/persons-utf8-bom.csv");
    const result = run([
      "persons",
      "import",
      file,
      "--dry-run",
      "--json",
      "--legal-basis",
      "consent",
      "--source",
      "t",
    ]);
    expect(result.code, result.stderr).toBe(0);
    expect(result.reports).toHaveLength(1);
    expect(result.reports[0]).toEqual(expect.arrayContaining([...LEAN_NODE_FLAGS]));
  });

  it("runs other commands as started", () => {
    const result = run(["migrate", "--json"]);
    expect(result.code, result.stderr).toBe(0);
    expect(result.reports).toHaveLength(1);
    expect(result.reports[0]).not.toEqual(expect.arrayContaining([LEAN_NODE_FLAGS[0]]));
  });
});
