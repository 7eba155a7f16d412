// `npm run bench -- track`: a real utsend server on loopback (SQLite, then PostgreSQL) answering GET /t/c/<token>
// (clicks) and GET /t/o/<token> (opens) under autocannon: requests/s and p50/p99 latency per connection count,
// median of 3 runs; after each run the stored events are counted against the answers (302 redirects, 200 pixels).
import { spawn } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createInterface } from "node:readline";
import { sql } from "kysely";
import pg from "pg";
import type { Dialect } from "../src/db/connect.ts";
import { type Keyring, signDeliveryToken, signLinkToken } from "../src/deliveries/tokens.ts";
import { type RunningServer, sendContext, startServer } from "../src/main.ts";
import { loadConfig } from "../src/shared/config.ts";
import { postgresCpuByProcess, postgresCpuSince } from "./postgres-cpu.ts";
import { seedMailing } from "./tracking-data.ts";

const DELIVERIES = Number(process.env.BENCH_DELIVERIES ?? 10_000);
const LINKS = 6;
const CONNECTIONS = (process.env.BENCH_TRACK_CONNECTIONS ?? "10,50").split(",").map(Number);
const SECONDS = Number(process.env.BENCH_SECONDS ?? 10);
const RUNS = Number(process.env.BENCH_RUNS ?? 3);
/** Which databases to measure, in turn: `BENCH_TRACK_DATABASES=postgres` measures PostgreSQL alone. */
const DATABASES = (process.env.BENCH_TRACK_DATABASES ?? "sqlite,postgres").split(",") as Dialect[];
/** What to request: `clicks` (redirects) and `opens` (the pixel), in turn. */
const KINDS = (process.env.BENCH_TRACK_KINDS ?? "clicks,opens").split(",").map((k) => k.trim()) as Array<
  "clicks" | "opens"
>;
const POSTGRES_URL = process.env.UTSEND_TEST_POSTGRES_URL ?? "postgres://postgres@127.0.0.1:5432/test";
// A reader's browser: classified "desktop", so the clicks count as human ones (sent an hour ago, one link at a time).
const USER_AGENT =
  "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36";

type LoadResult = {
  sent: number;
  completed: number;
  perSecond: number;
  p50: number;
  p99: number;
  seconds: number;
  errors: number;
  timeouts: number;
  statusCodes: Record<string, number>;
  next: number;
};

/** Runs autocannon in a child process: on 2 cores, in-process load would queue on the server's own event loop. */
async function load(job: object, dir: string): Promise<LoadResult> {
  const file = join(dir, "job.json");
  writeFileSync(file, JSON.stringify(job));
  const child = spawn(process.execPath, ["bench/track-load.ts", file], {
    stdio: ["ignore", "pipe", "inherit"],
  });
  const lines = createInterface({ input: child.stdout });
  let last = "";
  for await (const line of lines) last = line;
  return JSON.parse(last) as LoadResult;
}

/** Paths of click URLs, link after link over the deliveries in a shuffled order, so a reader never clicks many
 * links of one message within the burst window and the rows touched are spread over the tables. */
function clickPaths(keys: Keyring, deliveryIds: number[], linkIds: number[]): string[] {
  const order = shuffled(deliveryIds, 42);
  return linkIds.flatMap((linkId) => order.map((id) => `/t/c/${signLinkToken(keys, id, linkId)}`));
}

/** The ids in a fixed pseudo-random order (a linear congruential generator from `seed`), the same every run. */
function shuffled(ids: number[], seed: number): number[] {
  const order = [...ids];
  let state = seed;
  for (let i = order.length - 1; i > 0; i--) {
    state = (state * 1_103_515_245 + 12_345) % 2_147_483_648;
    const j = state % (i + 1);
    [order[i], order[j]] = [order[j]!, order[i]!];
  }
  return order;
}

/** Pixel URLs: each delivery's message opened again and again, in a shuffled order (first opens, then repeats). */
function openPaths(keys: Keyring, deliveryIds: number[]): string[] {
  return shuffled(deliveryIds, 7).map((id) => `/t/o/${signDeliveryToken(keys, "open", id)}`);
}

async function countEvents(
  server: RunningServer,
  mailingId: number,
  kind: "clicked" | "opened",
): Promise<number> {
  const row = await server.handle.db
    .selectFrom("events")
    .select((eb) => eb.fn.countAll<number | string>().as("n"))
    .where("mailing_id", "=", mailingId)
    .where("kind", "=", kind)
    .executeTakeFirstOrThrow();
  return Number(row.n);
}

