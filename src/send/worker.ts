// The send loop: claim a batch, render and build each message, take rate tokens, mark the group as handed to SMTP,
// send, record the outcomes. Any number of these run side by side, in one process or many, on SQLite or PostgreSQL.
import { hostname } from "node:os";
import type { Db } from "../db/connect.ts";
import { randomToken } from "../shared/ids.ts";
import { accountForSending, channelForAccount } from "./accounts.ts";
import { loadRecipientValues } from "./contexts.ts";
import {
  type ClaimedDelivery,
  claimDeliveries,
  finishMailings,
  markSending,
  recordOutcomes,
  recoverExpired,
  releaseClaims,
  type SendResult,
} from "./ledger.ts";
import { buildMessage } from "./message.ts";
import type { Channel } from "./outbox.ts";
import { beginSending } from "./planner.ts";
import { linksFor, type PreparedMailing, prepareMailing, renderDelivery } from "./prepare.ts";
import { databaseRateLimiter } from "./rate-limit.ts";
import type { Keyring } from "./tokens.ts";

export type WorkerDeps = {
  db: Db;
  dialect: "sqlite" | "postgres";
  publicUrl: string;
  keys: Keyring;
  leaseMs?: number;
  batchSize?: number;
  log?: (message: string) => void;
};

type AccountRow = Awaited<ReturnType<typeof accountForSending>>;

export type SendWorker = {
  owner: string;
  /** One round: recover, start due mailings, send one batch. Returns how many deliveries it handled. */
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
  const channels = new Map<number, { channel: Channel; updatedAt: string }>();
  const prepared = new Map<number, PreparedMailing>();
  const log = deps.log ?? (() => {});

  async function channelFor(account: AccountRow): Promise<Channel> {
    const cached = channels.get(account.id);
    if (cached && cached.updatedAt === account.updated_at) return cached.channel;
    if (cached) await cached.channel.close();
    const channel = channelForAccount(db, account);
    channels.set(account.id, { channel, updatedAt: account.updated_at });
    return channel;
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
        await db
          .updateTable("mailings")
          .set({ status: "draft" })
          .where("id", "=", id)
          .where("status", "=", "scheduled")
          .execute();
        log(`mailing ${id}: could not start at its scheduled time: ${(error as Error).message}`);
      }
    }
  }

  async function sendMailingGroup(mailingId: number, deliveries: ClaimedDelivery[]): Promise<void> {
    let ready = prepared.get(mailingId);
    if (!ready) {
      ready = await prepareMailing(db, mailingId);
      prepared.set(mailingId, ready);
    }
    const mailing = await db
      .selectFrom("mailings")
      .select(["sending_account_id"])
      .where("id", "=", mailingId)
      .executeTakeFirstOrThrow();
    const account = await accountForSending(db, mailing.sending_account_id!);
    const channel = await channelFor(account);
    const settings = await bounceSettings(db);
    const values = await loadRecipientValues(
      db,
      deliveries.map((d) => ({ recipientId: d.recipient_id, email: d.email })),
    );
    const groupSize = Math.max(
      1,
      Math.min(Math.floor(Math.max(1, account.rate_per_second)), account.max_connections * 4),
    );
    const buildGroup = (group: ClaimedDelivery[]) =>
      Promise.all(
        group.map(async (d) => {
          try {
            const { message, returnPath } = renderDelivery(
              ready,
              { id: d.id, email: d.email, messageId: d.message_id },
              values.get(d.recipient_id)!,
              linksFor(deps.publicUrl, deps.keys, d.id),
              deps.keys,
              { publicUrl: deps.publicUrl },
            );
            return { d, raw: await buildMessage(message), returnPath, subject: message.subject, error: null };
          } catch (error) {
            return { d, raw: null, returnPath: "", subject: "", error: (error as Error).message };
          }
        }),
      );
    const groups: ClaimedDelivery[][] = [];
    for (let i = 0; i < deliveries.length; i += groupSize) groups.push(deliveries.slice(i, i + groupSize));
    // The next group is built while this one is on the wire.
    let nextBuilt = groups.length > 0 ? buildGroup(groups[0]!) : null;
    for (const [index, group] of groups.entries()) {
      const built = await nextBuilt!;
      nextBuilt = index + 1 < groups.length ? buildGroup(groups[index + 1]!) : null;
      await limiter.take(account.id, account.rate_per_second, group.length);
      const allowed = new Set(
        await markSending(
          db,
          owner,
          group.map((d) => d.id),
          options,
        ),
      );
      const results: SendResult[] = await Promise.all(
        built
          .filter((b) => allowed.has(b.d.id))
          .map(async (b): Promise<SendResult> => {
            if (!b.raw)
              return { delivery: b.d, outcome: { kind: "not-sent", reply: `not sent: ${b.error}` } };
            const outcome = await channel.send({ from: b.returnPath, to: b.d.email }, b.raw, {
              mailingId,
              deliveryId: b.d.id,
              isTest: false,
              subject: b.subject,
            });
            return { delivery: b.d, outcome };
          }),
      );
      await recordOutcomes(db, owner, results, settings, options);
    }
  }

  async function tick(): Promise<number> {
    const recovered = await recoverExpired(db, options);
    if (recovered.unknown > 0)
      log(`${recovered.unknown} deliveries left unsure by a stopped process are now unknown`);
    await startDueMailings();
    const claimed = await claimDeliveries(db, deps.dialect, owner, deps.batchSize ?? 200, options);
    const byMailing = new Map<number, ClaimedDelivery[]>();
    for (const d of claimed) byMailing.set(d.mailing_id, [...(byMailing.get(d.mailing_id) ?? []), d]);
    for (const [mailingId, deliveries] of byMailing) {
      try {
        await sendMailingGroup(mailingId, deliveries);
      } catch (error) {
        // A mailing that cannot be made ready (its sending domain or account removed) would be claimed again at
        // once, forever: pause it, so a person sees it and the worker rests.
        prepared.delete(mailingId);
        await db
          .updateTable("mailings")
          .set({ status: "paused" })
          .where("id", "=", mailingId)
          .where("status", "=", "sending")
          .execute();
        log(`mailing ${mailingId} paused: ${(error as Error).message}`);
      }
    }
    await releaseClaims(db, owner);
    for (const id of await finishMailings(db, options)) {
      prepared.delete(id);
      log(`mailing ${id}: finished`);
    }
    return claimed.length;
  }

  return {
    owner,
    tick,
    async run(signal, idleMs = 500) {
      while (!signal.aborted) {
        const handled = await tick();
        if (handled === 0) await new Promise((resolve) => setTimeout(resolve, idleMs));
      }
    },
    async stop() {
      await releaseClaims(db, owner);
      for (const { channel } of channels.values()) await channel.close();
      channels.clear();
    },
  };
}

async function bounceSettings(db: Db): Promise<{ bounceThreshold: number }> {
  const row = await db
    .selectFrom("settings")
    .select("value")
    .where("key", "=", "bounceThreshold")
    .executeTakeFirst();
  return { bounceThreshold: row ? Number(row.value) : 5 };
}
