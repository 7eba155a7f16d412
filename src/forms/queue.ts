// The hosted page stores a submission and thanks the visitor; processing (double opt-in, the person, the actions, the
// form-response answer) runs after, here. The database is the queue: a submission whose first pass is not through
// has handled_at null. Each server process runs one of these. The page's POST nudges it with the new submission's
// id, so processing starts at once, one submission at a time on SQLite (one writer; a burst queues here instead of
// in the database's lock) and a few at a time on PostgreSQL. A sweep picks up what no nudge will: submissions a
// killed or failing process left (their lease run out), processings cut half-way, and confirmation links that ran out.
import { setImmediate as yieldToIo } from "node:timers/promises";
import type { Db } from "../db/connect.ts";
import type { FormDeps } from "./deps.ts";
import { expireOverdueConfirmations, handleNewSubmission, recoverCutProcessings } from "./processing.ts";

export type FormQueueOptions = {
  /** How long a claim keeps other processes off a submission; a claim older than this is taken to be dead. */
  leaseMs: number;
  /** How often the sweep runs. */
  sweepMs: number;
  /**
   * Submissions processed at once in this process (default 1). SQLite has one writer, so more only interleave; on
   * PostgreSQL each processing waits on some thirty round trips, and one at a time drains a burst at tens a second.
   */
  concurrency?: number;
  log(line: string): void;
};

export type FormQueue = {
  /** Runs the first sweep (everything unhandled and unclaimed, at any age) and then sweeps every sweepMs. */
  start(): void;
  /** A new submission to process as soon as the ones before it are done. */
  nudge(submissionId: number): void;
  /** Resolves when nothing is queued or running in this process. */
  idle(): Promise<void>;
  stop(): Promise<void>;
};

const SWEEP_BATCH = 500;

/**
 * Takes a submission for this process until the lease runs out. Its address (lower case; null when it has none) when
 * taken; undefined when it is handled or another holds it.
 */
export async function claimSubmission(
  db: Db,
  submissionId: number,
  leaseMs: number,
  now = new Date(),
): Promise<{ emailLower: string | null } | undefined> {
  const row = await db
    .updateTable("form_submissions")
    .set({ claimed_until: new Date(now.getTime() + leaseMs).toISOString() })
    .where("id", "=", submissionId)
    .where("handled_at", "is", null)
    .where((eb) => eb.or([eb("claimed_until", "is", null), eb("claimed_until", "<=", now.toISOString())]))
    .returning("email_lower")
    .executeTakeFirst();
  return row ? { emailLower: row.email_lower } : undefined;
}

/**
 * Unhandled submissions nobody holds, oldest first. `storedBefore` leaves alone the ones stored so recently that the
 * process that stored them is still about to take them.
 */
export async function unclaimedSubmissions(db: Db, now: Date, storedBefore: Date): Promise<number[]> {
  const rows = await db
    .selectFrom("form_submissions")
    .select("id")
    .where("handled_at", "is", null)
    .where((eb) => eb.or([eb("claimed_until", "is", null), eb("claimed_until", "<=", now.toISOString())]))
    .where("submitted_at", "<=", storedBefore.toISOString())
    .orderBy("id")
    .limit(SWEEP_BATCH)
    .execute();
  return rows.map((r) => r.id);
}

export function createFormQueue(deps: FormDeps, options: FormQueueOptions): FormQueue {
  const queued: number[] = [];
  const queuedIds = new Set<number>();
  const running = new Set<Promise<void>>();
  // Two submissions from one address processed at once would each find no person and create one each (a double
  // click, a re-submit): in this process an address is processed by one drain at a time.
  const busyAddresses = new Map<string, Promise<void>>();
  const concurrency = Math.max(1, options.concurrency ?? 1);
  let sweeping: Promise<void> | null = null;
  let timer: NodeJS.Timeout | null = null;
  let stopped = false;

  function enqueue(ids: number[]) {
    for (const id of ids) {
      if (queuedIds.has(id)) continue;
      queuedIds.add(id);
      queued.push(id);
    }
    kick();
  }

  function kick() {
    while (running.size < Math.min(concurrency, queued.length) && !stopped) {
      const run: Promise<void> = drain().finally(() => {
        running.delete(run);
        kick();
      });
      running.add(run);
    }
  }

  async function drain() {
    while (queued.length > 0 && !stopped) {
      // On SQLite every query is synchronous under its promise, so without this a drain runs to the end of the queue
      // in one turn of the event loop, and each visitor waiting for a thank-you page waits for all of it. Yielding
      // to I/O between submissions answers the pages first; processing catches up when the burst is over.
      await yieldToIo();
      if (queued.length === 0 || stopped) break;
      const id = queued.shift()!;
      let release = () => {};
      try {
        const claimed = await claimSubmission(deps.db, id, options.leaseMs);
        if (!claimed) continue;
        const address = claimed.emailLower;
        if (address !== null) {
          while (busyAddresses.has(address)) await busyAddresses.get(address);
          busyAddresses.set(address, new Promise<void>((resolve) => (release = resolve)));
          const done = release;
          release = () => {
            busyAddresses.delete(address);
            done();
          };
        }
        await handleNewSubmission(deps, id);
      } catch (error) {
        // Left unhandled under its claim: the sweep tries again once the lease has run out.
        options.log(
          `form submission ${id}: processing failed, tried again later: ${(error as Error).message}`,
        );
      } finally {
        release();
        queuedIds.delete(id);
      }
    }
  }

  async function sweep(graceMs: number) {
    const now = new Date();
    await expireOverdueConfirmations(deps.db, now.toISOString());
    await recoverCutProcessings(deps, now.toISOString());
    enqueue(await unclaimedSubmissions(deps.db, now, new Date(now.getTime() - graceMs)));
  }

  function sweepSafely(graceMs: number) {
    if (sweeping || stopped) return;
    sweeping = sweep(graceMs)
      .catch((error: unknown) => options.log(`form queue sweep failed: ${(error as Error).message}`))
      .finally(() => (sweeping = null));
  }

  return {
    start() {
      sweepSafely(0);
      timer = setInterval(() => sweepSafely(options.leaseMs), options.sweepMs);
      timer.unref();
    },
    nudge(submissionId) {
      enqueue([submissionId]);
    },
    async idle() {
      while (running.size > 0 || sweeping) await Promise.all([...running, sweeping]);
    },
    async stop() {
      stopped = true;
      if (timer) clearInterval(timer);
      await Promise.all([...running, sweeping]);
    },
  };
}
