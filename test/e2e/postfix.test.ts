// Against a real, strict Postfix: a mailing and a test send arrive over STARTTLS with the account's EHLO name, every
// session ends with QUIT, nothing makes Postfix warn; STARTTLS required toward a server without it sends nothing;
// a self-signed server is trusted only with its certificate as the account's CA.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Db } from "../../src/db/connect.ts";
import { mailingOfTestToken } from "../../src/deliveries/identity.ts";
import { keyringFromSecret, verifyDeliveryToken } from "../../src/deliveries/tokens.ts";
import { accountForSending, updateAccount } from "../../src/send/accounts.ts";
import { testAccountConnection } from "../../src/send/channels/email/index.ts";
import { sendTest } from "../../src/send/channels/email/preview.ts";
import { beginSending } from "../../src/send/planner.ts";
import { aPerson } from "../helpers/builders.ts";
import { freshDatabase, type TestDb } from "../helpers/dialects.ts";
import { aReadyMailing, aSendingSetup, sendUntilFinished } from "../helpers/mailings.ts";
import { type PrivatePostfix, postfixMissing, sessionSummaries, startPostfix } from "../helpers/postfix.ts";
import { partAvailable } from "../helpers/requirements.ts";

const keys = keyringFromSecret("postfix-test-secret");
const publicUrl = "https://utsend.example";
const EHLO = "utsend.fjordlys.example";
const available = partAvailable("postfix", postfixMissing() === null, postfixMissing() ?? "");

async function deliveries(db: Db, mailingId: number) {
  return db
    .selectFrom("deliveries")
    .select(["id", "address", "status", "last_reply"])
    .where("mailing_id", "=", mailingId)
    .orderBy("id")
    .execute();
}

const header = (raw: string, name: string) =>
  new RegExp(`^${name}: ?(.*)$`, "im").exec(raw.split("\r\n\r\n")[0]!.split("\n\n")[0]!)?.[1]?.trim();

