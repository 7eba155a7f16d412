import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Db } from "../../src/db/connect.ts";
import { updateAccount } from "../../src/send/accounts.ts";
import { beginSending } from "../../src/send/planner.ts";
import { aPerson } from "../helpers/builders.ts";
import { freshDatabase, type TestDb, testDialects } from "../helpers/dialects.ts";
import { aReadyMailing, aSendingSetup, startWorkerProcess } from "../helpers/mailings.ts";
import { type SmtpSink, startSmtpSink } from "../helpers/smtp-sink.ts";

const RECIPIENTS = 240;
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

const startWorker = (t: TestDb) => startWorkerProcess(t, { UTSEND_LEASE_SECONDS: "2" });

async function counts(db: Db, mailingId: number): Promise<Record<string, number>> {
  const rows = await db
    .selectFrom("deliveries")
    .select(["status", (eb) => eb.fn.countAll<number>().as("n")])
    .where("mailing_id", "=", mailingId)
    .groupBy("status")
    .execute();
  return Object.fromEntries(rows.map((r) => [r.status, Number(r.n)]));
}

describe.each(await testDialects())("a send worker killed mid-send on %s", (dialect) => {
  let t: TestDb;
  let sink: SmtpSink;
  beforeAll(async () => {
    t = await freshDatabase(dialect);
    sink = await startSmtpSink({ parse: false });
  });
  afterAll(async () => {
    await sink.close();
    await t.dispose();
  });

  it("sends every recipient exactly once, except those left unknown, which got at most one", {
    timeout: 240_000,
  }, async () => {
    const setup = await aSendingSetup(t.db, { host: sink.host, port: sink.port, maxConnections: 3 });
    // Slow enough that kills land while messages are in flight.
    await updateAccount(t.db, setup.account.id, { ratePerSecond: 30 });
    const people = [];
    for (let i = 0; i < RECIPIENTS; i++)
      people.push(await aPerson(t.db, { email: `mottaker${i}-${dialect}@example.no` }));
    const mailing = await aReadyMailing(
      t.db,
      setup,
      people.map((p) => p.id),
    );
    await beginSending(t.db, mailing.id);

    let kills = 0;
    let killsMidSend = 0;
    for (let round = 0; round < 8; round++) {
      const workers = [startWorker(t), startWorker(t)];
      // Wait until this round's workers are sending, then kill one or both at a random moment.
      const before = sink.messages.length;
      for (let waited = 0; sink.messages.length === before && waited < 8000; waited += 20) await sleep(20);
      await sleep(30 + Math.floor(Math.random() * 250));
      const state = await counts(t.db, mailing.id);
      if ((state.pending ?? 0) + (state.claimed ?? 0) + (state.sending ?? 0) > 0) killsMidSend++;
      const exits = workers.map((w) => new Promise((resolve) => w.once("exit", resolve)));
      // Every third round one worker dies first and the other goes on alone for a while, then dies too.
      workers[0]!.kill("SIGKILL");
      if (round % 3 === 2) await sleep(100 + Math.floor(Math.random() * 200));
      workers[1]!.kill("SIGKILL");
      kills += 2;
      await Promise.all(exits);
      const now = await counts(t.db, mailing.id);
      if ((now.pending ?? 0) + (now.claimed ?? 0) + (now.sending ?? 0) === 0) break;
    }
    // A last worker finishes the job once the dead ones' leases have run out.
    const last = startWorker(t);
    for (let waited = 0; waited < 60_000; waited += 200) {
      const c = await counts(t.db, mailing.id);
      if ((c.pending ?? 0) + (c.claimed ?? 0) + (c.sending ?? 0) === 0) break;
      await sleep(200);
    }
    last.kill("SIGTERM");
    await new Promise((r) => (last.exitCode === null ? last.once("exit", r) : r(null)));

    expect(killsMidSend).toBeGreaterThanOrEqual(3);
    const deliveries = await t.db
      .selectFrom("deliveries")
      .select(["address as email", "status", "last_reply"])
      .where("mailing_id", "=", mailing.id)
      .execute();
    expect(deliveries).toHaveLength(RECIPIENTS);
    const received = new Map<string, number>();
    for (const m of sink.messages)
      for (const to of m.envelope.to) received.set(to, (received.get(to) ?? 0) + 1);
    const byStatus: Record<string, number> = {};
    for (const d of deliveries) {
      byStatus[d.status] = (byStatus[d.status] ?? 0) + 1;
      const got = received.get(d.email) ?? 0;
      if (d.status === "sent") expect(got, `${d.email} is sent`).toBe(1);
      else if (d.status === "unknown") expect(got, `${d.email} is unknown`).toBeLessThanOrEqual(1);
      else throw new Error(`${d.email} ended as ${d.status}: ${d.last_reply}`);
    }
    expect([...received.values()].every((n) => n === 1)).toBe(true);
    console.log(
      `${dialect}: ${kills} kills (${killsMidSend} mid-send); deliveries ${JSON.stringify(byStatus)}; messages at the sink ${sink.messages.length}`,
    );
  });
});
