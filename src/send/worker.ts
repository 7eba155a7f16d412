// The send loop: claim a batch, have the delivery's channel render each message, take rate tokens, mark the group
// as handed over, send each message through the account's transport, record the outcomes as they come. Knows no
// channel's details (see channel.ts). Any number of these run side by side, in one process or many, on SQLite or PostgreSQL.

import { hostname } from "node:os";
import type { Db } from "../db/connect.ts";
import type { Keyring } from "../deliveries/tokens.ts";
import { loadRecipientValues } from "../mailings/merge-values.ts";
import { transition } from "../mailings/transition.ts";
import { readSettings } from "../settings/store.ts";
import { randomToken } from "../shared/ids.ts";
import { type AccountRow, accountForSending } from "./accounts.ts";
import type { AnyChannel, Transport } from "./channel.ts";
import { channelRegistry } from "./channels/index.ts";
import { domainPacer } from "./domain-pacing.ts";
import {
  type ClaimedDelivery,
  claimDeliveries,
  deferClaims,
  finishMailings,
  markSending,
  recoverExpired,
  releaseClaims,
  type SendResult,
} from "./ledger.ts";
import { createOutcomeFlow } from "./outcome-flow.ts";
import { beginSending } from "./planner.ts";
import { databaseRateLimiter } from "./rate-limit.ts";

/** How many groups a second's worth of an account's rate is cut into, at least (see sendMailingGroup). */
const GROUPS_PER_SECOND = 50;
/**
 * Messages in flight per connection of an account: enough that a connection never waits for the loop, few enough
 * that none waits long in the transport's queue (its lease keeps running there).
 */
const IN_FLIGHT_PER_CONNECTION = 4;
const GROUPS_IN_FLIGHT = 3;

export type WorkerDeps = {
  db: Db;
  dialect: "sqlite" | "postgres";
  publicUrl: string;
  keys: Keyring;
  leaseMs?: number;
  batchSize?: number;
  /** How long an SMTP reply may take (SMTP_REPLY_TIMEOUT_MS unless told). */
  smtpReplyTimeoutMs?: number;
  log?: (message: string) => void;
};

export type SendWorker = {
  owner: string;
  /**
   * One round: recover, start due mailings, send one batch and record all its outcomes. Returns how many deliveries
   * it claimed. (`run` does not wait for a batch's last replies before it claims the next.)
   */
  tick(): Promise<number>;
  /** Runs rounds until the signal aborts, resting when there is nothing to do. */
  run(signal: AbortSignal, idleMs?: number): Promise<void>;
  stop(): Promise<void>;
};

