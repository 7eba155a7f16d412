// A person's data export, erasure and the suppression list through the API on a real server, on both databases:
// who may do each, what the answers look like, and the audit entry each leaves (without the person's data in it).
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { AuditEntry } from "../../src/audit/log.ts";
import { testDialects } from "../helpers/dialects.ts";
import {
  type ApiClient,
  ok,
  signIn,
  startTestServer,
  type TestServer,
  userWithRole,
} from "../helpers/server.ts";

type Page = { items: AuditEntry[]; total: number };

describe.each(await testDialects())("privacy API on %s", (dialect) => {
  let server: TestServer;
  let admin: ApiClient;
  let marketer: ApiClient;
  let viewer: ApiClient;
  const email = `Solveig.Nordhagen.${dialect}@fjordpost.example`;

  const latest = async (action: string) => {
    const page = await ok<Page>(admin.get(`/api/audit?action=${action}&limit=1`));
    expect(page.items.length, `an entry for ${action}`).toBe(1);
    return page.items[0]!;
  };
  const aPerson = () =>
    ok<{ id: number }>(
      admin.send("POST", "/api/persons", {
        firstName: "Solveig",
        lastName: "Nordhagen",
        language: "nb",
        emails: [{ address: email }],
      }),
      201,
    );

  beforeAll(async () => {
    server = await startTestServer({ dialect });
    admin = await signIn(server.url, server.adminEmail, server.adminPassword);
    marketer = await userWithRole(server, admin, "marketer");
    viewer = await userWithRole(server, admin, "viewer");
  });
  afterAll(async () => server.close());

  it("exports a person as JSON or as an HTML page to those with the export right, and audits each export", async () => {
    const person = await aPerson();
    const json = await marketer.get(`/api/persons/${person.id}/export`);
    expect(json.status).toBe(200);
    expect(json.headers.get("content-disposition")).toContain(`person-${person.id}.json`);
    expect(json.body).toMatchObject({
      format: "utsend-person-export",
      version: 1,
      person: { id: person.id, firstName: "Solveig" },
      emails: [{ address: email, primary: true }],
    });
    expect(await latest("person.data-exported")).toMatchObject({
      targetType: "person",
      targetId: String(person.id),
      detail: { format: "json" },
    });
    const html = await admin.get(`/api/persons/${person.id}/export?format=html`);
    expect(html.status).toBe(200);
    expect(html.headers.get("content-type")).toContain("text/html");
    expect(html.headers.get("content-security-policy")).toContain("default-src 'none'");
    expect(String(html.body)).toContain("Dine opplysninger");
    expect((await latest("person.data-exported")).detail).toEqual({ format: "html" });
    expect((await viewer.get(`/api/persons/${person.id}/export`)).status).toBe(403);
  });

  it("erases a person for an admin only, shows the plan first, audits the counts and suppresses the address", async () => {
    const person = await aPerson();
    expect((await marketer.send("POST", `/api/persons/${person.id}/erase`)).status).toBe(403);
    expect((await marketer.get(`/api/persons/${person.id}/erasure`)).status).toBe(403);
    const plan = await ok<Record<string, number>>(admin.get(`/api/persons/${person.id}/erasure`));
    expect(plan).toMatchObject({ personId: person.id, emails: 1, deliveries: 0 });
    const erased = await ok<Record<string, number>>(admin.send("POST", `/api/persons/${person.id}/erase`));
    expect(erased).toEqual(plan);
    expect((await admin.get(`/api/persons/${person.id}`)).status).toBe(404);
    const entry = await latest("person.erased");
    expect(entry).toMatchObject({ targetType: "person", targetId: String(person.id), detail: plan });
    expect(JSON.stringify(entry)).not.toContain("Solveig");

    // An admin may grant a marketer the erase right; the grant is audited like the override-consent right.
    const me = await ok<{ user: { id: number } }>(marketer.get("/api/auth/me"));
    await ok(admin.send("PATCH", `/api/users/${me.user.id}`, { canErase: true }));
    expect(await latest("user.rights-changed")).toMatchObject({
      detail: { right: "erase", from: false, to: true },
    });
    const other = await ok<{ id: number }>(
      admin.send("POST", "/api/persons", {
        firstName: "Annen",
        emails: [{ address: `annen.${dialect}@example.no` }],
      }),
      201,
    );
    expect((await marketer.send("POST", `/api/persons/${other.id}/erase`)).status).toBe(200);

    const check = await ok<{ suppressed: boolean; entry: { reason: string } | null }>(
      admin.get(`/api/suppressions/check?address=${encodeURIComponent(email.toUpperCase())}`),
    );
    expect(check).toMatchObject({ suppressed: true, entry: { reason: "erased" } });
    expect(await ok(admin.get("/api/suppressions"))).toMatchObject({ byReason: { erased: 2 } });
  });

  it("refuses consent for a suppressed address without new consent, and takes it with newConsent and a comment", async () => {
    const again = await aPerson();
    const consent = await ok<{ consents: Array<{ legalBasis: string }> }>(
      admin.get(`/api/persons/${again.id}`),
    );
    expect(consent.consents).toEqual([expect.objectContaining({ legalBasis: "withdrawn" })]);
    const refused = await admin.send("POST", `/api/persons/${again.id}/consents`, {
      purpose: "e-marketing",
      legalBasis: "consent",
    });
    expect(refused.status).toBe(409);
    expect(refused.body).toMatchObject({ error: { code: "CONSENT_SUPPRESSED" } });
    const granted = await admin.send("POST", `/api/persons/${again.id}/consents`, {
      purpose: "e-marketing",
      legalBasis: "consent",
      newConsent: true,
      comment: "signed up again at the counter, 2026-12-06",
    });
    expect(granted.status).toBe(200);
  });

  it("lets only admins see and clear the list; clearing is audited by the address's hash, not the address", async () => {
    expect((await marketer.get("/api/suppressions")).status).toBe(403);
    expect((await marketer.get(`/api/suppressions/check?address=${encodeURIComponent(email)}`)).status).toBe(
      403,
    );
    expect((await marketer.send("POST", "/api/suppressions/clear", { address: email })).status).toBe(403);
    const cleared = await ok<{ cleared: { reason: string } }>(
      admin.send("POST", "/api/suppressions/clear", { address: email }),
    );
    expect(cleared.cleared.reason).toBe("erased");
    const entry = await latest("suppression.cleared");
    expect(entry).toMatchObject({ targetType: "suppression", detail: { reason: "erased" } });
    expect(entry.targetId).toMatch(/^[0-9a-f]{64}$/);
    expect(JSON.stringify(entry).toLowerCase()).not.toContain(email.toLowerCase());
    expect(await ok(admin.send("POST", "/api/suppressions/clear", { address: email }))).toEqual({
      cleared: null,
    });
    expect(await ok(admin.get(`/api/suppressions/check?address=${encodeURIComponent(email)}`))).toEqual({
      suppressed: false,
      entry: null,
    });
  });

  it("keeps the retention settings with the others, audited, and shows when the daily run was and comes", async () => {
    expect(await ok(admin.get("/api/settings"))).toMatchObject({
      retentionTrackingDays: 90,
      retentionReturnedMailDays: 30,
    });
    const saved = await ok(admin.send("PUT", "/api/settings", { retentionTrackingDays: 60 }));
    expect(saved).toMatchObject({ retentionTrackingDays: 60, retentionReturnedMailDays: 30 });
    expect((await latest("settings.changed")).detail).toEqual({
      changed: { retentionTrackingDays: { from: 90, to: 60 } },
    });
    expect((await admin.send("PUT", "/api/settings", { retentionTrackingDays: 0 })).status).toBe(400);
    // The server took the first daily run when it started.
    const schedule = await ok<{ lastRun: string; nextRun: string }>(admin.get("/api/settings/retention"));
    expect(Date.parse(schedule.nextRun) - Date.parse(schedule.lastRun)).toBe(86_400_000);
    expect((await marketer.get("/api/settings/retention")).status).toBe(403);
  });
});
