// Workers killed mid-send, for the crash tests of every channel: rounds of two `utsend worker` processes (short lease)
// killed with SIGKILL at a random moment once they are sending, then one last worker that finishes the mailing.
import type { Db } from "../../src/db/connect.ts";
import type { TestDb } from "./dialects.ts";
import { startWorkerProcess } from "./mailings.ts";

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

const startWorker = (t: TestDb) => startWorkerProcess(t, { UTSEND_LEASE_SECONDS: "2" });

/** The mailing's first attempts by status. */
export async function deliveryCounts(db: Db, mailingId: number): Promise<Record<string, number>> {
  const rows = await db
    .selectFrom("deliveries")
    .select(["status", (eb) => eb.fn.countAll<number>().as("n")])
    .where("mailing_id", "=", mailingId)
    .groupBy("status")
    .execute();
  return Object.fromEntries(rows.map((r) => [r.status, Number(r.n)]));
}

const inFlight = (c: Record<string, number>) => (c.pending ?? 0) + (c.claimed ?? 0) + (c.sending ?? 0);

/**
 * Kills pairs of workers mid-send for up to 8 rounds (every third round one dies first and the other goes on alone
 * for a while), then lets one worker finish once the dead ones' leases have run out. `sentSoFar` is what the
 * receiving server has seen (messages or parts): a round's kills wait until it grows. Returns how many kills landed
 * while deliveries were still pending, claimed or sending.
 */
export async function killWorkersMidSend(
  t: TestDb,
  mailingId: number,
  sentSoFar: () => number,
  /** Runs while the last worker still runs, once nothing is in flight (an SMSC's receipts answered, say). */
  beforeLastStops: () => Promise<void> = async () => {},
): Promise<{ kills: number; killsMidSend: number }> {
  let kills = 0;
  let killsMidSend = 0;
  for (let round = 0; round < 8; round++) {
    const workers = [startWorker(t), startWorker(t)];
    const before = sentSoFar();
    for (let waited = 0; sentSoFar() === before && waited < 8000; waited += 20) await sleep(20);
    await sleep(30 + Math.floor(Math.random() * 250));
    if (inFlight(await deliveryCounts(t.db, mailingId)) > 0) killsMidSend++;
    const exits = workers.map((w) => new Promise((resolve) => w.once("exit", resolve)));
    workers[0]!.kill("SIGKILL");
    if (round % 3 === 2) await sleep(100 + Math.floor(Math.random() * 200));
    workers[1]!.kill("SIGKILL");
    kills += 2;
    await Promise.all(exits);
    if (inFlight(await deliveryCounts(t.db, mailingId)) === 0) break;
  }
  const last = startWorker(t);
  for (let waited = 0; waited < 60_000; waited += 200) {
    if (inFlight(await deliveryCounts(t.db, mailingId)) === 0) break;
    await sleep(200);
  }
  await beforeLastStops();
  last.kill("SIGTERM");
  await new Promise((r) => (last.exitCode === null ? last.once("exit", r) : r(null)));
  return { kills, killsMidSend };
}
