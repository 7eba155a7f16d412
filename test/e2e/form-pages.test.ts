// The hosted form page over HTTP on a real server: labels and errors beside their fields, a valid answer stored before
// the thank-you, the abuse defences each refusing and counted with its reason, closing by count, embedding headers
// and embed.js, and (in Chromium) no serious accessibility violations with errors showing.
import type { Browser } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { axeViolations } from "../helpers/axe.ts";
import { browserTestsRun, launchChromium } from "../helpers/chromium.ts";
import { type DnsServer, startDnsServer } from "../helpers/dns-server.ts";
import { agedStamp, type Form, getPage, postPage, publishedForm, stampOf } from "../helpers/forms.ts";
import { type ApiClient, ok, signIn, startTestServer, type TestServer } from "../helpers/server.ts";

let dns: DnsServer;
let server: TestServer;
let admin: ApiClient;
let form: Form;
let stamp: string;

type Stats = { submissions: number; refusals: Array<{ reason: string; count: number }> };
const refusals = async (id: number) =>
  Object.fromEntries(
    (await ok<Stats>(admin.get(`/api/forms/${id}/statistics`))).refusals.map((r) => [r.reason, r.count]),
  );
const submissions = async (id: number) =>
  (
    await ok<{ submissions: Array<{ id: number; version: number; email: string }> }>(
      admin.get(`/api/forms/${id}/submissions`),
    )
  ).submissions;

beforeAll(async () => {
  dns = await startDnsServer({
    "example.no": { MX: [{ exchange: "mx.example.no" }] },
    "a-only.example": { A: ["192.0.2.10"] },
  });
  server = await startTestServer({ config: { dnsServers: dns.address, dnsTimeoutMs: 1000 } });
  admin = await signIn(server.url, server.adminEmail, server.adminPassword);
  form = await publishedForm(admin, "Påmelding", { redirectUrl: null });
  stamp = await agedStamp(server.url, form.slug);
});
afterAll(async () => {
  await server?.close();
  await dns?.close();
});

const path = () => `/f/${form.slug}`;
const valid = (email: string) => ({
  email,
  fornavn: "Kari",
  meny: "Fisk",
  dato: "2026-06-20",
  _stamp: stamp,
});

describe("GET /f/:slug", () => {
  it("renders every field with its label, help linked, required marked, in the form's language", async () => {
    const page = await getPage(
      server.url,
      `${path()}?fornavn=Kari&email=evil@example.no&kilde=nyhetsbrev&t=abc`,
    );
    expect(page.status).toBe(200);
    expect(page.text).toContain('<html lang="nb">');
    expect(page.text).toContain(
      '<label for="f-email">E-post <span class="req">(må fylles ut)</span></label>',
    );
    expect(page.text).toMatch(
      /<input type="email" id="f-email" name="email" required autocomplete="email" value=""/,
    );
    expect(page.text).toContain('<p class="help" id="f-fornavn-help">Slik du vil bli tiltalt</p>');
    expect(page.text).toMatch(
      /id="f-fornavn" name="fornavn" required autocomplete="given-name" aria-describedby="f-fornavn-help" value="Kari"/,
    );
    expect(page.text).toContain('<input type="hidden" name="kilde" value="nyhetsbrev">');
    expect(page.text).toContain("<legend>Meny</legend>");
    expect(page.text).toContain('<input type="date" id="f-dato"');
    expect(page.text).not.toContain("evil@example.no");
  });

  it("may be framed by any site, and says so on purpose", async () => {
    const page = await getPage(server.url, `${path()}?embed=1`);
    expect(page.headers.get("content-security-policy")).toContain("frame-ancestors *");
    expect(page.headers.get("x-frame-options")).toBeNull();
    expect(page.text).toContain(`<script src="/f/${form.slug}/embed.js" data-frame async></script>`);
    const script = await getPage(server.url, `/f/${form.slug}/embed.js`);
    expect(script.status).toBe(200);
    expect(script.headers.get("content-type")).toContain("text/javascript");
    expect(script.text).toContain(JSON.stringify(`${form.hostedUrl}?embed=1`));
    expect(script.text).toContain("postMessage");
  });

  it("answers 404 for an unknown form", async () => {
    expect((await getPage(server.url, "/f/no-such-form")).status).toBe(404);
  });
});

