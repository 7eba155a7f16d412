// `utsend persons export-data|erase` and `utsend suppressions …` as a user runs them: a real process over a real
// SQLite database, with the audit entries each leaves.
import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { openDatabase } from "../../src/db/connect.ts";

const dataDir = mkdtempSync(join(tmpdir(), "utsend-cli-privacy-"));
afterAll(() => rmSync(dataDir, { recursive: true, force: true }));

function utsend(args: string[]) {
  const result = spawnSync(process.execPath, ["bin/utsend.js", ...args], {
    encoding: "utf8",
    env: { ...process.env, UTSEND_DATA_DIR: dataDir, UTSEND_LOG_LEVEL: "silent" },
  });
  return { code: result.status, stdout: result.stdout, stderr: result.stderr };
}

async function auditActions(): Promise<
  Array<{ action: string; actor_label: string; target_id: string | null }>
> {
  const handle = await openDatabase({ databaseUrl: "", dataDir });
  try {
    return await handle.db
      .selectFrom("audit_log")
      .select(["action", "actor_label", "target_id"])
      .orderBy("id")
      .execute();
  } finally {
    await handle.close();
  }
}

describe("utsend persons export-data / erase and suppressions", () => {
  const email = "Halvard.Brekke@fjordpost.example";

  it("exports a person found by address as JSON to a file and as HTML, and audits both", async () => {
    const file = join(dataDir, "persons.csv");
    writeFileSync(file, `E-post;Fornavn;Etternavn;Språk\n${email};Halvard;Brekke;en\n`);
    const imported = utsend([
      "persons",
      "import",
      file,
      "--legal-basis",
      "consent",
      "--source",
      "messe 2026",
    ]);
    expect(imported.code, imported.stderr).toBe(0);

    const out = join(dataDir, "halvard.json");
    const json = utsend(["persons", "export-data", email.toLowerCase(), "-o", out]);
    expect(json.code, json.stderr).toBe(0);
    const data = JSON.parse(readFileSync(out, "utf8")) as { person: { lastName: string }; emails: unknown[] };
    expect(data.person.lastName).toBe("Brekke");
    expect(data.emails).toEqual([expect.objectContaining({ address: email })]);

    const html = utsend(["persons", "export-data", email, "--html"]);
    expect(html.code, html.stderr).toBe(0);
    expect(html.stdout).toContain('<html lang="en">');
    expect(html.stdout).toContain("Your data: Halvard Brekke");
    const entries = await auditActions();
    expect(entries.filter((e) => e.action === "person.data-exported")).toHaveLength(2);
    expect(entries.at(-1)).toMatchObject({ actor_label: "command line" });
  });

  it("erases only with --yes, says what goes, and the address is then suppressed; clearing it is audited", async () => {
    const asked = utsend(["persons", "erase", email]);
    expect(asked.code).not.toBe(0);
    expect(asked.stderr).toContain("--yes");
    expect(asked.stderr).toContain("1 emails");

    const erased = utsend(["persons", "erase", email, "--yes", "--json"]);
    expect(erased.code, erased.stderr).toBe(0);
    expect(JSON.parse(erased.stdout)).toMatchObject({ emails: 1, consentHistory: 1 });
    expect(utsend(["persons", "export-data", email]).code).not.toBe(0);

    const check = utsend(["suppressions", "check", email, "--json"]);
    expect(JSON.parse(check.stdout)).toMatchObject({ suppressed: true, entry: { reason: "erased" } });
    expect(utsend(["suppressions", "count"]).stdout).toContain("1 suppressed: 1 erased");
    const cleared = utsend(["suppressions", "clear", email]);
    expect(cleared.code, cleared.stderr).toBe(0);
    expect(utsend(["suppressions", "check", email]).stdout).toContain("Not suppressed");

    const entries = await auditActions();
    expect(entries.map((e) => e.action)).toEqual(
      expect.arrayContaining(["person.erased", "suppression.cleared"]),
    );
    expect(JSON.stringify(entries).toLowerCase()).not.toContain(email.toLowerCase());
  });
});
