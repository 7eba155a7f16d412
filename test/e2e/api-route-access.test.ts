// Sign-in is decided by the route that matched, never by the URL text: every route of the OpenAPI document, in every
// odd spelling a client can send (the router decodes and the old hook did not), answers no 2xx without credentials.
import { connect } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ensureWebBuild } from "../../scripts/ensure-web-build.ts";
import { openToAll, signedIn } from "../../src/http/auth.ts";
import { type ApiClient, signIn, startTestServer, type TestServer } from "../helpers/server.ts";

type Spec = { paths: Record<string, Record<string, { security?: unknown[] }>> };

/** One raw HTTP/1.1 request: the request line goes out byte for byte as given (fetch would normalise it). */
function rawRequest(
  url: string,
  method: string,
  target: string,
  body?: string,
): Promise<{ status: number; text: string }> {
  const { hostname, port } = new URL(url);
  return new Promise((resolve, reject) => {
    const socket = connect(Number(port), hostname, () => {
      const head = [
        `${method} ${target} HTTP/1.1`,
        `Host: ${hostname}:${port}`,
        "Connection: close",
        ...(body === undefined
          ? []
          : ["Content-Type: application/json", `Content-Length: ${Buffer.byteLength(body)}`]),
      ];
      socket.write(`${head.join("\r\n")}\r\n\r\n${body ?? ""}`);
    });
    const chunks: Buffer[] = [];
    socket.on("data", (c) => chunks.push(c));
    socket.on("error", reject);
    socket.on("end", () => {
      const text = Buffer.concat(chunks).toString("latin1");
      resolve({ status: Number(text.slice(9, 12)), text });
    });
  });
}

const encodeLetter = (c: string) => `%${c.charCodeAt(0).toString(16).padStart(2, "0")}`;

/** Spellings that a router, proxy or hook might read as the same route: each is a way a check on the text slips. */
function oddSpellings(path: string): string[] {
  const segments = path.split("/").slice(1);
  const [first = "", ...rest] = segments;
  const tail = rest.join("/");
  const spellings = [
    `/${encodeLetter(first[0] ?? "a")}${first.slice(1)}/${tail}`,
    `/${first.slice(0, -1)}${encodeLetter(first.at(-1) ?? "i")}/${tail}`,
    `/${[...first].map(encodeLetter).join("")}/${tail}`,
    `/${first}/${segments
      .slice(1)
      .map((s) => (/^[a-z]/.test(s) ? `${encodeLetter(s[0] ?? "")}${s.slice(1)}` : s))
      .join("/")}`,
    `/${first.toUpperCase()}/${tail}`,
    path.toUpperCase(),
    `/${first[0]?.toUpperCase()}${first.slice(1)}/${tail}`,
    `/${path}`,
    `/${first}//${tail}`,
    `${path}//`,
    `/./${first}/${tail}`,
    `/${first}/./${tail}`,
    `/${first}/x/../${tail}`,
    `/${first}/%2e/${tail}`,
    `/${first}/%2E%2E/${first}/${tail}`,
    `/${first};x=1/${tail}`,
    `${path};x`,
    `/${first}%2F${tail}`,
    `/${first}%2f${tail}`,
    `/${first}%5C${tail}`,
    `${path}/`,
    `${path}%00`,
    `/${first}%00/${tail}`,
    `${path}%20`,
    `${path}?x=/../`,
    `${path}#frag`,
  ];
  return [...new Set(spellings)];
}

let server: TestServer;
let admin: ApiClient;

beforeAll(async () => {
  // With the UI built, unmatched GETs reach its fallback route too: that must not be a way in either.
  ensureWebBuild(() => {});
  server = await startTestServer();
  admin = await signIn(server.url, server.adminEmail, server.adminPassword);
}, 240_000);
afterAll(async () => server?.close());