describe("POST /f/:slug", () => {
  it("re-renders with the error beside the field, a summary linking to it and the values kept (not the honeypot): 422", async () => {
    const page = await postPage(server.url, path(), {
      ...valid("kari@example.no"),
      fornavn: "",
      meny: "Fisk",
      website: "",
    });
    expect(page.status).toBe(422);
    expect(page.text).toContain('<a href="#f-fornavn">Fornavn: Fyll ut dette feltet.</a>');
    expect(page.text).toMatch(
      /<p class="error" id="f-fornavn-error">Fyll ut dette feltet\.<\/p><input type="text" id="f-fornavn"[^>]*aria-invalid="true" aria-describedby="f-fornavn-help f-fornavn-error" autofocus/,
    );
    expect(page.text).toContain('value="kari@example.no"');
    expect(page.text).toMatch(/value="Fisk" checked/);
    expect(page.text).toMatch(/name="website" value=""/);
    expect(await submissions(form.id)).toEqual([]);
  });

  it("stores a valid answer with the published version before thanking", async () => {
    const page = await postPage(server.url, path(), valid("Kari@Example.no"));
    expect(page.status).toBe(200);
    expect(page.text).toContain("Vi har mottatt svaret ditt.");
    expect(await submissions(form.id)).toMatchObject([{ version: 1, email: "Kari@Example.no" }]);
  });

  it("accepts a domain with only an A record and refuses one that receives no mail, beside the e-mail field", async () => {
    expect((await postPage(server.url, path(), valid("per@a-only.example"))).status).toBe(200);
    const page = await postPage(server.url, path(), valid("per@nomail.example"));
    expect(page.status).toBe(422);
    expect(page.text).toContain(
      '<p class="error" id="f-email-error">Domenet i e-postadressen tar ikke imot e-post.</p>',
    );
    expect((await refusals(form.id))["no-mail-domain"]).toBe(1);
  });

  it("thanks a filled honeypot like a person but stores nothing, and counts it", async () => {
    const before = (await submissions(form.id)).length;
    const page = await postPage(server.url, path(), {
      ...valid("bot@example.no"),
      website: "http://spam.example",
    });
    expect(page.status).toBe(200);
    expect(page.text).toContain("Vi har mottatt svaret ditt.");
    expect((await submissions(form.id)).length).toBe(before);
    expect((await refusals(form.id)).honeypot).toBe(1);
  });

  it("asks again when posted too fast or with a forged or missing stamp, each counted", async () => {
    const fresh = stampOf((await getPage(server.url, path())).text);
    const fast = await postPage(server.url, path(), { ...valid("fast@example.no"), _stamp: fresh });
    expect(fast.status).toBe(422);
    expect(fast.text).toContain("Vi klarte ikke å ta imot svaret.");
    expect(fast.text).toContain('value="fast@example.no"');
    expect(
      (await postPage(server.url, path(), { ...valid("x@example.no"), _stamp: `${stamp}x` })).status,
    ).toBe(422);
    const { _stamp, ...unstamped } = valid("y@example.no");
    expect((await postPage(server.url, path(), unstamped)).status).toBe(422);
    expect(await refusals(form.id)).toMatchObject({ "too-fast": 1, "bad-stamp": 2 });
  });

  it("refuses a body over 64 KiB with 413, counted", async () => {
    const page = await postPage(server.url, path(), {
      ...valid("big@example.no"),
      fornavn: "x".repeat(70_000),
    });
    expect(page.status).toBe(413);
    expect((await refusals(form.id))["too-large"]).toBe(1);
  });

  it("answers a malformed body with a 4xx page, stores nothing and counts each as malformed", async () => {
    const coded = await publishedForm(admin, "Koding", { processingMode: "automatic" });
    const codedStamp = await agedStamp(server.url, coded.slug);
    const rest = `meny=Fisk&_stamp=${encodeURIComponent(codedStamp)}`;
    const raw = async (body: BodyInit, type?: string) => {
      const response = await fetch(`${server.url}/f/${coded.slug}`, {
        method: "POST",
        ...(type ? { headers: { "content-type": type } } : {}),
        body,
        redirect: "manual",
      });
      return {
        status: response.status,
        type: response.headers.get("content-type"),
        text: await response.text(),
      };
    };
    const urlencoded = "application/x-www-form-urlencoded";
    const multipart = new FormData();
    multipart.append("email", "koding-multipart@example.no");
    multipart.append("fornavn", "Kari");
    multipart.append("_stamp", codedStamp);
    const answers = [
      await raw(`email=koding-pct%zz@example.no&fornavn=Kari&${rest}`, urlencoded),
      await raw(`email=koding-lone@example.no&fornavn=Kari%&${rest}`, urlencoded),
      await raw(`email=koding-utf8@example.no&fornavn=Kari%ff%fe&${rest}`, urlencoded),
      await raw(
        Buffer.concat([
          Buffer.from("email=koding-raw@example.no&fornavn=Kari"),
          Buffer.from([0xff]),
          Buffer.from(`&${rest}`),
        ]),
        urlencoded,
      ),
      await raw(`email=koding-nul@example.no&fornavn=Ka%00ri&${rest}`, urlencoded),
      await raw(`email=koding-nul-raw@example.no&fornavn=Ka\u0000ri&${rest}`, urlencoded),
      await raw(multipart),
      await raw(
        JSON.stringify({ email: "koding-json@example.no", fornavn: "Kari", _stamp: codedStamp }),
        "application/json",
      ),
      await raw(`${"x".repeat(20_000)}=1&email=koding-giant@example.no&fornavn=Kari&${rest}`, urlencoded),
    ];
    expect(answers.map((a) => a.status)).toEqual([400, 400, 400, 400, 400, 400, 415, 415, 400]);
    for (const answer of answers) {
      expect(answer.type).toContain("text/html");
      expect(answer.text).toContain('<html lang="nb">');
    }
    expect(answers[0]!.text).toContain("Vi klarte ikke å lese svaret");
    expect(answers[6]!.text).toContain("Vi klarte ikke å lese svaret");
    expect(await submissions(coded.id)).toEqual([]);
    const persons = await ok<{ items: unknown[] }>(admin.get("/api/persons?q=koding-"));
    expect(persons.items).toEqual([]);
    expect(await refusals(coded.id)).toEqual({ malformed: answers.length });
    // The same body well encoded is taken: what was refused was the encoding, not the answer.
    const fine = await raw(`email=koding-fine@example.no&fornavn=Kari%20%C3%85se&${rest}`, urlencoded);
    expect(fine.status).toBe(200);
    expect(await submissions(coded.id)).toMatchObject([{ email: "koding-fine@example.no" }]);
  });

  it("limits one address to 3 an hour and one IP to 10 in 10 minutes, each refusal counted", async () => {
    const other = await publishedForm(admin, "Grenser");
    const otherStamp = await agedStamp(server.url, other.slug);
    const post = (email: string) =>
      postPage(server.url, `/f/${other.slug}`, { ...valid(email), _stamp: otherStamp });
    for (let i = 0; i < 3; i++) expect((await post("same@example.no")).status).toBe(200);
    expect((await post("same@example.no")).status).toBe(429);
    for (let i = 3; i < 10; i++) expect((await post(`person${i}@example.no`)).status).toBe(200);
    const limited = await post("late@example.no");
    expect(limited.status).toBe(429);
    expect(limited.text).toContain("For mange innsendinger");
    expect(await refusals(other.id)).toEqual({ "address-limit": 1, "ip-limit": 1 });
    expect((await submissions(other.id)).length).toBe(10);
  }, 20_000);

  it("closes the form after its last allowed submission (410) and redirects to the thank-you address", async () => {
    const once = await publishedForm(admin, "Bare én", {
      deactivateAfter: 1,
      redirectUrl: "https://example.no/takk",
    });
    const onceStamp = await agedStamp(server.url, once.slug);
    const first = await postPage(server.url, `/f/${once.slug}`, {
      ...valid("en@example.no"),
      _stamp: onceStamp,
    });
    expect(first.status).toBe(303);
    expect(first.headers.get("location")).toBe("https://example.no/takk");
    const closed = await getPage(server.url, `/f/${once.slug}`);
    expect(closed.status).toBe(410);
    expect(closed.text).toContain("Skjemaet er stengt");
    expect(
      (await postPage(server.url, `/f/${once.slug}`, { ...valid("to@example.no"), _stamp: onceStamp }))
        .status,
    ).toBe(410);
    expect((await ok<{ inactiveReason: string }>(admin.get(`/api/forms/${once.id}`))).inactiveReason).toBe(
      "count",
    );
  });
});

