// A form's optional proof of work over HTTP on a real server: the page carries the self-hosted widget, its scripts
// and challenge come from us, a POST without a solution is refused and counted, a solved challenge is accepted once,
// a form without it is untouched; and in Chromium the real widget solves the challenge and the form goes through,
// with no serious accessibility violations.
import { solveChallenge } from "altcha-lib";
import { deriveKey } from "altcha-lib/algorithms/pbkdf2";
import type { Browser } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { axeViolations } from "../helpers/axe.ts";
import { browserTestsRun, launchChromium } from "../helpers/chromium.ts";
import { type DnsServer, startDnsServer } from "../helpers/dns-server.ts";
import { agedStamp, type Form, getPage, postPage, publishedForm } from "../helpers/forms.ts";
import { type ApiClient, ok, signIn, startTestServer, type TestServer } from "../helpers/server.ts";

let dns: DnsServer;
let server: TestServer;
let admin: ApiClient;
let guarded: Form;
let plain: Form;

type Stats = { refusals: Array<{ reason: string; count: number }> };
const refusals = async (id: number) =>
  Object.fromEntries(
    (await ok<Stats>(admin.get(`/api/forms/${id}/statistics`))).refusals.map((r) => [r.reason, r.count]),
  );
const submissionCount = async (id: number) =>
  (await ok<{ submissions: unknown[] }>(admin.get(`/api/forms/${id}/submissions`))).submissions.length;

const answers = (email: string, stamp: string) => ({ email, fornavn: "Kari", _stamp: stamp });

/** What the widget posts in `_pow` once it has solved the page's challenge: base64 of {challenge, solution}. */
async function solvedPayload(slug: string): Promise<string> {
  const challenge = await (await fetch(`${server.url}/f/${slug}/challenge`)).json();
  const solution = await solveChallenge({ challenge, deriveKey });
  return Buffer.from(JSON.stringify({ challenge, solution })).toString("base64");
}

beforeAll(async () => {
  dns = await startDnsServer({ "example.no": { MX: [{ exchange: "mx.example.no" }] } });
  server = await startTestServer({ config: { dnsServers: dns.address, dnsTimeoutMs: 1000 } });
  admin = await signIn(server.url, server.adminEmail, server.adminPassword);
  guarded = await publishedForm(admin, "Med arbeidsbevis", { redirectUrl: null, proofOfWork: true });
  plain = await publishedForm(admin, "Uten arbeidsbevis", { redirectUrl: null });
});
afterAll(async () => {
  await server?.close();
  await dns?.close();
});

describe("a form with proof of work", () => {
  it("is off by default and turned on as a form setting", async () => {
    expect((await ok<{ proofOfWork: boolean }>(admin.get(`/api/forms/${plain.id}`))).proofOfWork).toBe(false);
    expect((await ok<{ proofOfWork: boolean }>(admin.get(`/api/forms/${guarded.id}`))).proofOfWork).toBe(
      true,
    );
  });

  it("shows the widget from our own scripts, a note for browsers without JavaScript, and widens the CSP only so far", async () => {
    const page = await getPage(server.url, `/f/${guarded.slug}`);
    expect(page.text).toMatch(
      new RegExp(`<script type="module" src="/f/${guarded.slug}/altcha\\.js\\?v=[0-9.]+"></script>`),
    );
    expect(page.text).toMatch(new RegExp(`src="/f/${guarded.slug}/altcha-nb\\.js\\?v=[0-9.]+"`));
    expect(page.text).toContain(
      `<altcha-widget challenge="/f/${guarded.slug}/challenge" name="_pow" auto="onsubmit" language="nb"></altcha-widget>`,
    );
    expect(page.text).toContain('<noscript><p class="notice">Dette skjemaet trenger JavaScript');
    const csp = page.headers.get("content-security-policy") ?? "";
    expect(csp).toContain("script-src 'self';");
    expect(csp).toContain("connect-src 'self'; worker-src blob:");
    expect(csp).not.toMatch(/unsafe-eval|wasm/);
  });

  it("serves the widget's scripts for a year and a fresh challenge every time", async () => {
    const script = await getPage(server.url, `/f/${guarded.slug}/altcha.js?v=1`);
    expect(script.status).toBe(200);
    expect(script.headers.get("content-type")).toContain("text/javascript");
    expect(script.headers.get("cache-control")).toBe("public, max-age=31536000, immutable");
    expect(script.text).toContain("altcha-widget");
    expect((await getPage(server.url, `/f/${guarded.slug}/altcha-nb.js`)).text).toContain(
      "Jeg er ikke en robot",
    );
    const first = await getPage(server.url, `/f/${guarded.slug}/challenge`);
    expect(first.headers.get("cache-control")).toBe("no-store");
    const challenge = JSON.parse(first.text);
    expect(challenge.parameters).toMatchObject({ algorithm: "PBKDF2/SHA-256", data: { form: guarded.id } });
    expect(challenge.signature).toMatch(/^[0-9a-f]{64}$/);
    const second = JSON.parse((await getPage(server.url, `/f/${guarded.slug}/challenge`)).text);
    expect(second.parameters.nonce).not.toBe(challenge.parameters.nonce);
  });

  it("refuses a POST without a solution, counted, and shows the page again with a notice and the values kept", async () => {
    const stamp = await agedStamp(server.url, guarded.slug);
    const page = await postPage(server.url, `/f/${guarded.slug}`, answers("uten@example.no", stamp));
    expect(page.status).toBe(422);
    expect(page.text).toContain("Nettleseren din ble ikke ferdig med kontrollen");
    expect(page.text).toContain('value="uten@example.no"');
    expect(page.text).toContain("<altcha-widget");
    expect(await refusals(guarded.id)).toEqual({ "proof-of-work": 1 });
    expect(await submissionCount(guarded.id)).toBe(0);
  });

  it("accepts a solved challenge once: the same solution again is refused and counted", async () => {
    const stamp = await agedStamp(server.url, guarded.slug);
    const pow = await solvedPayload(guarded.slug);
    const first = await postPage(server.url, `/f/${guarded.slug}`, {
      ...answers("kari@example.no", stamp),
      _pow: pow,
    });
    expect(first.status).toBe(200);
    expect(first.text).toContain("Vi har mottatt svaret ditt.");
    const replay = await postPage(server.url, `/f/${guarded.slug}`, {
      ...answers("ola@example.no", stamp),
      _pow: pow,
    });
    expect(replay.status).toBe(422);
    expect(await refusals(guarded.id)).toEqual({ "proof-of-work": 2 });
    expect(await submissionCount(guarded.id)).toBe(1);
  });

  it("refuses a solution to another form's challenge", async () => {
    const other = await publishedForm(admin, "Annet arbeidsbevis", { proofOfWork: true });
    const stamp = await agedStamp(server.url, guarded.slug);
    const pow = await solvedPayload(other.slug);
    const page = await postPage(server.url, `/f/${guarded.slug}`, {
      ...answers("per@example.no", stamp),
      _pow: pow,
    });
    expect(page.status).toBe(422);
    expect((await refusals(guarded.id))["proof-of-work"]).toBe(3);
  });
});

