// `utsend mailings send` refuses what the API's Send refuses, as a user runs it: a sending account that cannot send
// as configured, and a spam score nobody dismissed (scored through spamc by a spamd on loopback). The mailing stays
// a draft and nothing is sent.
import { spawnSync } from "node:child_process";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createAccount } from "../../src/send/accounts.ts";
import { aPerson } from "../helpers/builders.ts";
import { freshDatabase, type TestDb } from "../helpers/dialects.ts";
import { aReadyMailing, aSendingSetup } from "../helpers/mailings.ts";
import { spamAssassinAvailable, spamdAvailable } from "../helpers/requirements.ts";
import { type Spamd, startSpamd } from "../helpers/spamd.ts";

const GTUBE = "XJS*C4JDBQADN1.NSBN3*2IDNEN*GTUBE-STANDARD-ANTI-UBE-TEST-EMAIL*C.34X";

function send(t: TestDb, mailingId: number, env: Record<string, string> = {}) {
  return spawnSync(process.execPath, ["bin/utsend.js", "mailings", "send", String(mailingId)], {
    encoding: "utf8",
    timeout: 60_000,
    env: {
      ...process.env,
      UTSEND_DATABASE_URL: t.url,
      UTSEND_SECRET: "cli-send-checks-secret",
      UTSEND_LOG_LEVEL: "silent",
      UTSEND_SPAMASSASSIN: "off",
      ...env,
    },
  });
}

async function statusOf(t: TestDb, mailingId: number) {
  const row = await t.db
    .selectFrom("mailings")
    .select("status")
    .where("id", "=", mailingId)
    .executeTakeFirstOrThrow();
  return row.status;
}

describe("utsend mailings send refuses a mailing that is not ready", () => {
  let t: TestDb;
  beforeAll(async () => {
    t = await freshDatabase("sqlite");
  });
  afterAll(async () => t?.dispose());

  it("refuses while the sending account cannot send as configured, naming the account and why", {
    timeout: 60_000,
  }, async () => {
    const setup = await aSendingSetup(t.db);
    // A remote relay without an EHLO name, under the default public URL (http://localhost:3000): no name to give.
    const relay = await createAccount(t.db, {
      name: "Fjernt relé",
      kind: "smtp",
      host: "smtp.relay.example",
      port: 587,
    });
    const kari = await aPerson(t.db, { firstName: "Kari", email: "kari.cli@example.no" });
    const mailing = await aReadyMailing(t.db, { ...setup, account: relay }, [kari.id]);
    const result = send(t, mailing.id);
    expect(result.status, result.stderr).toBe(4);
    expect(result.stderr).toMatch(/MAILING_NOT_READY/);
    expect(result.stderr).toMatch(/Sending account "Fjernt relé" cannot send: no EHLO name/);
    expect(await statusOf(t, mailing.id)).toBe("draft");
  });
});

describe.runIf(spamdAvailable() && spamAssassinAvailable())("utsend mailings send with a spamd", () => {
  let t: TestDb;
  let spamd: Spamd;
  beforeAll(async () => {
    t = await freshDatabase("sqlite");
    spamd = await startSpamd();
  }, 60_000);
  afterAll(async () => {
    await spamd?.stop();
    await t?.dispose();
  });

  it("refuses a spam score nobody dismissed, and sends a clean mailing", { timeout: 90_000 }, async () => {
    const setup = await aSendingSetup(t.db);
    const kari = await aPerson(t.db, { firstName: "Kari", email: "kari.spam.cli@example.no" });
    const spam = await aReadyMailing(t.db, setup, [kari.id], {
      name: "GTUBE",
      content: `<p>${GTUBE}</p><p><a href="[[link.unsubscribe]]">Meld av</a></p>`,
    });
    const env = { UTSEND_SPAMASSASSIN: "auto", UTSEND_SPAMD_ADDRESS: spamd.address };
    const refused = send(t, spam.id, env);
    expect(refused.status, refused.stderr).toBe(4);
    expect(refused.stderr).toMatch(/MAILING_NOT_READY/);
    expect(refused.stderr).toMatch(/SpamAssassin/i);
    expect(await statusOf(t, spam.id)).toBe("draft");

    const clean = await aReadyMailing(t.db, setup, [kari.id], {
      name: "Vanlig",
      content: `<p>Hei [[customer.firstname]], velkommen til vårkonferansen i Bergen 14. april. Programmet ligger
          på nettsidene våre, og påmeldingen er åpen til 1. april.</p><p><a href="[[link.unsubscribe]]">Meld av</a></p>`,
    });
    const sent = send(t, clean.id, env);
    expect(sent.status, sent.stderr).toBe(0);
    expect(await statusOf(t, clean.id)).toBe("finished");
  });
});
