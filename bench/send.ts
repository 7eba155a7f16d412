// `npm run bench -- send`: 100,000 personalised messages (about 5 KB of HTML, DKIM on) through the whole pipeline
// (plan, claim, merge, build, sign, SMTP, ledger) to a counting SMTP sink in its own process; the same pipeline with
// the domain signed by the relay (no DKIM in utsend); and the baseline: a plain nodemailer pool with the same
// connections sending already built and signed messages. Median of 3 runs each; the two pipelines take turns.
import { type ChildProcess, spawn } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createInterface } from "node:readline";
import { sql } from "kysely";
import { type DbHandle, openDatabase } from "../src/db/connect.ts";
import { migrateToLatest } from "../src/db/migrate.ts";
import { recipientLinks } from "../src/deliveries/identity.ts";
import { keyringFromSecret } from "../src/deliveries/tokens.ts";
import { loadRecipientValues } from "../src/mailings/merge-values.ts";
import { addSource, resolveRecipients } from "../src/mailings/recipients.ts";
import { createMailing } from "../src/mailings/store.ts";
import { createSelection } from "../src/selections/store.ts";
import { createAccount, createDomain } from "../src/send/accounts.ts";
import { buildMessage, type OutgoingMessage } from "../src/send/channels/email/message.ts";
import { prepareMailing, renderDelivery } from "../src/send/channels/email/prepare.ts";
import { beginSending } from "../src/send/planner.ts";
import { createSendWorker } from "../src/send/worker.ts";
import { statusKb } from "./peak-rss.ts";
import { cpuMsOf, ownBackendsCpu, postgresCpuMs } from "./postgres-cpu.ts";
import { runBaseline } from "./send-baseline.ts";
import { signingCeiling } from "./signing-ceiling.ts";

const MESSAGES = Number(process.env.BENCH_MESSAGES ?? 100_000);
const CONNECTIONS = Number(process.env.BENCH_CONNECTIONS ?? 8);
const RUNS = Number(process.env.BENCH_RUNS ?? 3);
/** `postgres` runs the pipelines on PostgreSQL (UTSEND_TEST_POSTGRES_URL or the local `test` database), a schema each. */
const DATABASE = process.env.BENCH_DATABASE === "postgres" ? "postgres" : "sqlite";
const POSTGRES_URL = process.env.UTSEND_TEST_POSTGRES_URL ?? "postgres://postgres@127.0.0.1:5432/test";

const keys = keyringFromSecret("bench-secret");

const CONTENT = `<html><head><style>
body { font-family: Georgia, serif; color: #222; } h1 { color: #0b5394; font-size: 24px; } p { line-height: 1.5; }
.knapp { background: #0b5394; color: #ffffff; padding: 12px 20px; text-decoration: none; border-radius: 4px; }
td { padding: 8px; border-bottom: 1px solid #ddd; }
</style></head><body>
<h1>Hei [[customer.firstname | default: "venn"]]!</h1>
${Array.from({ length: 8 }, (_, i) => `<p>Avsnitt ${i + 1}: Vi i [[company.name | default: "Fjordlys"]] vil fortelle deg om nyheter denne måneden. [% if customer.language == "en" %]We have news for you.[% else %]Vi har nyheter til deg, [[customer.firstname | default: "venn"]].[% endif %] Les mer på nettsidene våre om produktene, kursene og arrangementene vi har planlagt for våren.</p>`).join("\n")}
<table>${Array.from({ length: 8 }, (_, i) => `<tr><td>Produkt ${i + 1}</td><td>Kr ${(i + 1) * 199},-</td><td><a href="https://fjordlys.example/p/${i}">Se mer</a></td></tr>`).join("")}</table>
<p><a class="knapp" href="https://fjordlys.example/tilbud">Se tilbudene</a></p>
<p style="font-size: 12px">Du får denne e-posten fordi du abonnerer. <a href="[[link.unsubscribe]]">Meld deg av</a>.</p>
</body></html>`;

