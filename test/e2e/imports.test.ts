// Person import and export as users reach them: the HTTP API on a real server, and the `utsend` command line.
import { spawnSync } from "node:child_process";
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { readSheet } from "read-excel-file/node";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import type { ImportReport } from "../../src/imports/import-persons.ts";
import { type ApiClient, signIn, startTestServer, type TestServer, userWithRole } from "../helpers/server.ts";

const fixtures = join(import.meta.dirname, "../fixtures/imports");
const XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet";

let server: TestServer;
let admin: ApiClient;
let key: string;

beforeAll(async () => {
  server = await startTestServer();
  admin = await signIn(server.url, server.adminEmail, server.adminPassword);
  key = ((await admin.send("POST", "/api/api-keys", { name: "import tests" })).body as { key: string }).key;
});
afterAll(async () => server.close());

async function upload(file: string, query: string, contentType: string) {
  const response = await fetch(`${server.url}/api/imports/persons?${query}`, {
    method: "POST",
    headers: { authorization: `Bearer ${key}`, "content-type": contentType },
    body: readFileSync(join(fixtures, file)),
  });
  return { status: response.status, body: (await response.json()) as Record<string, unknown> };
}

const attest = "legalBasis=consent&source=Messe%202024";

describe("POST /api/imports/persons", () => {
  it("dry-runs an uploaded CSV: the report names rows and columns, and nothing is written", async () => {
    const { status, body } = await upload("persons-broken-rows.csv", `dryRun=true&${attest}`, "text/csv");
    expect(status).toBe(200);
    const report = body as unknown as ImportReport;
    expect(report).toMatchObject({ dryRun: true, invalid: 6, created: 2 });
    expect(report.issues[0]).toEqual({
      row: 3,
      column: "Email",
      value: "not-an-email",
      kind: "invalid-email",
      reason: "is not a valid e-mail address",
    });
    const persons = await admin.get("/api/persons?q=ok.one");
    expect((persons.body as { total: number }).total).toBe(0);
  });

  it("refuses a file with invalid rows all-or-nothing with 422 and the report in details", async () => {
    const { status, body } = await upload(
      "persons-broken-rows.csv",
      `allOrNothing=true&${attest}`,
      "text/csv",
    );
    expect(status).toBe(422);
    const error = body.error as { code: string; details: { report: ImportReport } };
    expect(error.code).toBe("IMPORT_ROWS_INVALID");
    expect(error.details.report.issues).toHaveLength(6);
  });

  it("imports an uploaded XLSX and the persons appear in the register", async () => {
    const { status, body } = await upload("persons-nb.xlsx", attest, XLSX);
    expect(status).toBe(200);
    expect(body).toMatchObject({ dryRun: false, created: 4, file: { format: "xlsx" } });
    const found = await admin.get("/api/persons?q=%C3%B8deg%C3%A5rd");
    expect((found.body as { items: Array<{ email: string }> }).items.map((p) => p.email)).toEqual([
      "ase.odegard@example.no",
    ]);
  });

  it("writes an upload to a temporary file as it arrives and removes it after the import, also when refused", async () => {
    const uploads = join(server.dataDir, "uploads");
    const file = readFileSync(join(fixtures, "persons-nb.xlsx"));
    let release = () => {};
    const gate = new Promise<void>((resolve) => {
      release = resolve;
    });
    const body = new ReadableStream<Uint8Array>({
      async start(controller) {
        controller.enqueue(file.subarray(0, 1000));
        await gate;
        controller.enqueue(file.subarray(1000));
        controller.close();
      },
    });
    const pending = fetch(`${server.url}/api/imports/persons?dryRun=true&${attest}`, {
      method: "POST",
      headers: { authorization: `Bearer ${key}`, "content-type": XLSX },
      body,
      duplex: "half",
    } as RequestInit);
    // Half the file has arrived: it is on disk, not in memory, and the import has not started.
    await vi.waitFor(
      () => expect(readdirSync(uploads).map((name) => statSync(join(uploads, name)).size)).toEqual([1000]),
      { timeout: 5000 },
    );
    release();
    const response = await pending;
    expect(response.status).toBe(200);
    expect(await response.json()).toMatchObject({ dryRun: true, file: { format: "xlsx" } });
    expect(readdirSync(uploads)).toEqual([]);
    const bomb = await upload("bomb-lying.xlsx", attest, XLSX);
    expect(bomb.status).toBe(413);
    const empty = await fetch(`${server.url}/api/imports/persons?${attest}`, {
      method: "POST",
      headers: { authorization: `Bearer ${key}`, "content-type": "text/csv" },
      body: "",
    });
    expect(empty.status).toBe(400);
    await vi.waitFor(() => expect(readdirSync(uploads)).toEqual([]));
  });

  it("refuses a zip bomb with 413 IMPORT_TOO_LARGE and a truncated workbook with 400", async () => {
    const bomb = await upload("bomb-lying.xlsx", attest, XLSX);
    expect(bomb.status).toBe(413);
    expect((bomb.body.error as { code: string }).code).toBe("IMPORT_TOO_LARGE");
    const truncated = await upload("truncated.xlsx", attest, XLSX);
    expect(truncated.status).toBe(400);
    expect((truncated.body.error as { code: string }).code).toBe("IMPORT_FILE_INVALID");
  });

  it("accepts a CSV sent with a charset parameter, reading the bytes for what they are", async () => {
    const { status, body } = await upload(
      "persons-windows-1252.csv",
      `dryRun=true&${attest}`,
      "text/csv; charset=windows-1252",
    );
    expect(status).toBe(200);
    expect(body).toMatchObject({ file: { encoding: "windows-1252", delimiter: ";" }, valid: 2 });
  });

  it("requires the consent attestation", async () => {
    const { status, body } = await upload("persons-utf8-bom.csv", "dryRun=true", "text/csv");
    expect(status).toBe(400);
    expect((body.error as { code: string }).code).toBe("VALIDATION_FAILED");
  });
});

