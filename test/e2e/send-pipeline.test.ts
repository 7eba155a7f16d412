// The send pipeline end to end over real SMTP: planning, the worker, outcomes, DKIM and headers as received.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Db } from "../../src/db/connect.ts";
import { keyringFromSecret, verifyDeliveryToken } from "../../src/deliveries/tokens.ts";
import { resolveRecipients } from "../../src/mailings/recipients.ts";
import { addSelectionMembers, createSelection } from "../../src/selections/store.ts";
import { setDomainSigning } from "../../src/send/accounts.ts";
import { beginSending } from "../../src/send/planner.ts";
import { createSendWorker } from "../../src/send/worker.ts";
import { aPerson } from "../helpers/builders.ts";
import { freshDatabase, type TestDb, testDialects } from "../helpers/dialects.ts";
import { aReadyMailing, aSendingSetup, sendUntilFinished } from "../helpers/mailings.ts";
import { type SmtpSink, startSmtpSink, verifyDkim } from "../helpers/smtp-sink.ts";

const keys = keyringFromSecret("pipeline-test-secret");

async function statuses(db: Db, mailingId: number) {
  const rows = await db
    .selectFrom("deliveries")
    .select(["address as email", "status", "bounce_kind", "last_reply"])
    .where("mailing_id", "=", mailingId)
    .execute();
  return Object.fromEntries(rows.map((r) => [r.email, r]));
}

