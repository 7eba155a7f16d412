// Runs the whole suite (vitest) and prints the closing line CI reads: "N passed, N failed, N skipped".
import { spawnSync } from "node:child_process";
import { mkdirSync, readFileSync, rmSync } from "node:fs";
import { join } from "node:path";

const reportDir = join(process.cwd(), "test-results");
mkdirSync(reportDir, { recursive: true });
const reportFile = join(reportDir, "vitest.json");
rmSync(reportFile, { force: true });

const args = process.argv.slice(2);
const run = spawnSync(
  process.execPath,
  [
    "node_modules/vitest/vitest.mjs",
    "run",
    "--reporter=default",
    "--reporter=json",
    `--outputFile.json=${reportFile}`,
    ...args,
  ],
  { stdio: "inherit", env: process.env },
);

type Report = {
  numPassedTests: number;
  numFailedTests: number;
  numPendingTests: number;
  numTodoTests: number;
  testResults: Array<{ name: string; status: string; assertionResults: Array<{ status: string }> }>;
};
let report: Report | undefined;
try {
  report = JSON.parse(readFileSync(reportFile, "utf8")) as Report;
} catch {
  report = undefined;
}
if (!report) {
  console.log("0 passed, 1 failed");
  console.error("the test runner wrote no report");
  process.exit(run.status || 1);
}
// A file whose setup failed reports its tests as skipped, not failed: count the file itself as a failure.
const brokenFiles = report.testResults.filter(
  (f) => f.status === "failed" && !f.assertionResults.some((a) => a.status === "failed"),
);
for (const file of brokenFiles) console.error(`failed outside any test (setup or import): ${file.name}`);
const failed = report.numFailedTests + brokenFiles.length;
const skipped = report.numPendingTests + report.numTodoTests;
console.log(`${report.numPassedTests} passed, ${failed} failed, ${skipped} skipped`);
const ranNone = report.numPassedTests + failed === 0;
process.exit(run.status !== 0 || failed > 0 || ranNone ? 1 : 0);
