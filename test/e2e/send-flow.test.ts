// A slow reply holds back only its own message: the other connections' messages go out and are recorded while it
// waits, a stalled reply ends at the reply timeout as SPEC §7 says, and a live worker's slow deliveries keep their
// lease. Over a real SMTP server that holds chosen replies until the test lets them go.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Db } from "../../src/db/connect.ts";
import { keyringFromSecret } from "../../src/deliveries/tokens.ts";
import { recoverExpired } from "../../src/send/ledger.ts";
import { beginSending } from "../../src/send/planner.ts";
import { createSendWorker } from "../../src/send/worker.ts";
import { aPerson } from "../helpers/builders.ts";
import { freshDatabase, type TestDb, testDialects } from "../helpers/dialects.ts";
import { aReadyMailing, aSendingSetup } from "../helpers/mailings.ts";
import { type SmtpSink, startSmtpSink } from "../helpers/smtp-sink.ts";

const keys = keyringFromSecret("flow-test-secret");
const FAST = 60;
// Long enough for the held replies, which the test lets go after a lease's time; the stalled ones are never let go.
const REPLY_TIMEOUT_MS = 12_000;
const LEASE_MS = 3_000;

async function byAddress(db: Db, mailingId: number) {
  const rows = await db
    .selectFrom("deliveries")
    .select(["address", "status", "tries", "last_reply"])
    .where("mailing_id", "=", mailingId)
    .execute();
  return new Map(rows.map((r) => [r.address.split("-")[0]!, r]));
}

async function until<T>(what: string, probe: () => Promise<T | null>, timeoutMs = 30_000): Promise<T> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== null) return value;
    if (Date.now() > end) throw new Error(`still waiting for ${what} after ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

describe.each(await testDialects())("a slow reply on %s", (dialect) => {
  let t: TestDb;
  let sink: SmtpSink;
  let release = () => {};
  const released = new Promise<void>((resolve) => {
    release = resolve;
  });
  const never = new Promise<void>(() => {});
  beforeAll(async () => {
    t = await freshDatabase(dialect);
    sink = await startSmtpSink({
      parse: false,
      holdReply: (stage, recipient) => {
        if (stage === "data" && recipient.startsWith("slow")) return released;
        if (stage === "data" && recipient.startsWith("stalldata")) return never;
        if (stage === "rcpt" && recipient.startsWith("stallrcpt")) return never;
        return null;
      },
    });
  });
  afterAll(async () => {
    await sink.close();
    await t.dispose();
  });

  it("holds back only its own message; a stalled reply ends at the timeout, before the data as a retry, after it as unknown", async () => {
    const setup = await aSendingSetup(t.db, { host: sink.host, port: sink.port, maxConnections: 6 });
    const names = [
      ...Array.from({ length: FAST }, (_, i) => `fast${i}`),
      "slow1",
      "slow2",
      "stalldata",
      "stallrcpt",
    ];
    // The slow and stalled recipients come first, so with groups awaited whole they would hold back the rest.
    names.unshift(...names.splice(FAST));
    const people = [];
    for (const name of names) people.push(await aPerson(t.db, { email: `${name}-${dialect}@example.no` }));
    const mailing = await aReadyMailing(
      t.db,
      setup,
      people.map((p) => p.id),
    );
    await beginSending(t.db, mailing.id);

    const worker = createSendWorker({
      db: t.db,
      dialect,
      publicUrl: "https://utsend.example",
      keys,
      leaseMs: LEASE_MS,
      smtpReplyTimeoutMs: REPLY_TIMEOUT_MS,
    });
    const controller = new AbortController();
    const running = worker.run(controller.signal, 50);
    try {
      const whileHeld = await until("the other messages to be recorded as sent", async () => {
        const s = await byAddress(t.db, mailing.id);
        const fast = [...s.entries()].filter(([name]) => name.startsWith("fast"));
        return fast.every(([, d]) => d.status === "sent") ? s : null;
      });
      // The held replies' messages were handed over and are still waiting: not recorded either way.
      expect(whileHeld.get("slow1")!.status).toBe("sending");
      expect(whileHeld.get("slow2")!.status).toBe("sending");

      // Longer than a lease: another worker's recovery must not take the live worker's slow deliveries as abandoned.
      await new Promise((resolve) => setTimeout(resolve, LEASE_MS + 1_000));
      const recovered = await recoverExpired(t.db, { leaseMs: LEASE_MS });
      expect(recovered.unknown).toBe(0);
      expect((await byAddress(t.db, mailing.id)).get("slow1")!.status).toBe("sending");

      release();
      const after = await until("the released replies to be recorded", async () => {
        const s = await byAddress(t.db, mailing.id);
        return s.get("slow1")!.status === "sent" && s.get("slow2")!.status === "sent" ? s : null;
      });
      expect([...after.values()].filter((d) => d.status === "sent")).toHaveLength(FAST + 2);

      const ended = await until("the stalled replies to time out", async () => {
        const s = await byAddress(t.db, mailing.id);
        return s.get("stalldata")!.status !== "sending" &&
          s.get("stallrcpt")!.status !== "claimed" &&
          s.get("stallrcpt")!.status !== "sending"
          ? s
          : null;
      });
      // After the data: the server may have taken it, so it is never resent blindly (SPEC §7).
      expect(ended.get("stalldata")).toMatchObject({ status: "unknown", tries: 1 });
      expect(ended.get("stalldata")!.last_reply).toMatch(/timeout/i);
      // Before the data: nothing was delivered, so it waits for a retry like a 4xx.
      expect(ended.get("stallrcpt")).toMatchObject({ status: "pending", tries: 1 });
      expect(ended.get("stallrcpt")!.last_reply).toMatch(/timeout/i);
    } finally {
      controller.abort();
      await running;
      await worker.stop();
    }
    // Every accepted message reached the server once; the stalled data's copy was never answered, so not kept.
    const received = sink.messages.map((m) => m.envelope.to[0]!);
    expect(new Set(received).size).toBe(received.length);
    expect(received.filter((to) => to.endsWith(`-${dialect}@example.no`))).toHaveLength(FAST + 2);
  });
});
