// Messages are handed to their transport without waiting for one another, and each outcome is recorded when it
// comes, together with the others that came meanwhile. Before, a group of messages was sent and then awaited as a
// whole, so one slow reply held back every message of its group and every group after it: with 2 % of replies
// delayed 25 s, throughput fell to 0.7 msg/s while the other connections sat idle.
//
// What still bounds the flow is a window per sending account: at most `limit` messages handed over and not yet
// recorded. A transport queues what it cannot send at once (nodemailer's pool does), and a message that waits there
// too long would outlive its lease; the window keeps that queue short. While messages are in flight their leases
// are renewed, so a slow server does not make a live worker's deliveries look abandoned (and then unknown).
import type { Db } from "../db/connect.ts";
import type { Settings as AdminSettings } from "../settings/store.ts";
import { type LedgerOptions, recordOutcomes, renewLeases, type SendResult } from "./ledger.ts";

export type OutcomeFlow = {
  /**
   * Resolves once `count` more messages of this account may be in flight (at most `limit` at a time), and holds
   * those places: each is taken by `track` or given back by `giveBack`.
   */
  room(accountId: number, count: number, limit: number): Promise<void>;
  /** Places held by `room` that no message will take (the delivery's claim was lost, its mailing paused). */
  giveBack(accountId: number, count: number): void;
  /** One message handed over (or one that could not be made): its outcome is recorded when `outcome` resolves. */
  track(
    accountId: number,
    settings: Pick<AdminSettings, "bounceThreshold">,
    deliveryId: number,
    outcome: Promise<SendResult>,
  ): void;
  /** Resolves once every outcome tracked so far is recorded. */
  drain(): Promise<void>;
  /** Messages handed over and not yet recorded, over all accounts. */
  inFlight(): number;
  /**
   * Runs a ledger change when no other of this worker's runs: the outcome writes come while the loop claims and
   * marks, and on PostgreSQL two of one worker's transactions taking the state-count rows in different orders
   * deadlocked (25,000 deliveries, two workers: "deadlock detected" and the mailing paused).
   */
  exclusive<T>(change: () => Promise<T>): Promise<T>;
};

type Waiting = { accountId: number; count: number; limit: number; wake: () => void };
type Came = { accountId: number; settings: Pick<AdminSettings, "bounceThreshold">; result: SendResult };

/** How often a write of outcomes that failed (a locked or unreachable database) is tried before it is given up. */
const RECORD_ATTEMPTS = 5;
const RECORD_RETRY_MS = 1_000;

export function createOutcomeFlow(
  db: Db,
  owner: string,
  options: LedgerOptions,
  log: (message: string) => void,
  /** Told of each batch of outcomes once it is recorded (domain pacing). */
  recorded: (results: SendResult[]) => Promise<void> = async () => {},
): OutcomeFlow {
  const inFlightByAccount = new Map<number, number>();
  const inFlightIds = new Set<number>();
  let came: Came[] = [];
  let waiting: Waiting[] = [];
  let writing = false;
  const drained: Array<() => void> = [];
  let leaseTimer: NodeJS.Timeout | null = null;

  const countOf = (accountId: number) => inFlightByAccount.get(accountId) ?? 0;
  let turn: Promise<unknown> = Promise.resolve();
  function exclusive<T>(change: () => Promise<T>): Promise<T> {
    const mine = turn.then(change, change);
    turn = mine.catch(() => {});
    return mine;
  }

  function wakeWaiting(): void {
    const still: Waiting[] = [];
    for (const w of waiting) {
      // A group larger than the window still goes when nothing of its account is in flight.
      if (countOf(w.accountId) === 0 || countOf(w.accountId) + w.count <= w.limit) {
        inFlightByAccount.set(w.accountId, countOf(w.accountId) + w.count);
        w.wake();
      } else still.push(w);
    }
    waiting = still;
  }

  function settle(items: Came[]): void {
    for (const { accountId, result } of items) {
      inFlightByAccount.set(accountId, countOf(accountId) - 1);
      inFlightIds.delete(result.delivery.id);
    }
    wakeWaiting();
    if (inFlightIds.size === 0) {
      if (leaseTimer) clearInterval(leaseTimer);
      leaseTimer = null;
    }
    if (inFlightIds.size === 0 && came.length === 0) for (const done of drained.splice(0)) done();
  }

  async function write(items: Came[]): Promise<void> {
    // One transaction per account: recordOutcomes keys SMS provider ids by account.
    const groups = new Map<number, Came[]>();
    for (const item of items) {
      const group = groups.get(item.accountId);
      if (group) group.push(item);
      else groups.set(item.accountId, [item]);
    }
    for (const group of groups.values()) {
      const { accountId, settings } = group[0]!;
      for (let attempt = 1; ; attempt++) {
        try {
          await exclusive(() =>
            recordOutcomes(
              db,
              owner,
              group.map((g) => g.result),
              settings,
              { ...options, accountId },
            ),
          );
          await exclusive(() => recorded(group.map((g) => g.result))).catch((error: unknown) =>
            log(`could not tell the pacing of ${group.length} outcomes: ${(error as Error).message}`),
          );
          break;
        } catch (error) {
          if (attempt >= RECORD_ATTEMPTS) {
            // The deliveries stay `sending`; when their lease runs out they become unknown for a person to decide,
            // which is what an outcome that cannot be written is.
            log(
              `could not record ${group.length} outcomes after ${attempt} attempts: ${(error as Error).message}`,
            );
            break;
          }
          await new Promise((resolve) => setTimeout(resolve, RECORD_RETRY_MS));
        }
      }
    }
  }

  function scheduleWrite(): void {
    if (writing) return;
    writing = true;
    void (async () => {
      // What comes while one write runs goes in the next: the writes batch themselves by the database's pace.
      await new Promise((resolve) => setImmediate(resolve));
      while (came.length > 0) {
        const items = came;
        came = [];
        await write(items);
        settle(items);
      }
      writing = false;
    })();
  }

  function renewInFlight(): void {
    const ids = [...inFlightIds];
    if (ids.length === 0) return;
    exclusive(() => renewLeases(db, owner, ids, options)).catch((error: unknown) =>
      log(`could not renew the leases of ${ids.length} deliveries in flight: ${(error as Error).message}`),
    );
  }

  return {
    room(accountId, count, limit) {
      return new Promise<void>((wake) => {
        waiting.push({ accountId, count, limit, wake });
        wakeWaiting();
      });
    },
    giveBack(accountId, count) {
      if (count <= 0) return;
      inFlightByAccount.set(accountId, countOf(accountId) - count);
      wakeWaiting();
    },
    track(accountId, settings, deliveryId, outcome) {
      inFlightIds.add(deliveryId);
      if (!leaseTimer) {
        leaseTimer = setInterval(renewInFlight, Math.max(200, options.leaseMs / 3));
        leaseTimer.unref();
      }
      void outcome.then((result) => {
        came.push({ accountId, settings, result });
        scheduleWrite();
      });
    },
    drain() {
      if (inFlightIds.size === 0 && came.length === 0) return Promise.resolve();
      return new Promise<void>((resolve) => drained.push(resolve));
    },
    inFlight: () => inFlightIds.size,
    exclusive,
  };
}
