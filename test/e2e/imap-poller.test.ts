// The bounce mailbox poller against a real IMAP server (Dovecot): a mailing goes to the SMTP sink, the DSN, an
// auto-reply and junk land in the mailbox (IMAP APPEND), and the poller stores each once, processes it like mail
// from the SMTP receiver, and only then moves it out of INBOX — also when a poll stops between the two.
import { execFile } from "node:child_process";
import { promisify } from "node:util";
import { ImapFlow } from "imapflow";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import {
  type ImapMailbox,
  type ImapPollOptions,
  parseImapUrl,
  pollMailboxOnce,
  startImapPoller,
} from "../../src/bounces/imap-poller.ts";
import { keyringFromSecret } from "../../src/deliveries/tokens.ts";
import { aPerson } from "../helpers/builders.ts";
import { freshDatabase, type TestDb, testDialects } from "../helpers/dialects.ts";
import { dovecotAvailable, type ImapServer, startImapServer } from "../helpers/imap-server.ts";
import { aSendingSetup, sendToPeople } from "../helpers/mailings.ts";
import { startTestServer } from "../helpers/server.ts";
import { headersOf, type SinkMessage, type SmtpSink, startSmtpSink } from "../helpers/smtp-sink.ts";

const SECRET = "imap-poller-test-secret";
const keys = keyringFromSecret(SECRET);
const hasDovecot = dovecotAvailable();

/** A DSN as it sits in a mailbox: the delivering MTA's Return-Path and Delivered-To on top. */
function dsn(sent: SinkMessage, messageId: string): string {
  const recipient = sent.envelope.to[0]!;
  return [
    "Return-Path: <>",
    `Delivered-To: ${sent.envelope.from}`,
    "From: Mail Delivery System <MAILER-DAEMON@mx.mottaker.example>",
    `To: ${sent.envelope.from}`,
    `Message-ID: <${messageId}>`,
    "Subject: Undelivered Mail Returned to Sender",
    "Auto-Submitted: auto-replied",
    "MIME-Version: 1.0",
    'Content-Type: multipart/report; report-type=delivery-status; boundary="BOUNDARY"',
    "",
    "--BOUNDARY",
    "Content-Type: text/plain; charset=us-ascii",
    "",
    "Your message could not be delivered.",
    "",
    "--BOUNDARY",
    "Content-Type: message/delivery-status",
    "",
    "Reporting-MTA: dns; mx.mottaker.example",
    "",
    `Final-Recipient: rfc822; ${recipient}`,
    "Action: failed",
    "Status: 5.1.1",
    "Diagnostic-Code: smtp; 550 5.1.1 The email account that you tried to reach does not exist",
    "",
    "--BOUNDARY",
    "Content-Type: text/rfc822-headers",
    "",
    headersOf(sent.raw),
    "",
    "--BOUNDARY--",
    "",
  ].join("\r\n");
}

function autoReply(sent: SinkMessage, from: string): string {
  return [
    `Return-Path: <${from}>`,
    `Delivered-To: ${sent.envelope.from}`,
    `From: ${from}`,
    `To: ${sent.envelope.from}`,
    `Message-ID: <ooo-${Date.now()}@mottaker.example>`,
    "Subject: Fraværende / Out of office",
    "Auto-Submitted: auto-replied",
    "Content-Type: text/plain; charset=utf-8",
    "",
    "Jeg er på ferie til 1. august.",
    "",
  ].join("\r\n");
}

/** Junk without a Message-ID: the poller knows it by UIDVALIDITY and UID. */
const JUNK = [
  "Return-Path: <offers@spam.example>",
  "From: Offers <offers@spam.example>",
  "To: bounces@firma.example",
  "Subject: Billige klokker",
  "Content-Type: text/plain; charset=utf-8",
  "",
  "Kjøp nå!",
  "",
].join("\r\n");

