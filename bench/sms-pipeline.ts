// The SMS benchmarks that go through the database: the whole pipeline (plan, claim, merge, count parts, take rate
// tokens, SMPP, ledger) for N personalised SMS to bench/smpp-sink.ts in its own process, with the send worker in a
// process of its own; and pacing: an account at 100 parts/s with two `utsend worker` processes, the rate read from
// the sink's clock. `--db sqlite` (default, as the send benchmark) or `--db postgres`.
import { type ChildProcess, spawn } from "node:child_process";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { Session } from "node:inspector/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createInterface } from "node:readline";
import { sql } from "kysely";
import { type DbHandle, openDatabase } from "../src/db/connect.ts";
import { migrateToLatest } from "../src/db/migrate.ts";
import { keyringFromSecret } from "../src/deliveries/tokens.ts";
import { addSource, resolveRecipients } from "../src/mailings/recipients.ts";
import { createMailing } from "../src/mailings/store.ts";
import { createSelection } from "../src/selections/store.ts";
import { createAccount } from "../src/send/accounts.ts";
import { beginSending } from "../src/send/planner.ts";
import { createSendWorker } from "../src/send/worker.ts";

const POSTGRES_URL = process.env.UTSEND_TEST_POSTGRES_URL ?? "postgres://postgres@127.0.0.1:5432/test";
const SECRET = "bench-sms-secret";

/** `--name value` or `--name=value` from the command line. */
export function option(name: string): string | undefined {
  const args = process.argv.slice(2);
  const at = args.findIndex((a) => a === `--${name}` || a.startsWith(`--${name}=`));
  if (at < 0) return undefined;
  return args[at]!.includes("=") ? args[at]!.slice(name.length + 3) : args[at + 1];
}

export type SinkReport = { count: number; perSecond: Array<[number, number]>; sessions: number[] };

/** bench/smpp-sink.ts in its own process; `stop` ends it and returns what it saw. */
export async function startSink() {
  const child = spawn(process.execPath, ["bench/smpp-sink.ts"], { stdio: ["pipe", "pipe", "inherit"] });
  const iterator = createInterface({ input: child.stdout! })[Symbol.asyncIterator]();
  const { port } = JSON.parse(String((await iterator.next()).value)) as { port: number };
  return {
    port,
    stop: async () => {
      child.kill("SIGTERM");
      return JSON.parse(String((await iterator.next()).value)) as SinkReport;
    },
  };
}

type BenchDb = DbHandle & { url: string; schema: string; dispose(): Promise<void> };

