// First start as a new user meets it: admin, demo data, API docs; on SQLite and on PostgreSQL.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { testDialects } from "../helpers/dialects.ts";
import { type ApiClient, request, signIn, startTestServer, type TestServer } from "../helpers/server.ts";

type Page = { items: Array<Record<string, unknown>>; total: number };

describe.each(await testDialects())("first start on %s", (dialect) => {
  let server: TestServer;
  let admin: ApiClient;
  beforeAll(async () => {
    server = await startTestServer({ demoData: true, dialect });
    admin = await signIn(server.url, server.adminEmail, server.adminPassword);
  });
  afterAll(async () => server.close());

  it("loads the demo data set: companies, 200 persons, some without e-mail or mobile, withdrawn consent", async () => {
    expect(((await admin.get("/api/companies")).body as Page).total).toBeGreaterThanOrEqual(3);
    expect(((await admin.get("/api/persons")).body as Page).total).toBe(200);
    expect(((await admin.get("/api/persons?hasEmail=false")).body as Page).total).toBeGreaterThan(0);
    expect(((await admin.get("/api/persons?hasMobile=false")).body as Page).total).toBeGreaterThan(0);
    const withdrawn = await admin.send("POST", "/api/selections/preview", {
      criteria: { match: "all", criteria: [{ type: "consent", purpose: "e-marketing", state: "withdrawn" }] },
    });
    expect((withdrawn.body as Page).total).toBeGreaterThan(0);
    expect(((await admin.get("/api/subscription-types")).body as { items: unknown[] }).items).toHaveLength(2);
    expect(((await admin.get("/api/projects")).body as Page).total).toBe(2);
  });

  it("has a static, a dynamic and a combined selection whose members agree with each other", async () => {
    const selections = ((await admin.get("/api/selections")).body as Page).items as Array<{
      id: number;
      kind: string;
      combine: { leftId: number; rightId: number } | null;
    }>;
    expect(selections.map((s) => s.kind).sort()).toEqual(["combined", "dynamic", "static"]);
    const members = async (id: number) =>
      new Set(
        ((await admin.get(`/api/selections/${id}/members?limit=500`)).body as Page).items.map((p) => p.id),
      );
    const combined = selections.find((s) => s.kind === "combined")!;
    const left = await members(combined.combine!.leftId);
    const right = await members(combined.combine!.rightId);
    const union = await members(combined.id);
    expect(left.size).toBeGreaterThan(0);
    expect(right.size).toBeGreaterThan(0);
    expect(union).toEqual(new Set([...left, ...right]));
  });

  it("has a demo mailing whose e-mail has a language and a title, and nothing to warn about", async () => {
    const mailings = ((await admin.get("/api/mailings")).body as Page).items as Array<{ id: number }>;
    expect(mailings).toHaveLength(1);
    const demo = (await admin.get(`/api/mailings/${mailings[0]!.id}`)).body as {
      accessibilityWarnings: unknown[];
    };
    expect(demo.accessibilityWarnings).toEqual([]);
    const preview = (await admin.get(`/api/mailings/${mailings[0]!.id}/preview`)).body as { html: string };
    expect(preview.html).toMatch(
      /^<html lang="(nb|en)"><head><title>Velkommen til Vårkonferansen, [^<]+<\/title>/,
    );
  });

  it("serves the OpenAPI document and the browsable docs to a signed-in user", async () => {
    const spec = (await admin.get("/api/openapi.json")).body as {
      openapi: string;
      paths: Record<string, unknown>;
    };
    expect(spec.openapi).toBe("3.1.0");
    expect(Object.keys(spec.paths)).toContain("/api/selections/{id}/members");
    const docs = await admin.get("/api/docs/");
    expect(docs.status).toBe(200);
    expect(String(docs.body)).toMatch(/swagger/i);
  });

  it("does not load the demo data again on the next start", async () => {
    const { ensureDemoData } = await import("../../src/main.ts");
    const before = ((await admin.get("/api/persons")).body as Page).total;
    await ensureDemoData(server.server.handle, { demoData: true, defaultCountry: "NO" } as never, {
      info: () => {},
    });
    expect(((await admin.get("/api/persons")).body as Page).total).toBe(before);
  });

  it("answers the health check without signing in", async () => {
    const health = await request(server.url, "GET", "/api/health");
    expect(health.body).toEqual({ status: "ok", database: dialect });
  });
});
