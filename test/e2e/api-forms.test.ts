// The forms API on a real server: create, update (a bad definition names its field), publish versions, submissions
// listed, filtered and exported (CSV and XLSX read back), statistics counting views, submissions and refusals.
import { parse } from "csv-parse/sync";
import { readSheet } from "read-excel-file/node";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type DnsServer, startDnsServer } from "../helpers/dns-server.ts";
import { agedStamp, FIELDS, type Form, getPage, label, postPage, publishedForm } from "../helpers/forms.ts";
import {
  type ApiClient,
  ok,
  signIn,
  startTestServer,
  type TestServer,
  userWithRole,
} from "../helpers/server.ts";

let dns: DnsServer;
let server: TestServer;
let admin: ApiClient;

beforeAll(async () => {
  dns = await startDnsServer({ "example.no": { MX: [{ exchange: "mx.example.no" }] } });
  server = await startTestServer({ config: { dnsServers: dns.address, dnsTimeoutMs: 1000 } });
  admin = await signIn(server.url, server.adminEmail, server.adminPassword);
});
afterAll(async () => {
  await server?.close();
  await dns?.close();
});

describe("/api/forms", () => {
  it("creates a draft with its hosted address and embed snippets", async () => {
    const form = await ok<Form & { status: string; active: boolean }>(
      admin.send("POST", "/api/forms", { name: "Kurs i Bergen", language: "nb" }),
      201,
    );
    expect(form).toMatchObject({
      slug: "kurs-i-bergen",
      status: "draft",
      active: false,
      publishedVersion: 0,
    });
    expect(form.hostedUrl).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/f\/kurs-i-bergen$/);
    expect(form.embed.iframe).toBe(
      `<iframe src="${form.hostedUrl}?embed=1" title="Kurs i Bergen" style="width:100%;height:40rem;border:0" loading="lazy"></iframe>`,
    );
    expect(form.embed.script).toBe(`<script src="${form.hostedUrl}/embed.js" async></script>`);
    const list = await ok<{ forms: Array<{ id: number }> }>(admin.get("/api/forms"));
    expect(list.forms.map((f) => f.id)).toContain(form.id);
  });

  it("refuses a bad definition with details naming the field", async () => {
    const form = await ok<Form>(admin.send("POST", "/api/forms", { name: "Feil", language: "en" }), 201);
    const choice = { ...FIELDS[2]!, options: [] };
    const response = await admin.send("PUT", `/api/forms/${form.id}`, {
      definition: { fields: [FIELDS[0], choice] },
    });
    expect(response.status).toBe(400);
    expect(response.body).toMatchObject({
      error: {
        code: "VALIDATION_FAILED",
        details: { fields: [{ field: "definition.fields[1].options", message: expect.any(String) }] },
      },
    });
    const noEmail = await admin.send("PUT", `/api/forms/${form.id}`, {
      definition: { fields: [FIELDS[1]] },
      doubleOptIn: true,
    });
    expect(noEmail.body).toMatchObject({ error: { details: { fields: [{ field: "definition.fields" }] } } });
  });

  it("publishes version 1, then 2 after a change; the draft is not what visitors see until then", async () => {
    const form = await publishedForm(admin, "Versjoner");
    expect(form.publishedVersion).toBe(1);
    const renamed = FIELDS.map((f) => (f.key === "fornavn" ? { ...f, label: label("Ditt fornavn") } : f));
    await ok(admin.send("PUT", `/api/forms/${form.id}`, { definition: { fields: renamed } }));
    expect((await getPage(server.url, `/f/${form.slug}`)).text).not.toContain("Ditt fornavn");
    const v2 = await ok<Form>(admin.send("POST", `/api/forms/${form.id}/publish`));
    expect(v2.publishedVersion).toBe(2);
    expect((await getPage(server.url, `/f/${form.slug}`)).text).toContain("Ditt fornavn");
  });

  it("lists, filters and exports submissions, counts statistics, and refuses to delete a form that has some", async () => {
    const form = await publishedForm(admin, "Eksport", { thankYouText: "Takk, vi sees!" });
    await getPage(server.url, `/f/${form.slug}`);
    const stamp = await agedStamp(server.url, form.slug);
    for (const [email, name] of [
      ["kari@example.no", "Kari"],
      ["ola@example.no", "=Ola"],
    ]) {
      const answer = await postPage(server.url, `/f/${form.slug}`, {
        email: email!,
        fornavn: name!,
        meny: "Fisk",
        _stamp: stamp,
      });
      expect(answer.status).toBe(200);
      expect(answer.text).toContain("Takk, vi sees!");
    }
    expect(
      (
        await postPage(server.url, `/f/${form.slug}`, {
          email: "x@example.no",
          fornavn: "X",
          website: "spam",
          _stamp: stamp,
        })
      ).status,
    ).toBe(200);

    type List = {
      submissions: Array<{ id: number; email: string; name: string; version: number; status: string }>;
      total: number;
      nextAfter: number | null;
    };
    const all = await ok<List>(admin.get(`/api/forms/${form.id}/submissions`));
    expect(all.total).toBe(2);
    expect(all.submissions.map((s) => [s.email, s.name, s.version, s.status])).toEqual([
      ["ola@example.no", "=Ola", 1, "submitted"],
      ["kari@example.no", "Kari", 1, "submitted"],
    ]);
    const found = await ok<List>(admin.get(`/api/forms/${form.id}/submissions?q=kari&status=submitted`));
    expect(found.submissions.map((s) => s.email)).toEqual(["kari@example.no"]);
    const paged = await ok<List>(admin.get(`/api/forms/${form.id}/submissions?limit=1`));
    const next = await ok<List>(
      admin.get(`/api/forms/${form.id}/submissions?limit=1&after=${paged.nextAfter}`),
    );
    expect(next.submissions.map((s) => s.email)).toEqual(["kari@example.no"]);
    const detail = await ok<{ answers: Record<string, string>; fields: unknown[]; ip: string }>(
      admin.get(`/api/forms/${form.id}/submissions/${next.submissions[0]!.id}`),
    );
    expect(detail).toMatchObject({ answers: { email: "kari@example.no", meny: "Fisk" }, ip: "127.0.0.0" });
    expect(detail.fields).toHaveLength(FIELDS.length);

    const csv = await fetch(`${server.url}/api/forms/${form.id}/submissions/export?format=csv`, {
      headers: { authorization: `Bearer ${await apiKey()}` },
    });
    expect(csv.headers.get("content-type")).toContain("text/csv");
    const rows = parse(await csv.text(), { bom: true }) as string[][];
    expect(rows[0]).toEqual(["E-post", "Fornavn", "Meny", "Dato", "Kilde", "Status", "Sendt inn"]);
    expect(rows.slice(1).map((r) => r.slice(0, 3))).toEqual([
      ["kari@example.no", "Kari", "Fisk"],
      ["ola@example.no", "'=Ola", "Fisk"],
    ]);
    const xlsx = await fetch(`${server.url}/api/forms/${form.id}/submissions/export?format=xlsx`, {
      headers: { authorization: `Bearer ${await apiKey()}` },
    });
    const sheet = await readSheet(Buffer.from(await xlsx.arrayBuffer()));
    expect(sheet[0]).toEqual(["E-post", "Fornavn", "Meny", "Dato", "Kilde", "Status", "Sendt inn"]);
    expect(sheet.slice(1).map((r) => r[0])).toEqual(["kari@example.no", "ola@example.no"]);
    // Each export is in the audit log: who, which form, which format, how many rows; newest first.
    type Audit = { items: Array<{ actor: string; targetType: string; targetId: string; detail: unknown }> };
    const audited = await ok<Audit>(admin.get("/api/audit?action=export.form-submissions&limit=10"));
    expect(audited.items).toEqual([
      expect.objectContaining({
        actor: `${server.adminEmail} (api key forms-export)`,
        targetType: "form",
        targetId: String(form.id),
        detail: { form: "Eksport", format: "xlsx", rows: 2 },
      }),
      expect.objectContaining({ detail: { form: "Eksport", format: "csv", rows: 2 } }),
    ]);
    const missing = await fetch(`${server.url}/api/forms/999999/submissions/export?format=csv`, {
      headers: { authorization: `Bearer ${await apiKey()}` },
    });
    expect(missing.status).toBe(404);
    expect((await ok<Audit>(admin.get("/api/audit?action=export.form-submissions"))).items).toHaveLength(2);

    const stats = await ok<{
      views: number;
      submissions: number;
      conversion: number;
      refusals: unknown[];
      days: unknown[];
    }>(admin.get(`/api/forms/${form.id}/statistics`));
    expect(stats).toMatchObject({
      views: 2,
      submissions: 2,
      conversion: 1,
      refusals: [{ reason: "honeypot", count: 1 }],
    });
    expect(stats.days).toHaveLength(1);

    const refused = await admin.send("DELETE", `/api/forms/${form.id}`);
    expect(refused.status).toBe(409);
    expect(refused.body).toMatchObject({ error: { code: "FORM_HAS_SUBMISSIONS" } });
    const closed = await ok<{ status: string; active: boolean }>(
      admin.send("POST", `/api/forms/${form.id}/unpublish`),
    );
    expect(closed).toMatchObject({ status: "unpublished", active: false });
  }, 20_000);

  it("previews a draft's markup and lets a viewer read but not change", async () => {
    const preview = await ok<{ html: string }>(
      admin.send("POST", "/api/forms/preview", { definition: { fields: FIELDS }, language: "en" }),
    );
    expect(preview.html).toContain('<label for="f-fornavn">First name');
    const viewer = await userWithRole(server, admin, "viewer");
    expect((await viewer.get("/api/forms")).status).toBe(200);
    expect((await viewer.send("POST", "/api/forms", { name: "Nei", language: "nb" })).status).toBe(403);
    const spec = await ok<{ paths: Record<string, unknown> }>(admin.get("/api/openapi.json"));
    expect(Object.keys(spec.paths)).toEqual(
      expect.arrayContaining(["/api/forms", "/api/forms/{id}/publish", "/api/forms/{id}/submissions/export"]),
    );
  });
});

let key: string | undefined;
async function apiKey(): Promise<string> {
  key ??= (await ok<{ key: string }>(admin.send("POST", "/api/api-keys", { name: "forms-export" }), 201)).key;
  return key;
}
