// A form-response mailing in the web UI, in real Chromium: New mailing offers "Skjemasvar", Setup asks for the form,
// the wizard has no Recipients step, and Confirm says each processed submission gets one message; the form names its
// response mailing and links to that mailing's statistics. Then an auto-reply built in the visual editor, with the
// form's fields in its merge-field menu, answers a real submission through a real SMTP sink.
import type { Browser, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ensureWebBuild } from "../../scripts/ensure-web-build.ts";
import { MIN_FILL_MS } from "../../src/forms/abuse.ts";
import { NO_ACTIONS } from "../../src/forms/definition.ts";
import { chromiumAvailable, launchChromium, screenshot, signedInPage, textOf } from "../helpers/chromium.ts";
import { type DnsServer, startDnsServer } from "../helpers/dns-server.ts";
import { getPage, label, postPage, stampOf } from "../helpers/forms.ts";
import { aSendingSetup } from "../helpers/mailings.ts";
import { partAvailable } from "../helpers/requirements.ts";
import { type ApiClient, ok, signIn, startTestServer, type TestServer } from "../helpers/server.ts";
import { type SinkMessage, type SmtpSink, startSmtpSink } from "../helpers/smtp-sink.ts";

const runs = partAvailable(
  "Chromium",
  chromiumAvailable(),
  "/usr/bin/chromium is not installed (apt install chromium)",
);

describe.skipIf(!runs)("web UI: form-response mailings", () => {
  let server: TestServer;
  let api: ApiClient;
  let browser: Browser;
  let page: Page;
  let formId = 0;
  let mailingId = 0;
  const pageErrors: string[] = [];

  beforeAll(async () => {
    ensureWebBuild(() => {});
    server = await startTestServer({ demoData: true });
    api = await signIn(server.url, server.adminEmail, server.adminPassword);
    const now = new Date().toISOString();
    const definition = JSON.stringify({
      fields: [
        {
          key: "comment",
          kind: "free",
          type: "text",
          prefill: false,
          required: false,
          label: { nb: "Kommentar", en: "Comment" },
        },
      ],
    });
    const form = await server.server.handle.db
      .insertInto("forms")
      .values({
        name: "Kontaktskjema",
        slug: "kontakt-ui",
        language: "nb",
        status: "published",
        published_version: 1,
        definition,
        processing_mode: "automatic",
        sending_account_id: null,
        thank_you_text: null,
        redirect_url: null,
        deactivate_at: null,
        deactivate_after: null,
        actions: "{}",
        created_by: null,
        created_at: now,
        updated_at: now,
      })
      .returning("id")
      .executeTakeFirstOrThrow();
    formId = form.id;
    await server.server.handle.db
      .insertInto("form_versions")
      .values({ form_id: formId, version: 1, definition, published_at: now })
      .execute();
    browser = await launchChromium();
    page = await browser.newPage({ viewport: { width: 1360, height: 900 }, locale: "nb-NO" });
    page.setDefaultTimeout(15_000);
    page.on("pageerror", (error) => pageErrors.push(error.message));
  }, 180_000);

  afterAll(async () => {
    await browser?.close();
    await server?.close();
  });

  it("creates a Skjemasvar with four steps and a Confirm that explains it answers each submission", async () => {
    await page.goto(`${server.url}/mailings`);
    await page.waitForURL("**/sign-in");
    await page.getByLabel("E-post").fill(server.adminEmail);
    await page.getByLabel(/^Passord/).fill(server.adminPassword);
    await page.getByRole("button", { name: "Logg inn" }).click();
    await page.waitForURL("**/mailings");
    await page.getByRole("button", { name: "Ny utsendelse" }).first().click();
    const dialog = page.getByRole("dialog");
    await dialog.getByLabel("Navn").fill("Takk for henvendelsen");
    await dialog.getByTestId("mailing-type-form").click();
    await dialog.getByRole("button", { name: "Opprett og åpne" }).click();
    await page.waitForURL(/\/mailings\/\d+$/);
    const id = Number(new URL(page.url()).pathname.split("/").pop());
    mailingId = id;
    const created = await ok<{ type: string; steps: Array<{ key: string }> }>(api.get(`/api/mailings/${id}`));
    expect(created.type).toBe("form");
    await textOf(page.getByTestId("step-problems"), (t) => t.includes("Velg skjemaet"));
    expect(await page.getByTestId("step-marker-recipients").count()).toBe(0);
    expect(await page.getByTestId("step-marker-confirm").count()).toBe(1);
    await expect.poll(() => page.getByTestId("mailing-form").isVisible()).toBe(true);

    // Filled through the API (the forms list comes from the forms feature), then Confirm in the UI.
    const domains = await ok<{ items: { domain: string }[] }>(api.get("/api/sending-domains"));
    await ok(
      api.send("PATCH", `/api/mailings/${id}`, {
        formId,
        subject: "Takk, [[customer.firstname]]",
        fromAddress: `post@${domains.items[0]!.domain}`,
        content:
          '<p>Du skrev: [[form.comment]]</p>[[form.receipt]]<a href="[[link.unsubscribe]]">Meld av</a>',
      }),
    );
    await page.goto(`${server.url}/mailings/${id}?step=confirm`);
    await textOf(page.getByTestId("ready"), (t) => t.includes("hver behandlede innsending"));
    await expect
      .poll(() => page.getByRole("button", { name: "Start å svare innsendinger" }).isVisible())
      .toBe(true);
    expect(await page.getByRole("button", { name: /Planlegg/ }).count()).toBe(0);
    expect(pageErrors).toEqual([]);
  }, 90_000);

  it("links from the form's Actions tab and statistics page to the response mailing's statistics once it is live", async () => {
    const actions = { ...NO_ACTIONS, responseMailingId: mailingId };
    // The form made above has no e-mail field, which automatic processing needs before any change is saved.
    await ok(api.send("PUT", `/api/forms/${formId}`, { processingMode: "manual", actions }));
    // Not started: no statistics to link to yet, and the page says when they come.
    await page.goto(`${server.url}/forms/${formId}?tab=actions`);
    const links = page.getByTestId("response-mailing-links");
    await textOf(links, (t) => t.includes("Statistikken begynner når utsendelsen er startet"));
    expect(await links.getByRole("link", { name: "Statistikken for utsendelsen" }).count()).toBe(0);
    expect(await links.getByRole("link", { name: "Åpne utsendelsen" }).getAttribute("href")).toBe(
      `/mailings/${mailingId}`,
    );

    expect(await ok<{ status: string }>(api.send("POST", `/api/mailings/${mailingId}/send`))).toMatchObject({
      status: "sending",
    });
    await page.reload();
    const statistics = page.getByTestId("response-mailing-links").getByRole("link", {
      name: "Statistikken for utsendelsen",
    });
    await statistics.click();
    await page.waitForURL(`**/mailings/${mailingId}?tab=statistics`);
    await expect
      .poll(() => page.getByRole("tab", { name: "Statistikk" }).getAttribute("aria-selected"))
      .toBe("true");
    await expect.poll(() => page.getByTestId("statistics-figures").isVisible()).toBe(true);

    // The form's own statistics page names the mailing where its answers' statistics accumulate.
    await page.goto(`${server.url}/forms/${formId}/statistics`);
    await textOf(page.getByTestId("response-mailing-links"), (t) => t.includes("Takk for henvendelsen"));
    expect(
      await page
        .getByTestId("response-mailing-links")
        .getByRole("link", { name: "Statistikken for utsendelsen" })
        .getAttribute("href"),
    ).toBe(`/mailings/${mailingId}?tab=statistics`);
    expect(pageErrors).toEqual([]);
  }, 90_000);
});