async function startSink(
  env: Record<string, string> = {},
): Promise<{ port: number; child: ChildProcess; stop(): Promise<SinkCount> }> {
  const child = spawn(process.execPath, ["bench/smtp-count-sink.ts"], {
    stdio: ["pipe", "pipe", "inherit"],
    env: { ...process.env, ...env },
  });
  const lines = createInterface({ input: child.stdout! });
  const iterator = lines[Symbol.asyncIterator]();
  const first = await iterator.next();
  const { port } = JSON.parse(String(first.value)) as { port: number };
  return {
    port,
    child,
    stop: async () => {
      child.kill("SIGTERM");
      const last = await iterator.next();
      return JSON.parse(String(last.value)) as SinkCount;
    },
  };
}

type Signer = "utsend" | "relay";
type SinkCount = { count: number; firstMs: number | null; lastMs: number | null; cpuMs: number };

/** A mailing of the bench's shape to `count` persons (bench/message-build.ts makes its messages from it too). */
export async function seed(
  handle: DbHandle,
  port: number,
  signer: Signer = "utsend",
  count = MESSAGES,
): Promise<number> {
  const db = handle.db;
  const now = new Date().toISOString();
  await createDomain(db, {
    domain: "fjordlys.example",
    dkimSigner: signer,
    relayDkimSelector: signer === "relay" ? "k1" : null,
  });
  const account = await createAccount(db, {
    name: "Sink",
    kind: "smtp",
    host: "127.0.0.1",
    port,
    ratePerSecond: 100_000,
    maxConnections: CONNECTIONS,
    isDefault: true,
  });
  const company = await db
    .insertInto("companies")
    .values({ name: "Fjordlys AS", name_lower: "fjordlys as", created_at: now, updated_at: now })
    .returning("id")
    .executeTakeFirstOrThrow();
  const selection = await createSelection(db, { name: "Alle", kind: "static" });
  for (let start = 0; start < count; start += 2000) {
    await db.transaction().execute(async (trx) => {
      const rows = Array.from({ length: Math.min(2000, count - start) }, (_, k) => ({
        first_name: `Kari${start + k}`,
        last_name: "Nordmann",
        search_name: `kari${start + k} nordmann`,
        company_id: (start + k) % 2 === 0 ? company.id : null,
        language: (start + k) % 5 === 0 ? "en" : "nb",
        former_employee: 0,
        created_at: now,
        updated_at: now,
      }));
      const ids = (await trx.insertInto("persons").values(rows).returning("id").execute()).map((r) => r.id);
      await trx
        .insertInto("person_emails")
        .values(
          ids.map((id) => ({
            person_id: id,
            address: `p${id}@example.no`,
            address_lower: `p${id}@example.no`,
            is_primary: 1,
            created_at: now,
          })),
        )
        .execute();
      await trx
        .insertInto("selection_members")
        .values(ids.map((id) => ({ selection_id: selection.id, person_id: id, added_at: now })))
        .execute();
    });
  }
  const mailing = await createMailing(
    db,
    {
      name: "Benchmark",
      subject: "Nyheter til [[customer.firstname]]",
      fromName: "Fjordlys",
      fromAddress: "post@fjordlys.example",
      sendingAccountId: account.id,
      selectionId: selection.id,
      content: CONTENT,
      options: { overrideConsent: true, refreshOnSend: false },
    },
    null,
  );
  void addSource;
  await resolveRecipients(db, mailing.id);
  if (handle.dialect === "postgres") await sql`analyze`.execute(db);
  return mailing.id;
}

type RunResult = {
  perSecond: number;
  seconds: number;
  peakRssMb: number;
  rssAt10kMb: number | null;
  sunk: number;
  /** From the sink's first and last accepted message. */
  steadyPerSecond: number;
  /** From Send to the sink's first accepted message. */
  firstAfterSeconds: number;
  /** CPU per message: this process (utsend and its SQLite) and the sink's process. */
  cpuMsPerMessage: {
    utsend: number;
    sink: number;
    /** Every PostgreSQL process of the machine, from Send to the last outcome. */
    database: number;
    /** The bench's and its workers' own backends only, from Send. */
    ownBackends: number;
    /** The own backends' part after the deliveries were planned: the ledger (claims, marks, outcomes). */
    databaseSending: number;
  };
};

