// A real utsend server on 127.0.0.1 and a free port, with its own database, for API and browser tests.
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import pg from "pg";
import type { FetchText } from "../../src/bounces/webhooks/sns.ts";
import type { Dialect } from "../../src/db/connect.ts";
import { type RunningServer, startServer } from "../../src/main.ts";
import { type Config, loadConfig } from "../../src/shared/config.ts";
import { POSTGRES_URL } from "./dialects.ts";

export type TestServer = {
  url: string;
  adminEmail: string;
  adminPassword: string;
  server: RunningServer;
  /** The server's data folder (removed by `close`). */
  dataDir: string;
  close(): Promise<void>;
};

export async function startTestServer(
  options: {
    demoData?: boolean;
    dialect?: Dialect;
    loginAttemptsPerMinute?: number;
    /** More configuration (webhook keys…), over the test defaults. */
    config?: Partial<Config>;
    /** The SES webhook's certificate and subscription fetcher. */
    snsFetch?: FetchText;
  } = {},
): Promise<TestServer> {
  const dataDir = mkdtempSync(join(tmpdir(), "utsend-server-"));
  const adminPassword = `pw-${Math.random().toString(36).slice(2)}-test`;
  const schema = `t_srv_${process.pid}_${Math.random().toString(36).slice(2, 8)}`;
  const config = loadConfig(
    {},
    {
      host: "127.0.0.1",
      port: 0,
      dataDir,
      databaseUrl: options.dialect === "postgres" ? POSTGRES_URL : "",
      databaseSchema: options.dialect === "postgres" ? schema : "public",
      adminPassword,
      demoData: options.demoData ?? false,
      logLevel: "silent",
      loginAttemptsPerMinute: options.loginAttemptsPerMinute ?? 1000,
      // SpamAssassin takes a second or more per Send: only the tests about the spam check turn it on.
      spamAssassin: "off",
      ...options.config,
    },
  );
  const server = await startServer(
    config,
    { info: () => {} },
    options.snsFetch ? { snsFetch: options.snsFetch } : {},
  );
  return {
    url: server.url,
    adminEmail: config.adminEmail,
    adminPassword,
    server,
    dataDir,
    close: async () => {
      // Stop the server (and its send worker) before its tables go away.
      await server.close();
      if (options.dialect === "postgres") {
        const client = new pg.Client({ connectionString: POSTGRES_URL });
        await client.connect();
        await client.query(`drop schema if exists "${schema}" cascade`);
        await client.end();
      }
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

export type ApiResponse = { status: number; body: unknown; headers: Headers };

/** A signed-in HTTP client: keeps the session cookie and sends the CSRF token on writes, as the web UI does. */
export type ApiClient = {
  get(path: string): Promise<ApiResponse>;
  send(method: string, path: string, body?: unknown): Promise<ApiResponse>;
};

export async function request(
  url: string,
  method: string,
  path: string,
  options: { body?: unknown; headers?: Record<string, string> } = {},
): Promise<ApiResponse> {
  const headers: Record<string, string> = { ...options.headers };
  let body: string | undefined;
  if (options.body !== undefined) {
    headers["content-type"] ??= "application/json";
    body = typeof options.body === "string" ? options.body : JSON.stringify(options.body);
  }
  const response = await fetch(`${url}${path}`, { method, headers, body, redirect: "manual" });
  const text = await response.text();
  let parsed: unknown = text;
  try {
    parsed = text ? JSON.parse(text) : null;
  } catch {
    // not JSON: keep the text
  }
  return { status: response.status, body: parsed, headers: response.headers };
}

export async function signIn(url: string, email: string, password: string): Promise<ApiClient> {
  const login = await request(url, "POST", "/auth/login", { body: { email, password } });
  if (login.status !== 200) throw new Error(`sign-in failed: ${login.status} ${JSON.stringify(login.body)}`);
  const cookie = (login.headers.get("set-cookie") ?? "").split(";")[0]!;
  const csrf = (login.body as { csrfToken: string }).csrfToken;
  return {
    get: (path) => request(url, "GET", path, { headers: { cookie } }),
    send: (method, path, body) =>
      request(url, method, path, { body, headers: { cookie, "x-csrf-token": csrf } }),
  };
}

/** Creates a user of the role through the API and signs them in. */
export async function userWithRole(
  server: TestServer,
  admin: ApiClient,
  role: "admin" | "marketer" | "viewer",
): Promise<ApiClient> {
  const email = `${role}-${Math.random().toString(36).slice(2, 8)}@example.no`;
  const password = "a-long-password-1";
  const created = await admin.send("POST", "/api/users", { email, name: `A ${role}`, role, password });
  if (created.status !== 201) throw new Error(`could not create ${role}: ${JSON.stringify(created.body)}`);
  return signIn(server.url, email, password);
}

/** The body of a response that must have the given status; anything else throws with the body. */
export async function ok<T>(promise: Promise<{ status: number; body: unknown }>, status = 200): Promise<T> {
  const response = await promise;
  if (response.status !== status) throw new Error(`${response.status}: ${JSON.stringify(response.body)}`);
  return response.body as T;
}

/** Reads until `done` holds or the time is up, and returns the last value read (the caller asserts on it). */
export async function waitFor<T>(
  read: () => Promise<T>,
  done: (value: T) => boolean,
  ms = 15_000,
): Promise<T> {
  const until = Date.now() + ms;
  for (;;) {
    const value = await read();
    if (done(value) || Date.now() > until) return value;
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** Waits for the server's send worker to finish the mailing; throws when it does not. */
export async function untilFinished(client: ApiClient, mailingId: number): Promise<void> {
  const mailing = await waitFor(
    async () => (await client.get(`/api/mailings/${mailingId}`)).body as { status: string },
    (m) => m.status === "finished",
  );
  if (mailing.status !== "finished")
    throw new Error(`mailing ${mailingId} is ${mailing.status}, not finished`);
}
