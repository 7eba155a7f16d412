// The Confirm step's spam check against a real server and Debian's SpamAssassin (`spamassassin -t -L`): the score
// and rules it shows are SpamAssassin's for the very bytes it scored, the open pixel alone is flagged, and a spam
// score blocks Send until a marketer dismisses it with a reason.
import { spawnSync } from "node:child_process";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { parseSpamReport } from "../../src/deliverability/spamassassin.ts";
import { spamAssassinAvailable } from "../helpers/requirements.ts";
import {
  type ApiClient,
  ok,
  signIn,
  startTestServer,
  type TestServer,
  userWithRole,
} from "../helpers/server.ts";

type Rule = { name: string; points: number; description: string };
type SpamCheck = {
  recipientId: number | null;
  findings: Array<{ code: string; key: string; dismissed: boolean; pixelTipsIt?: boolean }>;
  spamAssassin:
    | { kind: "unavailable" }
    | { kind: "failed"; reason: string }
    | {
        kind: "scored";
        key: string;
        score: number;
        required: number;
        rules: Rule[];
        blocking: boolean;
        withoutOpenPixel: { score: number; rules: Rule[] } | null;
        dismissed: boolean;
        reason: string | null;
      };
};
type Scored = Extract<SpamCheck["spamAssassin"], { kind: "scored" }>;

const DOMAIN = "fjordlys-spam.example";
const GTUBE = "XJS*C4JDBQADN1.NSBN3*2IDNEN*GTUBE-STANDARD-ANTI-UBE-TEST-EMAIL*C.34X";
const SHORT =
  '<p>Hei [[customer.firstname]], vi ses i Bergen.</p><p><a href="[[link.unsubscribe]]">Meld av</a></p>';

let server: TestServer;
let admin: ApiClient;
let personId: number;

async function readyMailing(content: string, trackOpens: boolean) {
  const m = await ok<{ id: number }>(
    admin.send("POST", "/api/mailings", {
      name: "Spamsjekk",
      subject: "Vårkonferansen i Bergen",
      fromName: "Fjordlys",
      fromAddress: `post@${DOMAIN}`,
      content,
      trackOpens,
      options: { overrideConsent: true },
    }),
    201,
  );
  await ok(admin.send("POST", `/api/mailings/${m.id}/sources`, { kind: "person", refId: personId }));
  return m.id;
}

const scored = (check: SpamCheck): Scored => {
  expect(check.spamAssassin.kind).toBe("scored");
  return check.spamAssassin as Scored;
};

