// The `utsend` CLI as a user runs it: a real process over a real database.
import { spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { partAvailable } from "../helpers/requirements.ts";

const dataDir = mkdtempSync(join(tmpdir(), "utsend-cli-"));
afterAll(() => rmSync(dataDir, { recursive: true, force: true }));

function utsend(args: string[], env: Record<string, string> = {}) {
  const result = spawnSync(process.execPath, ["bin/utsend.js", ...args], {
    encoding: "utf8",
    env: { ...process.env, UTSEND_DATA_DIR: dataDir, UTSEND_LOG_LEVEL: "silent", ...env },
  });
  return { code: result.status, stdout: result.stdout, stderr: result.stderr };
}

describe("utsend CLI", () => {
  it("says in one line which utsend and which Node run it", () => {
    const result = utsend(["--version"]);
    expect(result.code).toBe(0);
    const version = (JSON.parse(readFileSync("package.json", "utf8")) as { version: string }).version;
    expect(result.stdout).toBe(`utsend ${version} on Node ${process.version}\n`);
    expect(process.version).toMatch(/^v2[4-9]\./);
  });

  const systemNpm = partAvailable(
    "the system's npm",
    existsSync("/usr/bin/npx") && existsSync("/usr/bin/node"),
    "/usr/bin/npx or /usr/bin/node is missing (apt install nodejs npm)",
  );
  it.skipIf(!systemNpm)(
    "runs quietly through the system's npx and Node (20 on the machines): one line, no engine warnings",
    () => {
      // What a newcomer types, with the system's Node first on PATH (not the Node 24 that npm run puts there).
      const env = { ...process.env, PATH: "/usr/bin:/bin", UTSEND_DATA_DIR: dataDir };
      const run = (command: string, args: string[]) =>
        spawnSync(command, args, { encoding: "utf8", env, timeout: 60_000 });
      const version = run("/usr/bin/npx", ["utsend", "--version"]);
      expect(version.status, version.stderr).toBe(0);
      expect(version.stdout).toMatch(/^utsend \S+ on Node v2[4-9]\.\S+\n$/);
      expect(version.stderr).toBe("");
      // The project's .npmrc keeps npm to errors: an install on the older Node does not print 65 EBADENGINE lines.
      expect(run("/usr/bin/npm", ["config", "get", "loglevel"]).stdout.trim()).toBe("error");
      expect(run("/usr/bin/npm", ["config", "get", "fund"]).stdout.trim()).toBe("false");
    },
  );

  it("migrates an empty database and says so as JSON", () => {
    const result = utsend(["migrate", "--json"]);
    expect(result.code, result.stderr).toBe(0);
    const applied = (JSON.parse(result.stdout) as { applied: string[] }).applied;
    expect(applied[0]).toBe("0001-initial");
    expect(applied).toEqual([...applied].sort());
    expect(JSON.parse(utsend(["migrate", "--json"]).stdout)).toMatchObject({ applied: [] });
  });

  it("adds a user, and refuses a duplicate with the conflict exit code", () => {
    const added = utsend([
      "user",
      "add",
      "--email",
      "ola@example.no",
      "--name",
      "Ola",
      "--role",
      "viewer",
      "--json",
    ]);
    expect(added.code, added.stderr).toBe(0);
    const output = JSON.parse(added.stdout) as { user: { role: string }; password: string };
    expect(output.user.role).toBe("viewer");
    expect(output.password.length).toBeGreaterThanOrEqual(16);
    const again = utsend([
      "user",
      "add",
      "--email",
      "OLA@example.no",
      "--name",
      "Ola",
      "--password",
      "long-password-1",
      "--json",
    ]);
    expect(again.code).toBe(4);
    expect(JSON.parse(again.stderr).error.code).toBe("CONFLICT");
  });

  it("records the user it adds in the audit log, made from the command line, without the password", async () => {
    const { loadConfig } = await import("../../src/shared/config.ts");
    const { openMigrated } = await import("../../src/main.ts");
    const { listAudit } = await import("../../src/audit/log.ts");
    const handle = await openMigrated(loadConfig({ UTSEND_DATA_DIR: dataDir }));
    try {
      const { items } = await listAudit(handle.db, { action: "user.created" }, { limit: 10, offset: 0 });
      expect(items).toHaveLength(1);
      expect(items[0]).toMatchObject({
        actor: "command line",
        actorUserId: null,
        ip: null,
        detail: { email: "ola@example.no", role: "viewer", canOverrideConsent: false },
      });
    } finally {
      await handle.close();
    }
  });

  it("refuses a bad role before touching the database, and a short password with the validation exit code", () => {
    const badRole = utsend(["user", "add", "--email", "x@example.no", "--name", "X", "--role", "king"]);
    expect(badRole.code).toBe(2);
    expect(badRole.stderr).toMatch(/king/);
    const short = utsend(["user", "add", "--email", "x@example.no", "--name", "X", "--password", "short"]);
    expect(short.code).toBe(2);
    expect(short.stderr).toMatch(
      /VALIDATION_FAILED: Invalid input: password: must be at least 10 characters/,
    );
  });

  it("lists persons and a selection's members, as a table or as JSON", async () => {
    // Load the demo data through the same code the server's first start uses.
    const { loadConfig } = await import("../../src/shared/config.ts");
    const { openMigrated, ensureDemoData } = await import("../../src/main.ts");
    const handle = await openMigrated(loadConfig({ UTSEND_DATA_DIR: dataDir }));
    await ensureDemoData(handle, loadConfig({ UTSEND_DATA_DIR: dataDir }), { info: () => {} });
    await handle.close();

    const table = utsend(["persons", "list", "--limit", "5"]);
    expect(table.code, table.stderr).toBe(0);
    expect(table.stdout.split("\n")[0]).toMatch(/^ID\s+Name\s+E-mail\s+Mobile\s+Company$/);
    expect(table.stdout).toMatch(/5 of 200 \(from 1\)/);

    // README's example search finds people in the demo data.
    const word = /npx utsend persons list -q (\S+)/.exec(readFileSync("README.md", "utf8"))?.[1];
    expect(word).toBe("fjordlys");
    const json = JSON.parse(utsend(["persons", "list", "-q", word!, "--limit", "500", "--json"]).stdout) as {
      items: Array<{ companyName: string }>;
      total: number;
    };
    expect(json.total).toBeGreaterThan(0);
    expect(json.items.every((p) => p.companyName === "Fjordlys AS")).toBe(true);

    const members = JSON.parse(utsend(["selections", "members", "1", "--json", "--limit", "500"]).stdout) as {
      total: number;
    };
    expect(members.total).toBe(20);
  });

  it("lists mailings, selections and projects with their ids, as a table or as JSON, and refuses an unknown status", () => {
    const mailings = utsend(["mailings", "list"]);
    expect(mailings.code, mailings.stderr).toBe(0);
    expect(mailings.stdout.split("\n")[0]).toMatch(/^ID\s+Name\s+Type\s+Status\s+Updated$/);
    expect(mailings.stdout).toMatch(/^1\s+\S.*\s+email\s+draft\s/m);
    const drafts = JSON.parse(
      utsend(["mailings", "list", "--status", "draft", "--type", "email", "--json"]).stdout,
    ) as {
      items: Array<{ id: number; status: string; type: string }>;
      total: number;
    };
    expect(drafts.total).toBeGreaterThan(0);
    expect(drafts.items.every((m) => m.status === "draft" && m.type === "email")).toBe(true);
    expect(JSON.parse(utsend(["mailings", "list", "--type", "sms", "--json"]).stdout)).toMatchObject({
      total: 0,
    });

    const selectionsTable = utsend(["selections", "list"]);
    expect(selectionsTable.code, selectionsTable.stderr).toBe(0);
    expect(selectionsTable.stdout.split("\n")[0]).toMatch(/^ID\s+Name\s+Kind\s+Updated$/);
    const selections = JSON.parse(utsend(["selections", "list", "--json"]).stdout) as {
      items: Array<{ id: number; name: string; kind: string }>;
    };
    expect(selections.items.find((s) => s.id === 1)?.name).toBeTruthy();
    expect(selections.items.map((s) => s.kind)).toEqual(expect.arrayContaining(["static", "dynamic"]));
    const named = utsend(["selections", "list", "-q", selections.items[0]!.name.slice(0, 4)]);
    expect(named.stdout).toContain(selections.items[0]!.name);

    const projects = utsend(["projects", "list"]);
    expect(projects.code, projects.stderr).toBe(0);
    expect(projects.stdout.split("\n")[0]).toMatch(/^ID\s+Name\s+Status\s+Members$/);
    expect(projects.stdout).toMatch(/\d+ of \d+ \(from 1\)/);
    const projectsJson = JSON.parse(utsend(["projects", "list", "--json"]).stdout) as {
      items: Array<{ id: number; name: string; status: string }>;
      total: number;
    };
    expect(projectsJson.total).toBeGreaterThan(0);
    expect(projectsJson.items[0]).toMatchObject({ id: expect.any(Number), name: expect.any(String) });
    expect(projects.stdout).toContain(projectsJson.items[0]!.name);

    const bad = utsend(["mailings", "list", "--status", "sent"]);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/--status: must be one of draft, scheduled/);
  });

  it("sends the demo mailing to the local outbox with `mailings send`, and refuses to send it twice", () => {
    const result = utsend(["mailings", "send", "1", "--json"]);
    expect(result.code, result.stderr).toBe(0);
    const progress = JSON.parse(result.stdout.trim().split("\n").pop()!) as {
      status: string;
      sent: number;
      total: number;
    };
    expect(progress.status).toBe("finished");
    expect(progress.sent).toBe(progress.total);
    expect(progress.total).toBeGreaterThan(10);
    const again = utsend(["mailings", "send", "1"]);
    expect(again.code).toBe(4);
    expect(again.stderr).toMatch(/MAILING_WRONG_STATUS/);
  });

  it("exits 3 for an unknown selection and 2 for a malformed id", () => {
    const missing = utsend(["selections", "members", "999"]);
    expect(missing.code).toBe(3);
    expect(missing.stderr).toMatch(/NOT_FOUND: selection 999 does not exist/);
    const malformed = utsend(["selections", "members", "abc"]);
    expect(malformed.code).toBe(2);
    expect(malformed.stderr).toMatch(/id: must be a whole number, got "abc"/);
  });

  it("classifies returned mail files as one JSON line each, without a database", () => {
    const dsn = join(dataDir, "bounce.eml");
    writeFileSync(
      dsn,
      [
        "From: MAILER-DAEMON@mx.example.no",
        "To: bounces@utsend.example",
        "Subject: Undelivered Mail Returned to Sender",
        "MIME-Version: 1.0",
        'Content-Type: multipart/report; report-type=delivery-status; boundary="b"',
        "",
        "--b",
        "Content-Type: text/plain",
        "",
        "Your message could not be delivered.",
        "--b",
        "Content-Type: message/delivery-status",
        "",
        "Reporting-MTA: dns; mx.example.no",
        "",
        "Final-Recipient: rfc822; ingen@example.no",
        "Action: failed",
        "Status: 5.1.1",
        "Diagnostic-Code: smtp; 550 5.1.1 User unknown",
        "--b--",
        "",
      ].join("\r\n"),
    );
    const result = utsend(["bounces", "classify", dsn, join(dataDir, "missing.eml"), "--json"], {
      UTSEND_DATA_DIR: "/nonexistent/dir",
    });
    expect(result.code, result.stderr).toBe(0);
    const lines = result.stdout
      .trim()
      .split("\n")
      .map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(lines).toHaveLength(2);
    expect(lines[0]).toMatchObject({
      file: dsn,
      kind: "hard",
      recipients: ["ingen@example.no"],
      status: "5.1.1",
    });
    expect(lines[1]).toMatchObject({ kind: "unknown" });
  });

  it("lists every configuration problem and exits 78 on an invalid config", () => {
    const result = utsend(["persons", "list"], { UTSEND_PORT: "x", UTSEND_DEFAULT_COUNTRY: "norway" });
    expect(result.code).toBe(78);
    expect(result.stderr).toMatch(/UTSEND_PORT/);
    expect(result.stderr).toMatch(/UTSEND_DEFAULT_COUNTRY/);
  });
});