export function createSendWorker(deps: WorkerDeps): SendWorker {
  const { db } = deps;
  const owner = `${hostname()}:${process.pid}:${randomToken(6)}`;
  const options = { leaseMs: deps.leaseMs ?? 60_000 };
  const limiter = databaseRateLimiter(db);
  const pacer = domainPacer(db);
  const registry = channelRegistry({
    publicUrl: deps.publicUrl,
    keys: deps.keys,
    smtpReplyTimeoutMs: deps.smtpReplyTimeoutMs,
  });
  const transports = new Map<number, { transport: Transport<unknown>; updatedAt: string }>();
  const prepared = new Map<number, unknown>();
  const log = deps.log ?? (() => {});
  // Each outcome also tells its domain's pacing (slower after a 4xx, faster again after successes).
  const flow = createOutcomeFlow(db, owner, options, log, (results) =>
    pacer.settle(
      results.map((r) => r.delivery),
      results,
    ),
  );

  async function transportFor(channel: AnyChannel, account: AccountRow): Promise<Transport<unknown>> {
    const cached = transports.get(account.id);
    if (cached && cached.updatedAt === account.updated_at) return cached.transport;
    if (cached) await cached.transport.close();
    const transport = channel.connect(db, account, { log });
    transports.set(account.id, { transport, updatedAt: account.updated_at });
    return transport;
  }

  async function startDueMailings(): Promise<void> {
    const due = await db
      .selectFrom("mailings")
      .select("id")
      .where("status", "=", "scheduled")
      .where("scheduled_at", "<=", new Date().toISOString())
      .execute();
    for (const { id } of due) {
      try {
        const { deliveries } = await beginSending(db, id);
        log(`mailing ${id}: scheduled time reached, ${deliveries} deliveries planned`);
      } catch (error) {
        // A scheduled mailing that became unsendable goes back to draft, where its problems are shown.
        await transition(db, id, "startFailed");
        log(`mailing ${id}: could not start at its scheduled time: ${(error as Error).message}`);
      }
    }
  }

  async function sendMailingGroup(mailingId: number, deliveries: ClaimedDelivery[]): Promise<void> {
    const channel = registry.byName(deliveries[0]!.channel);
    let ready = prepared.get(mailingId);
    if (ready === undefined) {
      ready = await channel.prepare(db, mailingId);
      prepared.set(mailingId, ready);
    }
    const mailing = await db
      .selectFrom("mailings")
      .select(["sending_account_id"])
      .where("id", "=", mailingId)
      .executeTakeFirstOrThrow();
    const account = await accountForSending(db, mailing.sending_account_id!);
    const heldUntil = channel.heldUntil?.(account, new Date());
    if (heldUntil) {
      // Outside the account's sending window (SMS): the whole batch waits, and no worker claims it before then.
      await flow.exclusive(() =>
        deferClaims(
          db,
          owner,
          deliveries.map((d) => d.id),
          heldUntil.toISOString(),
          options,
        ),
      );
      log(`mailing ${mailingId}: outside the sending window, waiting until ${heldUntil.toISOString()}`);
      return;
    }
    const transport = await transportFor(channel, account);
    const settings = await readSettings(db);
    const values = await loadRecipientValues(
      db,
      deliveries.map((d) => ({ recipientId: d.recipient_id, [channel.addressKind]: d.address })),
    );
    // A group takes its rate tokens at once and goes out as a burst: at most a fiftieth of a second's worth keeps a
    // slow account's rate even from second to second (measured at 100 parts/s with two workers: groups of 40 SMS
    // made seconds of 54 to 152 parts; groups of 2, seconds of 96 to 104).
    const groupSize = Math.max(
      1,
      Math.min(Math.floor(account.rate_per_second / GROUPS_PER_SECOND), account.max_connections * 4),
    );
    const renderGroup = (group: ClaimedDelivery[]) =>
      Promise.all(
        group.map(async (d) => {
          try {
            const rendered: unknown = await channel.render(ready, {
              deliveryId: d.id,
              mailingId,
              address: d.address,
              messageId: d.message_id,
              values: values.get(d.recipient_id)!,
            });
            return { d, rendered, error: null };
          } catch (error) {
            return { d, rendered: null, error: (error as Error).message };
          }
        }),
      );
    const groups: ClaimedDelivery[][] = [];
    for (let i = 0; i < deliveries.length; i += groupSize) groups.push(deliveries.slice(i, i + groupSize));
    // At most this many of the account's messages handed over and not yet recorded (outcome-flow.ts). Three groups'
    // worth, so a group finds its place while each connection holds a slow reply: with the window one group wide,
    // every group waited for the slowest reply of the one before (2,000 messages, 2 % of replies 25 s late: 2 msg/s).
    const window = Math.max(groupSize * GROUPS_IN_FLIGHT, account.max_connections * IN_FLIGHT_PER_CONNECTION);
    // The next group is rendered while this one waits for its place and its tokens.
    let nextRendered = groups.length > 0 ? renderGroup(groups[0]!) : null;
    for (const [index, group] of groups.entries()) {
      const rendered = await nextRendered!;
      nextRendered = index + 1 < groups.length ? renderGroup(groups[index + 1]!) : null;
      const partsOf = (r: (typeof rendered)[number]) =>
        r.error === null && channel.parts ? channel.parts(r.rendered) : 1;
      await flow.room(account.id, group.length, window);
      let admitted: ClaimedDelivery[] = [];
      let handedOver: typeof rendered = [];
      try {
        // Per recipient domain (domain-pacing.ts): what may not go now is already back in the queue with its time.
        const paced = await flow.exclusive(() => pacer.admit(owner, mailingId, group, options));
        admitted = group.filter((d) => paced.has(d.id));
        await limiter.take(
          account.id,
          account.rate_per_second,
          rendered.reduce((sum, r) => sum + (paced.has(r.d.id) ? partsOf(r) : 0), 0),
        );
        const allowed = new Set(
          await flow.exclusive(() =>
            markSending(
              db,
              owner,
              admitted.map((d) => d.id),
              options,
            ),
          ),
        );
        handedOver = rendered.filter((r) => allowed.has(r.d.id));
      } finally {
        flow.giveBack(account.id, group.length - handedOver.length);
      }
      // Admitted but not handed over (the claim lost, the mailing paused): their domains' places are free again.
      const handedOverIds = new Set(handedOver.map((r) => r.d.id));
      const notSent = admitted.filter((d) => !handedOverIds.has(d.id));
      if (notSent.length > 0) await flow.exclusive(() => pacer.settle(notSent, []));
      // Each message is sent on its own, and its outcome recorded when it comes: a slow reply holds back only
      // its own message, never the group's or the next group's.
      for (const r of handedOver) {
        const result: Promise<SendResult> =
          r.error !== null
            ? Promise.resolve({ delivery: r.d, outcome: { kind: "not-sent", reply: `not sent: ${r.error}` } })
            : transport.send([r.rendered]).then(
                ([outcome]): SendResult => ({ delivery: r.d, outcome: outcome!, parts: partsOf(r) }),
                // A transport answers every failure as an outcome; if one throws anyway, whether the message
                // left is not known.
                (error: unknown): SendResult => ({
                  delivery: r.d,
                  outcome: { kind: "unknown", reply: `the transport failed: ${(error as Error).message}` },
                }),
              );
        flow.track(account.id, settings, r.d.id, result);
      }
    }
  }

  /** One round: recover, start due mailings, claim a batch and hand it over; outcomes may still be coming. */
  async function round(): Promise<number> {
    const recovered = await flow.exclusive(() => recoverExpired(db, options));
    if (recovered.unknown > 0)
      log(`${recovered.unknown} deliveries left unsure by a stopped process are now unknown`);
    await startDueMailings();
    const claimed = await flow.exclusive(() =>
      claimDeliveries(db, deps.dialect, owner, deps.batchSize ?? 200, options),
    );
    const byMailing = new Map<number, ClaimedDelivery[]>();
    for (const d of claimed) byMailing.set(d.mailing_id, [...(byMailing.get(d.mailing_id) ?? []), d]);
    for (const [mailingId, deliveries] of byMailing) {
      try {
        await sendMailingGroup(mailingId, deliveries);
      } catch (error) {
        if (isPassingDatabaseError(error)) {
          // Another process's transaction won a lock; what was claimed and not handed over is released below.
          log(`mailing ${mailingId}: ${(error as Error).message}; its deliveries are tried again`);
          continue;
        }
        // A mailing that cannot be made ready (its sending domain or account removed) would be claimed again at
        // once, forever: pause it, so a person sees it and the worker rests.
        prepared.delete(mailingId);
        await transition(db, mailingId, "pause");
        log(`mailing ${mailingId} paused: ${(error as Error).message}`);
      }
    }
    await flow.exclusive(() => releaseClaims(db, owner));
    await finish();
    return claimed.length;
  }

  async function finish(): Promise<void> {
    for (const id of await flow.exclusive(() => finishMailings(db, options))) {
      prepared.delete(id);
      log(`mailing ${id}: finished`);
    }
  }

  /** One round, and then every outcome it is waiting on recorded. */
  async function tick(): Promise<number> {
    const handled = await round();
    if (flow.inFlight() > 0) {
      await flow.drain();
      await finish();
    }
    return handled;
  }

  return {
    owner,
    tick,
    async run(signal, idleMs = 500) {
      // The next batch is claimed as soon as this one is handed over, while its slowest replies are still coming.
      while (!signal.aborted) {
        const handled = await round();
        if (handled === 0) await new Promise((resolve) => setTimeout(resolve, idleMs));
      }
      await flow.drain();
      await finish();
    },
    async stop() {
      await flow.drain();
      await releaseClaims(db, owner);
      for (const { transport } of transports.values()) await transport.close();
      transports.clear();
    },
  };
}

/**
 * A database error that says nothing about the mailing and passes when tried again: PostgreSQL's deadlock and
 * serialization failures (40P01, 40001) and SQLite's busy database.
 */
export function isPassingDatabaseError(error: unknown): boolean {
  const code = (error as { code?: unknown } | null)?.code;
  return code === "40P01" || code === "40001" || code === "SQLITE_BUSY";
}
