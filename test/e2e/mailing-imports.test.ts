// A mailing's recipients from a file, and the recipient export with status, as users reach them: the HTTP API on a
// real server, and the `utsend` command line.
import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parse } from "csv-parse/sync";
import { readSheet } from "read-excel-file/node";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { openDatabase } from "../../src/db/connect.ts";
import { RECIPIENT_EXPORT_HEADERS } from "../../src/imports/export-recipients.ts";
import type { RecipientImportReport } from "../../src/imports/import-recipients.ts";
import { createMailing } from "../../src/mailings/store.ts";
import { type ApiClient, signIn, startTestServer, type TestServer, userWithRole } from "../helpers/server.ts";

const fixtures = join(import.meta.dirname, "../fixtures/imports");
const XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet";

describe("POST /api/mailings/:id/imports and GET /api/mailings/:id/recipients/export", () => {
  let server: TestServer;
  let admin: ApiClient;
  let key: string;
  beforeAll(async () => {
    server = await startTestServer();
    admin = await signIn(server.url, server.adminEmail, server.adminPassword);
    key = ((await admin.send("POST", "/api/api-keys", { name: "recipient import" })).body as { key: string })
      .key;
  });
  afterAll(async () => server.close());

  const newMailing = async () =>
    ((await admin.send("POST", "/api/mailings", { name: "Messeinvitasjon" })).body as { id: number }).id;
  async function upload(mailingId: number, file: string, query: string, contentType = "text/csv") {
    const response = await fetch(`${server.url}/api/mailings/${mailingId}/imports?${query}`, {
      method: "POST",
      headers: { authorization: `Bearer ${key}`, "content-type": contentType },
      body: readFileSync(join(fixtures, file)),
    });
    return { status: response.status, body: (await response.json()) as Record<string, unknown> };
  }

  it("dry-runs a file, then adds it as a source; the list shows the rows and the export their status", async () => {
    const crm = await admin.send("POST", "/api/persons", {
      firstName: "Kari",
      lastName: "Nordmann",
      emails: [{ address: "kari.nordmann@example.no" }],
    });
    const kariId = (crm.body as { id: number }).id;
    const mailingId = await newMailing();
    const dry = await upload(mailingId, "recipients-nb.csv", "dryRun=true");
    expect(dry.status).toBe(200);
    expect(dry.body).toMatchObject({
      dryRun: true,
      rows: 7,
      invalid: 1,
      linked: 1,
      importOnly: 4,
      sourceId: null,
    });
    expect((dry.body as unknown as RecipientImportReport).issues[0]).toMatchObject({
      row: 4,
      column: "E-post",
    });
    expect((await admin.get(`/api/mailings/${mailingId}/sources`)).body).toEqual({ items: [] });

    const real = await upload(
      mailingId,
      "recipients-nb.csv",
      "consentConfirmed=true&source=Messe&fileName=messe.csv",
    );
    expect(real.status).toBe(200);
    const sources = (await admin.get(`/api/mailings/${mailingId}/sources`)).body as { items: unknown[] };
    expect(sources.items).toEqual([
      { id: real.body.sourceId, kind: "import", refId: expect.any(Number), label: "messe.csv (5 rows)" },
    ]);
    const list = (await admin.get(`/api/mailings/${mailingId}/recipients?limit=50`)).body as {
      items: Array<{ email: string; personId: number | null; status: string; blockReason: string | null }>;
    };
    expect(list.items.find((r) => r.email === "kari.nordmann@example.no")).toMatchObject({
      personId: kariId,
      status: "blocked",
      blockReason: "no-consent",
    });
    expect(list.items.find((r) => r.email === "ase.odegard@example.no")).toMatchObject({
      personId: null,
      status: "eligible",
    });

    const csv = await fetch(`${server.url}/api/mailings/${mailingId}/recipients/export?status=eligible`, {
      headers: { authorization: `Bearer ${key}` },
    });
    expect(csv.status).toBe(200);
    expect(csv.headers.get("content-type")).toContain("text/csv");
    expect(csv.headers.get("content-disposition")).toContain(`mailing-${mailingId}-recipients-`);
    const [headers, ...rows] = parse((await csv.text()).replace(/^\uFEFF/, "")) as string[][];
    expect(headers).toEqual(RECIPIENT_EXPORT_HEADERS);
    expect(rows.map((r) => [r[0], r[1], r[4]])).toEqual([
      ["ase.odegard@example.no", "Åse Ødegård", "eligible"],
      ["blokkert@example.no", "", "eligible"],
      ["trine.bo@example.no", "Trine Bø", "eligible"],
      ["formel@example.no", "'=SUM(1+1)", "eligible"],
    ]);

    const xlsx = await fetch(`${server.url}/api/mailings/${mailingId}/recipients/export?format=xlsx`, {
      headers: { authorization: `Bearer ${key}` },
    });
    expect(xlsx.headers.get("content-type")).toBe(XLSX);
    const sheet = await readSheet(Buffer.from(await xlsx.arrayBuffer()));
    expect(sheet).toHaveLength(6);
  });

  it("says how far a running import has come, with counts, at the person import's progress address", async () => {
    const mailingId = await newMailing();
    const rows = 40_000;
    const csv = `E-post;Navn\n${Array.from({ length: rows }, (_, i) => `mottaker${i}@example.no;Mottaker ${i}`).join("\n")}\n`;
    const progressId = "recipient-import-progress-1";
    const auth = { authorization: `Bearer ${key}` };
    const sent = fetch(
      `${server.url}/api/mailings/${mailingId}/imports?consentConfirmed=true&fileName=stor.csv&progressId=${progressId}`,
      { method: "POST", headers: { ...auth, "content-type": "text/csv" }, body: csv },
    ).then(async (r) => ({ status: r.status, body: (await r.json()) as { rows: number } }));
    let finished = false;
    void sent.finally(() => {
      finished = true;
    });
    // Read while the upload waits for its report: the rows counted so far and the share of the file read.
    const seen: Array<{
      phase: string;
      rows: number;
      totalRows: number | null;
      bytes: number;
      totalBytes: number;
    }> = [];
    while (!finished) {
      const answer = await fetch(`${server.url}/api/imports/progress/${progressId}`, { headers: auth });
      if (answer.status === 200) {
        const body = (await answer.json()) as { running: true; progress: (typeof seen)[number] | null };
        if (body.progress) seen.push(body.progress);
      } else await answer.body?.cancel();
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    const report = await sent;
    expect(report.status).toBe(200);
    expect(report.body.rows).toBe(rows);
    const during = seen.filter((p) => p.rows > 0 && p.rows < rows);
    expect(during.length).toBeGreaterThan(0);
    for (const p of during) {
      expect(p).toMatchObject({ phase: "writing", totalRows: null, totalBytes: Buffer.byteLength(csv) });
      expect(p.bytes).toBeGreaterThan(0);
      expect(p.bytes).toBeLessThanOrEqual(p.totalBytes);
    }
    // The counts only grow, and the import is forgotten once it has ended.
    expect(during.map((p) => p.rows)).toEqual([...during.map((p) => p.rows)].sort((a, b) => a - b));
    const after = await fetch(`${server.url}/api/imports/progress/${progressId}`, { headers: auth });
    expect(after.status).toBe(404);
    await after.body?.cancel();
  });

  it("refuses a real run without the consent confirmation, a broken file and a mapping without e-mail", async () => {
    const mailingId = await newMailing();
    const unconfirmed = await upload(mailingId, "recipients-nb.csv", "");
    expect(unconfirmed.status).toBe(400);
    expect(JSON.stringify(unconfirmed.body)).toContain("consentConfirmed");
    const broken = await upload(mailingId, "truncated.xlsx", "consentConfirmed=true", XLSX);
    expect(broken.status).toBe(400);
    expect((broken.body.error as { code: string }).code).toBe("IMPORT_FILE_INVALID");
    const mapping = await upload(mailingId, "recipients-nb.csv", "dryRun=true&map=E-post%3Dignore");
    expect(mapping.status).toBe(400);
    expect((mapping.body.error as { code: string }).code).toBe("IMPORT_MAPPING_INVALID");
    const allOrNothing = await upload(
      mailingId,
      "recipients-nb.csv",
      "consentConfirmed=true&allOrNothing=true",
    );
    expect(allOrNothing.status).toBe(422);
    expect((await admin.get(`/api/mailings/${mailingId}/sources`)).body).toEqual({ items: [] });
    const unknown = await upload(999_999, "recipients-nb.csv", "dryRun=true");
    expect(unknown.status).toBe(404);
  });

  it("imports an SMS mailing's recipients by their mobile column: a mobile per row, no e-mail needed, one per number", async () => {
    const crm = await admin.send("POST", "/api/persons", {
      firstName: "Per",
      lastName: "Mobil",
      mobile: "+47 918 00 001",
    });
    const perId = (crm.body as { id: number }).id;
    const mailingId = (
      (
        await admin.send("POST", "/api/mailings", {
          name: "SMS-messe",
          type: "sms",
          smsSender: "Fjordlys",
          smsText: "Hei [[customer.firstname]]!",
        })
      ).body as { id: number }
    ).id;
    const csv = [
      "Fornavn;Mobil;E-post",
      "Per;918 00 001;",
      "Åse;+47 918 00 002;",
      "Ola;918 00 003;ola@example.no",
      "Kari;;kari@example.no",
      "Nils;12;",
      "Åse igjen;91800002;",
    ].join("\n");
    const post = async (query: string, body = csv) => {
      const response = await fetch(`${server.url}/api/mailings/${mailingId}/imports?${query}`, {
        method: "POST",
        headers: { authorization: `Bearer ${key}`, "content-type": "text/csv" },
        body,
      });
      return { status: response.status, body: (await response.json()) as RecipientImportReport };
    };
    const dry = await post("dryRun=true");
    expect(dry.status).toBe(200);
    expect(dry.body).toMatchObject({
      rows: 6,
      valid: 4,
      invalid: 2,
      duplicatesInFile: 1,
      linked: 1,
      importOnly: 2,
    });
    expect(dry.body.issues).toEqual([
      {
        row: 5,
        column: "Mobil",
        value: "",
        kind: "missing-mobile",
        reason: "is blank; every recipient of an SMS mailing needs a mobile number",
      },
      {
        row: 6,
        column: "Mobil",
        value: "12",
        kind: "invalid-mobile",
        reason: "is not a valid mobile number",
      },
    ]);
    expect(dry.body.duplicates).toEqual([{ row: 7, email: "", mobile: "+4791800002", firstRow: 3 }]);
    expect(dry.body.matches).toEqual([{ row: 2, email: "", mobile: "+4791800001", personId: perId }]);

    const real = await post("consentConfirmed=true&source=Messe");
    expect(real.status).toBe(200);
    const list = (await admin.get(`/api/mailings/${mailingId}/recipients?limit=50`)).body as {
      items: Array<{
        id: number;
        mobile: string | null;
        email: string | null;
        personId: number | null;
        status: string;
      }>;
    };
    const byMobile = new Map(list.items.map((r) => [r.mobile, r]));
    expect([...byMobile.keys()].sort()).toEqual(["+4791800001", "+4791800002", "+4791800003"]);
    // The number that belongs to a CRM person is that person, and their consent applies (Per gave none).
    expect(byMobile.get("+4791800001")).toMatchObject({ personId: perId, status: "blocked" });
    expect(byMobile.get("+4791800002")).toMatchObject({ personId: null, email: null, status: "eligible" });
    expect(byMobile.get("+4791800003")).toMatchObject({ email: "ola@example.no", status: "eligible" });
    // The file's first name fills the merge field of a recipient who is not in the CRM.
    const preview = (
      await admin.get(`/api/mailings/${mailingId}/sms-preview?recipientId=${byMobile.get("+4791800002")!.id}`)
    ).body as { text: string };
    expect(preview.text).toMatch(/^Hei Åse!/);

    // Without a mobile column an SMS import is refused before reading on, and says which column to map.
    const noMobile = await post("dryRun=true", "Fornavn;E-post\nKari;kari@example.no");
    expect(noMobile.status).toBe(400);
    expect(noMobile.body).toMatchObject({ error: { code: "IMPORT_MAPPING_INVALID" } });
    expect(JSON.stringify(noMobile.body)).toContain("no column holds the mobile number");
  });

  it("lets only users with the export right export, and answers 404 for an unknown mailing", async () => {
    const mailingId = await newMailing();
    const viewer = await userWithRole(server, admin, "viewer");
    expect((await viewer.get(`/api/mailings/${mailingId}/recipients/export`)).status).toBe(403);
    expect((await admin.get("/api/mailings/999999/recipients/export")).status).toBe(404);
    expect((await admin.get(`/api/mailings/${mailingId}/recipients/export?format=pdf`)).status).toBe(400);
  });
});

describe("utsend mailings import-recipients / export-recipients", () => {
  const dataDir = mkdtempSync(join(tmpdir(), "utsend-cli-recipients-"));
  afterAll(() => rmSync(dataDir, { recursive: true, force: true }));
  const utsend = (args: string[]) => {
    const result = spawnSync(process.execPath, ["bin/utsend.js", ...args], {
      encoding: "utf8",
      env: { ...process.env, UTSEND_DATA_DIR: dataDir, UTSEND_LOG_LEVEL: "silent" },
    });
    return { code: result.status, stdout: result.stdout, stderr: result.stderr };
  };
  let mailingId: number;
  beforeAll(async () => {
    expect(utsend(["migrate"]).code).toBe(0);
    const handle = await openDatabase({ databaseUrl: "", dataDir });
    mailingId = (await createMailing(handle.db, { name: "CLI-utsendelse" }, null)).id;
    await handle.close();
  });

  it("dry-runs with --json, then imports with --consent-confirmed, then exports CSV to stdout", () => {
    const file = join(fixtures, "recipients-nb.csv");
    const dry = utsend(["mailings", "import-recipients", String(mailingId), file, "--dry-run", "--json"]);
    expect(dry.code, dry.stderr).toBe(0);
    expect(JSON.parse(dry.stdout)).toMatchObject({ dryRun: true, invalid: 1, importOnly: 5 });

    const unconfirmed = utsend(["mailings", "import-recipients", String(mailingId), file]);
    expect(unconfirmed.code).toBe(2);
    expect(unconfirmed.stderr).toContain("VALIDATION_FAILED");

    const real = utsend(["mailings", "import-recipients", String(mailingId), file, "--consent-confirmed"]);
    expect(real.code, real.stderr).toBe(0);
    expect(real.stdout).toContain("Recipients added: 5");
    expect(real.stdout).toContain("ikke-en-adresse");

    const exported = utsend([
      "mailings",
      "export-recipients",
      String(mailingId),
      "--reason",
      "blocked-address",
    ]);
    expect(exported.code, exported.stderr).toBe(0);
    // Nothing blocked for that reason here: only the header row.
    expect(parse(exported.stdout.replace(/^\uFEFF/, ""))).toEqual([RECIPIENT_EXPORT_HEADERS]);
  });

  it("writes XLSX with -o and refuses an unknown status", async () => {
    const out = join(dataDir, "mottakere.xlsx");
    const result = utsend([
      "mailings",
      "export-recipients",
      String(mailingId),
      "--format",
      "xlsx",
      "-o",
      out,
    ]);
    expect(result.code, result.stderr).toBe(0);
    const rows = await readSheet(readFileSync(out));
    expect(rows[0]).toEqual(RECIPIENT_EXPORT_HEADERS);
    expect(rows.slice(1).map((r) => r[0])).toContain("ase.odegard@example.no");
    const bad = utsend(["mailings", "export-recipients", String(mailingId), "--status", "sent"]);
    expect(bad.code).toBe(2);
  });
});