type PipelineOptions = {
  /** A slow or stalling sink, and how many messages to send it. */
  slow?: { sinkEnv: Record<string, string>; messages: number };
  /** Send through this many `utsend worker` processes instead of a worker in the bench's own process. */
  workerProcesses?: number;
  /** Where to write a CPU profile of the bench's process from Send to the last outcome (BENCH_PROFILE). */
  profileTo?: string;
};

async function runPipeline(
  signer: Signer,
  { slow, workerProcesses, profileTo }: PipelineOptions = {},
): Promise<RunResult & { outcomes: Record<string, number>; secondsTo97: number }> {
  const messages = slow?.messages ?? MESSAGES;
  const dir = mkdtempSync(join(tmpdir(), "bench-send-"));
  const sink = await startSink(slow?.sinkEnv);
  const schema = `bench_send_${process.pid}_${Date.now()}`;
  const postgresUrl = `${POSTGRES_URL}${POSTGRES_URL.includes("?") ? "&" : "?"}application_name=${schema}`;
  const handle = await openDatabase(
    DATABASE === "postgres"
      ? { databaseUrl: postgresUrl, databaseSchema: schema, dataDir: dir }
      : { databaseUrl: `sqlite:${join(dir, "bench.db")}`, dataDir: dir },
  );
  try {
    await migrateToLatest(handle);
    const mailingId = await seed(handle, sink.port, signer, messages);
    const children =
      workerProcesses === undefined
        ? []
        : await Promise.all(
            Array.from({ length: workerProcesses }, () =>
              startWorkerProcess(
                DATABASE === "postgres"
                  ? { UTSEND_DATABASE_URL: postgresUrl, UTSEND_DATABASE_SCHEMA: schema }
                  : { UTSEND_DATABASE_URL: `sqlite:${join(dir, "bench.db")}` },
                dir,
              ),
            ),
          );
    const childPids = new Set(children.map((c) => c.pid!));
    const childrenCpuMs = () => cpuMsOf((_, pid) => childPids.has(pid));
    global.gc?.();
    // With worker processes, their memory is what an operator sees; the bench's own process only watches.
    const rssNow = () =>
      children.length > 0 ? Math.max(...children.map((c) => rssOf(c.pid!))) : process.memoryUsage().rss;
    let peak = rssNow();
    let rssAt10k: number | null = null;
    const profiler = profileTo && children.length === 0 ? await startProfile() : null;
    const start = performance.now();
    const startWall = Date.now();
    const cpuAtStart = process.cpuUsage();
    const childrenCpuAtStart = childrenCpuMs();
    const ownBackends = DATABASE === "postgres" ? ownBackendsCpu(handle.db, schema) : null;
    await ownBackends?.sample();
    const databaseCpuAtStart = DATABASE === "postgres" ? postgresCpuMs() : 0;
    await beginSending(handle.db, mailingId);
    await ownBackends?.sample();
    const ownBackendsAfterPlanning = ownBackends?.totalMs() ?? 0;
    const worker =
      children.length > 0
        ? null
        : createSendWorker({
            db: handle.db,
            dialect: handle.dialect,
            publicUrl: "https://utsend.example",
            keys,
            batchSize: 500,
          });
    // As `utsend worker` runs it: the next batch is claimed while the last one's replies are still coming.
    const controller = new AbortController();
    const running = worker?.run(controller.signal, 20);
    const open = ["pending", "claimed", "sending"] as const;
    let secondsTo97: number | null = null;
    for (;;) {
      await new Promise((resolve) => setTimeout(resolve, 100));
      peak = Math.max(peak, rssNow());
      await ownBackends?.sample();
      // Without a slow server nothing is retried, so the state counts (kept by triggers) tell what is left; a
      // count over the deliveries ten times a second cost the database more than the sending at 100,000.
      const left = slow
        ? await handle.db
            .selectFrom("deliveries")
            .select((eb) => eb.fn.countAll<number>().as("n"))
            .where("mailing_id", "=", mailingId)
            .where("status", "in", open)
            .where((eb) => eb.or([eb("status", "<>", "pending"), eb("tries", "=", 0)]))
            .executeTakeFirstOrThrow()
        : await handle.db
            .selectFrom("delivery_counts")
            .select((eb) => eb.fn.coalesce(eb.fn.sum<number>("n"), eb.lit(0)).as("n"))
            .where("mailing_id", "=", mailingId)
            .where("state", "in", open)
            .executeTakeFirstOrThrow();
      if (rssAt10k === null && messages - Number(left.n) >= 10_000) rssAt10k = rssNow();
      if (secondsTo97 === null && messages - Number(left.n) >= 0.97 * messages)
        secondsTo97 = (performance.now() - start) / 1000;
      if (Number(left.n) === 0) break;
    }
    const seconds = (performance.now() - start) / 1000;
    controller.abort();
    await running;
    await worker?.stop();
    const ownCpu = process.cpuUsage(cpuAtStart);
    // The worker processes' time counts as utsend's; the bench's own process then only watches and is left out.
    const cpu =
      children.length > 0 ? { user: (childrenCpuMs() - childrenCpuAtStart) * 1000, system: 0 } : ownCpu;
    await ownBackends?.sample();
    const databaseCpuMs = DATABASE === "postgres" ? postgresCpuMs() - databaseCpuAtStart : 0;
    const ownBackendsMs = ownBackends?.totalMs() ?? 0;
    if (profiler && profileTo) await profiler.stop(profileTo);
    for (const child of children) peak = Math.max(peak, peakRssOf(child.pid!));
    await Promise.all(children.map(stopProcess));
    const sunk = await sink.stop();
    const outcomes = await handle.db
      .selectFrom("deliveries")
      .select(["status", (eb) => eb.fn.countAll<number>().as("n")])
      .where("mailing_id", "=", mailingId)
      .groupBy("status")
      .execute();
    return {
      perSecond: messages / seconds,
      seconds,
      peakRssMb: peak / 1048576,
      rssAt10kMb: rssAt10k && rssAt10k / 1048576,
      sunk: sunk.count,
      steadyPerSecond:
        sunk.firstMs !== null && sunk.lastMs !== null && sunk.lastMs > sunk.firstMs
          ? (sunk.count - 1) / ((sunk.lastMs - sunk.firstMs) / 1000)
          : 0,
      firstAfterSeconds: sunk.firstMs === null ? Number.NaN : (sunk.firstMs - startWall) / 1000,
      cpuMsPerMessage: {
        utsend: (cpu.user + cpu.system) / 1000 / messages,
        sink: sunk.cpuMs / messages,
        database: databaseCpuMs / messages,
        ownBackends: ownBackendsMs / messages,
        databaseSending: (ownBackendsMs - ownBackendsAfterPlanning) / messages,
      },
      outcomes: Object.fromEntries(outcomes.map((o) => [o.status, Number(o.n)])),
      secondsTo97: secondsTo97 ?? seconds,
    };
  } finally {
    if (DATABASE === "postgres")
      await sql`drop schema if exists ${sql.id(schema)} cascade`.execute(handle.db);
    await handle.close();
    rmSync(dir, { recursive: true, force: true });
    if (sink.child.exitCode === null) sink.child.kill("SIGKILL");
  }
}

