// `npm run bench -- forms`: a real utsend server on loopback (SQLite, then PostgreSQL) taking valid submissions to a
// hosted form in automatic processing under autocannon: thank-you answers per second and p50/p99 latency per
// connection count, median of 3 runs; after each run, once the processing queue has drained, the stored
// submissions are counted against the thank-you pages answered (none lost) and the processed ones (a person each).
import { spawn } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createInterface } from "node:readline";
import { sql } from "kysely";
import type { Dialect } from "../src/db/connect.ts";
import { type FormField, NO_ACTIONS } from "../src/forms/definition.ts";
import { stampOf } from "../test/helpers/forms.ts";
import { type ApiClient, ok, signIn, startTestServer, type TestServer } from "../test/helpers/server.ts";

const CONNECTIONS = (process.env.BENCH_FORMS_CONNECTIONS ?? "10,50").split(",").map(Number);
const SECONDS = Number(process.env.BENCH_SECONDS ?? 10);
const RUNS = Number(process.env.BENCH_RUNS ?? 3);
const DIALECTS = (process.env.BENCH_FORMS_DIALECTS ?? "sqlite,postgres").split(",") as Dialect[];
// Answered by the bench's own DNS server with an MX record, so the mail-domain check passes without the network.
const DOMAIN = "skjema-bench.example.no";

const label = (nb: string, en = nb) => ({ nb, en });
const FIELDS: FormField[] = [
  {
    kind: "mapped",
    key: "email",
    maps: "email",
    label: label("E-post", "E-mail"),
    required: true,
    prefill: false,
  },
  {
    kind: "mapped",
    key: "fornavn",
    maps: "first_name",
    label: label("Fornavn"),
    required: true,
    prefill: false,
  },
  {
    kind: "consent",
    key: "samtykke",
    purposeKey: "e-marketing",
    label: label("Nyhetsbrev", "Newsletter"),
    text: label("Ja, send meg nyhetsbrev på e-post.", "Yes, e-mail me the newsletter."),
    required: true,
  },
];

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
};

/** Runs autocannon in a child process: on 2 cores, in-process load would queue on the server's own event loop. */
async function load(job: object, dir: string): Promise<LoadResult> {
  const file = join(dir, "job.json");
  writeFileSync(file, JSON.stringify(job));
  const child = spawn(process.execPath, ["bench/forms-load.ts", file], {
    stdio: ["ignore", "pipe", "inherit"],
  });
  const lines = createInterface({ input: child.stdout });
  let last = "";
  for await (const line of lines) last = line;
  return JSON.parse(last) as LoadResult;
}

/** A DNS server answering MX for the domain, in a child process; stopped by ending its stdin. */
async function dnsServer(domain: string): Promise<{ address: string; close(): void }> {
  const child = spawn(process.execPath, ["bench/forms-dns.ts", domain], {
    stdio: ["pipe", "pipe", "inherit"],
  });
  const lines = createInterface({ input: child.stdout });
  for await (const line of lines) return { address: line.trim(), close: () => child.stdin.end() };
  throw new Error("the bench's DNS server did not start");
}

/** A published form in automatic processing, without double opt-in, that adds each submitter to a selection. */
async function benchForm(admin: ApiClient): Promise<{ id: number; slug: string; selectionId: number }> {
  const selection = await ok<{ id: number }>(
    admin.send("POST", "/api/selections", { name: "Påmeldte (bench)", kind: "static" }),
    201,
  );
  const form = await ok<{ id: number; slug: string }>(
    admin.send("POST", "/api/forms", { name: "Nyhetsbrev (bench)", language: "nb" }),
    201,
  );
  await ok(
    admin.send("PUT", `/api/forms/${form.id}`, {
      definition: { fields: FIELDS },
      processingMode: "automatic",
      doubleOptIn: false,
      actions: { ...NO_ACTIONS, addToSelectionIds: [selection.id] },
    }),
  );
  await ok(admin.send("POST", `/api/forms/${form.id}/publish`));
  return { ...form, selectionId: selection.id };
}

type Counts = { stored: number; waiting: number; processed: number };

async function counts(server: TestServer, formId: number): Promise<Counts> {
  const row = await server.server.handle.db
    .selectFrom("form_submissions")
    .select([
      (eb) => eb.fn.countAll<number | string>().as("stored"),
      sql<number | string>`sum(case when handled_at is null then 1 else 0 end)`.as("waiting"),
      sql<
        number | string
      >`sum(case when status = 'processed' and person_id is not null then 1 else 0 end)`.as("processed"),
    ])
    .where("form_id", "=", formId)
    .executeTakeFirstOrThrow();
  return {
    stored: Number(row.stored),
    waiting: Number(row.waiting ?? 0),
    processed: Number(row.processed ?? 0),
  };
}

