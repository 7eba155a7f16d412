import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { updateAccount } from "../../src/send/accounts.ts";
import { beginSending } from "../../src/send/planner.ts";
import { aPerson } from "../helpers/builders.ts";
import { freshDatabase, type TestDb, testDialects } from "../helpers/dialects.ts";
import { killWorkersMidSend } from "../helpers/kill-rounds.ts";
import { aReadyMailing, aSendingSetup } from "../helpers/mailings.ts";
import { type SmtpSink, startSmtpSink } from "../helpers/smtp-sink.ts";

const RECIPIENTS = 240;

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

    const { kills, killsMidSend } = await killWorkersMidSend(t, mailing.id, () => sink.messages.length);

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
