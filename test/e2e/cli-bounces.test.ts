// `utsend bounces blocked` and `utsend bounces unblock` as a user runs them: a real process over a real database.
import { spawnSync } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { openDatabase } from "../../src/db/connect.ts";
import { blockAddress } from "../../src/deliveries/blocks.ts";

const dataDir = mkdtempSync(join(tmpdir(), "utsend-cli-bounces-"));
afterAll(() => rmSync(dataDir, { recursive: true, force: true }));

function utsend(args: string[]) {
  const result = spawnSync(process.execPath, ["bin/utsend.js", ...args], {
    encoding: "utf8",
    env: { ...process.env, UTSEND_DATA_DIR: dataDir, UTSEND_LOG_LEVEL: "silent" },
  });
  return { code: result.status, stdout: result.stdout, stderr: result.stderr };
}

beforeAll(async () => {
  expect(utsend(["migrate"]).code).toBe(0);
  const handle = await openDatabase({ databaseUrl: "", dataDir });
  const now = new Date().toISOString();
  await blockAddress(handle.db, "ukjent@example.no", "hard-bounce", "550 5.1.1 User unknown", now);
  await blockAddress(handle.db, "klage@example.no", "complained", "abuse report", now);
  await handle.close();
}, 120_000);

// Each command is a Node process of its own, slow on a busy machine.
describe("utsend bounces blocked / unblock", { timeout: 180_000 }, () => {
  it("lists blocked addresses, one JSON object a line, filtered by reason", () => {
    const all = utsend(["bounces", "blocked", "--json"]);
    expect(all.code, all.stderr).toBe(0);
    const rows = all.stdout
      .trim()
      .split("\n")
      .map((line) => JSON.parse(line) as { address: string; reason: string });
    expect(rows.map((r) => [r.address, r.reason]).sort()).toEqual([
      ["klage@example.no", "complaint"],
      ["ukjent@example.no", "hard"],
    ]);
    const hard = utsend(["bounces", "blocked", "--reason", "hard"]);
    expect(hard.stdout).toMatch(/ukjent@example\.no\s+hard\s+5\.1\.1/);
    expect(hard.stdout).not.toContain("klage@example.no");
    const wrong = utsend(["bounces", "blocked", "--reason", "nope", "--json"]);
    expect(wrong.code).not.toBe(0);
    expect(JSON.parse(wrong.stderr).error).toMatchObject({ code: "VALIDATION_FAILED" });
  });

  it("clears a block and says when there was none", () => {
    expect(JSON.parse(utsend(["bounces", "unblock", "UKJENT@example.no", "--json"]).stdout)).toEqual({
      address: "ukjent@example.no",
      cleared: true,
    });
    expect(utsend(["bounces", "unblock", "ukjent@example.no"]).stdout).toContain("was not blocked");
    const left = utsend(["bounces", "blocked", "--json"]).stdout.trim().split("\n");
    expect(left.map((l) => (JSON.parse(l) as { address: string }).address)).toEqual(["klage@example.no"]);
  });
});