describe("UTSEND_FORM_IP_LIMIT", () => {
  // A server of its own: the setting is read at start.
  const withLimit = async (formIpLimit: number) => {
    const own = await startTestServer({
      config: { dnsServers: dns.address, dnsTimeoutMs: 1000, formIpLimit },
    });
    const ownAdmin = await signIn(own.url, own.adminEmail, own.adminPassword);
    const ownForm = await publishedForm(ownAdmin, "Grense");
    const ownStamp = await agedStamp(own.url, ownForm.slug);
    const post = (i: number) =>
      postPage(own.url, `/f/${ownForm.slug}`, { ...valid(`ip${i}@example.no`), _stamp: ownStamp });
    return { own, post };
  };

  it("takes 2 from one IP when set to 2, and any number when set to 0 (off, for a proxy that limits)", async () => {
    const two = await withLimit(2);
    const off = await withLimit(0);
    try {
      expect([(await two.post(1)).status, (await two.post(2)).status, (await two.post(3)).status]).toEqual([
        200, 200, 429,
      ]);
      const statuses: number[] = [];
      for (let i = 0; i < 12; i++) statuses.push((await off.post(i)).status);
      expect(statuses).toEqual(Array(12).fill(200));
    } finally {
      await two.own.close();
      await off.own.close();
    }
  }, 30_000);
});

describe.runIf(browserTestsRun())("the hosted page in Chromium", () => {
  let browser: Browser;
  beforeAll(async () => {
    browser = await launchChromium();
  });
  afterAll(async () => browser?.close());

  it("has no serious accessibility violations, empty and with errors, and focuses the first field in error", async () => {
    const page = await browser.newPage();
    await page.goto(`${server.url}${path()}`);
    expect(await axeViolations(page, "form")).toEqual([]);
    // The browser's own check would stop an empty required field; the server's errors are what this test is about.
    await page.evaluate("document.querySelector('form').noValidate = true");
    await page.fill("#f-email", "kari@example.no");
    // A person takes a few seconds; sooner, the page would only ask to try again.
    await page.waitForTimeout(3100);
    await page.click("button[type=submit]");
    await page.waitForSelector(".summary");
    expect(await page.evaluate("document.activeElement.id")).toBe("f-fornavn");
    expect(await axeViolations(page, "form with errors")).toEqual([]);
    await page.close();
  });
});
