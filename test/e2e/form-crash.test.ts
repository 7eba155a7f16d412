// The server killed (SIGKILL) during a burst of form submissions, on both databases: every submission whose visitor
// got the thank-you page is stored and, after a restart, processed once — one person per address, in the form's
// selection — including those whose processing the kill cut half-way or never started.
import { type ChildProcess, spawn } from "node:child_process";
import { request as httpRequest } from "node:http";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { aForm, standardFields } from "../../src/forms/test-builders.ts";
import { createSelection } from "../../src/selections/store.ts";
import { freshDatabase, type TestDb, testDialects } from "../helpers/dialects.ts";
import { type DnsServer, startDnsServer } from "../helpers/dns-server.ts";
import { stampOf } from "../helpers/forms.ts";

// Visitors come from distinct /24 networks on the loopback (127.0.<n>.1): the per-IP limit (10 per form in ten
// minutes) counts the truncated address, so each network posts at most ten.
const NETWORKS = 30;
const PER_NETWORK = 10;
const CONCURRENCY = 30;
const KILL_AFTER_THANKED = 120;

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

type Running = { child: ChildProcess; url: string };

function startServerProcess(t: TestDb, dns: DnsServer): Promise<Running> {
  const child = spawn(process.execPath, ["bin/utsend.js", "start"], {
    env: {
      ...process.env,
      UTSEND_DATABASE_URL: t.url,
      UTSEND_DATABASE_SCHEMA: t.dialect === "postgres" ? t.schema : "public",
      UTSEND_HOST: "127.0.0.1",
      UTSEND_PORT: "0",
      UTSEND_SECRET: "form-crash-secret",
      UTSEND_ADMIN_EMAIL: "admin@example.no",
      UTSEND_ADMIN_PASSWORD: "form-crash-password",
      UTSEND_DEMO_DATA: "false",
      UTSEND_WORKER: "false",
      UTSEND_LEASE_SECONDS: "2",
      UTSEND_DNS_SERVERS: dns.address,
      UTSEND_DNS_TIMEOUT_MS: "1000",
      UTSEND_LOG_LEVEL: "silent",
    },
    stdio: ["ignore", "pipe", "pipe"],
  });
  return new Promise((resolve, reject) => {
    let output = "";
    const onData = (chunk: Buffer) => {
      output += chunk.toString();
      const match = /utsend is running at (http:\/\/\S+)/.exec(output);
      if (match) resolve({ child, url: match[1]! });
    };
    child.stdout!.on("data", onData);
    child.stderr!.on("data", onData);
    child.once("exit", (code) => reject(new Error(`the server exited (${code}) before it ran: ${output}`)));
  });
}

/** One visitor's POST from their own network; the status, or null when the connection broke (the server died). */
function post(url: string, path: string, body: string, network: number): Promise<number | null> {
  return new Promise((resolve) => {
    const target = new URL(`${url}${path}`);
    const req = httpRequest(
      {
        host: target.hostname,
        port: target.port,
        path: target.pathname,
        method: "POST",
        localAddress: `127.0.${network}.1`,
        headers: {
          "content-type": "application/x-www-form-urlencoded",
          "content-length": Buffer.byteLength(body),
        },
      },
      (res) => {
        res.resume();
        res.once("end", () => resolve(res.statusCode ?? null));
        res.once("error", () => resolve(null));
      },
    );
    req.once("error", () => resolve(null));
    req.end(body);
  });
}

describe.each(await testDialects())("the server killed during a burst of submissions on %s", (dialect) => {
  let t: TestDb;
  let dns: DnsServer;
  let running: Running | null = null;
  beforeAll(async () => {
    t = await freshDatabase(dialect);
    dns = await startDnsServer({ "example.no": { MX: [{ exchange: "mx.example.no" }] } });
  });
  afterAll(async () => {
    running?.child.kill("SIGKILL");
    await dns?.close();
    await t?.dispose();
  });

  const unfinished = async () =>
    Number(
      (
        await t.db
          .selectFrom("form_submissions")
          .select((eb) => eb.fn.countAll<number>().as("n"))
          .where((eb) => eb.or([eb("handled_at", "is", null), eb("claimed_until", "is not", null)]))
          .executeTakeFirstOrThrow()
      ).n,
    );

  it("stores every thanked submission and processes each once after the restart", {
    timeout: 180_000,
  }, async () => {
    const selection = await createSelection(t.db, { name: "Fra skjemaet", kind: "static" });
    const form = await aForm(t.db, {
      fields: standardFields(),
      actions: { addToSelectionIds: [selection.id] },
    });
    running = await startServerProcess(t, dns);
    const page = await fetch(`${running.url}/f/${form.slug}`);
    const stamp = stampOf(await page.text());
    await sleep(3100); // the minimum fill time, as a person takes it

    const visitors = Array.from({ length: NETWORKS * PER_NETWORK }, (_, i) => ({
      email: `besok-${dialect}-${i}@example.no`,
      network: 1 + (i % NETWORKS),
    }));
    const thanked: string[] = [];
    let next = 0;
    let killed = false;
    let unfinishedAtKill = 0;
    const server = running;
    const visitor = async () => {
      while (next < visitors.length && !killed) {
        const { email, network } = visitors[next++]!;
        const body = new URLSearchParams({
          fornavn: "Kari",
          etternavn: "Nordmann",
          epost: email,
          samtykke: "on",
          _stamp: stamp,
        });
        const status = await post(server.url, `/f/${form.slug}`, body.toString(), network);
        if (status === 200) thanked.push(email);
        else if (status !== null) throw new Error(`visitor ${email} got ${status}`);
        if (thanked.length >= KILL_AFTER_THANKED && !killed) {
          killed = true;
          server.child.kill("SIGKILL");
          unfinishedAtKill = await unfinished();
        }
      }
    };
    await Promise.all(Array.from({ length: CONCURRENCY }, visitor));
    await new Promise((resolve) =>
      server.child.exitCode === null && server.child.signalCode === null
        ? server.child.once("exit", resolve)
        : resolve(null),
    );
    expect(killed).toBe(true);
    // The kill must land while processing lags behind the thank-you pages, or this test proves nothing.
    expect(unfinishedAtKill).toBeGreaterThan(0);

    running = await startServerProcess(t, dns);
    for (let waited = 0; waited < 60_000 && (await unfinished()) > 0; waited += 250) await sleep(250);
    expect(await unfinished()).toBe(0);
    running.child.kill("SIGTERM");
    await new Promise((resolve) => running!.child.once("exit", resolve));
    running = null;

    const rows = await t.db
      .selectFrom("form_submissions")
      .select(["email_lower", "status", "person_id"])
      .where("form_id", "=", form.id)
      .execute();
    const stored = new Map(rows.map((r) => [r.email_lower!, r]));
    expect(rows).toHaveLength(stored.size); // no submission stored twice
    for (const email of thanked) expect(stored.has(email), email).toBe(true);
    const members = new Set(
      (
        await t.db
          .selectFrom("selection_members")
          .select("person_id")
          .where("selection_id", "=", selection.id)
          .execute()
      ).map((r) => r.person_id),
    );
    for (const row of rows) {
      expect(row.status, row.email_lower!).toBe("processed");
      const persons = await t.db
        .selectFrom("person_emails")
        .select("person_id")
        .where("address_lower", "=", row.email_lower!)
        .execute();
      expect(
        persons.map((p) => p.person_id),
        row.email_lower!,
      ).toEqual([row.person_id]);
      expect(members.has(row.person_id!), row.email_lower!).toBe(true);
    }
  });
});
