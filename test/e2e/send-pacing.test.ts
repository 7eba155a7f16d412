// Per-recipient-domain pacing over real SMTP: one domain answers 421 to everything, the others 250.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { keyringFromSecret } from "../../src/deliveries/tokens.ts";
import { beginSending } from "../../src/send/planner.ts";
import { mailingStatistics } from "../../src/track/stats.ts";
import { aPerson } from "../helpers/builders.ts";
import { freshDatabase, type TestDb, testDialects } from "../helpers/dialects.ts";
import { aReadyMailing, aSendingSetup, sendUntilFinished } from "../helpers/mailings.ts";
import { type SmtpSink, startSmtpSink } from "../helpers/smtp-sink.ts";

const keys = keyringFromSecret("pacing-test-secret");
const BUSY = "travelt.example";

describe.each(await testDialects())("pacing by recipient domain on %s", (dialect) => {
  let t: TestDb;
  let sink: SmtpSink;
  beforeAll(async () => {
    t = await freshDatabase(dialect);
    sink = await startSmtpSink({
      rcptReply: (address) =>
        address.endsWith(`@${BUSY}`) ? { code: 421, message: "4.7.0 Try again later" } : null,
    });
  });
  afterAll(async () => {
    await sink.close();
    await t.dispose();
  });

  it("sends every other domain's mail while the 421 domain's deliveries wait with back-off, listed in the statistics", async () => {
    const setup = await aSendingSetup(t.db, { host: sink.host, port: sink.port });
    const people = [];
    for (let i = 0; i < 6; i++) people.push(await aPerson(t.db, { email: `kunde${i}@${BUSY}` }));
    for (let i = 0; i < 6; i++) people.push(await aPerson(t.db, { email: `kunde${i}@rask${i % 2}.example` }));
    const mailing = await aReadyMailing(
      t.db,
      setup,
      people.map((p) => p.id),
    );
    await beginSending(t.db, mailing.id);
    const started = Date.now();
    await sendUntilFinished(t.db, dialect, keys, mailing.id);

    const rows = await t.db
      .selectFrom("deliveries")
      .select(["address_key", "status", "tries", "next_try_at", "last_reply"])
      .where("mailing_id", "=", mailing.id)
      .execute();
    const others = rows.filter((r) => !r.address_key.endsWith(BUSY));
    expect(others.map((r) => r.status)).toEqual(Array(6).fill("sent"));
    expect(sink.messages.map((m) => m.envelope.to[0]!.split("@")[1]).sort()).toEqual([
      "rask0.example",
      "rask0.example",
      "rask0.example",
      "rask1.example",
      "rask1.example",
      "rask1.example",
    ]);
    const busy = rows.filter((r) => r.address_key.endsWith(BUSY));
    for (const row of busy) {
      // SPEC §7: a 4xx waits for its back-off (a minute after the first try), never failed on the first refusal.
      expect(row).toMatchObject({ status: "pending", tries: 1 });
      expect(row.last_reply).toMatch(/421 4\.7\.0 Try again later/);
      expect(Date.parse(row.next_try_at) - started).toBeGreaterThanOrEqual(60_000);
    }
    // The domain was slowed for every worker: a row in the database, at half the rate it is slowed from.
    const bucket = await t.db
      .selectFrom("domain_pacing")
      .select("slowed_rate")
      .where("key", "=", `domain:${BUSY}`)
      .executeTakeFirstOrThrow();
    expect(bucket.slowed_rate).toBe(10);

    const stats = await mailingStatistics(t.db, mailing.id);
    expect(stats.deferredByDomain).toEqual([
      {
        domain: BUSY,
        waiting: 6,
        lastReply: expect.stringMatching(/^421 4\.7\.0 Try again later/),
        heldBy: null,
        nextTryAt: busy.map((r) => r.next_try_at).sort()[0],
      },
    ]);
  });
});
