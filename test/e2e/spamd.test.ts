// The spam check through `spamc` to a spamd the admin names (UTSEND_SPAMD_ADDRESS), against Debian's spamd started
// by the test on loopback: the score and rules are spamd's for the very bytes a delivery would get (the same as
// `spamassassin -t -L` gives for them), a spam score blocks Send on the API and `utsend mailings send` alike, and a
// spamd that stopped answering is a failed check that says so, never a pass.
import { spawnSync } from "node:child_process";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { parseSpamReport } from "../../src/deliverability/spamassassin.ts";
import { aPerson } from "../helpers/builders.ts";
import { aReadyMailing, aSendingSetup } from "../helpers/mailings.ts";
import { spamAssassinAvailable, spamdAvailable } from "../helpers/requirements.ts";
import { type ApiClient, ok, signIn, startTestServer, type TestServer } from "../helpers/server.ts";
import { type Spamd, startSpamd } from "../helpers/spamd.ts";

type Rule = { name: string; points: number; description: string };
type SpamCheck = {
  spamAssassin:
    | { kind: "unavailable" }
    | { kind: "failed"; reason: string }
    | { kind: "scored"; score: number; required: number; rules: Rule[]; blocking: boolean };
};

const GTUBE = "XJS*C4JDBQADN1.NSBN3*2IDNEN*GTUBE-STANDARD-ANTI-UBE-TEST-EMAIL*C.34X";
const runs = spamdAvailable() && spamAssassinAvailable();

describe.runIf(runs)("the spam check through spamc and a spamd on loopback", () => {
  let spamd: Spamd;
  let server: TestServer;
  let admin: ApiClient;
  let spamId = 0;
  let cleanId = 0;

  beforeAll(async () => {
    spamd = await startSpamd();
    server = await startTestServer({ config: { spamAssassin: "auto", spamdAddress: spamd.address } });
    admin = await signIn(server.url, server.adminEmail, server.adminPassword);
    const db = server.server.handle.db;
    const kari = await aPerson(db, { firstName: "Kari", email: "kari.spamd@example.no" });
    const setup = await aSendingSetup(db);
    spamId = (
      await aReadyMailing(db, setup, [kari.id], {
        name: "GTUBE",
        content: `<p>${GTUBE}</p><p><a href="[[link.unsubscribe]]">Meld av</a></p>`,
      })
    ).id;
    cleanId = (
      await aReadyMailing(db, setup, [kari.id], {
        name: "Vanlig",
        content: `<p>Hei [[customer.firstname]], velkommen til vårkonferansen i Bergen 14. april. Programmet
          ligger på nettsidene våre, og påmeldingen er åpen til 1. april.</p>
          <p><a href="[[link.unsubscribe]]">Meld av</a></p>`,
      })
    ).id;
  }, 120_000);
  afterAll(async () => {
    await server?.close();
    await spamd?.stop();
  });

  it("scores through spamd with the rules spamassassin -t -L gives for the same bytes, and blocks Send", {
    timeout: 90_000,
  }, async () => {
    const check = await ok<SpamCheck>(admin.get(`/api/mailings/${spamId}/spam-check`));
    expect(check.spamAssassin.kind).toBe("scored");
    const sa = check.spamAssassin as Extract<SpamCheck["spamAssassin"], { kind: "scored" }>;
    expect(sa.rules.map((r) => r.name)).toContain("GTUBE");
    expect(sa.blocking).toBe(true);

    const login = await fetch(`${server.url}/auth/login`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ email: server.adminEmail, password: server.adminPassword }),
    });
    const cookie = (login.headers.get("set-cookie") ?? "").split(";")[0]!;
    const raw = Buffer.from(
      await (
        await fetch(`${server.url}/api/mailings/${spamId}/spam-check/message`, { headers: { cookie } })
      ).arrayBuffer(),
    );
    const local = parseSpamReport(
      spawnSync("spamassassin", ["-t", "-L"], { input: raw, encoding: "utf8", timeout: 30_000 }).stdout,
    )!;
    expect(sa.rules.map((r) => r.name).sort()).toEqual(local.rules.map((r) => r.name).sort());
    expect(sa.score).toBe(local.score);

    const refused = await admin.send("POST", `/api/mailings/${spamId}/send`);
    expect(refused.status).toBe(409);
    expect(JSON.stringify(refused.body)).toContain("spam-score");

    const clean = await ok<SpamCheck>(admin.get(`/api/mailings/${cleanId}/spam-check`));
    expect(clean.spamAssassin).toMatchObject({ kind: "scored", blocking: false });
  });

  it("reports a spamd that stopped answering as a failed check, never a pass", {
    timeout: 60_000,
  }, async () => {
    await spamd.stop();
    const db = server.server.handle.db;
    const ola = await aPerson(db, { firstName: "Ola", email: "ola.spamd@example.no" });
    const fresh = await aReadyMailing(db, await aSendingSetup(db), [ola.id], {
      name: "Etter stopp",
      content: `<p>Hei [[customer.firstname]], en ny melding ingen har sjekket.</p><a href="[[link.unsubscribe]]">Meld av</a>`,
    });
    const check = await ok<SpamCheck>(admin.get(`/api/mailings/${fresh.id}/spam-check`));
    expect(check.spamAssassin.kind).toBe("failed");
    expect((check.spamAssassin as { reason: string }).reason).toMatch(/spamc|connect|refused/i);
  });
});
