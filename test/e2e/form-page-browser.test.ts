// The hosted form page as a visitor meets it, in real Chromium on both databases: filled by label and keyboard with
// JavaScript off and on, the server's errors beside their fields with a summary and focus on the first, corrected,
// thanked and stored; both embed snippets on a page of another origin (filled, thanked and resized inside the frame,
// no CSP complaint); and the letterhead's brand colour (checked by the API, in the page's CSS, on the button with a
// text colour that keeps AA, and axe-clean with and without it). Every post waits the real minimum fill time.
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import type { Browser, BrowserContext, Frame, FrameLocator } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { MIN_FILL_MS } from "../../src/forms/abuse.ts";
import type { FormField } from "../../src/forms/definition.ts";
import { axeViolations } from "../helpers/axe.ts";
import { browserTestsRun, launchChromium } from "../helpers/chromium.ts";
import { testDialects } from "../helpers/dialects.ts";
import { type DnsServer, startDnsServer } from "../helpers/dns-server.ts";
import { getPage, label, MENU_FIELD } from "../helpers/forms.ts";
import { type ApiClient, ok, signIn, startTestServer, type TestServer } from "../helpers/server.ts";

const FIELDS: FormField[] = [
  { kind: "mapped", key: "email", maps: "email", label: label("E-post"), required: true, prefill: false },
  {
    kind: "mapped",
    key: "fornavn",
    maps: "first_name",
    label: label("Fornavn"),
    help: label("Slik du vil bli tiltalt"),
    required: true,
    prefill: false,
  },
  { kind: "mapped", key: "mobil", maps: "mobile", label: label("Mobil"), required: false, prefill: false },
  MENU_FIELD,
];

type Form = { id: number; slug: string; hostedUrl: string; embed: { iframe: string; script: string } };
type Stored = { answers: Record<string, unknown>; email_lower: string | null; version: number };

const dialects = await testDialects();
const browsers = browserTestsRun();

/** The stamp the page carries was signed while it was served; a person is not quicker than the minimum fill time. */
async function fillTimeFrom(servedBefore: number): Promise<void> {
  const left = servedBefore + MIN_FILL_MS + 150 - Date.now();
  if (left > 0) await new Promise((resolve) => setTimeout(resolve, left));
}