describe.skipIf(!runs)("web UI: a form's auto-reply built in the visual editor", () => {
  let dns: DnsServer;
  let sink: SmtpSink;
  let server: TestServer;
  let api: ApiClient;
  let browser: Browser;
  let page: Page;
  const pageErrors: string[] = [];

  beforeAll(async () => {
    ensureWebBuild(() => {});
    dns = await startDnsServer({ "example.no": { MX: [{ exchange: "mx.example.no" }] } });
    sink = await startSmtpSink();
    server = await startTestServer({ config: { dnsServers: dns.address, dnsTimeoutMs: 1000 } });
    api = await signIn(server.url, server.adminEmail, server.adminPassword);
    browser = await launchChromium();
    page = await signedInPage(browser, {
      url: server.url,
      email: server.adminEmail,
      password: server.adminPassword,
      language: "nb",
      viewport: { width: 1440, height: 1000 },
    });
    page.on("pageerror", (error) => pageErrors.push(error.message));
  }, 180_000);

  afterAll(async () => {
    await browser?.close();
    await server?.close();
    await sink?.close();
    await dns?.close();
  });

  it("offers the form's fields in the visual editor's merge-field menu, and the reply to a submission renders the block and the answer", async () => {
    const { domain, account } = await aSendingSetup(server.server.handle.db, {
      host: sink.host,
      port: sink.port,
    });
    const form = await ok<{ id: number; slug: string }>(
      api.send("POST", "/api/forms", { name: "Kundeservice", language: "nb" }),
      201,
    );
    const fields = [
      { kind: "mapped", key: "email", maps: "email", label: label("E-post"), required: true, prefill: false },
      {
        kind: "mapped",
        key: "fornavn",
        maps: "first_name",
        label: label("Fornavn"),
        required: true,
        prefill: false,
      },
      {
        kind: "free",
        key: "melding",
        type: "text",
        label: label("Melding"),
        required: false,
        prefill: false,
      },
    ];
    await ok(
      api.send("PUT", `/api/forms/${form.id}`, { definition: { fields }, processingMode: "automatic" }),
    );
    const mailing = await ok<{ id: number }>(
      api.send("POST", "/api/mailings", {
        name: "Svar til kundeservice",
        type: "form",
        formId: form.id,
        subject: "Takk, [[form.fornavn]]",
        fromName: "Fjordlys",
        fromAddress: `post@${domain.domain}`,
        sendingAccountId: account.id,
        contentFormat: "mjml",
        content: `<mjml><mj-body><mj-section><mj-column><mj-text>Hei [[form.fornavn]], takk for meldingen.</mj-text>
          <mj-text><a href="[[link.unsubscribe]]">Meld deg av</a></mj-text></mj-column></mj-section></mj-body></mjml>`,
      }),
      201,
    );

    // The Content step opens the visual editor for a form response too.
    await page.goto(`${server.url}/mailings/${mailing.id}?step=content`);
    const canvas = page.frameLocator(".gjs-frame");
    await expect
      .poll(() => canvas.getByText("takk for meldingen").count(), { timeout: 30_000 })
      .toBeGreaterThan(0);
    // A block dragged in from the panel, as a person drags it.
    const block = page.locator(".gjs-block", { hasText: "1 kolonne" });
    const box = (await page.locator(".gjs-frame").boundingBox())!;
    const from = (await block.boundingBox())!;
    await page.mouse.move(from.x + from.width / 2, from.y + from.height / 2);
    await page.mouse.down();
    for (let i = 1; i <= 10; i++)
      await page.mouse.move(box.x + box.width / 2, box.y + 20 + i * 12, { steps: 2 });
    await page.mouse.up();
    await expect.poll(() => canvas.getByText("Content 1").count()).toBe(1);
    // The answer to the form's own question, from the menu that lists the form's fields.
    await canvas.getByText("Content 1").click();
    await page.getByRole("button", { name: "Sett inn flettefelt" }).click();
    const menu = page.getByTestId("merge-field-menu");
    for (const path of ["form.fornavn", "form.melding", "form.receipt"])
      await menu.getByText(path, { exact: true }).waitFor();
    await menu.getByText("form.melding", { exact: true }).click();
    await expect.poll(() => canvas.getByText("[[form.melding]]").count()).toBe(1);
    await screenshot(page, "form-response-visual-editor");
    await page.getByRole("button", { name: "Lagre utkast" }).click();
    await expect
      .poll(async () => (await ok<{ content: string }>(api.get(`/api/mailings/${mailing.id}`))).content)
      .toContain("[[form.melding]]");
    const saved = (await ok<{ content: string }>(api.get(`/api/mailings/${mailing.id}`))).content;
    expect(saved).toMatch(/<mj-text[^>]*>[^<]*Content 1[^<]*\[\[form\.melding\]\]/);

    // Live, and named as the form's response: a submission gets the reply.
    await ok(
      api.send("PUT", `/api/forms/${form.id}`, { actions: { ...NO_ACTIONS, responseMailingId: mailing.id } }),
    );
    expect(await ok<{ status: string }>(api.send("POST", `/api/mailings/${mailing.id}/send`))).toMatchObject({
      status: "sending",
    });
    await ok(api.send("POST", `/api/forms/${form.id}/publish`));
    const email = "solveig.svar@example.no";
    const stamp = stampOf((await getPage(server.url, `/f/${form.slug}`)).text);
    await new Promise((resolve) => setTimeout(resolve, MIN_FILL_MS + 100));
    const before = sink.messages.length;
    const thanks = await postPage(server.url, `/f/${form.slug}`, {
      email,
      fornavn: "Solveig",
      melding: "Når åpner butikken i Bodø?",
      _stamp: stamp,
    });
    expect(thanks.status).toBe(200);
    let reply: SinkMessage | undefined;
    for (let count = before + 1; !reply; count++)
      reply = (await sink.waitFor(count, 20_000)).slice(before).find((m) => m.envelope.to.includes(email));
    expect(reply.parsed!.subject).toBe("Takk, Solveig");
    const html = String(reply.parsed!.html);
    expect(html).toContain("Hei Solveig, takk for meldingen.");
    // The dragged block, compiled from MJML, with the form's answer merged into it.
    expect(html).toMatch(/Content 1\s*Når åpner butikken i Bodø\?/);
    expect(html).toMatch(/class="mj-column-per-100/);
    expect(html).not.toMatch(/\[\[|<mj-/);
    expect(pageErrors).toEqual([]);
  }, 120_000);
});