describe("/api/import-mappings", () => {
  it("saves a mapping that a later import uses by id", async () => {
    const saved = await admin.send("POST", "/api/import-mappings", {
      name: "Bakeri",
      columns: { Stilling: "ignore" },
    });
    expect(saved.status).toBe(201);
    const id = (saved.body as { id: number }).id;
    const list = await admin.get("/api/import-mappings");
    expect(
      (list.body as { items: Array<{ id: number; columns: Record<string, string> }> }).items,
    ).toContainEqual(expect.objectContaining({ id, columns: { Stilling: "ignore" } }));
    const { body } = await upload(
      "persons-utf8-bom.csv",
      `dryRun=true&mappingId=${id}&${attest}`,
      "text/csv",
    );
    expect((body as unknown as ImportReport).columns).toContainEqual({
      column: "Stilling",
      field: null,
      guessed: false,
    });
  });

  it("refuses a mapping to a field that does not exist, naming the column", async () => {
    const response = await admin.send("POST", "/api/import-mappings", {
      name: "Feil",
      columns: { Navn: "nickname" },
    });
    expect(response.status).toBe(400);
    expect(JSON.stringify(response.body)).toContain("columns.Navn");
  });
});

describe("GET /api/exports/persons", () => {
  it("streams CSV and XLSX as attachments", async () => {
    const csv = await fetch(`${server.url}/api/exports/persons?format=csv`, {
      headers: { authorization: `Bearer ${key}` },
    });
    expect(csv.status).toBe(200);
    expect(csv.headers.get("content-disposition")).toMatch(
      /^attachment; filename="persons-\d{4}-\d{2}-\d{2}\.csv"$/,
    );
    expect(await csv.text()).toContain("ase.odegard@example.no");
    const xlsx = await fetch(`${server.url}/api/exports/persons?format=xlsx`, {
      headers: { authorization: `Bearer ${key}` },
    });
    expect(xlsx.headers.get("content-type")).toBe(XLSX);
    const rows = await readSheet(Buffer.from(await xlsx.arrayBuffer()));
    expect(rows.map((r) => r[1])).toContain("bjorn.aesoy@example.no");
  });

  it("needs the export right: a viewer gets 403", async () => {
    const viewer = await userWithRole(server, admin, "viewer");
    const response = await viewer.get("/api/exports/persons");
    expect(response.status).toBe(403);
    expect(response.body).toMatchObject({ error: { code: "FORBIDDEN", details: { right: "export" } } });
  });

  it("answers 404 for an unknown selection", async () => {
    const response = await admin.get("/api/exports/persons?selectionId=999999");
    expect(response.status).toBe(404);
  });
});

describe("utsend persons import / export", () => {
  const dataDir = mkdtempSync(join(tmpdir(), "utsend-cli-import-"));
  afterAll(() => rmSync(dataDir, { recursive: true, force: true }));
  const utsend = (args: string[]) => {
    const result = spawnSync(process.execPath, ["bin/utsend.js", ...args], {
      encoding: "utf8",
      env: { ...process.env, UTSEND_DATA_DIR: dataDir, UTSEND_LOG_LEVEL: "silent" },
    });
    return { code: result.status, stdout: result.stdout, stderr: result.stderr };
  };
  const attestation = ["--legal-basis", "consent", "--source", "Messe 2024"];

  it("dry-runs with --json, printing the report and writing nothing", () => {
    const result = utsend([
      "persons",
      "import",
      join(fixtures, "persons-broken-rows.csv"),
      "--dry-run",
      "--json",
      ...attestation,
    ]);
    expect(result.code, result.stderr).toBe(0);
    const report = JSON.parse(result.stdout) as ImportReport;
    expect(report).toMatchObject({ dryRun: true, invalid: 6 });
    expect(report.issues.map((i) => `${i.row}:${i.column}`)).toEqual([
      "3:Email",
      "4:Mobile",
      "5:Email",
      "7:Language",
      "9:City",
      "10:Email",
    ]);
    expect(JSON.parse(utsend(["persons", "list", "--json"]).stdout)).toMatchObject({ total: 0 });
  });

  it("exits 2 with the rows listed when all-or-nothing refuses a file", () => {
    const result = utsend([
      "persons",
      "import",
      join(fixtures, "persons-broken-rows.csv"),
      "--all-or-nothing",
      ...attestation,
    ]);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain("error IMPORT_ROWS_INVALID");
    expect(result.stdout).toContain("not-an-email");
  });

  it("imports with --map, and exports CSV to stdout", () => {
    const imported = utsend([
      "persons",
      "import",
      join(fixtures, "persons-windows-1252.csv"),
      "--map",
      "Tittel=ignore",
      ...attestation,
    ]);
    expect(imported.code, imported.stderr).toBe(0);
    expect(imported.stdout).toContain("Persons created: 2");
    const exported = utsend(["persons", "export"]);
    expect(exported.code, exported.stderr).toBe(0);
    expect(exported.stdout).toContain("hakon@example.no,Håkon,,Sæther,,");
  });

  it("refuses a missing attestation", () => {
    const result = utsend(["persons", "import", join(fixtures, "persons-nb.xlsx"), "--dry-run"]);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain("--legal-basis");
  });
});