describe.each(dialects)("the hosted form page (%s)", (dialect) => {
  let dns: DnsServer;
  let server: TestServer;
  let admin: ApiClient;
  let browser: Browser;

  beforeAll(async () => {
    if (browsers) browser = await launchChromium();
    dns = await startDnsServer({ "example.no": { MX: [{ exchange: "mx.example.no" }] } });
    server = await startTestServer({ dialect, config: { dnsServers: dns.address, dnsTimeoutMs: 1000 } });
    admin = await signIn(server.url, server.adminEmail, server.adminPassword);
  });
  afterAll(async () => {
    await browser?.close();
    await server?.close();
    await dns?.close();
  });

  /** A fresh published form per test: each stays far below the per-IP limit (10 in 10 minutes per form). */
  async function publishedForm(name: string): Promise<Form> {
    const form = await ok<Form>(admin.send("POST", "/api/forms", { name, language: "nb" }), 201);
    await ok(
      admin.send("PUT", `/api/forms/${form.id}`, { definition: { fields: FIELDS }, redirectUrl: null }),
    );
    return ok<Form>(admin.send("POST", `/api/forms/${form.id}/publish`));
  }

  const stored = async (formId: number): Promise<Stored[]> =>
    (
      await server.server.handle.db
        .selectFrom("form_submissions")
        .select(["answers", "email_lower", "version"])
        .where("form_id", "=", formId)
        .orderBy("id")
        .execute()
    ).map((row) => ({
      answers: typeof row.answers === "string" ? JSON.parse(row.answers) : row.answers,
      email_lower: row.email_lower,
      version: row.version,
    }));

  const setBrandColor = (brandColor: string | null) =>
    ok<{ brandColor: string | null }>(admin.send("PUT", "/api/settings/letterhead", { brandColor }));

  describe("the brand colour over HTTP", () => {
    afterAll(async () => {
      await setBrandColor(null);
    });

    it("is refused, naming the field, unless written #rrggbb, and is kept in lower case", async () => {
      for (const bad of ["blue", "#fff", "0b5394", "#0b53944", "#gg5394", "rgb(11,83,148)"]) {
        const answer = await admin.send("PUT", "/api/settings/letterhead", { brandColor: bad });
        expect(answer.status, bad).toBe(400);
        expect(answer.body, bad).toMatchObject({
          error: {
            code: "VALIDATION_FAILED",
            details: { fields: [{ field: "brandColor", message: expect.stringContaining("#rrggbb") }] },
          },
        });
      }
      await ok(admin.send("PUT", "/api/settings/letterhead", { companyName: "Fjordlys AS" }));
      expect(await setBrandColor("#7A1F5C")).toMatchObject({
        brandColor: "#7a1f5c",
        companyName: "Fjordlys AS",
      });
      // A change of another field keeps the colour; null returns to the default.
      await ok(admin.send("PUT", "/api/settings/letterhead", { phone: "22 22 22 22" }));
      expect(await ok(admin.get("/api/settings/letterhead"))).toMatchObject({ brandColor: "#7a1f5c" });
      expect(await setBrandColor(null)).toMatchObject({ brandColor: null, companyName: "Fjordlys AS" });
    });

    it("colours the hosted page's button, heading accent and focus ring, with the text colour chosen for contrast", async () => {
      const form = await publishedForm("Farger");
      const plain = await getPage(server.url, `/f/${form.slug}`);
      expect(plain.text).not.toContain("border-bottom:.25rem");
      await setBrandColor("#7a1f5c");
      const dark = await getPage(server.url, `/f/${form.slug}`);
      expect(dark.text).toContain("button{background:#7a1f5c;color:#ffffff}");
      expect(dark.text).toContain("h1{border-bottom:.25rem solid #7a1f5c;");
      expect(dark.text).toContain(":focus-visible{outline-color:#7a1f5c}");
      await setBrandColor("#ffd23f");
      const light = await getPage(server.url, `/f/${form.slug}`);
      expect(light.text).toContain("button{background:#ffd23f;color:#000000}");
      // Too light to ring focus on white (WCAG 1.4.11): the ring stays the text colour.
      expect(light.text).toContain(":focus-visible{outline-color:#1f2933}");
      // The thank-you and refusal pages wear it too: they share the frame.
      expect((await getPage(server.url, "/f/no-such-form")).text).toContain("background:#ffd23f");
    });
  });

  describe.runIf(browsers)("in Chromium", () => {
    /**
     * Fills the form as a person does: by label and keyboard, an address and a mobile number the browser accepts but
     * the server does not; sees the server's errors beside those fields, the summary and focus on the first; corrects
     * both and submits with Enter; is thanked. Returns the page on the thank-you.
     */
    async function fillWithErrorsThenCorrect(context: BrowserContext, form: Form, checkAxe: boolean) {
      const page = await context.newPage();
      page.setDefaultTimeout(15_000);
      const response = await page.goto(form.hostedUrl);
      expect(response?.status()).toBe(200);
      let servedBefore = Date.now();
      if (checkAxe) expect(await axeViolations(page, "empty form")).toEqual([]);

      await page.getByLabel("E-post").click();
      await page.keyboard.type("kari@localhost");
      await page.keyboard.press("Tab");
      await page.keyboard.type("Kari");
      await page.keyboard.press("Tab");
      await page.keyboard.type("12");
      // Into the radio group and tick the second option with the arrow key.
      await page.keyboard.press("Tab");
      await page.keyboard.press("ArrowDown");
      expect(await page.getByLabel("Vegetar").isChecked()).toBe(true);
      await fillTimeFrom(servedBefore);
      await Promise.all([page.waitForURL(form.hostedUrl), page.getByLabel("Mobil").press("Enter")]);

      const summary = page.getByRole("alert");
      expect(await summary.getByRole("heading").textContent()).toBe("Noe må rettes før skjemaet kan sendes");
      expect(await summary.getByRole("link").allTextContents()).toEqual([
        "E-post: Skriv en gyldig e-postadresse, som navn@eksempel.no.",
        "Mobil: Skriv et gyldig telefonnummer.",
      ]);
      expect(
        await summary.getByRole("link").evaluateAll((links) => links.map((a) => a.getAttribute("href"))),
      ).toEqual(["#f-email", "#f-mobil"]);
      servedBefore = Date.now();
      // Beside each field: in its box, named as its description, the field marked invalid; the rest kept as typed.
      for (const [name, id, text] of [
        ["E-post", "f-email", "Skriv en gyldig e-postadresse, som navn@eksempel.no."],
        ["Mobil", "f-mobil", "Skriv et gyldig telefonnummer."],
      ] as const) {
        const field = page.getByLabel(name);
        expect(await field.getAttribute("aria-invalid")).toBe("true");
        expect((await field.getAttribute("aria-describedby"))?.split(" ")).toContain(`${id}-error`);
        expect(await page.locator(".field", { has: field }).locator(".error").textContent()).toBe(text);
      }
      expect(await page.getByLabel("Fornavn").getAttribute("aria-invalid")).toBeNull();
      expect(await page.getByLabel("Fornavn").inputValue()).toBe("Kari");
      expect(await page.getByLabel("Vegetar").isChecked()).toBe(true);
      // Focus is on the first field in error without any script: the server marked it autofocus.
      expect(await page.locator(":focus").getAttribute("id")).toBe("f-email");
      if (checkAxe) expect(await axeViolations(page, "form with errors")).toEqual([]);

      await page.keyboard.press("ControlOrMeta+A");
      await page.keyboard.type("Kari.Nordmann@example.no");
      await page.getByLabel("Mobil").fill("+47 912 34 567");
      await fillTimeFrom(servedBefore);
      await Promise.all([
        page.waitForURL(form.hostedUrl),
        page.getByRole("button", { name: "Send inn" }).press("Enter"),
      ]);
      const status = page.getByRole("status");
      expect(await status.getByRole("heading").textContent()).toBe("Takk!");
      expect(await status.textContent()).toContain("Vi har mottatt svaret ditt.");
      if (checkAxe) expect(await axeViolations(page, "thank-you")).toEqual([]);
      return page;
    }

    for (const javaScriptEnabled of [false, true])
      it(`with JavaScript ${javaScriptEnabled ? "on" : "off"}: errors beside the fields, focus on the first, then thanked and stored`, async () => {
        const form = await publishedForm(`Påmelding JS ${javaScriptEnabled ? "på" : "av"}`);
        const context = await browser.newContext({ javaScriptEnabled, locale: "nb-NO" });
        try {
          // axe runs as a script in the page, so only where scripts run.
          await fillWithErrorsThenCorrect(context, form, javaScriptEnabled);
        } finally {
          await context.close();
        }
        expect(await stored(form.id)).toEqual([
          {
            version: 1,
            email_lower: "kari.nordmann@example.no",
            answers: {
              email: "Kari.Nordmann@example.no",
              fornavn: "Kari",
              mobil: "+47 912 34 567",
              meny: "Vegetar",
            },
          },
        ]);
      }, 60_000);

    it("wears the brand colour: the button's computed colours, AA on it, and no axe violations, dark or light", async () => {
      const form = await publishedForm("Profil");
      const context = await browser.newContext({ locale: "nb-NO" });
      try {
        const page = await context.newPage();
        for (const [brand, background, text] of [
          ["#7a1f5c", "rgb(122, 31, 92)", "rgb(255, 255, 255)"],
          ["#ffd23f", "rgb(255, 210, 63)", "rgb(0, 0, 0)"],
        ] as const) {
          await setBrandColor(brand);
          await page.goto(form.hostedUrl);
          const button = page.getByRole("button", { name: "Send inn" });
          expect(await button.evaluate((b) => getComputedStyle(b).backgroundColor)).toBe(background);
          expect(await button.evaluate((b) => getComputedStyle(b).color)).toBe(text);
          expect(await axeViolations(page, `brand ${brand}`)).toEqual([]);
        }
      } finally {
        await context.close();
        await setBrandColor(null);
      }
    }, 60_000);

    describe("embedded on another origin", () => {
      let partner: Server;
      let partnerUrl = "";
      let form: Form;

      beforeAll(async () => {
        form = await publishedForm("Innebygd påmelding");
        // The snippets exactly as Share gives them, on a page of a different origin (another port).
        const html = `<!doctype html><html lang="nb"><head><meta charset="utf-8"><title>Partnerside</title></head>
<body><main><h1>Partnerside</h1>
<section><h2>Med skript</h2>${form.embed.script}</section>
<section><h2>Med iframe</h2>${form.embed.iframe}</section>
</main></body></html>`;
        partner = createServer((_request, response) => {
          response.writeHead(200, { "content-type": "text/html; charset=utf-8" });
          response.end(html);
        });
        await new Promise<void>((resolve) => partner.listen(0, "127.0.0.1", resolve));
        partnerUrl = `http://127.0.0.1:${(partner.address() as AddressInfo).port}/`;
      });
      afterAll(async () => {
        await new Promise((resolve) => partner?.close(resolve));
      });

      it("shows the form in both frames, fills and thanks inside them, resizes the script's frame, stores both, and no CSP complaint", async () => {
        expect(new URL(partnerUrl).origin).not.toBe(new URL(form.hostedUrl).origin);
        const context = await browser.newContext({ locale: "nb-NO", viewport: { width: 900, height: 1400 } });
        const complaints: string[] = [];
        const frameHeaders: Array<Record<string, string>> = [];
        try {
          const page = await context.newPage();
          page.setDefaultTimeout(15_000);
          page.on("console", (message) => {
            if (message.type() === "error" || /content security policy/i.test(message.text()))
              complaints.push(message.text());
          });
          page.on("pageerror", (error) => complaints.push(error.message));
          page.on("response", async (response) => {
            if (response.url().startsWith(`${form.hostedUrl}?embed=1`))
              frameHeaders.push(await response.allHeaders());
          });
          await page.goto(partnerUrl);
          const frames = page.locator(`iframe[title="Innebygd påmelding"]`);
          await expect.poll(() => frames.count()).toBe(2);
          // The script inserts its frame right after itself, so the first is the script's and the second the iframe's.
          const scripted = frames.nth(0);
          const plain = frames.nth(1);
          const inScripted = page.frameLocator(`iframe[title="Innebygd påmelding"] >> nth=0`);
          const inPlain = page.frameLocator(`iframe[title="Innebygd påmelding"] >> nth=1`);
          await inScripted.getByLabel("E-post").waitFor();
          await inPlain.getByLabel("E-post").waitFor();
          const servedBefore = Date.now();
          await expect.poll(() => frameHeaders.length).toBe(2);
          for (const headers of frameHeaders) {
            expect(headers["content-security-policy"]).toContain("frame-ancestors *");
            expect(headers["x-frame-options"]).toBeUndefined();
          }

          // The script's frame follows the page inside it: its height is the framed document's.
          const scriptedFrame = (await (await scripted.elementHandle())?.contentFrame()) as Frame;
          const fits = async () => {
            const [inner, scrolls] = await scriptedFrame.evaluate(() => {
              const root = document.documentElement;
              return [
                Math.round(root.getBoundingClientRect().height),
                root.scrollHeight > root.clientHeight,
              ] as const;
            });
            const outer = await scripted.evaluate((f) => Math.round(f.getBoundingClientRect().height));
            return { inner, outer, fits: Math.abs(inner - outer) <= 1 && !scrolls && outer !== 320 };
          };
          await expect.poll(async () => (await fits()).fits).toBe(true);
          const formHeight = (await fits()).outer;

          await fillIn(inScripted, "skript@example.no", "Siri");
          await fillIn(inPlain, "iframe@example.no", "Ivar");
          await fillTimeFrom(servedBefore);
          await inScripted.getByRole("button", { name: "Send inn" }).click();
          await inPlain.getByRole("button", { name: "Send inn" }).click();
          for (const frame of [inScripted, inPlain])
            await frame.getByRole("status").getByText("Vi har mottatt svaret ditt.").waitFor();

          // The thank-you is shorter than the form, and the frame shrank to it.
          await expect.poll(async () => (await fits()).fits && (await fits()).outer < formHeight).toBe(true);
          // The page around the frames is untouched: the submit happened inside them.
          expect(page.url()).toBe(partnerUrl);
          expect(await plain.getAttribute("src")).toBe(`${form.hostedUrl}?embed=1`);
          // Nothing sizes the plain iframe: it keeps the snippet's 40rem, not a browser's default 150 px.
          expect(await plain.evaluate((f) => f.getBoundingClientRect().height)).toBe(640);
          expect(await axeViolations(page, "partner page with frames")).toEqual([]);
        } finally {
          await context.close();
        }
        expect(complaints).toEqual([]);
        expect((await stored(form.id)).map((s) => s.email_lower).sort()).toEqual([
          "iframe@example.no",
          "skript@example.no",
        ]);
      }, 60_000);
    });
  });
});

async function fillIn(frame: FrameLocator, email: string, firstName: string): Promise<void> {
  await frame.getByLabel("E-post").fill(email);
  await frame.getByLabel("Fornavn").fill(firstName);
  await frame.getByLabel("Fisk").check();
}