/** The event count once the server has finished what was in flight when the load generator stopped. */
async function settledEvents(
  server: RunningServer,
  mailingId: number,
  kind: "clicked" | "opened",
): Promise<number> {
  let previous = -1;
  for (;;) {
    const now = await countEvents(server, mailingId, kind);
    if (now === previous) return now;
    previous = now;
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}

/** This bench's PostgreSQL connections are named (PGAPPNAME), so other clients' backends can be left out. */
const APPLICATION_NAME = `utsend-bench-track-${process.pid}`;

/** Backends of other clients of the PostgreSQL server (another bench on a shared machine), by pid. */
async function otherClients(server: RunningServer): Promise<Set<number>> {
  const result = await sql<{ pid: number }>`select pid from pg_stat_activity
    where backend_type = 'client backend' and application_name <> ${APPLICATION_NAME}`.execute(
    server.handle.db,
  );
  return new Set(result.rows.map((row) => row.pid));
}

const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!;
const spread = (values: number[], digits = 0) =>
  `median ${median(values).toFixed(digits)} (min ${Math.min(...values).toFixed(digits)}, max ${Math.max(...values).toFixed(digits)})`;

async function benchDialect(dialect: Dialect): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), "bench-track-"));
  const schema = `bench_track_${process.pid}`;
  const config = loadConfig(
    {},
    {
      host: "127.0.0.1",
      port: 0,
      dataDir: dir,
      databaseUrl: dialect === "postgres" ? POSTGRES_URL : "",
      databaseSchema: dialect === "postgres" ? schema : "public",
      adminPassword: "bench-admin-password",
      demoData: false,
      logLevel: "silent",
      // The send worker would poll the database in the server process; this measures the click endpoint alone.
      worker: false,
    },
  );
  // node-postgres names its connections after PGAPPNAME.
  if (dialect === "postgres") process.env.PGAPPNAME = APPLICATION_NAME;
  const server = await startServer(config, { info: () => {} });
  try {
    const { keys } = await sendContext(server.handle, config, server.url);
    const mailing = await seedMailing(server.handle, {
      deliveries: DELIVERIES,
      blocked: 0,
      links: LINKS,
      startedAt: Math.floor(Date.now() / 1000) - 3600,
      sendSpreadSeconds: 60,
      mixedStatuses: false,
    });
    await sql`analyze`.execute(server.handle.db);
    const deliveryIds = Array.from({ length: DELIVERIES }, (_, i) => mailing.deliveryBase + i + 1);
    for (const kind of KINDS) {
      const clicks = kind === "clicks";
      const paths = clicks ? clickPaths(keys, deliveryIds, mailing.linkIds) : openPaths(keys, deliveryIds);
      const eventKind = clicks ? "clicked" : "opened";
      const answer = clicks ? "302" : "200";
      const unit = clicks ? "click" : "open";
      console.log(
        `${dialect}: server ${server.url}, ${clicks ? `${DELIVERIES} deliveries × ${LINKS} links = ${paths.length} distinct click URLs` : `${paths.length} pixel URLs, each opened again and again`}`,
      );
      let offset = 0;
      for (const connections of CONNECTIONS) {
        const rates: number[] = [];
        const p50s: number[] = [];
        const p99s: number[] = [];
        const cpus: number[] = [];
        const databaseCpus: number[] = [];
        for (let run = 1; run <= RUNS; run++) {
          const before = await settledEvents(server, mailing.mailingId, eventKind);
          const cpuBefore = process.cpuUsage();
          const databaseCpuBefore = postgresCpuByProcess();
          const result = await load(
            { url: server.url, paths, offset, connections, seconds: SECONDS, userAgent: USER_AGENT },
            dir,
          );
          offset = result.next;
          const cpu = process.cpuUsage(cpuBefore);
          const stored = (await settledEvents(server, mailing.mailingId, eventKind)) - before;
          // PostgreSQL's own CPU (from /proc: the server's connections and PostgreSQL's own processes, not other
          // clients' connections) for the run and the in-flight requests it finished.
          const databaseCpuPerEvent =
            dialect === "postgres"
              ? postgresCpuSince(databaseCpuBefore, await otherClients(server)) / Math.max(1, stored)
              : 0;
          const answered = result.statusCodes[answer] ?? 0;
          const inFlight = result.sent - result.completed;
          // Requests still on the wire when autocannon stopped are finished by the server and stored too.
          const persisted = stored >= answered && stored <= answered + inFlight;
          // The server's own CPU per request (it runs in this process; the load generator does not): on a shared
          // machine requests/s follow whatever else runs, this much less so. PostgreSQL's own work is measured apart.
          const cpuPerEvent = (cpu.user + cpu.system) / 1000 / Math.max(1, result.completed);
          cpus.push(cpuPerEvent);
          databaseCpus.push(databaseCpuPerEvent);
          rates.push(result.perSecond);
          p50s.push(result.p50);
          p99s.push(result.p99);
          console.log(
            `${dialect}: ${kind}, ${connections} connections, run ${run}: ${result.perSecond.toFixed(0)} req/s, p50 ${result.p50} ms, p99 ${result.p99} ms, server CPU ${cpuPerEvent.toFixed(3)} ms/${unit}${dialect === "postgres" ? `, PostgreSQL CPU ${databaseCpuPerEvent.toFixed(3)} ms/${unit}` : ""}; ` +
              `${answer} answers ${answered}, other ${JSON.stringify({ ...result.statusCodes, [answer]: undefined })}, errors ${result.errors}, timeouts ${result.timeouts}; ` +
              `${eventKind} events stored ${stored} (${stored - answered} of ${inFlight} in flight at the stop) — ${persisted ? "ok" : "MISMATCH"}`,
          );
          if (!persisted) process.exitCode = 1;
        }
        console.log(
          `track ${dialect}, ${kind}, ${connections} connections: req/s ${spread(rates)}; p50 ${spread(p50s)} ms; p99 ${spread(p99s)} ms; server CPU ${spread(cpus, 3)} ms/${unit}` +
            (dialect === "postgres" ? `; PostgreSQL CPU ${spread(databaseCpus, 3)} ms/${unit}` : ""),
        );
      }
    }
  } finally {
    await server.close();
    if (dialect === "postgres") {
      const client = new pg.Client({ connectionString: POSTGRES_URL });
      await client.connect();
      await client.query(`drop schema if exists "${schema}" cascade`);
      await client.end();
    }
    rmSync(dir, { recursive: true, force: true });
  }
}

export async function benchTrack(): Promise<void> {
  console.log(
    `${KINDS.join(" and ")} (GET /t/c/<token>, /t/o/<token>) with autocannon in a child process, ${SECONDS} s per run, ${RUNS} runs per connection count (${CONNECTIONS.join(", ")})`,
  );
  for (const dialect of DATABASES) await benchDialect(dialect);
}