describe.each(await testDialects())("sending on %s", (dialect) => {
  let t: TestDb;
  let sink: SmtpSink;
  beforeAll(async () => {
    t = await freshDatabase(dialect);
    sink = await startSmtpSink({
      rcptReply: (address) =>
        address.startsWith("ukjent")
          ? { code: 550, message: "5.1.1 User unknown" }
          : address.startsWith("full")
            ? { code: 552, message: "5.2.2 Mailbox full" }
            : address.startsWith("senere")
              ? { code: 451, message: "4.3.0 Try again later" }
              : null,
    });
  });
  afterAll(async () => {
    await sink.close();
    await t.dispose();
  });

  it("sends one personalised, DKIM-signed message per recipient with the RFC 8058 headers", async () => {
    const setup = await aSendingSetup(t.db, { host: sink.host, port: sink.port });
    const kari = await aPerson(t.db, {
      firstName: "Kari <b>&",
      email: `kari-${dialect}@example.no`,
      language: "en",
    });
    const ola = await aPerson(t.db, { firstName: "Ola", email: `ola-${dialect}@example.no` });
    const mailing = await aReadyMailing(t.db, setup, [kari.id, ola.id]);
    expect(await beginSending(t.db, mailing.id)).toEqual({ deliveries: 2 });
    const before = sink.messages.length;
    await sendUntilFinished(t.db, dialect, keys, mailing.id);
    const received = sink.messages.slice(before);
    expect(received).toHaveLength(2);
    const toKari = received.find((m) => m.envelope.to[0] === kari.email)!;
    const parsed = toKari.parsed!;
    expect(parsed.subject).toBe("Nyheter til Kari <b>&");
    expect(parsed.html).toContain("Hei Kari &lt;b&gt;&amp;!");
    expect(parsed.html).toContain("Hello fra oss");
    expect(parsed.html).toMatch(/<p style="color: ?#123456;?">/);
    expect(parsed.text).toContain("Hei Kari <b>&!");
    const header = (name: string) => parsed.headers.find((h) => h.key === name)?.value;
    expect(header("list-unsubscribe")).toMatch(
      /^<https:\/\/utsend\.example\/u\/[^>]+>, <mailto:unsubscribe\+[^@]+@bounces\.firma\d+\.example>$/,
    );
    expect(header("list-unsubscribe-post")).toBe("List-Unsubscribe=One-Click");
    expect(header("feedback-id")).toBe(`${mailing.id}:mailing:utsend`);
    const delivery = await t.db
      .selectFrom("deliveries")
      .selectAll()
      .where("address", "=", kari.email!)
      .executeTakeFirstOrThrow();
    expect(parsed.messageId).toBe(`<m${mailing.id}.r${delivery.recipient_id}.a1@${setup.domain.domain}>`);
    const verp = /^bounces\+(.+)@bounces\.firma\d+\.example$/.exec(toKari.envelope.from)![1]!;
    expect(verifyDeliveryToken(keys, "verp", verp)).toBe(delivery.id);
    const dkimRecord = setup.domain.dnsRecords[0]!;
    const dkim = await verifyDkim(toKari.raw, { [dkimRecord.name]: dkimRecord.value });
    expect(dkim.result).toBe("pass");
    expect(dkim.signedHeaders).toEqual(expect.arrayContaining(["list-unsubscribe", "list-unsubscribe-post"]));
    const m = await t.db
      .selectFrom("mailings")
      .select("status")
      .where("id", "=", mailing.id)
      .executeTakeFirstOrThrow();
    expect(m.status).toBe("finished");
    const events = await t.db
      .selectFrom("events")
      .select("kind")
      .where("mailing_id", "=", mailing.id)
      .execute();
    expect(events.map((e) => e.kind)).toEqual(["sent", "sent"]);
  });

  it("adds no DKIM signature of its own when the domain's relay signs, and signs again when switched back", async () => {
    const setup = await aSendingSetup(t.db, { host: sink.host, port: sink.port });
    await setDomainSigning(t.db, setup.domain.id, { dkimSigner: "relay", relayDkimSelector: "k1" });
    const per = await aPerson(t.db, { firstName: "Per", email: `per-relay-${dialect}@example.no` });
    const relayed = await aReadyMailing(t.db, setup, [per.id]);
    await beginSending(t.db, relayed.id);
    let before = sink.messages.length;
    await sendUntilFinished(t.db, dialect, keys, relayed.id);
    const unsigned = sink.messages.slice(before);
    expect(unsigned).toHaveLength(1);
    expect(unsigned[0]!.parsed!.headers.some((h) => h.key === "dkim-signature")).toBe(false);
    expect(unsigned[0]!.parsed!.headers.find((h) => h.key === "list-unsubscribe-post")?.value).toBe(
      "List-Unsubscribe=One-Click",
    );

    await setDomainSigning(t.db, setup.domain.id, { dkimSigner: "utsend" });
    const signedMailing = await aReadyMailing(t.db, setup, [per.id]);
    await beginSending(t.db, signedMailing.id);
    before = sink.messages.length;
    await sendUntilFinished(t.db, dialect, keys, signedMailing.id);
    const [signed] = sink.messages.slice(before);
    const dkimRecord = setup.domain.dnsRecords[0]!;
    expect((await verifyDkim(signed!.raw, { [dkimRecord.name]: dkimRecord.value })).result).toBe("pass");
  });

  it("sends HTML a screen reader can use: the recipient's language, the subject as title, layout tables as presentation", async () => {
    const setup = await aSendingSetup(t.db, { host: sink.host, port: sink.port });
    const ingrid = await aPerson(t.db, {
      firstName: "Ingrid & Co",
      email: `ingrid-${dialect}@example.no`,
      language: "en",
    });
    const per = await aPerson(t.db, { firstName: "Per", email: `per-${dialect}@example.no` });
    const mailing = await aReadyMailing(t.db, setup, [ingrid.id, per.id], {
      content: `<table width="600"><tr><td><p>Hei [[customer.firstname]]!</p>
        <table><caption>Priser</caption><tr><th>Vare</th></tr><tr><td>Sykkel</td></tr></table>
        <a href="[[link.unsubscribe]]">Meld deg av</a></td></tr></table>`,
    });
    await beginSending(t.db, mailing.id);
    const before = sink.messages.length;
    await sendUntilFinished(t.db, dialect, keys, mailing.id);
    const html = (address: string | null) =>
      String(sink.messages.slice(before).find((m) => m.envelope.to[0] === address)!.parsed!.html);
    const toIngrid = html(ingrid.email);
    expect(toIngrid).toMatch(
      /^<html lang="en"><title>Nyheter til Ingrid &#38; Co<\/title><table role="presentation" width="600">/,
    );
    expect(toIngrid).toContain("<table><caption>Priser</caption>");
    expect(html(per.email)).toMatch(/^<html lang="nb"><title>Nyheter til Per<\/title>/);
  });

  it("follows the outcome table: 5.1.1 blocks at once, 5.2.2 counts as soft, 4xx waits for a retry", async () => {
    const setup = await aSendingSetup(t.db, { host: sink.host, port: sink.port });
    const people = await Promise.all(
      ["ukjent", "full", "senere", "fin"].map((prefix) =>
        aPerson(t.db, { email: `${prefix}-${dialect}@example.no` }),
      ),
    );
    const mailing = await aReadyMailing(
      t.db,
      setup,
      people.map((p) => p.id),
    );
    await beginSending(t.db, mailing.id);
    await sendUntilFinished(t.db, dialect, keys, mailing.id);
    const s = await statuses(t.db, mailing.id);
    expect(s[`ukjent-${dialect}@example.no`]).toMatchObject({ status: "failed", bounce_kind: "hard" });
    expect(s[`ukjent-${dialect}@example.no`]!.last_reply).toMatch(/550 5\.1\.1 User unknown/);
    expect(s[`full-${dialect}@example.no`]).toMatchObject({ status: "failed", bounce_kind: "soft" });
    expect(s[`senere-${dialect}@example.no`]).toMatchObject({ status: "pending", bounce_kind: null });
    expect(s[`fin-${dialect}@example.no`]).toMatchObject({ status: "sent" });
    const blocks = await t.db.selectFrom("address_blocks").selectAll().execute();
    const byAddress = Object.fromEntries(blocks.map((b) => [b.address_lower, b]));
    expect(byAddress[`ukjent-${dialect}@example.no`]).toMatchObject({ blocked: 1, reason: "hard-bounce" });
    expect(byAddress[`full-${dialect}@example.no`]).toMatchObject({ blocked: 0, soft_count: 1 });
    const m = await t.db
      .selectFrom("mailings")
      .select("status")
      .where("id", "=", mailing.id)
      .executeTakeFirstOrThrow();
    expect(m.status).toBe("sending");
  });

  it("does not send a paused mailing and resumes where it stopped", async () => {
    const setup = await aSendingSetup(t.db, { host: sink.host, port: sink.port });
    const people = await Promise.all(
      [1, 2, 3].map((i) => aPerson(t.db, { email: `pause${i}-${dialect}@example.no` })),
    );
    const mailing = await aReadyMailing(
      t.db,
      setup,
      people.map((p) => p.id),
    );
    await beginSending(t.db, mailing.id);
    await t.db.updateTable("mailings").set({ status: "paused" }).where("id", "=", mailing.id).execute();
    const before = sink.messages.length;
    const worker = createSendWorker({ db: t.db, dialect, publicUrl: "https://utsend.example", keys });
    expect(await worker.tick()).toBe(0);
    expect(sink.messages.length).toBe(before);
    await t.db.updateTable("mailings").set({ status: "sending" }).where("id", "=", mailing.id).execute();
    await worker.tick();
    await worker.stop();
    expect(sink.messages.length).toBe(before + 3);
  });

  it("pauses a sending mailing whose sending domain disappeared instead of retrying it forever", async () => {
    const setup = await aSendingSetup(t.db, { host: sink.host, port: sink.port });
    const person = await aPerson(t.db, { email: `borte-${dialect}@example.no` });
    const mailing = await aReadyMailing(t.db, setup, [person.id]);
    await beginSending(t.db, mailing.id);
    await t.db.deleteFrom("sending_domains").where("id", "=", setup.domain.id).execute();
    const worker = createSendWorker({ db: t.db, dialect, publicUrl: "https://utsend.example", keys });
    await worker.tick();
    await worker.stop();
    const m = await t.db
      .selectFrom("mailings")
      .select("status")
      .where("id", "=", mailing.id)
      .executeTakeFirstOrThrow();
    expect(m.status).toBe("paused");
    const d = await t.db
      .selectFrom("deliveries")
      .select("status")
      .where("mailing_id", "=", mailing.id)
      .executeTakeFirstOrThrow();
    expect(d.status).toBe("pending");
  });

  it("re-reads the sources when sending starts only when 'refresh the list when sending' is on", async () => {
    const setup = await aSendingSetup(t.db, { host: sink.host, port: sink.port });
    for (const refresh of [true, false]) {
      const early = await aPerson(t.db, { email: `tidlig-${refresh}-${dialect}@example.no` });
      const selection = await createSelection(t.db, {
        name: `Oppdater ${refresh} ${dialect}`,
        kind: "static",
      });
      await addSelectionMembers(t.db, selection.id, [early.id]);
      const mailing = await aReadyMailing(t.db, setup, [], {
        selectionId: selection.id,
        options: { overrideConsent: true, refreshOnSend: refresh },
      });
      await resolveRecipients(t.db, mailing.id);
      const late = await aPerson(t.db, { email: `sen-${refresh}-${dialect}@example.no` });
      await addSelectionMembers(t.db, selection.id, [late.id]);
      expect(await beginSending(t.db, mailing.id)).toEqual({ deliveries: refresh ? 2 : 1 });
    }
  });

  it("refuses to start a mailing with problems, listing each", async () => {
    const setup = await aSendingSetup(t.db, { host: sink.host, port: sink.port });
    const mailing = await aReadyMailing(t.db, setup, [], {
      content: "<p>[[customer.shoeSize]]</p>",
      fromAddress: "x@unregistered.example",
    });
    const error = (await beginSending(t.db, mailing.id).catch((e: unknown) => e)) as {
      code: string;
      details: { problems: Array<{ code: string }> };
    };
    expect(error.code).toBe("MAILING_NOT_READY");
    expect(error.details.problems.map((p) => p.code).sort()).toEqual([
      "from-domain",
      "no-recipients",
      "unknown-variable",
      "unsubscribe-link",
    ]);
  });
});