async function freshDatabase(kind: string): Promise<BenchDb> {
  if (kind === "postgres") {
    const schema = `bench_sms_${process.pid}_${Math.random().toString(36).slice(2, 8)}`;
    const handle = await openDatabase({
      databaseUrl: POSTGRES_URL,
      dataDir: tmpdir(),
      databaseSchema: schema,
    });
    await migrateToLatest(handle);
    return {
      ...handle,
      url: POSTGRES_URL,
      schema,
      dispose: async () => {
        await sql`drop schema if exists ${sql.id(schema)} cascade`.execute(handle.db);
        await handle.close();
      },
    };
  }
  const dir = mkdtempSync(join(tmpdir(), "bench-sms-"));
  const url = `sqlite:${join(dir, "bench.db")}`;
  const handle = await openDatabase({ databaseUrl: url, dataDir: dir });
  await migrateToLatest(handle);
  return {
    ...handle,
    url,
    schema: "public",
    dispose: async () => {
      await handle.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

const FIRST_NAMES = ["Åse", "Ola", "Kari", "Øystein", "Ærlend", "Nils", "Ingrid", "Håkon", "Siri", "Bjørn"];
// A fifth of the recipients have a name that makes their text UCS-2 (a Polish name or an emoji).
const UCS2_NAMES = ["Łukasz", "Zofia 🎉"];
// About 15% have a title, which makes their text long enough for two parts.
const LONG_TAIL =
  "Vi har også nye kurs i keramikk, tre og tekstil hver tirsdag og torsdag fram til sommeren.";
const TEXT =
  "Hei [[customer.firstname]]! Vårsalget hos Fjordlys starter i dag, kode V[[customer.id]].[% if customer.title %] [[customer.title]][% endif %]";

/** N subscribed persons with mobiles, an SMPP account to the sink, and an SMS mailing to them all with its list. */
async function seed(
  handle: BenchDb,
  count: number,
  account: { port: number; ratePerSecond: number; window: number },
): Promise<number> {
  const db = handle.db;
  const now = new Date().toISOString();
  const smpp = await createAccount(db, {
    name: "SMSC",
    kind: "smpp",
    host: "127.0.0.1",
    port: account.port,
    username: "bench",
    password: "bench",
    ratePerSecond: account.ratePerSecond,
    maxConnections: account.window,
    timeZone: zoneWhereItIs(12),
  });
  const type = await db
    .insertInto("subscription_types")
    .values({ name: "Tilbud", name_lower: "tilbud", created_at: now } as never)
    .returning("id")
    .executeTakeFirstOrThrow();
  const selection = await createSelection(db, { name: "Alle", kind: "static" });
  for (let start = 0; start < count; start += 2000) {
    await db.transaction().execute(async (trx) => {
      const rows = Array.from({ length: Math.min(2000, count - start) }, (_, k) => {
        const i = start + k;
        const first = i % 5 === 0 ? UCS2_NAMES[i % 2]! : FIRST_NAMES[i % FIRST_NAMES.length]!;
        return {
          first_name: first,
          last_name: "Nordmann",
          search_name: `${first.toLowerCase()} nordmann`,
          title: i % 20 < 3 ? LONG_TAIL : null,
          mobile: `+4790${String(i).padStart(6, "0")}`,
          former_employee: 0,
          created_at: now,
          updated_at: now,
        };
      });
      const ids = (await trx.insertInto("persons").values(rows).returning("id").execute()).map((r) => r.id);
      await trx
        .insertInto("person_subscriptions")
        .values(ids.map((id) => ({ person_id: id, type_id: type.id, status: "subscribed", updated_at: now })))
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
      name: "Vårsalg",
      type: "sms",
      sendingAccountId: smpp.id,
      smsSender: "Fjordlys",
      smsText: TEXT,
      subscriptionTypeId: type.id,
      options: { refreshOnSend: false },
    },
    null,
  );
  await addSource(db, mailing.id, { kind: "selection", refId: selection.id });
  await resolveRecipients(db, mailing.id);
  if (handle.dialect === "postgres") await sql`analyze`.execute(db);
  return mailing.id;
}

/** A fixed-offset zone where the local hour is now `hour`, so the sending window is open at any time of day. */
function zoneWhereItIs(hour: number): string {
  let offset = hour - new Date().getUTCHours();
  if (offset > 14) offset -= 24;
  if (offset < -11) offset += 24;
  return offset === 0 ? "Etc/GMT" : `Etc/GMT${offset > 0 ? "-" : "+"}${Math.abs(offset)}`;
}

async function sentCounts(db: DbHandle["db"], mailingId: number) {
  const row = await db
    .selectFrom("deliveries")
    .select([
      (eb) => eb.fn.countAll<number>().as("all"),
      (eb) => eb.fn.sum<number>("parts").as("parts"),
      sql<number>`sum(case when status = 'sent' then 1 else 0 end)`.as("sent"),
    ])
    .where("mailing_id", "=", mailingId)
    .executeTakeFirstOrThrow();
  return { all: Number(row.all), sent: Number(row.sent), parts: Number(row.parts) };
}

export type PipelineRun = {
  seconds: number;
  messages: number;
  parts: number;
  peakRssMb: number;
  rssAtTenthMb: number;
  /** The heap after a full collection, a tenth in and at the end. */
  liveHeapMb: [number, number];
};

/**
 * One run of the whole pipeline on a fresh database: seeded here, then planned and sent by a send worker in a
 * process of its own (this file with BENCH_SMS_WORKER set), so its peak RSS is the worker's and no earlier run's.
 */
export async function runSmsPipeline(count: number, dbKind: string, window: number): Promise<PipelineRun> {
  const sink = await startSink();
  const handle = await freshDatabase(dbKind);
  let report: SinkReport | null = null;
  try {
    const mailingId = await seed(handle, count, { port: sink.port, ratePerSecond: 1_000_000, window });
    const job: WorkerJob = { url: handle.url, schema: handle.schema, mailingId, count };
    const child = spawn(process.execPath, ["--expose-gc", "bench/sms-pipeline.ts"], {
      env: { ...process.env, BENCH_SMS_WORKER: JSON.stringify(job) },
      stdio: ["ignore", "pipe", "inherit"],
    });
    let output = "";
    child.stdout!.on("data", (chunk: Buffer) => {
      output += chunk;
    });
    const code = await new Promise<number | null>((resolve) => child.on("exit", resolve));
    const lines = output.trim().split("\n");
    for (const extra of lines.slice(0, -1)) console.log(extra);
    if (code !== 0) throw new Error(`the worker process exited with ${code}`);
    const run = JSON.parse(lines.at(-1)!) as Omit<PipelineRun, "messages" | "parts">;
    report = await sink.stop();
    const sent = await sentCounts(handle.db, mailingId);
    if (sent.sent !== count || sent.all !== count || report.count !== sent.parts)
      throw new Error(`sent ${sent.sent}/${count}, sink saw ${report.count} of ${sent.parts} parts`);
    return { ...run, messages: count, parts: sent.parts };
  } finally {
    if (!report) await sink.stop().catch(() => null);
    await handle.dispose();
  }
}

type WorkerJob = { url: string; schema: string; mailingId: number; count: number };

/** The worker process's part: plan the mailing, send until it is finished, print the timing and RSS as JSON. */
async function workerMain(job: WorkerJob): Promise<void> {
  const handle = await openDatabase({ databaseUrl: job.url, dataDir: tmpdir(), databaseSchema: job.schema });
  const profile = await startProfile();
  let peak = process.memoryUsage().rss;
  let rssAtTenth = 0;
  let liveAtTenth = 0;
  // What the heap holds after a full collection: RSS also holds garbage V8 has not needed to collect yet.
  const liveHeap = () => {
    global.gc?.();
    return process.memoryUsage().heapUsed / 1048576;
  };
  const start = performance.now();
  await beginSending(handle.db, job.mailingId);
  const worker = createSendWorker({
    db: handle.db,
    dialect: handle.dialect,
    publicUrl: "https://utsend.example",
    keys: keyringFromSecret(SECRET),
  });
  let handled = 0;
  for (;;) {
    const n = await worker.tick();
    handled += n;
    peak = Math.max(peak, process.memoryUsage().rss);
    if (rssAtTenth === 0 && handled >= job.count / 10) {
      rssAtTenth = process.memoryUsage().rss;
      liveAtTenth = liveHeap();
    }
    if (n > 0) continue;
    const m = await handle.db
      .selectFrom("mailings")
      .select("status")
      .where("id", "=", job.mailingId)
      .executeTakeFirstOrThrow();
    if (m.status === "finished") break;
  }
  const seconds = (performance.now() - start) / 1000;
  await profile?.();
  const liveAtEnd = liveHeap();
  await worker.stop();
  await handle.close();
  console.log(
    JSON.stringify({
      seconds,
      peakRssMb: peak / 1048576,
      rssAtTenthMb: rssAtTenth / 1048576,
      liveHeapMb: [liveAtTenth, liveAtEnd],
    }),
  );
}

/** BENCH_CPU_PROFILE=dir: a .cpuprofile of the timed part only (not the seeding), for DevTools or a script. */
async function startProfile(): Promise<(() => Promise<void>) | null> {
  const dir = process.env.BENCH_CPU_PROFILE;
  if (!dir) return null;
  const session = new Session();
  session.connect();
  await session.post("Profiler.enable");
  await session.post("Profiler.start");
  return async () => {
    const { profile } = await session.post("Profiler.stop");
    mkdirSync(dir, { recursive: true });
    const file = join(dir, `sms-pipeline-${Date.now()}.cpuprofile`);
    writeFileSync(file, JSON.stringify(profile));
    session.disconnect();
    console.log(`CPU profile of the timed part: ${file}`);
  };
}

function startWorkerProcess(t: BenchDb): ChildProcess {
  return spawn(process.execPath, ["bin/utsend.js", "worker"], {
    env: {
      ...process.env,
      UTSEND_DATABASE_URL: t.url,
      UTSEND_DATABASE_SCHEMA: t.schema,
      UTSEND_SECRET: SECRET,
      UTSEND_LOG_LEVEL: "silent",
    },
    stdio: "ignore",
  });
}

const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!;

/**
 * `npm run bench -- sms-pacing [--count N] [--rate R] [--db sqlite|postgres]`: N recipients (default 3,000) at R
 * parts per second (default 100) through two `utsend worker` processes; per wall-clock second at the sink, leaving
 * out the first two seconds (the full bucket's burst) and the last.
 */
export async function benchSmsPacing(): Promise<void> {
  const count = Number(option("count") ?? 3_000);
  const rate = Number(option("rate") ?? 100);
  const dbKind = option("db") ?? "sqlite";
  const sink = await startSink();
  const handle = await freshDatabase(dbKind);
  const workers: ChildProcess[] = [];
  let report: SinkReport | null = null;
  try {
    const mailingId = await seed(handle, count, { port: sink.port, ratePerSecond: rate, window: 10 });
    await beginSending(handle.db, mailingId);
    workers.push(startWorkerProcess(handle), startWorkerProcess(handle));
    for (;;) {
      await new Promise((resolve) => setTimeout(resolve, 500));
      const m = await handle.db
        .selectFrom("mailings")
        .select("status")
        .where("id", "=", mailingId)
        .executeTakeFirstOrThrow();
      if (m.status === "finished") break;
    }
    for (const w of workers) w.kill("SIGTERM");
    report = await sink.stop();
    const sent = await sentCounts(handle.db, mailingId);
    const seconds = report.perSecond.sort((a, b) => a[0] - b[0]);
    const first = seconds[0]![0];
    const last = seconds.at(-1)![0];
    // Every second between the start and the last, also those in which nothing arrived. The start is the first two
    // seconds: the bucket begins full (a second's worth at once), and the first second is a part of one.
    const counts = new Map(seconds);
    const steady: number[] = [];
    for (let s = first + 2; s < last; s++) steady.push(counts.get(s) ?? 0);
    const within = steady.filter((n) => n >= rate * 0.95 && n <= rate).length;
    const near = steady.filter((n) => n >= rate * 0.95 && n <= rate * 1.05).length;
    console.log(
      `pacing on ${dbKind}: ${count} SMS, ${sent.parts} parts at an account rate of ${rate}/s, two worker processes ` +
        `(sessions sent ${report.sessions.join(" + ")} parts); ${steady.length} steady seconds: ` +
        `median ${median(steady)}/s, min ${Math.min(...steady)}, max ${Math.max(...steady)}, ` +
        `mean ${(steady.reduce((a, n) => a + n, 0) / steady.length).toFixed(1)}; ` +
        `${within}/${steady.length} seconds within ${rate * 0.95}–${rate}, ${near} within ${rate * 0.95}–${rate * 1.05}`,
    );
    console.log(
      `per second: start ${counts.get(first)} ${counts.get(first + 1) ?? 0} | ${steady.join(" ")} | last ${counts.get(last)}`,
    );
  } finally {
    for (const w of workers) if (w.exitCode === null) w.kill("SIGKILL");
    if (!report) await sink.stop().catch(() => null);
    await handle.dispose();
  }
}

if (process.env.BENCH_SMS_WORKER) await workerMain(JSON.parse(process.env.BENCH_SMS_WORKER) as WorkerJob);