/** The counts once the queue has drained: nothing of the form left unhandled, and the total has stopped moving. */
async function drained(server: TestServer, formId: number): Promise<Counts & { drainSeconds: number }> {
  const started = Date.now();
  let previous = -1;
  for (;;) {
    const now = await counts(server, formId);
    if (now.waiting === 0 && now.stored === previous)
      return { ...now, drainSeconds: (Date.now() - started) / 1000 };
    previous = now.stored;
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}

/**
 * The server's CPU per POST and per processing, apart: at the stop `handled` submissions were processed besides the
 * POSTs stored, and what the queue did after the stop was processing only. Null when too little was left after the
 * stop to tell (the queue kept up).
 */
function cpuSplit(
  atStop: { ms: number; stored: number },
  total: { ms: number; stored: number },
  handled: number,
): { post: number; processing: number } | null {
  const processedAfter = total.stored - handled;
  if (processedAfter < total.stored * 0.1 || atStop.stored === 0) return null;
  const processing = (total.ms - atStop.ms) / processedAfter;
  return { post: (atStop.ms - processing * handled) / atStop.stored, processing };
}

const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!;
const spread = (values: number[], digits = 0) =>
  `median ${median(values).toFixed(digits)} (min ${Math.min(...values).toFixed(digits)}, max ${Math.max(...values).toFixed(digits)})`;

async function benchDialect(dialect: Dialect): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), "bench-forms-"));
  const dns = await dnsServer(DOMAIN);
  // One client address sends everything: the per-IP limit is off here (UTSEND_FORM_IP_LIMIT=0) as it is behind a
  // proxy that limits on its own; the stamp, the per-address limit and the mail-domain check all stay on.
  const server = await startTestServer({
    dialect,
    config: { formIpLimit: 0, dnsServers: dns.address, dnsTimeoutMs: 1000 },
  });
  try {
    const admin = await signIn(server.url, server.adminEmail, server.adminPassword);
    const form = await benchForm(admin);
    // The page's stamp is signed when it is served and is good from 3 s to 24 h after: one visit, then a wait.
    const page = await fetch(`${server.url}/f/${form.slug}`);
    const stamp = stampOf(await page.text());
    await new Promise((resolve) => setTimeout(resolve, 3100));
    console.log(`${dialect}: server ${server.url}, form /f/${form.slug}`);
    for (const connections of CONNECTIONS) {
      const rates: number[] = [];
      const p50s: number[] = [];
      const p99s: number[] = [];
      const cpus: number[] = [];
      const posts: number[] = [];
      const processings: number[] = [];
      for (let run = 1; run <= RUNS; run++) {
        const before = await drained(server, form.id);
        // CPU the server process spent (all its threads) until the queue drained: what other sessions on a shared
        // machine disturb least. On PostgreSQL the database's own processes are not in it.
        const cpuBefore = process.cpuUsage();
        const result = await load(
          {
            url: server.url,
            path: `/f/${form.slug}`,
            stamp,
            prefix: `${dialect}-c${connections}-r${run}`,
            domain: DOMAIN,
            connections,
            seconds: SECONDS,
          },
          dir,
        );
        const cpuAtStop = process.cpuUsage(cpuBefore);
        const atStop = await counts(server, form.id);
        const after = await drained(server, form.id);
        const cpu = process.cpuUsage(cpuBefore);
        const stored = after.stored - before.stored;
        const processed = after.processed - before.processed;
        const accepted = result.statusCodes["200"] ?? 0;
        const other = Object.entries(result.statusCodes).filter(([code]) => code !== "200");
        const nonOk = other.reduce((sum, [, n]) => sum + n, 0);
        const inFlight = result.sent - result.completed;
        // Posts still on the wire when autocannon stopped are finished by the server and stored too.
        const kept = stored >= accepted && stored <= accepted + inFlight && processed === stored;
        const rate = accepted / result.seconds;
        const cpuMs = (cpu.user + cpu.system) / 1000 / Math.max(stored, 1);
        cpus.push(cpuMs);
        const split = cpuSplit(
          { ms: (cpuAtStop.user + cpuAtStop.system) / 1000, stored: atStop.stored - before.stored },
          { ms: (cpu.user + cpu.system) / 1000, stored },
          atStop.stored - atStop.waiting - (before.stored - before.waiting),
        );
        if (split) {
          posts.push(split.post);
          processings.push(split.processing);
        }
        rates.push(rate);
        p50s.push(result.p50);
        p99s.push(result.p99);
        console.log(
          `${dialect}: ${connections} connections, run ${run}: ${rate.toFixed(0)} submissions/s, p50 ${result.p50} ms, p99 ${result.p99} ms; ` +
            `200 answers ${accepted}, non-2xx ${nonOk} ${JSON.stringify(Object.fromEntries(other))}, errors ${result.errors}, timeouts ${result.timeouts}; ` +
            `drained in ${after.drainSeconds.toFixed(1)} s: stored ${stored} (${stored - accepted} of ${inFlight} in flight at the stop), processed ${processed}; server CPU ${cpuMs.toFixed(2)} ms a submission${split ? ` (${split.post.toFixed(2)} a POST, ${split.processing.toFixed(2)} a processing)` : ""} — ${kept && nonOk === 0 ? "none lost" : "MISMATCH"}`,
        );
        if (!kept || nonOk > 0) process.exitCode = 1;
      }
      console.log(
        `forms ${dialect}, ${connections} connections: submissions/s ${spread(rates)}; p50 ${spread(p50s)} ms; p99 ${spread(p99s)} ms; server CPU ${spread(cpus, 2)} ms a submission` +
          (posts.length > 0 ? `, ${spread(posts, 2)} a POST, ${spread(processings, 2)} a processing` : ""),
      );
    }
  } finally {
    await server.close();
    dns.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

export async function benchForms(): Promise<void> {
  console.log(
    `POST /f/<slug> (valid, distinct submissions; automatic processing) with autocannon in a child process, ${SECONDS} s per run, ${RUNS} runs per connection count (${CONNECTIONS.join(", ")})`,
  );
  for (const dialect of DIALECTS) await benchDialect(dialect);
}
