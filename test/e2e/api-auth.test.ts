// Sign-in, sessions, CSRF, API keys and rights by role, against a real server.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  type ApiClient,
  request,
  signIn,
  startTestServer,
  type TestServer,
  userWithRole,
} from "../helpers/server.ts";

type Spec = { paths: Record<string, Record<string, unknown>> };

let server: TestServer;
let admin: ApiClient;

beforeAll(async () => {
  server = await startTestServer();
  admin = await signIn(server.url, server.adminEmail, server.adminPassword);
});
afterAll(async () => server.close());

describe("authentication", () => {
  it("answers 401 on every /api route without a session or key, except GET /api/health", async () => {
    const spec = (await admin.get("/api/openapi.json")).body as Spec;
    const routes = Object.entries(spec.paths).flatMap(([path, methods]) =>
      Object.keys(methods).map((method) => ({
        method: method.toUpperCase(),
        path: path.replace(/\{[^}]+\}/g, "1"),
      })),
    );
    routes.push({ method: "GET", path: "/api/openapi.json" }, { method: "GET", path: "/api/docs" });
    expect(routes.length).toBeGreaterThan(40);
    for (const route of routes) {
      if (!route.path.startsWith("/api")) continue;
      const response = await request(server.url, route.method, route.path, {
        body: ["GET", "DELETE"].includes(route.method) ? undefined : {},
      });
      if (route.method === "GET" && route.path === "/api/health") expect(response.status).toBe(200);
      else expect(response.status, `${route.method} ${route.path}`).toBe(401);
    }
  });

  it("refuses a wrong password with LOGIN_FAILED and the same answer for an unknown user", async () => {
    const wrong = await request(server.url, "POST", "/auth/login", {
      body: { email: server.adminEmail, password: "wrong-password" },
    });
    const unknown = await request(server.url, "POST", "/auth/login", {
      body: { email: "nobody@example.no", password: "wrong-password" },
    });
    expect(wrong.status).toBe(401);
    expect(wrong.body).toEqual(unknown.body);
    expect((wrong.body as { error: { code: string } }).error.code).toBe("LOGIN_FAILED");
  });

  it("sets an httpOnly SameSite=Lax session cookie", async () => {
    const login = await request(server.url, "POST", "/auth/login", {
      body: { email: server.adminEmail, password: server.adminPassword },
    });
    const cookie = login.headers.get("set-cookie") ?? "";
    expect(cookie).toMatch(/^utsend_session=/);
    expect(cookie).toMatch(/HttpOnly/i);
    expect(cookie).toMatch(/SameSite=Lax/i);
  });

  it("refuses a cookie-authenticated write without the CSRF token, and accepts it with the token", async () => {
    const login = await request(server.url, "POST", "/auth/login", {
      body: { email: server.adminEmail, password: server.adminPassword },
    });
    const cookie = (login.headers.get("set-cookie") ?? "").split(";")[0]!;
    const without = await request(server.url, "POST", "/api/companies", {
      body: { name: "Uten token AS" },
      headers: { cookie },
    });
    expect(without.status).toBe(403);
    expect((without.body as { error: { code: string } }).error.code).toBe("CSRF_FAILED");
    const forged = await request(server.url, "POST", "/api/companies", {
      body: { name: "Falsk token AS" },
      headers: { cookie, "x-csrf-token": "forged" },
    });
    expect(forged.status).toBe(403);
    const csrf = (login.body as { csrfToken: string }).csrfToken;
    const ok = await request(server.url, "POST", "/api/companies", {
      body: { name: "Med token AS" },
      headers: { cookie, "x-csrf-token": csrf },
    });
    expect(ok.status).toBe(201);
  });

  it("signs out: the old session cookie no longer works", async () => {
    const login = await request(server.url, "POST", "/auth/login", {
      body: { email: server.adminEmail, password: server.adminPassword },
    });
    const cookie = (login.headers.get("set-cookie") ?? "").split(";")[0]!;
    const csrf = (login.body as { csrfToken: string }).csrfToken;
    expect((await request(server.url, "GET", "/api/auth/me", { headers: { cookie } })).status).toBe(200);
    expect(
      (await request(server.url, "POST", "/api/auth/logout", { headers: { cookie, "x-csrf-token": csrf } }))
        .status,
    ).toBe(204);
    expect((await request(server.url, "GET", "/api/auth/me", { headers: { cookie } })).status).toBe(401);
  });

  it("accepts an API key without CSRF, stores only its hash, and stops accepting it once revoked", async () => {
    const created = await admin.send("POST", "/api/api-keys", { name: "script" });
    expect(created.status).toBe(201);
    const { key, id } = created.body as { key: string; id: number };
    const auth = { authorization: `Bearer ${key}` };
    expect(
      (await request(server.url, "POST", "/api/companies", { body: { name: "Nøkkel AS" }, headers: auth }))
        .status,
    ).toBe(201);
    const stored = await server.server.handle.db
      .selectFrom("api_keys")
      .select("key_hash")
      .where("id", "=", id)
      .executeTakeFirstOrThrow();
    expect(stored.key_hash).not.toContain(key.split("_")[2]!);
    const tampered = `${key.slice(0, -2)}xx`;
    expect(
      (await request(server.url, "GET", "/api/persons", { headers: { authorization: `Bearer ${tampered}` } }))
        .status,
    ).toBe(401);
    expect((await admin.send("DELETE", `/api/api-keys/${id}`)).status).toBe(204);
    expect((await request(server.url, "GET", "/api/persons", { headers: auth })).status).toBe(401);
  });

  it("limits sign-in attempts per client to the configured number a minute", async () => {
    const limitedServer = await startTestServer({ loginAttemptsPerMinute: 5 });
    try {
      const statuses: number[] = [];
      for (let i = 0; i < 6; i++) {
        const response = await request(limitedServer.url, "POST", "/auth/login", {
          body: { email: "x@example.no", password: "nope" },
        });
        statuses.push(response.status);
      }
      expect(statuses).toEqual([401, 401, 401, 401, 401, 429]);
      const limited = await request(limitedServer.url, "POST", "/auth/login", {
        body: { email: limitedServer.adminEmail, password: limitedServer.adminPassword },
      });
      expect((limited.body as { error: { code: string } }).error.code).toBe("RATE_LIMITED");
    } finally {
      await limitedServer.close();
    }
  });
});

