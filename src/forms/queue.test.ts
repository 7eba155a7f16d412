import type { Updateable } from "kysely";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { freshDatabase, type TestDb, testDialects } from "../../test/helpers/dialects.ts";
import { aSendingSetup } from "../../test/helpers/mailings.ts";
import type { Db } from "../db/connect.ts";
import type { Database } from "../db/schema.ts";
import { consentHistory } from "../persons/consent.ts";
import { createPerson } from "../persons/persons.ts";
import { ensureOutboxAccount } from "../send/accounts.ts";
import type { FormDeps } from "./deps.ts";
import { createFormQueue, type FormQueue } from "./queue.ts";
import { aForm, aSubmission, formDeps } from "./test-builders.ts";

let n = 0;
const unique = (local: string) => `${local}-${++n}-${Math.random().toString(36).slice(2, 6)}@example.no`;
const LEASE_MS = 60_000;
const past = () => new Date(Date.now() - 1_000).toISOString();
const future = () => new Date(Date.now() + LEASE_MS).toISOString();

describe.each(await testDialects())("the form submission queue on %s", (dialect) => {
  let t: TestDb;
  let deps: FormDeps;
  const queues: FormQueue[] = [];
  const logged: string[] = [];
  // A queue as one server process runs it; the sweep timer is long, so only start()'s first sweep and nudges act.
  const aQueue = () => {
    const queue = createFormQueue(deps, {
      leaseMs: LEASE_MS,
      sweepMs: 3_600_000,
      log: (l) => logged.push(l),
    });
    queues.push(queue);
    return queue;
  };
  beforeAll(async () => {
    t = await freshDatabase(dialect);
    await ensureOutboxAccount(t.db);
    deps = formDeps(t.db);
  });
  afterAll(async () => {
    await Promise.all(queues.map((q) => q.stop()));
    await t.dispose();
  });

  const row = (id: number) =>
    t.db.selectFrom("form_submissions").selectAll().where("id", "=", id).executeTakeFirstOrThrow();
  const personsWith = (db: Db, email: string) =>
    db.selectFrom("person_emails").select("person_id").where("address_lower", "=", email).execute();
  const setRow = (id: number, values: Updateable<Database["form_submissions"]>) =>
    t.db.updateTable("form_submissions").set(values).where("id", "=", id).execute();

  it("processes each nudged submission once even when two processes are nudged with it, and marks it handled", async () => {
    const form = await aForm(t.db);
    const emails = [unique("a"), unique("b"), unique("c")];
    const ids = [];
    for (const email of emails) ids.push(await aSubmission(t.db, form.id, { epost: email, samtykke: "on" }));
    const [one, other] = [aQueue(), aQueue()];
    for (const id of ids) {
      one.nudge(id);
      other.nudge(id);
    }
    await Promise.all([one.idle(), other.idle()]);
    for (const [i, id] of ids.entries()) {
      const done = await row(id);
      expect(done.status).toBe("processed");
      expect(done.handled_at).not.toBeNull();
      expect(done.claimed_until).toBeNull();
      const persons = await personsWith(t.db, emails[i]!);
      expect(persons).toHaveLength(1);
      expect(done.person_id).toBe(persons[0]!.person_id);
      expect(await consentHistory(t.db, done.person_id!)).toHaveLength(1);
    }
  });

  it("takes at start what a killed process left: unclaimed, or claimed with the lease run out; a live claim waits", async () => {
    const form = await aForm(t.db);
    const [unclaimed, runOut, live] = [unique("u"), unique("r"), unique("l")];
    const unclaimedId = await aSubmission(t.db, form.id, { epost: unclaimed });
    const runOutId = await aSubmission(t.db, form.id, { epost: runOut });
    const liveId = await aSubmission(t.db, form.id, { epost: live });
    await setRow(runOutId, { claimed_until: past() });
    await setRow(liveId, { claimed_until: future() });
    const queue = aQueue();
    queue.start();
    await queue.idle();
    expect((await row(unclaimedId)).status).toBe("processed");
    expect((await row(runOutId)).status).toBe("processed");
    expect(await personsWith(t.db, unclaimed)).toHaveLength(1);
    const waiting = await row(liveId);
    expect(waiting.status).toBe("submitted");
    expect(waiting.handled_at).toBeNull();
    expect(await personsWith(t.db, live)).toHaveLength(0);
  });

  it("a processing cut before the person was recorded is processed again, finding the person written before", async () => {
    const form = await aForm(t.db);
    const email = unique("cut");
    const id = await aSubmission(t.db, form.id, { epost: email, etternavn: "Kuttet", samtykke: "on" });
    // What processSubmission leaves when killed after writing the person and before recording them.
    const written = await createPerson(
      t.db,
      { lastName: "Kuttet", emails: [{ address: email }] },
      { defaultCountry: "NO" },
    );
    await setRow(id, { status: "processed", processed_at: past(), claimed_until: past() });
    const queue = aQueue();
    queue.start();
    await queue.idle();
    const done = await row(id);
    expect(done.status).toBe("processed");
    expect(done.person_id).toBe(written.id);
    expect(done.claimed_until).toBeNull();
    expect(await personsWith(t.db, email)).toHaveLength(1);
  });

  it("a user's processing cut half-way goes back to the user's list, not to automatic processing", async () => {
    const form = await aForm(t.db, { mode: "manual" });
    const email = unique("manuell");
    const id = await aSubmission(t.db, form.id, { epost: email });
    await setRow(id, {
      status: "processed",
      processed_at: past(),
      handled_at: past(),
      claimed_until: past(),
    });
    const queue = aQueue();
    queue.start();
    await queue.idle();
    const back = await row(id);
    expect(back.status).toBe("submitted");
    expect(back.processed_at).toBeNull();
    expect(back.claimed_until).toBeNull();
    expect(await personsWith(t.db, email)).toHaveLength(0);
  });

  it("a processing finished before the kill keeps its person and is not processed again", async () => {
    const form = await aForm(t.db);
    const email = unique("ferdig");
    const id = await aSubmission(t.db, form.id, { epost: email });
    const queue = aQueue();
    queue.nudge(id);
    await queue.idle();
    const person = (await row(id)).person_id;
    // Killed after the person was recorded, before the lease was let go and the pass marked handled.
    await setRow(id, { handled_at: null, claimed_until: past() });
    const again = aQueue();
    again.start();
    await again.idle();
    const done = await row(id);
    expect(done.person_id).toBe(person);
    expect(done.claimed_until).toBeNull();
    expect(done.handled_at).not.toBeNull();
    expect(await personsWith(t.db, email)).toHaveLength(1);
  });

  it("sends a confirmation e-mail a killed process never sent, and expires links that ran out", async () => {
    const form = await aForm(t.db, { doubleOptIn: true });
    const email = unique("bekreft");
    const id = await aSubmission(t.db, form.id, { epost: email });
    await setRow(id, {
      status: "awaiting-confirmation",
      confirm_sent_at: past(),
      confirm_expires_at: future(),
      claimed_until: past(),
    });
    const overdue = await aSubmission(t.db, form.id, { epost: unique("sen") });
    await setRow(overdue, {
      status: "awaiting-confirmation",
      confirm_sent_at: past(),
      confirm_expires_at: past(),
      handled_at: past(),
    });
    const queue = aQueue();
    queue.start();
    await queue.idle();
    const mails = await t.db
      .selectFrom("outbox_messages")
      .select("subject")
      .where("to_address", "=", email)
      .execute();
    expect(mails).toHaveLength(1);
    const waiting = await row(id);
    expect(waiting.status).toBe("awaiting-confirmation");
    expect(waiting.handled_at).not.toBeNull();
    expect((await row(overdue)).status).toBe("expired");
  });

  it("leaves a submission whose confirmation the mail server did not take unhandled under its claim, for later", async () => {
    // A sending account whose server is not there: every attempt is a temporary failure.
    const { account } = await aSendingSetup(t.db, { host: "127.0.0.1", port: 9 });
    const form = await aForm(t.db, { doubleOptIn: true, sendingAccountId: account.id });
    const id = await aSubmission(t.db, form.id, { epost: unique("nede") });
    const queue = aQueue();
    queue.nudge(id);
    await queue.idle();
    const left = await row(id);
    expect(left.handled_at).toBeNull();
    expect(Date.parse(left.claimed_until!)).toBeGreaterThan(Date.now());
    expect(logged.some((line) => line.includes(`form submission ${id}`))).toBe(true);
  });
  it("lets waiting I/O run between two submissions instead of draining the whole queue in one turn", async () => {
    const form = await aForm(t.db);
    const ids: number[] = [];
    for (let i = 0; i < 3; i++)
      ids.push(await aSubmission(t.db, form.id, { epost: unique("tur"), samtykke: "on" }));
    const queue = aQueue();
    for (const id of ids) queue.nudge(id);
    // A callback waiting for the event loop, as a request's would: it runs before the last submission is handled.
    const handledWhenIoRan = await new Promise<number>((resolve) =>
      setImmediate(async () => {
        const rows = await Promise.all(ids.map(row));
        resolve(rows.filter((r) => r.handled_at !== null).length);
      }),
    );
    expect(handledWhenIoRan).toBeLessThan(ids.length);
    await queue.idle();
    expect((await Promise.all(ids.map(row))).every((r) => r.handled_at !== null)).toBe(true);
  });
  it("with several at a time, processes each of a burst once, one person each, and goes idle", async () => {
    const form = await aForm(t.db);
    const emails = Array.from({ length: 8 }, () => unique("samtidig"));
    const ids: number[] = [];
    for (const email of emails) ids.push(await aSubmission(t.db, form.id, { epost: email, samtykke: "on" }));
    const queue = createFormQueue(deps, {
      leaseMs: LEASE_MS,
      sweepMs: 3_600_000,
      concurrency: 3,
      log: () => {},
    });
    queues.push(queue);
    for (const id of [...ids, ...ids]) queue.nudge(id);
    await queue.idle();
    const rows = await Promise.all(ids.map(row));
    expect(rows.map((r) => [r.status, r.handled_at !== null])).toEqual(ids.map(() => ["processed", true]));
    for (const email of emails) expect(await personsWith(t.db, email)).toHaveLength(1);
  });

  it("with several at a time, processes one address's submissions one after the other: one person, not one each", async () => {
    const form = await aForm(t.db);
    const email = unique("dobbeltklikk");
    const ids: number[] = [];
    for (const typed of [email, email.toUpperCase(), email])
      ids.push(await aSubmission(t.db, form.id, { epost: typed, samtykke: "on" }));
    const queue = createFormQueue(deps, {
      leaseMs: LEASE_MS,
      sweepMs: 3_600_000,
      concurrency: 3,
      log: () => {},
    });
    queues.push(queue);
    for (const id of ids) queue.nudge(id);
    await queue.idle();
    const persons = await personsWith(t.db, email);
    expect(persons).toHaveLength(1);
    const rows = await Promise.all(ids.map(row));
    expect(rows.map((r) => [r.status, r.person_id])).toEqual(
      ids.map(() => ["processed", persons[0]!.person_id]),
    );
  });
});