describe.runIf(hasDovecot).each(await testDialects())("bounce mailbox poller on %s", (dialect) => {
  let t: TestDb;
  let sink: SmtpSink;
  let imap: ImapServer;
  let mailbox: ImapMailbox;
  let client: ImapFlow;
  let setup: Awaited<ReturnType<typeof aSendingSetup>>;

  const options = (more: Partial<ImapPollOptions> = {}): ImapPollOptions => ({
    db: t.db,
    keys,
    mailbox,
    after: "move",
    folder: "utsend-processed",
    ...more,
  });

  const sendTo = (people: Array<{ id: number }>) => sendToPeople(t.db, dialect, keys, setup, sink, people);

  /** Messages in a folder; -1 when it does not exist. */
  const count = async (path: string) => {
    const status = await client.status(path, { messages: true }).catch(() => false as const);
    return status ? (status.messages ?? -1) : -1;
  };
  const deliveryOf = (email: string) =>
    t.db
      .selectFrom("deliveries")
      .selectAll()
      .where("address", "=", email)
      .orderBy("id", "desc")
      .executeTakeFirstOrThrow();
  const inboundRows = () => t.db.selectFrom("inbound_messages").selectAll().orderBy("id").execute();
  const bouncedEvents = async (deliveryId: number) =>
    (
      await t.db
        .selectFrom("events")
        .select("id")
        .where("delivery_id", "=", deliveryId)
        .where("kind", "=", "bounced")
        .execute()
    ).length;

  beforeAll(async () => {
    t = await freshDatabase(dialect);
    sink = await startSmtpSink({ parse: true });
    setup = await aSendingSetup(t.db, { host: sink.host, port: sink.port });
    imap = await startImapServer();
    mailbox = parseImapUrl(imap.url());
    client = new ImapFlow({
      host: imap.host,
      port: imap.port,
      secure: false,
      auth: { user: imap.user, pass: imap.password },
      logger: false,
    });
    await client.connect();
  });
  afterEach(async () => {
    // Each test starts from an empty mailbox and an empty table.
    if (!client) return;
    for (const path of ["INBOX", "utsend-processed"]) {
      if ((await count(path)) > 0) {
        const lock = await client.getMailboxLock(path);
        try {
          await client.messageDelete("1:*");
        } finally {
          lock.release();
        }
      }
    }
    // STATUS on the selected mailbox would answer from imapflow's cache.
    if (client.mailbox) await client.mailboxClose();
    await t.db.deleteFrom("inbound_messages").execute();
  });
  afterAll(async () => {
    await client?.logout().catch(() => client.close());
    await imap?.stop();
    await sink?.close();
    await t?.dispose();
  });

  it("stores and processes a DSN, an auto-reply and junk, moves them out of INBOX, and stores nothing more on a second poll", async () => {
    const gone = await aPerson(t.db, { email: `gone-${dialect}@mottaker.example` });
    const away = await aPerson(t.db, { email: `away-${dialect}@mottaker.example` });
    const sent = await sendTo([gone, away]);
    await client.append("INBOX", dsn(sent[gone.email!]!, `dsn-1-${dialect}@mx.mottaker.example`));
    await client.append("INBOX", autoReply(sent[away.email!]!, away.email!));
    await client.append("INBOX", JUNK);

    const first = await pollMailboxOnce(options());
    expect(first).toEqual({ found: 3, stored: 3, alreadyStored: 0, removed: 3, skipped: 0 });
    expect(await count("INBOX")).toBe(0);
    expect(await count("utsend-processed")).toBe(3);

    const d = await deliveryOf(gone.email!);
    expect(d).toMatchObject({ status: "bounced", bounce_kind: "hard" });
    const block = await t.db
      .selectFrom("address_blocks")
      .selectAll()
      .where("address_lower", "=", gone.email!)
      .executeTakeFirstOrThrow();
    expect(block).toMatchObject({ blocked: 1, reason: "hard-bounce" });
    expect(await deliveryOf(away.email!)).toMatchObject({ status: "sent" });
    const rows = await inboundRows();
    expect(rows.map((r) => [r.route, r.status, r.kind])).toEqual([
      ["imap", "processed", "hard"],
      ["imap", "processed", "autoreply"],
      ["imap", "ignored", "unknown"],
    ]);
    expect(rows[0]!.delivery_id).toBe(d.id);
    expect(rows[0]!.recipient).toBe(sent[gone.email!]!.envelope.from);
    expect(rows[1]!.envelope_from).toBe(away.email);

    const second = await pollMailboxOnce(options());
    expect(second).toEqual({ found: 0, stored: 0, alreadyStored: 0, removed: 0, skipped: 0 });
    expect(await inboundRows()).toHaveLength(3);

    // The same DSN delivered into the mailbox a second time (an MTA that retried) is known by its Message-ID.
    await client.append("INBOX", dsn(sent[gone.email!]!, `dsn-1-${dialect}@mx.mottaker.example`));
    expect(await pollMailboxOnce(options())).toMatchObject({
      found: 1,
      stored: 0,
      alreadyStored: 1,
      removed: 1,
    });
    expect(await inboundRows()).toHaveLength(3);
    expect(await bouncedEvents(d.id)).toBe(1);
  });

  it("stores a message once when a poll stops after storing it and before removing it", async () => {
    const p = await aPerson(t.db, { email: `crash-${dialect}@mottaker.example` });
    const sent = (await sendTo([p]))[p.email!]!;
    await client.append("INBOX", dsn(sent, `dsn-crash-${dialect}@mx.mottaker.example`));
    await client.append("INBOX", JUNK);
    const crash = (after: number) => {
      let seen = 0;
      return () => {
        if (++seen > after) throw new Error("simulated crash");
      };
    };

    // The first poll stops right after storing the DSN (keyed by its Message-ID): stored, not processed, still there.
    await expect(pollMailboxOnce(options({ afterStore: crash(0) }))).rejects.toThrow("simulated crash");
    expect((await inboundRows()).map((r) => r.status)).toEqual(["received"]);
    expect(await count("INBOX")).toBe(2);
    expect(await deliveryOf(p.email!)).toMatchObject({ status: "sent" });

    // The next finds the DSN's row, finishes and moves it, then stops after storing the junk (keyed by its UID).
    await expect(pollMailboxOnce(options({ afterStore: crash(1) }))).rejects.toThrow("simulated crash");
    expect(await count("INBOX")).toBe(1);
    const d = await deliveryOf(p.email!);
    expect(d).toMatchObject({ status: "bounced", bounce_kind: "hard" });

    const last = await pollMailboxOnce(options());
    expect(last).toEqual({ found: 1, stored: 0, alreadyStored: 1, removed: 1, skipped: 0 });
    const rows = await inboundRows();
    expect(rows.map((r) => r.status)).toEqual(["processed", "ignored"]);
    expect(rows.every((r) => r.source_key)).toBe(true);
    expect(await count("INBOX")).toBe(0);
    expect(await count("utsend-processed")).toBe(2);
    expect(await bouncedEvents(d.id)).toBe(1);
  });

  it("deletes messages instead of moving them when configured", async () => {
    await client.append("INBOX", JUNK);
    const before = await count("utsend-processed");
    expect(await pollMailboxOnce(options({ after: "delete" }))).toMatchObject({ stored: 1, removed: 1 });
    expect(await count("INBOX")).toBe(0);
    expect(await count("utsend-processed")).toBe(before);
    expect(await inboundRows()).toHaveLength(1);
  });

  it("leaves a message over the size limit in the mailbox, storing nothing", async () => {
    await client.append("INBOX", `${JUNK}${"x".repeat(998)}\r\n`.repeat(3));
    expect(await pollMailboxOnce(options({ maxMessageBytes: 1000 }))).toMatchObject({
      found: 1,
      stored: 0,
      skipped: 1,
    });
    expect(await count("INBOX")).toBe(1);
    expect(await inboundRows()).toHaveLength(0);
  });

  it("fetches mail the server announces while the connection idles, without waiting for the interval", async () => {
    const lines: string[] = [];
    let polled: () => void = () => {};
    const firstPoll = new Promise<void>((resolve) => {
      polled = resolve;
    });
    const poller = startImapPoller({
      ...options(),
      intervalMs: 3_600_000,
      log: (l) => lines.push(l),
      onPoll: () => polled(),
    });
    try {
      // The first poll runs at once and finds nothing; then the poller waits an hour unless told of new mail.
      await firstPoll;
      expect(await inboundRows()).toHaveLength(0);
      await client.append("INBOX", JUNK);
      const deadline = Date.now() + 20_000;
      while ((await inboundRows()).length === 0 && Date.now() < deadline)
        await new Promise((r) => setTimeout(r, 200));
      expect(await inboundRows(), lines.join("\n")).toHaveLength(1);
    } finally {
      await poller.stop();
    }
  });

  it("runs as `utsend bounces poll --once` and reports what it did as JSON", async () => {
    const p = await aPerson(t.db, { email: `cli-${dialect}@mottaker.example` });
    const sent = (await sendTo([p]))[p.email!]!;
    await client.append("INBOX", dsn(sent, `dsn-cli-${dialect}@mx.mottaker.example`));
    const run = promisify(execFile);
    const env = {
      ...process.env,
      UTSEND_DATABASE_URL: t.url,
      UTSEND_DATABASE_SCHEMA: dialect === "postgres" ? t.schema : "public",
      UTSEND_SECRET: SECRET,
      UTSEND_BOUNCE_IMAP_URL: imap.url(),
      UTSEND_LOG_LEVEL: "silent",
    };
    const { stdout } = await run(process.execPath, ["bin/utsend.js", "bounces", "poll", "--once", "--json"], {
      env,
    });
    expect(JSON.parse(stdout)).toEqual({ found: 1, stored: 1, alreadyStored: 0, removed: 1, skipped: 0 });
    expect(await deliveryOf(p.email!)).toMatchObject({ status: "bounced", bounce_kind: "hard" });

    // A wrong password is the mailbox's fault, with its own exit code, and the password is not printed.
    const bad = await run(process.execPath, ["bin/utsend.js", "bounces", "poll", "--once", "--json"], {
      env: { ...env, UTSEND_BOUNCE_IMAP_URL: imap.url().replace(/:[^:@/]+@/, ":wrong-secret@") },
    }).then(
      () => null,
      (err: { code: number; stderr: string }) => err,
    );
    expect(bad?.code).toBe(69);
    expect(JSON.parse(bad!.stderr).error.code).toBe("BOUNCE_MAILBOX_FAILED");
    expect(bad!.stderr).not.toContain("wrong-secret");
  }, 120_000);

  it("is started with the server when a mailbox is configured", async () => {
    await client.append("INBOX", JUNK);
    const server = await startTestServer({
      dialect,
      config: { bounceImapUrl: imap.url(), bounceImapIntervalSeconds: 3600 },
    });
    try {
      const db = server.server.handle.db;
      const deadline = Date.now() + 20_000;
      const stored = () => db.selectFrom("inbound_messages").select("route").execute();
      while ((await stored()).length === 0 && Date.now() < deadline)
        await new Promise((r) => setTimeout(r, 200));
      expect(await stored()).toEqual([{ route: "imap" }]);
    } finally {
      await server.close();
    }
    expect(await count("INBOX")).toBe(0);
  }, 60_000);
});