/** `utsend worker` on the bench's database, as an operator runs it; resolves once it says it is running. */
async function startWorkerProcess(database: Record<string, string>, dataDir: string): Promise<ChildProcess> {
  const child = spawn(process.execPath, ["bin/utsend.js", "worker"], {
    env: {
      ...process.env,
      ...database,
      UTSEND_DATA_DIR: dataDir,
      UTSEND_SECRET: "bench-secret",
      UTSEND_PUBLIC_URL: "https://utsend.example",
      UTSEND_LOG_LEVEL: "silent",
    },
    stdio: ["ignore", "pipe", "inherit"],
  });
  const lines = createInterface({ input: child.stdout! });
  await new Promise<void>((resolve, reject) => {
    child.once("exit", (code) => reject(new Error(`utsend worker exited with ${code} before it ran`)));
    lines.on("line", (line) => {
      if (line.includes("is running")) resolve();
    });
  });
  lines.on("line", () => {});
  return child;
}

async function stopProcess(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null) return;
  const exited = new Promise((resolve) => child.once("exit", resolve));
  child.kill("SIGTERM");
  await exited;
}

/** Resident and peak resident memory of a process, in bytes (from /proc). */
function rssOf(pid: number): number {
  return statusKb(pid, "VmRSS") * 1024;
}
function peakRssOf(pid: number): number {
  return statusKb(pid, "VmHWM") * 1024;
}
/** A CPU profile of this process (node:inspector), written as a .cpuprofile that Chrome's DevTools opens. */
async function startProfile(): Promise<{ stop(file: string): Promise<void> }> {
  const { Session } = await import("node:inspector/promises");
  const session = new Session();
  session.connect();
  await session.post("Profiler.enable");
  await session.post("Profiler.start");
  return {
    async stop(file) {
      const { profile } = await session.post("Profiler.stop");
      writeFileSync(file, JSON.stringify(profile));
      session.disconnect();
      console.log(`CPU profile from Send to the last outcome: ${file}`);
    },
  };
}