describe.runIf(spamAssassinAvailable())("the spam check with SpamAssassin", () => {
  beforeAll(async () => {
    server = await startTestServer({ config: { spamAssassin: "auto" } });
    admin = await signIn(server.url, server.adminEmail, server.adminPassword);
    await ok(admin.send("POST", "/api/sending-domains", { domain: DOMAIN }), 201);
    personId = (
      await ok<{ id: number }>(
        admin.send("POST", "/api/persons", {
          firstName: "Kari",
          lastName: "Nordmann",
          emails: [{ address: "kari@example.no" }],
        }),
        201,
      )
    ).id;
  }, 60_000);
  afterAll(async () => server?.close());

  it("shows the score and rules spamassassin -t -L gives for the same bytes", {
    timeout: 60_000,
  }, async () => {
    const id = await readyMailing(SHORT, true);
    const check = await ok<SpamCheck>(admin.get(`/api/mailings/${id}/spam-check`));
    const response = await fetch(`${server.url}/api/mailings/${id}/spam-check/message`, {
      headers: { cookie: await sessionCookie() },
    });
    expect(response.headers.get("content-type")).toBe("message/rfc822");
    const raw = Buffer.from(await response.arrayBuffer());
    expect(raw.toString()).toContain("To: Kari Nordmann <kari@example.no>");
    const run = spawnSync("spamassassin", ["-t", "-L"], { input: raw, encoding: "utf8", timeout: 30_000 });
    const report = parseSpamReport(run.stdout)!;
    const sa = scored(check);
    expect(sa.score).toBe(report.score);
    expect(sa.required).toBe(report.required);
    expect(sa.rules).toEqual(report.rules);
  });

  it("flags a short mailing with the open pixel, and the same mailing without it passes", {
    timeout: 60_000,
  }, async () => {
    const withPixel = await ok<SpamCheck>(
      admin.get(`/api/mailings/${await readyMailing(SHORT, true)}/spam-check`),
    );
    const sa = scored(withPixel);
    const imageOnly = (rules: Rule[]) => rules.some((r) => r.name.startsWith("HTML_IMAGE_ONLY_"));
    const ratio = withPixel.findings.find((f) => f.code === "low-text-to-image");
    expect(imageOnly(sa.rules) || ratio !== undefined).toBe(true);
    expect(ratio?.pixelTipsIt).toBe(true);
    // The same message scored without the pixel, beside it.
    expect(sa.withoutOpenPixel).not.toBeNull();
    expect(imageOnly(sa.withoutOpenPixel!.rules)).toBe(false);

    const without = await ok<SpamCheck>(
      admin.get(`/api/mailings/${await readyMailing(SHORT, false)}/spam-check`),
    );
    expect(imageOnly(scored(without).rules)).toBe(false);
    expect(without.findings.map((f) => f.code)).not.toContain("low-text-to-image");
    expect(scored(without).withoutOpenPixel).toBeNull();
  });

  it("blocks Send for a spam score until a marketer dismisses it with a reason", {
    timeout: 90_000,
  }, async () => {
    const id = await readyMailing(`<p>${GTUBE}</p>${SHORT}`, false);
    const check = await ok<SpamCheck>(admin.get(`/api/mailings/${id}/spam-check`));
    const sa = scored(check);
    expect(sa.score).toBeGreaterThanOrEqual(1000);
    expect(sa.blocking).toBe(true);
    expect(sa.rules.map((r) => r.name)).toContain("GTUBE");

    const refused = await admin.send("POST", `/api/mailings/${id}/send`);
    expect(refused.status).toBe(409);
    expect(refused.body).toMatchObject({
      error: { code: "MAILING_NOT_READY", details: { problems: [{ code: "spam-score", step: "confirm" }] } },
    });
    const scheduled = await admin.send("POST", `/api/mailings/${id}/schedule`, {
      date: "2099-01-01",
      time: "10:00",
      timeZone: "Europe/Oslo",
    });
    expect(scheduled.status).toBe(409);

    const noReason = await admin.send("PUT", `/api/mailings/${id}/spam-check/dismissed`, {
      key: sa.key,
      dismissed: true,
    });
    expect(noReason.status).toBe(400);
    const viewer = await userWithRole(server, admin, "viewer");
    const forbidden = await viewer.send("PUT", `/api/mailings/${id}/spam-check/dismissed`, {
      key: sa.key,
      dismissed: true,
      reason: "Intern test",
    });
    expect(forbidden.status).toBe(403);

    const marketer = await userWithRole(server, admin, "marketer");
    const dismissed = await ok<SpamCheck>(
      marketer.send("PUT", `/api/mailings/${id}/spam-check/dismissed`, {
        key: sa.key,
        dismissed: true,
        reason: "GTUBE-teststrengen, sendes bare til vår egen testliste",
      }),
    );
    expect(scored(dismissed)).toMatchObject({
      dismissed: true,
      reason: "GTUBE-teststrengen, sendes bare til vår egen testliste",
    });
    const sent = await admin.send("POST", `/api/mailings/${id}/send`);
    expect(sent.status).toBe(200);
  });
});

async function sessionCookie(): Promise<string> {
  const login = await fetch(`${server.url}/auth/login`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ email: server.adminEmail, password: server.adminPassword }),
  });
  return (login.headers.get("set-cookie") ?? "").split(";")[0]!;
}
