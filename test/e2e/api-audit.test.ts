// The audit log (SPEC §11) on a real server, on both databases: every audited action writes its entry with who, from
// where and what; a failed sign-in keeps the address tried and never the password; only admins read or export it;
// and the database itself refuses to change or delete an entry.
import { sql } from "kysely";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { AuditEntry } from "../../src/audit/log.ts";
import { recordAudit } from "../../src/audit/log.ts";
import { blockAddress } from "../../src/deliveries/blocks.ts";
import { testDialects } from "../helpers/dialects.ts";
import {
  type ApiClient,
  ok,
  request,
  signIn,
  startTestServer,
  type TestServer,
  userWithRole,
} from "../helpers/server.ts";

type Page = { items: AuditEntry[]; total: number };

describe.each(await testDialects())("the audit log on %s", (dialect) => {
  let server: TestServer;
  let admin: ApiClient;

  const entries = async (query: string) => ok<Page>(admin.get(`/api/audit?${query}`));
  const latest = async (action: string) => {
    const page = await entries(`action=${action}&limit=1`);
    expect(page.items.length, `an entry for ${action}`).toBe(1);
    return page.items[0]!;
  };

  beforeAll(async () => {
    server = await startTestServer({ dialect });
    admin = await signIn(server.url, server.adminEmail, server.adminPassword);
  });
  afterAll(async () => server.close());

  it("records a sign-in with the user, the address it came from and the browser", async () => {
    const login = await request(server.url, "POST", "/auth/login", {
      body: { email: server.adminEmail, password: server.adminPassword },
      headers: { "user-agent": "AuditTest/1.0" },
    });
    expect(login.status).toBe(200);
    const entry = await latest("sign-in.succeeded");
    expect(entry).toMatchObject({
      actor: server.adminEmail,
      targetType: "user",
      ip: "127.0.0.1",
      userAgent: "AuditTest/1.0",
    });
    expect(entry.actorUserId).toBe(Number(entry.targetId));
  });

  it("records a failed sign-in with the address tried, anonymously, and never the password", async () => {
    const password = "Hemmelig-passord-987";
    const login = await request(server.url, "POST", "/auth/login", {
      body: { email: "Inntrenger@Example.no", password },
    });
    expect(login.status).toBe(401);
    const entry = await latest("sign-in.failed");
    expect(entry).toMatchObject({ actor: "anonymous", actorUserId: null, ip: "127.0.0.1" });
    expect(entry.detail).toEqual({ email: "inntrenger@example.no" });
    const everything = await entries("limit=500");
    expect(JSON.stringify(everything)).not.toContain(password);
    const csv = await admin.get("/api/audit/export?format=csv");
    expect(String(csv.body)).not.toContain(password);
  });

  it("records users made, their role and rights changed, and a password set by name only", async () => {
    const user = await ok<{ id: number }>(
      admin.send("POST", "/api/users", {
        email: "ny-bruker@example.no",
        name: "Ny",
        role: "viewer",
        password: "first-password-1",
      }),
      201,
    );
    expect(await latest("user.created")).toMatchObject({
      actor: server.adminEmail,
      targetType: "user",
      targetId: String(user.id),
      detail: { email: "ny-bruker@example.no", role: "viewer", canOverrideConsent: false },
    });
    await ok(
      admin.send("PATCH", `/api/users/${user.id}`, {
        role: "marketer",
        canOverrideConsent: true,
        password: "second-password-2",
      }),
    );
    expect((await latest("user.role-changed")).detail).toEqual({
      email: "ny-bruker@example.no",
      from: "viewer",
      to: "marketer",
    });
    expect((await latest("user.rights-changed")).detail).toMatchObject({
      right: "overrideConsent",
      from: false,
      to: true,
    });
    expect((await latest("user.changed")).detail).toMatchObject({ fields: ["password"] });
    expect(JSON.stringify(await entries("limit=500"))).not.toContain("second-password-2");
  });

  it("records API keys made and revoked, and names the key when a call uses one", async () => {
    const key = await ok<{ id: number; key: string; prefix: string }>(
      admin.send("POST", "/api/api-keys", { name: "rapportskript" }),
      201,
    );
    expect(await latest("api-key.created")).toMatchObject({
      targetType: "api-key",
      targetId: String(key.id),
      detail: { name: "rapportskript", prefix: key.prefix },
    });
    expect(JSON.stringify(await entries("limit=500"))).not.toContain(key.key);

    const exported = await request(server.url, "GET", "/api/exports/persons?format=csv", {
      headers: { authorization: `Bearer ${key.key}` },
    });
    expect(exported.status).toBe(200);
    expect(await latest("export.persons")).toMatchObject({
      actor: `${server.adminEmail} (api key rapportskript)`,
      detail: { format: "csv", selectionId: null },
    });

    await ok(admin.send("DELETE", `/api/api-keys/${key.id}`), 204);
    expect(await latest("api-key.revoked")).toMatchObject({
      targetId: String(key.id),
      detail: { name: "rapportskript", prefix: key.prefix },
    });
  });

  it("records which settings changed, and nothing when a save changes nothing", async () => {
    await ok(admin.send("PUT", "/api/settings", { consentFilter: false }));
    expect((await latest("settings.changed")).detail).toEqual({
      changed: { consentFilter: { from: true, to: false } },
    });
    const before = (await entries("action=settings.changed")).total;
    await ok(admin.send("PUT", "/api/settings", { consentFilter: false }));
    expect((await entries("action=settings.changed")).total).toBe(before);
    await ok(admin.send("PUT", "/api/settings", { consentFilter: true }));
  });

  it("records consent overridden on a mailing when made, and switched off again", async () => {
    const mailing = await ok<{ id: number }>(
      admin.send("POST", "/api/mailings", { name: "Overstyrt", options: { overrideConsent: true } }),
      201,
    );
    expect(await latest("mailing.consent-override")).toMatchObject({
      targetType: "mailing",
      targetId: String(mailing.id),
      detail: { overrideConsent: true },
    });
    await ok(admin.send("PATCH", `/api/mailings/${mailing.id}`, { options: { overrideConsent: false } }));
    expect((await latest("mailing.consent-override")).detail).toMatchObject({ overrideConsent: false });
    const count = (await entries("action=mailing.consent-override")).total;
    await ok(admin.send("PATCH", `/api/mailings/${mailing.id}`, { name: "Omdøpt" }));
    expect((await entries("action=mailing.consent-override")).total).toBe(count);

    const recipients = await admin.get(`/api/mailings/${mailing.id}/recipients/export?format=csv`);
    expect(recipients.status).toBe(200);
    expect(await latest("export.recipients")).toMatchObject({
      targetType: "mailing",
      targetId: String(mailing.id),
      detail: { format: "csv" },
    });
  });

  it("records exports of blocked addresses and cleared blocks", async () => {
    await blockAddress(
      server.server.handle.db,
      "blokkert@example.no",
      "hard-bounce",
      "550 no such user",
      new Date().toISOString(),
    );
    expect((await admin.get("/api/blocked-addresses/export?format=csv")).status).toBe(200);
    expect(await latest("export.blocked-addresses")).toMatchObject({ detail: { format: "csv" } });
    await ok(admin.send("POST", "/api/blocked-addresses/clear", { addresses: ["blokkert@example.no"] }));
    expect((await latest("block.cleared")).detail).toEqual({
      addresses: ["blokkert@example.no"],
      cleared: 1,
    });
  });

  it("records sending accounts and domains, never an account's password", async () => {
    const account = await ok<{ id: number }>(
      admin.send("POST", "/api/sending-accounts", {
        name: "Relé",
        kind: "smtp",
        host: "smtp.example.no",
        port: 587,
        username: "utsend",
        password: "smtp-hemmelighet-1",
      }),
      201,
    );
    expect(await latest("sending-account.created")).toMatchObject({
      targetType: "sending-account",
      targetId: String(account.id),
    });
    await ok(admin.send("PATCH", `/api/sending-accounts/${account.id}`, { password: "smtp-hemmelighet-2" }));
    expect((await latest("sending-account.changed")).detail).toEqual({ fields: ["password"] });
    const all = JSON.stringify(await entries("limit=500"));
    expect(all).not.toContain("smtp-hemmelighet");

    const domain = await ok<{ id: number }>(
      admin.send("POST", "/api/sending-domains", { domain: "audit.example" }),
      201,
    );
    expect((await latest("sending-domain.created")).detail).toEqual({ domain: "audit.example" });
    await ok(admin.send("DELETE", `/api/sending-domains/${domain.id}`), 204);
    expect(await latest("sending-domain.deleted")).toMatchObject({ targetId: String(domain.id) });
  });

  it("is read and exported only by admins", async () => {
    const marketer = await userWithRole(server, admin, "marketer");
    expect((await marketer.get("/api/audit")).status).toBe(403);
    expect((await marketer.get("/api/audit/export?format=csv")).status).toBe(403);
    const viewer = await userWithRole(server, admin, "viewer");
    expect((await viewer.get("/api/audit")).status).toBe(403);
  });

  it("filters by action, actor and time, newest first", async () => {
    const all = await entries("limit=500");
    expect(all.total).toBeGreaterThan(10);
    const times = all.items.map((e) => e.at);
    expect([...times].sort().reverse()).toEqual(times);

    const failed = await entries("action=sign-in.failed");
    expect(failed.items.every((e) => e.action === "sign-in.failed")).toBe(true);
    expect(failed.total).toBeGreaterThan(0);

    const byKey = await entries(`actor=${encodeURIComponent("API KEY rapport")}`);
    expect(byKey.total).toBeGreaterThan(0);
    expect(byKey.items.every((e) => e.actor.includes("api key rapportskript"))).toBe(true);
    expect((await entries("actor=50%25_off")).total).toBe(0);

    const today = new Date().toISOString().slice(0, 10);
    expect((await entries(`from=${today}&to=${today}`)).total).toBe(all.total);
    expect((await entries("to=2000-01-01")).total).toBe(0);
    expect((await entries("from=2999-01-01")).total).toBe(0);
    const middle = all.items[Math.floor(all.items.length / 2)]!.at;
    const since = await entries(`from=${middle}&limit=500`);
    expect(since.items.every((e) => e.at >= middle)).toBe(true);
    expect((await admin.get("/api/audit?action=no.such-action")).status).toBe(400);
  });

  it("exports the filtered entries as CSV, and logs the export itself", async () => {
    const response = await admin.get("/api/audit/export?format=csv&action=sign-in.failed");
    expect(response.status).toBe(200);
    expect(response.headers.get("content-type")).toContain("text/csv");
    const lines = String(response.body)
      .replace(/^\uFEFF/, "")
      .trim()
      .split("\r\n");
    expect(lines[0]).toBe("ID,Time,Actor,Actor user ID,Action,Target type,Target ID,Detail,IP,User agent");
    const failed = await entries("action=sign-in.failed");
    expect(lines.length - 1).toBe(failed.total);
    expect(lines[1]).toContain("anonymous");
    expect(lines[1]).toContain("inntrenger@example.no");
    expect(await latest("export.audit-log")).toMatchObject({
      actor: server.adminEmail,
      detail: { format: "csv", action: "sign-in.failed" },
    });
  });

  it("refuses UPDATE and DELETE of an entry in the database itself", async () => {
    const db = server.server.handle.db;
    await recordAudit(db, {
      actor: { kind: "cli" },
      origin: { ip: null, userAgent: null },
      action: "settings.changed",
      detail: { probe: true },
    });
    const entry = await latest("settings.changed");
    await expect(
      db.updateTable("audit_log").set({ actor_label: "someone else" }).where("id", "=", entry.id).execute(),
    ).rejects.toThrow(/append-only/);
    await expect(db.deleteFrom("audit_log").where("id", "=", entry.id).execute()).rejects.toThrow(
      /append-only/,
    );
    await expect(db.deleteFrom("audit_log").execute()).rejects.toThrow(/append-only/);
    if (dialect === "postgres")
      await expect(sql`truncate audit_log`.execute(db)).rejects.toThrow(/append-only/);
    expect(await latest("settings.changed")).toEqual(entry);
  });

  // Roles are PostgreSQL's: on SQLite the triggers above are all there is, so the test exists only there.
  if (dialect === "postgres")
    it("leaves the app's role no UPDATE, DELETE or TRUNCATE after the REVOKE in docs/operations.md", async () => {
      const { db, schema } = server.server.handle;
      const role = `utsend_app_${Math.random().toString(36).slice(2, 10)}`;
      const refused: string[] = [];
      // Roles belong to the whole server: this one lives only inside a transaction that is rolled back.
      const rollback = new Error("rollback");
      await db
        .transaction()
        .execute(async (trx) => {
          const run = (text: string) => sql.raw(text).execute(trx);
          await run(`create role ${role}`);
          await run(`grant usage on schema "${schema}" to ${role}`);
          await run(
            `grant select, insert, update, delete, truncate on all tables in schema "${schema}" to ${role}`,
          );
          // As docs/operations.md gives it.
          await run(`REVOKE UPDATE, DELETE, TRUNCATE ON audit_log FROM ${role}`);
          await run("REVOKE UPDATE, DELETE, TRUNCATE ON audit_log FROM PUBLIC");
          await run(`GRANT SELECT, INSERT ON audit_log TO ${role}`);
          await run(`GRANT USAGE ON SEQUENCE audit_log_id_seq TO ${role}`);
          await run(`set local role ${role}`);
          await run(
            `insert into audit_log (at, actor_label, action) values ('${new Date().toISOString()}', 'probe', 'settings.changed')`,
          );
          for (const statement of [
            "update audit_log set action = 'x'",
            "delete from audit_log",
            "truncate audit_log",
          ]) {
            await run("savepoint probe");
            try {
              await run(statement);
            } catch (error) {
              refused.push(`${statement.split(" ")[0]}: ${(error as Error).message}`);
            }
            await run("rollback to savepoint probe");
          }
          throw rollback;
        })
        .catch((error: unknown) => {
          if (error !== rollback) throw error;
        });
      expect(refused).toEqual([
        "update: permission denied for table audit_log",
        "delete: permission denied for table audit_log",
        "truncate: permission denied for table audit_log",
      ]);
    });
});
