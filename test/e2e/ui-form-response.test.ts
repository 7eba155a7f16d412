// A form-response mailing in the web UI, in real Chromium: New mailing offers "Skjemasvar", Setup asks for the form,
// the wizard has no Recipients step, and Confirm says each processed submission gets one message; the form names its
// response mailing and links to that mailing's statistics.
import type { Browser, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ensureWebBuild } from "../../scripts/ensure-web-build.ts";
import { NO_ACTIONS } from "../../src/forms/definition.ts";
import { chromiumAvailable, launchChromium, textOf } from "../helpers/chromium.ts";
import { partAvailable } from "../helpers/requirements.ts";
import { type ApiClient, ok, signIn, startTestServer, type TestServer } from "../helpers/server.ts";

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
