// 25,000 deliveries on PostgreSQL with two `utsend worker` processes: both send, and no claim ever holds more than
// its batch. At 240 recipients a claim that lost its LIMIT (planned on statistics taken before the mailing's
// deliveries existed) looked fine; at 25,000 one statement claimed 22,000 and the second worker sent nothing.
import type { ChildProcess } from "node:child_process";
import { sql } from "kysely";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { addSource, resolveRecipients } from "../../src/mailings/recipients.ts";
import { createMailing } from "../../src/mailings/store.ts";
import { beginSending } from "../../src/send/planner.ts";
import { freshDatabase, type TestDb, testDialects } from "../helpers/dialects.ts";
import { aSendingSetup, CONTENT, startWorkerProcess } from "../helpers/mailings.ts";
import { type SmtpSink, startSmtpSink } from "../helpers/smtp-sink.ts";

const RECIPIENTS = 25_000;
const BATCH = 200;
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

const startWorker = (t: TestDb) => startWorkerProcess(t);

const dialects = (await testDialects()).filter((d) => d === "postgres");

describe.each(dialects)("sending 25,000 deliveries with two worker processes on %s", () => {
  let t: TestDb;
  let sink: SmtpSink;
  const workers: ChildProcess[] = [];
  beforeAll(async () => {
    t = await freshDatabase("postgres");
    sink = await startSmtpSink({ parse: false });
  });
  afterAll(async () => {
    for (const w of workers) if (w.exitCode === null) w.kill("SIGKILL");
    await sink?.close();
    await t?.dispose();
  });

  it("sends every recipient once, through both workers, never claiming more than a batch", {
    timeout: 600_000,
  }, async () => {
    const setup = await aSendingSetup(t.db, {
      host: sink.host,
      port: sink.port,
      ratePerSecond: 5000,
      maxConnections: 4,
    });
    const now = new Date().toISOString();
    await sql`insert into persons (first_name, last_name, search_name, former_employee, created_at, updated_at)
      select 'Person', 'Nr ' || i, 'person nr ' || i, 0, ${now}, ${now} from generate_series(1, ${RECIPIENTS}) i`.execute(
      t.db,
    );
    await sql`insert into person_emails (person_id, address, address_lower, is_primary, created_at)
      select id, 'mottaker' || id || '@example.no', 'mottaker' || id || '@example.no', 1, ${now} from persons`.execute(
      t.db,
    );
    const selection = await t.db
      .insertInto("selections")
      .values({ name: "Alle", kind: "static", created_at: now, updated_at: now } as never)
      .returning("id")
      .executeTakeFirstOrThrow();
    await sql`insert into selection_members (selection_id, person_id, added_at)
      select ${selection.id}, id, ${now} from persons`.execute(t.db);
    const mailing = await createMailing(
      t.db,
      {
        name: "Stor utsendelse",
        subject: 'Nyheter til [[customer.firstname | default: "deg"]]',
        fromName: "Fjordlys",
        fromAddress: `post@${setup.domain.domain}`,
        sendingAccountId: setup.account.id,
        content: CONTENT,
        options: { overrideConsent: true },
      },
      null,
    );
    await addSource(t.db, mailing.id, { kind: "selection", refId: selection.id });
    await resolveRecipients(t.db, mailing.id);
    const { deliveries } = await beginSending(t.db, mailing.id);
    expect(deliveries).toBe(RECIPIENTS);

    workers.push(startWorker(t), startWorker(t));
    const owners = new Set<string>();
    let mostHeld = 0;
    let open = RECIPIENTS;
    for (let waited = 0; open > 0 && waited < 540_000; waited += 250) {
      const held = await t.db
        .selectFrom("deliveries")
        .select(["lease_owner", "status", (eb) => eb.fn.countAll<number>().as("n")])
        .where("mailing_id", "=", mailing.id)
        .where("status", "in", ["claimed", "sending"])
        .groupBy(["lease_owner", "status"])
        .execute();
      for (const h of held) {
        if (h.lease_owner) owners.add(h.lease_owner.split(":").slice(0, 2).join(":"));
        // Handed-over messages (sending) of earlier batches may still await their replies beside the next claim.
        if (h.status === "claimed") mostHeld = Math.max(mostHeld, Number(h.n));
      }
      const left = await t.db
        .selectFrom("deliveries")
        .select((eb) => eb.fn.countAll<number>().as("n"))
        .where("mailing_id", "=", mailing.id)
        .where("status", "in", ["pending", "claimed", "sending"])
        .executeTakeFirstOrThrow();
      open = Number(left.n);
      await sleep(250);
    }
    for (const w of workers) w.kill("SIGTERM");

    expect(open).toBe(0);
    // Both processes held claims while the mailing was sending (the owner names host and pid).
    expect(owners.size).toBe(2);
    expect(mostHeld).toBeGreaterThan(0);
    expect(mostHeld).toBeLessThanOrEqual(BATCH);
    const statuses = await t.db
      .selectFrom("deliveries")
      .select(["status", (eb) => eb.fn.countAll<number>().as("n")])
      .where("mailing_id", "=", mailing.id)
      .groupBy("status")
      .execute();
    expect(Object.fromEntries(statuses.map((s) => [s.status, Number(s.n)]))).toEqual({ sent: RECIPIENTS });
    const received = new Map<string, number>();
    for (const m of sink.messages)
      for (const to of m.envelope.to) received.set(to, (received.get(to) ?? 0) + 1);
    expect(received.size).toBe(RECIPIENTS);
    expect([...received.values()].every((n) => n === 1)).toBe(true);
  });
});