describe("rights by role", () => {
  it("lets a viewer read but not write, and not manage settings", async () => {
    const viewer = await userWithRole(server, admin, "viewer");
    expect((await viewer.get("/api/persons")).status).toBe(200);
    const write = await viewer.send("POST", "/api/persons", { lastName: "Nei" });
    expect(write.status).toBe(403);
    expect((write.body as { error: { details: { right: string } } }).error.details.right).toBe("write");
    expect((await viewer.get("/api/users")).status).toBe(403);
    const me = (await viewer.get("/api/auth/me")).body as { rights: string[] };
    expect(me.rights).toEqual(["read"]);
  });

  it("lets a marketer edit CRM data but not users, settings or overriding consent unless granted", async () => {
    const marketer = await userWithRole(server, admin, "marketer");
    expect((await marketer.send("POST", "/api/persons", { lastName: "Ja" })).status).toBe(201);
    expect(
      (
        await marketer.send("POST", "/api/users", {
          email: "a@b.no",
          name: "x",
          role: "admin",
          password: "long-password-1",
        })
      ).status,
    ).toBe(403);
    expect((await marketer.send("PUT", "/api/settings", { consentFilter: false })).status).toBe(403);
    // The letterhead every composed letter carries is an admin's to change; anyone may read it.
    expect((await marketer.send("PUT", "/api/settings/letterhead", { companyName: "Nei AS" })).status).toBe(
      403,
    );
    expect((await marketer.get("/api/settings/letterhead")).status).toBe(200);
    expect((await admin.send("PUT", "/api/settings/letterhead", { companyName: "Ja AS" })).status).toBe(200);
    expect((await marketer.send("POST", "/api/subscription-types", { name: "Ny type" })).status).toBe(403);
    const me = (await marketer.get("/api/auth/me")).body as { rights: string[] };
    expect(me.rights).toEqual(["read", "write", "export", "send"]);
  });

  it("lets an admin grant a marketer the right to override consent", async () => {
    const email = `granted-${Date.now()}@example.no`;
    const created = await admin.send("POST", "/api/users", {
      email,
      name: "Granted",
      role: "marketer",
      password: "long-password-1",
    });
    const id = (created.body as { id: number }).id;
    await admin.send("PATCH", `/api/users/${id}`, { canOverrideConsent: true });
    const marketer = await signIn(server.url, email, "long-password-1");
    const me = (await marketer.get("/api/auth/me")).body as { rights: string[] };
    expect(me.rights).toContain("overrideConsent");
    expect(me.rights).not.toContain("manageSettings");
  });

  it("stops a disabled user's session at once", async () => {
    const email = `disabled-${Date.now()}@example.no`;
    const created = await admin.send("POST", "/api/users", {
      email,
      name: "Soon gone",
      role: "marketer",
      password: "long-password-1",
    });
    const user = await signIn(server.url, email, "long-password-1");
    expect((await user.get("/api/persons")).status).toBe(200);
    await admin.send("PATCH", `/api/users/${(created.body as { id: number }).id}`, { disabled: true });
    expect((await user.get("/api/persons")).status).toBe(401);
  });
});