describe.runIf(available)("sending through a strict Postfix", () => {
  let t: TestDb;
  let strict: PrivatePostfix;
  let plain: PrivatePostfix;
  beforeAll(async () => {
    t = await freshDatabase("sqlite");
    [strict, plain] = await Promise.all([startPostfix({ tls: "may" }), startPostfix({ tls: "none" })]);
  }, 60_000);
  afterAll(async () => {
    await Promise.all([strict?.stop(), plain?.stop()]);
    await t?.dispose();
  });

  const setupFor = (server: PrivatePostfix, caCertificate: string | null = server.certificate.pem) =>
    aSendingSetup(t.db, {
      host: server.host,
      port: server.port,
      tlsMode: "starttls-required",
      ehloName: EHLO,
      caCertificate,
      maxConnections: 2,
    });

  it("delivers a mailing and a test send over STARTTLS, with the EHLO name, QUIT on every session and no warning", async () => {
    const setup = await setupFor(strict);
    const people = await Promise.all(
      ["kari", "ola", "per"].map((name) =>
        aPerson(t.db, { firstName: name, email: `${name}@${strict.domain}` }),
      ),
    );
    const mailing = await aReadyMailing(
      t.db,
      setup,
      people.map((p) => p.id),
    );
    await beginSending(t.db, mailing.id);
    await sendUntilFinished(t.db, "sqlite", keys, mailing.id);
    expect((await deliveries(t.db, mailing.id)).map((d) => d.status)).toEqual(["sent", "sent", "sent"]);

    const test = await sendTest({ db: t.db, publicUrl, keys }, mailing.id, `test@${strict.domain}`);
    expect(test).toEqual({ sent: 1, failures: [] });

    const mail = await strict.waitForMail(4);
    const rows = await deliveries(t.db, mailing.id);
    for (const row of rows) {
      const raw = mail.find((m) => header(m, "Delivered-To") === row.address)!;
      const verp = /^<bounces\+(.+)@bounces\.firma\d+\.example>$/.exec(header(raw, "Return-Path") ?? "")?.[1];
      expect(verifyDeliveryToken(keys, "verp", verp ?? "")).toBe(row.id);
      expect(raw).toMatch(
        new RegExp(`Received: from ${EHLO.replace(/\./g, "\\.")} \\(localhost \\[127\\.0\\.0\\.1\\]\\)`),
      );
      expect(raw).toMatch(/ with ESMTPS id /);
    }
    // The test send returns to the bounce domain too, with a token that names the mailing as a test.
    const testMail = mail.find((m) => header(m, "Delivered-To") === `test@${strict.domain}`)!;
    const testToken = /^<bounces\+(t-.+)@bounces\.firma\d+\.example>$/.exec(
      header(testMail, "Return-Path") ?? "",
    )?.[1];
    expect(mailingOfTestToken(keys, testToken ?? "")).toBe(mailing.id);

    // Pooled connections close with QUIT a few seconds after the last message, or at the worker's stop.
    let log = await strict.log();
    for (let i = 0; i < 100 && sessionSummaries(log).length < 2; i++) {
      await new Promise((resolve) => setTimeout(resolve, 100));
      log = await strict.log();
    }
    const sessions = sessionSummaries(log);
    expect(sessions.length).toBeGreaterThanOrEqual(2);
    for (const line of sessions) expect(line).toMatch(/ ehlo=2 starttls=1 .*quit=1 commands=\d+$/);
    expect(log).toMatch(/TLS connection established from localhost\[127\.0\.0\.1\]: TLSv1\.[23]/);
    expect(log).toContain(`helo=<${EHLO}>`);
    expect(log).not.toMatch(/helo=<(?!utsend\.fjordlys\.example>)/);
    expect(log).not.toContain("warning:");
    expect(log).not.toContain("lost connection");
  }, 60_000);

  it("sends nothing in clear text when STARTTLS is required and the server offers none: a connection failure", async () => {
    const setup = await setupFor(plain);
    const kari = await aPerson(t.db, { firstName: "Kari", email: `kari@${plain.domain}` });
    const mailing = await aReadyMailing(t.db, setup, [kari.id]);
    await beginSending(t.db, mailing.id);
    await sendUntilFinished(t.db, "sqlite", keys, mailing.id);

    const [delivery] = await deliveries(t.db, mailing.id);
    // A 4xx-like outcome: back to pending, to be tried again later (SPEC §7: no connection).
    expect(delivery).toMatchObject({ status: "pending", last_reply: expect.stringMatching(/STARTTLS/) });
    expect(await plain.maildir()).toEqual([]);
    const log = await plain.log();
    expect(log).not.toMatch(/ mail=/);
    expect(log).not.toMatch(/ from=</);
    for (const line of sessionSummaries(log)) expect(line).toMatch(/quit=1/);
  }, 60_000);

  it("trusts the server's self-signed certificate only when it is the account's CA (test connection)", async () => {
    const without = await setupFor(strict, null);
    const refused = testAccountConnection(await accountForSending(t.db, without.account.id), publicUrl);
    await expect(refused).rejects.toMatchObject({
      code: "SMTP_CONNECTION_FAILED",
      details: { stage: "tls" },
      message: expect.stringMatching(/certificate/i),
    });

    await updateAccount(t.db, without.account.id, { caCertificate: strict.certificate.pem });
    const report = await testAccountConnection(await accountForSending(t.db, without.account.id), publicUrl);
    expect(report).toMatchObject({
      ehloName: EHLO,
      tls: { version: expect.stringMatching(/^TLSv1\.[23]$/), certificate: { subject: "CN=localhost" } },
      authenticated: false,
    });
    expect(report.extensions).toEqual(expect.arrayContaining(["PIPELINING", "8BITMIME"]));
    expect(Date.parse(report.tls!.certificate!.validTo)).toBeGreaterThan(Date.now());
  }, 60_000);
});