describe("a form without proof of work", () => {
  it("has no widget, no wider CSP, no challenge or widget scripts, and takes a POST without a solution", async () => {
    const page = await getPage(server.url, `/f/${plain.slug}`);
    expect(page.text).not.toContain("altcha");
    expect(page.headers.get("content-security-policy")).not.toContain("worker-src");
    const challenge = await getPage(server.url, `/f/${plain.slug}/challenge`);
    expect(challenge.status).toBe(404);
    expect(JSON.parse(challenge.text).error.code).toBe("NOT_FOUND");
    expect((await getPage(server.url, `/f/${plain.slug}/altcha.js`)).status).toBe(404);
    const stamp = await agedStamp(server.url, plain.slug);
    const posted = await postPage(server.url, `/f/${plain.slug}`, answers("kari@example.no", stamp));
    expect(posted.status).toBe(200);
    expect(await refusals(plain.id)).toEqual({});
  });
});

describe.runIf(browserTestsRun())("the widget in Chromium", () => {
  let browser: Browser;
  beforeAll(async () => {
    browser = await launchChromium();
  });
  afterAll(async () => browser?.close());

  it("solves the challenge in the browser when Submit is pressed, and the form goes through; accessible throughout", async () => {
    const page = await browser.newPage();
    // The policy's refusals show as console errors; the browser's own favicon request is no concern here.
    const blocked: string[] = [];
    page.on("console", (message) => {
      if (message.type() === "error" && !message.location().url.endsWith("/favicon.ico"))
        blocked.push(`${message.text()} ${message.location().url}`);
    });
    const before = { refusals: await refusals(guarded.id), submissions: await submissionCount(guarded.id) };
    await page.goto(`${server.url}/f/${guarded.slug}`);
    await page.waitForSelector("altcha-widget .altcha");
    expect(await page.textContent("altcha-widget")).toContain("Jeg er ikke en robot");
    expect(await axeViolations(page, "form with the widget")).toEqual([]);
    await page.fill("#f-email", "nettleser@example.no");
    await page.fill("#f-fornavn", "Nora");
    // A person takes a few seconds; sooner, the page would only ask to try again.
    await page.waitForTimeout(3100);
    await page.click("button[type=submit]");
    await page.waitForSelector("text=Vi har mottatt svaret ditt.");
    expect(blocked).toEqual([]);
    expect(await axeViolations(page, "thank-you")).toEqual([]);
    expect(await refusals(guarded.id)).toEqual(before.refusals);
    expect(await submissionCount(guarded.id)).toBe(before.submissions + 1);
    await page.close();
  });
});
