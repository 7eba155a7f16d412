// `utsend mailings send` for an SMS mailing, as a user runs it: a real process over a real database, on both
// databases. It sends through the local SMS outbox with the same progress, reports delivered, and says when an SMS
// mailing waits for its sending window instead of sitting silent.
import { spawn, spawnSync } from "node:child_process";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { addSource, resolveRecipients } from "../../src/mailings/recipients.ts";
import { createMailing } from "../../src/mailings/store.ts";
import { createAccount } from "../../src/send/accounts.ts";
import { aPerson } from "../helpers/builders.ts";
import { freshDatabase, type TestDb, testDialects } from "../helpers/dialects.ts";
import { zoneWhereItIs } from "../helpers/time-zones.ts";

const env = (t: TestDb) => ({
  ...process.env,
  UTSEND_DATABASE_URL: t.url,
  UTSEND_DATABASE_SCHEMA: t.dialect === "postgres" ? t.schema : "public",
  UTSEND_SECRET: "cli-sms-test-secret",
  UTSEND_LOG_LEVEL: "silent",
  UTSEND_SPAMASSASSIN: "off",
});

describe.each(await testDialects())("utsend mailings send for SMS on %s", (dialect) => {
  let t: TestDb;
  const mobiles = ["+4791000001", "+4791000002", "+4791000003", "+4791000004"];
  let personIds: number[] = [];

  async function anSmsMailing(timeZone: string, name: string) {
    const account = await createAccount(t.db, {
      name: `SMS ${name}`,
      kind: "sms-outbox",
      ratePerSecond: 1000,
      timeZone,
    });
    const mailing = await createMailing(
      t.db,
      {
        name,
        type: "sms",
        sendingAccountId: account.id,
        smsSender: "Fjordlys",
        smsText: `Hei [[customer.firstname]]! ${"Vårsalget starter i dag med gode tilbud. ".repeat(4)}`,
        options: { overrideConsent: true },
      },
      null,
    );
    for (const id of personIds) await addSource(t.db, mailing.id, { kind: "person", refId: id });
    await resolveRecipients(t.db, mailing.id);
    return mailing;
  }

  beforeAll(async () => {
    t = await freshDatabase(dialect);
    personIds = [];
    for (const [i, mobile] of mobiles.entries())
      personIds.push((await aPerson(t.db, { firstName: `Kari${i}`, mobile })).id);
    // One without a mobile: left out, never counted as sent or failed.
    personIds.push((await aPerson(t.db, { firstName: "Uten", mobile: null })).id);
  }, 60_000);
  afterAll(async () => {
    await t?.dispose();
  });

  it("sends every recipient with a mobile through the SMS outbox and reports them delivered", {
    timeout: 120_000,
  }, async () => {
    const mailing = await anSmsMailing(zoneWhereItIs(12), "Vårsalg");
    const json = spawnSync(
      process.execPath,
      ["bin/utsend.js", "mailings", "send", String(mailing.id), "--json"],
      {
        encoding: "utf8",
        env: env(t),
      },
    );
    expect(json.status, json.stderr).toBe(0);
    const progress = JSON.parse(json.stdout.trim().split("\n").pop()!) as Record<string, unknown>;
    expect(progress).toMatchObject({
      status: "finished",
      total: 4,
      sent: 4,
      delivered: 4,
      failed: 0,
      unknown: 0,
    });

    const outbox = await t.db
      .selectFrom("outbox_messages")
      .select(["to_address", "channel", "raw"])
      .where("mailing_id", "=", mailing.id)
      .execute();
    expect(outbox.map((m) => m.to_address).sort()).toEqual(mobiles);
    expect(new Set(outbox.map((m) => m.channel))).toEqual(new Set(["sms"]));
    expect(outbox.find((m) => m.to_address === "+4791000003")?.raw).toMatch(/^Hei Kari2! Vårsalget/);

    // Started once, it is not started again.
    const again = spawnSync(process.execPath, ["bin/utsend.js", "mailings", "send", String(mailing.id)], {
      encoding: "utf8",
      env: env(t),
    });
    expect(again.status).toBe(4);
    expect(again.stderr).toMatch(/MAILING_WRONG_STATUS/);
  });

  it("says until when a mailing outside the sending window waits, and sends nothing meanwhile", {
    timeout: 60_000,
  }, async () => {
    const mailing = await anSmsMailing(zoneWhereItIs(3), "Natt");
    const child = spawn(process.execPath, ["bin/utsend.js", "mailings", "send", String(mailing.id)], {
      env: env(t),
    });
    let stderr = "";
    child.stderr.on("data", (chunk: Buffer) => {
      stderr += chunk.toString();
    });
    const exited = new Promise((resolve) => child.once("exit", resolve));
    for (let waited = 0; !stderr.includes("outside the SMS sending window") && waited < 30_000; waited += 100)
      await new Promise((resolve) => setTimeout(resolve, 100));
    child.kill("SIGTERM");
    await exited;
    expect(stderr).toMatch(/outside the SMS sending window: waits until \d{4}-\d\d-\d\dT\d\d:00:00/);
    const sent = await t.db
      .selectFrom("outbox_messages")
      .select((eb) => eb.fn.countAll<number>().as("n"))
      .where("mailing_id", "=", mailing.id)
      .executeTakeFirstOrThrow();
    expect(Number(sent.n)).toBe(0);
  });
});