describe("passwords and sessions", () => {
  async function aUser(password = "long-password-1") {
    const email = `pw-${Math.random().toString(36).slice(2, 8)}@example.no`;
    const created = await admin.send("POST", "/api/users", { email, name: "Pw", role: "marketer", password });
    return { email, password, id: (created.body as { id: number }).id };
  }
  const loginStatus = async (email: string, password: string) =>
    (await request(server.url, "POST", "/auth/login", { body: { email, password } })).status;

  it("changes your own password only with the current one", async () => {
    const user = await aUser();
    const session = await signIn(server.url, user.email, user.password);
    const without = await session.send("PATCH", "/api/auth/me", { password: "a-new-password-2" });
    expect(without.status).toBe(400);
    expect(
      (without.body as { error: { details: { fields: Array<{ field: string }> } } }).error.details.fields,
    ).toEqual([expect.objectContaining({ field: "currentPassword" })]);
    const wrong = await session.send("PATCH", "/api/auth/me", {
      password: "a-new-password-2",
      currentPassword: "not-the-password",
    });
    expect(wrong.status).toBe(403);
    expect((wrong.body as { error: { code: string } }).error.code).toBe("CURRENT_PASSWORD_WRONG");
    expect(await loginStatus(user.email, user.password)).toBe(200);
    expect(await loginStatus(user.email, "a-new-password-2")).toBe(401);
    // The language alone needs no password.
    expect((await session.send("PATCH", "/api/auth/me", { language: "en" })).status).toBe(200);
  });

  it("ends every other session of the user when they change their password, and keeps the one that changed it", async () => {
    const user = await aUser();
    const here = await signIn(server.url, user.email, user.password);
    const elsewhere = await signIn(server.url, user.email, user.password);
    expect((await elsewhere.get("/api/auth/me")).status).toBe(200);
    const changed = await here.send("PATCH", "/api/auth/me", {
      password: "a-new-password-2",
      currentPassword: user.password,
    });
    expect(changed.status).toBe(200);
    expect((await here.get("/api/auth/me")).status).toBe(200);
    expect((await elsewhere.get("/api/auth/me")).status).toBe(401);
    expect(await loginStatus(user.email, user.password)).toBe(401);
    expect(await loginStatus(user.email, "a-new-password-2")).toBe(200);
  });

  it("ends all of a user's sessions when an admin resets their password", async () => {
    const user = await aUser();
    const one = await signIn(server.url, user.email, user.password);
    const two = await signIn(server.url, user.email, user.password);
    expect(
      (await admin.send("PATCH", `/api/users/${user.id}`, { password: "reset-by-admin-3" })).status,
    ).toBe(200);
    expect((await one.get("/api/auth/me")).status).toBe(401);
    expect((await two.get("/api/auth/me")).status).toBe(401);
    expect(await loginStatus(user.email, "reset-by-admin-3")).toBe(200);
    // A change of name alone signs nobody out.
    const three = await signIn(server.url, user.email, "reset-by-admin-3");
    await admin.send("PATCH", `/api/users/${user.id}`, { name: "Renamed" });
    expect((await three.get("/api/auth/me")).status).toBe(200);
  });
});