describe("bounce mailbox URL", () => {
  it("reads user, password, host, port, TLS and mailbox, with defaults", () => {
    expect(parseImapUrl("imaps://bounce%40firma.no:p%3Ass@mail.firma.no/Bounces%2FIn")).toEqual({
      host: "mail.firma.no",
      port: 993,
      secure: true,
      user: "bounce@firma.no",
      password: "p:ss",
      mailbox: "Bounces/In",
    });
    expect(parseImapUrl("imap://u:p@127.0.0.1:1143")).toMatchObject({
      port: 1143,
      secure: false,
      mailbox: "INBOX",
    });
  });

  it("refuses a URL without a user or of another scheme, naming the setting but not the password", () => {
    expect(() => parseImapUrl("imaps://mail.firma.no/INBOX")).toThrow(
      /UTSEND_BOUNCE_IMAP_URL: names no user/,
    );
    expect(() => parseImapUrl("pop3://u:hemmelig@mail.firma.no")).toThrow(/imap:\/\/ or imaps:\/\//);
    try {
      parseImapUrl("pop3://u:hemmelig@mail.firma.no");
    } catch (err) {
      expect((err as Error).message).not.toContain("hemmelig");
      expect((err as { code: string }).code).toBe("CONFIG_INVALID");
    }
  });
});