/** The bench's mailing rendered for `persons` recipients, exactly as the channel renders a delivery. */
export async function renderedBenchMessages(persons: number): Promise<OutgoingMessage[]> {
  const dir = mkdtempSync(join(tmpdir(), "bench-render-"));
  const handle = await openDatabase({ databaseUrl: `sqlite:${join(dir, "bench.db")}`, dataDir: dir });
  try {
    await migrateToLatest(handle);
    const mailingId = await seed(handle, 25, "utsend", persons);
    const prepared = await prepareMailing(handle.db, mailingId);
    const recipients = await handle.db
      .selectFrom("mailing_recipients")
      .select(["id", "email"])
      .where("mailing_id", "=", mailingId)
      .orderBy("id")
      .execute();
    const values = await loadRecipientValues(
      handle.db,
      recipients.map((r) => ({ recipientId: r.id, email: r.email! })),
    );
    return recipients.map(
      (r) =>
        renderDelivery(
          prepared,
          { id: r.id, email: r.email!, messageId: `m1.r${r.id}.a1@fjordlys.example` },
          values.get(r.id)!,
          recipientLinks("https://utsend.example", keys, r.id),
          keys,
          { publicUrl: "https://utsend.example" },
        ).message,
    );
  } finally {
    await handle.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

/** 10,000 messages built and signed exactly as the pipeline does, sent over and over to make MESSAGES. */
async function baselineMessages(): Promise<Buffer[]> {
  const built: Buffer[] = [];
  for (const message of await renderedBenchMessages(Math.min(MESSAGES, 10_000)))
    built.push(await buildMessage(message));
  return Array.from({ length: MESSAGES }, (_, i) => built[i % built.length]!);
}

const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!;

/**
 * A slow server (issue 17): 2 % of the data replies 25 s late and 1 % of the connections stalled 90 s, which the
 * reply timeout (60 s) ends as unknown. Before the send loop stopped waiting for whole groups this ran at 0.7 msg/s.
 */
export async function benchSendSlowServer(): Promise<void> {
  const messages = Number(process.env.BENCH_SLOW_MESSAGES ?? 2_000);
  const sinkEnv = {
    SINK_DELAY_PERCENT: process.env.SINK_DELAY_PERCENT ?? "2",
    SINK_DELAY_MS: process.env.SINK_DELAY_MS ?? "25000",
    SINK_STALL_PERCENT: process.env.SINK_STALL_PERCENT ?? "1",
    SINK_STALL_MS: process.env.SINK_STALL_MS ?? "90000",
  };
  console.log(
    `slow server: ${messages} messages, ${CONNECTIONS} connections, ${sinkEnv.SINK_DELAY_PERCENT} % of replies ${sinkEnv.SINK_DELAY_MS} ms late, ` +
      `${sinkEnv.SINK_STALL_PERCENT} % of connections stalled ${sinkEnv.SINK_STALL_MS} ms; signed by the relay`,
  );
  const result = await runPipeline("relay", { slow: { sinkEnv, messages } });
  console.log(
    `slow server: 97 % of the deliveries had an outcome after ${result.secondsTo97.toFixed(1)} s (${((0.97 * messages) / result.secondsTo97).toFixed(0)} msg/s), ` +
      `all after ${result.seconds.toFixed(1)} s (the stalled connections' replies time out at 60 s); sink counted ${result.sunk}; ` +
      `outcomes ${JSON.stringify(result.outcomes)}; peak RSS ${result.peakRssMb.toFixed(0)} MB`,
  );
}

/** Which of the bench's cases run (BENCH_SEND_CASES, comma-separated; all by default). */
const CASES = new Set(
  (process.env.BENCH_SEND_CASES ?? "ceiling,dkim,relay,processes,baseline").split(",").map((c) => c.trim()),
);
/** How many `utsend worker` processes the `processes` case runs, each count a case of its own. */
const WORKER_PROCESSES = (process.env.BENCH_WORKER_PROCESSES ?? "1,2").split(",").map(Number);

export async function benchSend(): Promise<void> {
  console.log(
    `${MESSAGES} messages on ${DATABASE === "postgres" ? "PostgreSQL" : "SQLite"}, ${CONNECTIONS} SMTP connections, ${RUNS} runs each; sink in its own process; cases: ${[...CASES].join(", ")}`,
  );
  const ceilings: number[] = [];
  for (let i = 0; i < (CASES.has("ceiling") ? RUNS : 0); i++) {
    const ceiling = await signingCeiling();
    ceilings.push(ceiling.perSecond);
    console.log(
      `signing ceiling run ${i + 1}: ${ceiling.perSecond.toFixed(0)} RSA-2048 signatures/s on ${ceiling.cores} cores`,
    );
  }
  type Case = { label: string; signer: Signer; workerProcesses?: number };
  const cases: Case[] = [
    ...(CASES.has("dkim") ? [{ label: "DKIM in utsend", signer: "utsend" as const }] : []),
    ...(CASES.has("relay") ? [{ label: "signed by the relay", signer: "relay" as const }] : []),
    ...(CASES.has("processes")
      ? WORKER_PROCESSES.map((n) => ({
          label: `DKIM in utsend, ${n} worker process${n === 1 ? "" : "es"}`,
          signer: "utsend" as const,
          workerProcesses: n,
        }))
      : []),
  ];
  const results = new Map<string, RunResult[]>(cases.map((c) => [c.label, []]));
  for (let i = 0; i < RUNS; i++) {
    // The cases take turns, so a change in the machine's load touches each of them alike.
    for (const c of cases) {
      const profileTo = process.env.BENCH_PROFILE
        ? join(process.env.BENCH_PROFILE, `send-${c.label.replace(/\W+/g, "-")}-${i + 1}.cpuprofile`)
        : undefined;
      const result = await runPipeline(c.signer, { workerProcesses: c.workerProcesses, profileTo });
      results.get(c.label)!.push(result);
      console.log(
        `pipeline (${c.label}) run ${i + 1}: ${result.perSecond.toFixed(0)} msg/s end to end (${result.seconds.toFixed(1)} s, sink counted ${result.sunk}), ` +
          `steady ${result.steadyPerSecond.toFixed(0)} msg/s, first message ${result.firstAfterSeconds.toFixed(2)} s after Send, ` +
          (DATABASE === "postgres"
            ? `CPU ms/msg: utsend ${result.cpuMsPerMessage.utsend.toFixed(3)}, PostgreSQL ${result.cpuMsPerMessage.database.toFixed(3)} (own backends ${result.cpuMsPerMessage.ownBackends.toFixed(3)}, ${result.cpuMsPerMessage.databaseSending.toFixed(3)} after planning), `
            : `CPU ms/msg: utsend with SQLite ${result.cpuMsPerMessage.utsend.toFixed(3)}, `) +
          `sink ${result.cpuMsPerMessage.sink.toFixed(3)}; ` +
          `RSS at 10,000: ${result.rssAt10kMb?.toFixed(0)} MB, peak ${result.peakRssMb.toFixed(0)} MB`,
      );
    }
  }
  // The baseline's prebuilt messages are made after the pipeline runs, so they do not weigh on its RSS.
  const baseline: number[] = [];
  if (CASES.has("baseline")) {
    const messages = await baselineMessages();
    const size = messages.slice(0, 100).reduce((a, m) => a + m.length, 0) / 100;
    console.log(`message size ≈ ${(size / 1024).toFixed(1)} KB (HTML + text + DKIM)`);
    for (let i = 0; i < RUNS; i++) {
      const sink = await startSink();
      const result = await runBaseline({ port: sink.port, messages, concurrency: CONNECTIONS });
      const sunk = await sink.stop();
      baseline.push(result.sent / result.seconds);
      console.log(
        `baseline run ${i + 1}: ${(result.sent / result.seconds).toFixed(0)} msg/s (${result.seconds.toFixed(1)} s, sink counted ${sunk.count}, sink CPU ${(sunk.cpuMs / sunk.count).toFixed(3)} ms/msg)`,
      );
    }
  }
  const range = (values: number[], digits = 0) =>
    `${median(values).toFixed(digits)} (${Math.min(...values).toFixed(digits)}–${Math.max(...values).toFixed(digits)})`;
  for (const c of cases) {
    const runs = results.get(c.label)!;
    const steady = runs.map((r) => r.steadyPerSecond);
    const ratios = [
      baseline.length > 0 ? `${(median(steady) / median(baseline)).toFixed(2)} of the raw client` : null,
      c.signer === "utsend" && ceilings.length > 0
        ? `${(median(steady) / median(ceilings)).toFixed(2)} of the signing ceiling`
        : null,
    ].filter(Boolean);
    const of = (pick: (r: RunResult) => number, digits = 0) => range(runs.map(pick), digits);
    const database =
      DATABASE === "postgres"
        ? `, PostgreSQL ${of((r) => r.cpuMsPerMessage.database, 3)} (own backends ${of((r) => r.cpuMsPerMessage.ownBackends, 3)}, after planning ${of((r) => r.cpuMsPerMessage.databaseSending, 3)})`
        : "";
    console.log(
      `send: ${c.label}: steady ${range(steady)} msg/s${ratios.length > 0 ? ` (${ratios.join(", ")})` : ""}, ` +
        `end to end ${of((r) => r.perSecond)} msg/s, first message ${of((r) => r.firstAfterSeconds, 2)} s after Send, ` +
        `CPU ms/msg utsend ${of((r) => r.cpuMsPerMessage.utsend, 3)}${database}, sink ${of((r) => r.cpuMsPerMessage.sink, 3)}; ` +
        `peak RSS ${of((r) => r.peakRssMb)} MB`,
    );
  }
  if (baseline.length > 0) console.log(`send: raw client (baseline) ${range(baseline)} msg/s`);
  if (ceilings.length > 0) console.log(`send: signing ceiling ${range(ceilings)} signatures/s`);
  const [one, two] = WORKER_PROCESSES.map((n) =>
    results.get(`DKIM in utsend, ${n} worker process${n === 1 ? "" : "es"}`),
  );
  if (one && two && WORKER_PROCESSES[0] === 1 && WORKER_PROCESSES[1] === 2)
    console.log(
      `send: two worker processes ${(median(two.map((r) => r.steadyPerSecond)) / median(one.map((r) => r.steadyPerSecond))).toFixed(2)}× one`,
    );
}