describe("access is decided by the route that matched", () => {
  it("answers no 2xx without credentials to any route of the OpenAPI document in any odd spelling", async () => {
    const spec = (await admin.get("/api/openapi.json")).body as Spec;
    const routes = Object.entries(spec.paths).flatMap(([path, methods]) =>
      Object.entries(methods)
        .filter(([, operation]) => !(Array.isArray(operation.security) && operation.security.length === 0))
        .map(([method]) => ({ method: method.toUpperCase(), path: path.replace(/\{[^}]+\}/g, "1") })),
    );
    routes.push({ method: "GET", path: "/api/openapi.json" }, { method: "GET", path: "/api/docs" });
    expect(routes.length).toBeGreaterThan(100);
    const leaks: string[] = [];
    let tried = 0;
    for (const route of routes) {
      const methods = route.method === "GET" ? ["GET", "HEAD"] : [route.method];
      for (const method of methods)
        for (const spelling of oddSpellings(route.path)) {
          const body = ["GET", "HEAD", "DELETE"].includes(method) ? undefined : "{}";
          const response = await rawRequest(server.url, method, spelling, body);
          tried++;
          if (response.status >= 200 && response.status < 300)
            leaks.push(`${method} ${spelling} → ${response.status} (${route.method} ${route.path})`);
        }
    }
    expect(tried).toBeGreaterThan(2000);
    expect(leaks).toEqual([]);
  });

  it("answers 401 to the percent-encoded spellings from the report, and creates no user", async () => {
    const body = JSON.stringify({ email: "x@y.test", name: "x", role: "admin", password: "Pwned-pass-1!" });
    for (const target of ["/%61pi/users", "/ap%69/users", "/%61%70%69/users"]) {
      const response = await rawRequest(server.url, "POST", target, body);
      expect(response.status, target).toBe(401);
    }
    const exported = await rawRequest(server.url, "GET", "/%61pi/exports/persons");
    expect(exported.status).toBe(401);
    const users = (await admin.get("/api/users")).body as { items: Array<{ email: string }> };
    expect(users.items.map((u) => u.email)).not.toContain("x@y.test");
  });

  it("applies the route's right to an odd spelling: a viewer cannot create a user through /%61pi/users", async () => {
    const email = `viewer-${Date.now()}@example.no`;
    await admin.send("POST", "/api/users", { email, name: "V", role: "viewer", password: "long-password-1" });
    const login = await fetch(`${server.url}/auth/login`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ email, password: "long-password-1" }),
    });
    const { csrfToken } = (await login.json()) as { csrfToken: string };
    const cookie = (login.headers.get("set-cookie") ?? "").split(";")[0]!;
    const { hostname, port } = new URL(server.url);
    const status = await new Promise<number>((resolve, reject) => {
      const body = JSON.stringify({ email: "y@y.test", name: "y", role: "admin", password: "Pwned-pass-1!" });
      const socket = connect(Number(port), hostname, () =>
        socket.write(
          `POST /%61pi/users HTTP/1.1\r\nHost: ${hostname}\r\nConnection: close\r\nCookie: ${cookie}\r\n` +
            `x-csrf-token: ${csrfToken}\r\nContent-Type: application/json\r\nContent-Length: ${body.length}\r\n\r\n${body}`,
        ),
      );
      let text = "";
      socket.on("data", (c) => {
        text += c;
      });
      socket.on("error", reject);
      socket.on("end", () => resolve(Number(text.slice(9, 12))));
    });
    expect(status).toBe(403);
  });

  it("still serves the public routes and the web UI without sign-in", async () => {
    expect((await rawRequest(server.url, "GET", "/api/health")).status).toBe(200);
    expect((await rawRequest(server.url, "GET", "/")).status).toBe(200);
    expect((await rawRequest(server.url, "GET", "/persons")).status).toBe(200);
    expect((await rawRequest(server.url, "GET", "/u/not-a-token")).status).toBe(404);
    expect((await rawRequest(server.url, "GET", "/API/persons")).status).toBe(404);
  });
});

describe("a route that declares nothing", () => {
  it("is refused, while routes in a signed-in or public scope get their scope's rule", async () => {
    const { buildApp } = await import("../../src/http/app.ts");
    const app = await buildApp({
      handle: server.server.handle,
      config: { ...(await import("../../src/shared/config.ts")).loadConfig({}, { logLevel: "silent" }) },
      send: { keys: { current: "k", keys: { k: "secret" } }, publicUrl: "http://127.0.0.1" },
      webRoot: "/nonexistent",
      // No form is posted here: nothing reaches the queue.
      formQueue: { nudge: () => undefined },
    });
    app.get("/api/forgotten", async () => ({ secret: true }));
    app.get("/forgotten-too", async () => ({ secret: true }));
    await app.register(
      signedIn(async (scope) => {
        scope.get("/api/declared-by-scope", async () => ({ ok: 1 }));
      }),
    );
    await app.register(
      openToAll(async (scope) => {
        scope.get("/open-by-scope", async () => ({ ok: 1 }));
      }),
    );
    await app.ready();
    try {
      const forgotten = await app.inject({ method: "GET", url: "/api/forgotten" });
      expect(forgotten.statusCode).toBe(403);
      expect(forgotten.json().error.code).toBe("FORBIDDEN");
      expect((await app.inject({ method: "GET", url: "/forgotten-too" })).statusCode).toBe(403);
      expect((await app.inject({ method: "GET", url: "/api/declared-by-scope" })).statusCode).toBe(401);
      expect((await app.inject({ method: "GET", url: "/open-by-scope" })).statusCode).toBe(200);
      expect((await app.inject({ method: "GET", url: "/no-such-route" })).statusCode).toBe(404);
    } finally {
      await app.close();
    }
  });
});
