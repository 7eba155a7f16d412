// The visual e-mail editor's menus in real Chromium (issue 19): the block list offers every kind of block the issue
// names, the link menu every special link and the tracked link, and a block another user saved is offered to all. The
// full path (starter template, drag, merge field, upload, send) is ui-visual-editor.test.ts.
import type { Browser, FrameLocator, Page } from "playwright-core";
import sharp from "sharp";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { ensureWebBuild } from "../../scripts/ensure-web-build.ts";
import { aPerson } from "../helpers/builders.ts";
import {
  browserTestsRun,
  launchChromium,
  reportPageOnFailure,
  screenshot,
  signedInPage,
} from "../helpers/chromium.ts";
import { aReadyMailing, aSendingSetup } from "../helpers/mailings.ts";
import {
  type ApiClient,
  ok,
  signIn,
  startTestServer,
  type TestServer,
  userWithRole,
} from "../helpers/server.ts";

const runs = browserTestsRun();
const STEP = 90_000;
// A grey box for the image block, so nothing is fetched from another site.
const GREY =
  "data:image/svg+xml;charset=utf-8,%3Csvg xmlns='http://www.w3.org/2000/svg' width='600' height='240'%3E%3Crect width='600' height='240' fill='%23dde1e6'/%3E%3C/svg%3E";
const MJML = `<mjml><mj-body><mj-section><mj-column>
<mj-text>Spring greetings</mj-text>
<mj-image src="${GREY}" alt="Picture to replace" />
<mj-text><a href="[[link.unsubscribe]]">Unsubscribe</a></mj-text>
</mj-column></mj-section></mj-body></mjml>`;
const SAVED = `<mj-section><mj-column><mj-text>Fjordlys footer from the marketer</mj-text></mj-column></mj-section>`;

describe.skipIf(!runs)("web UI: the visual editor's blocks and link menu", () => {
  let server: TestServer;
  let admin: ApiClient;
  let marketer: ApiClient;
  let browser: Browser;
  let page: Page;
  let canvas: FrameLocator;
  let mailingId = 0;
  const pageErrors: string[] = [];

  beforeAll(async () => {
    ensureWebBuild(() => {});
    server = await startTestServer();
    admin = await signIn(server.url, server.adminEmail, server.adminPassword);
    const db = server.server.handle.db;
    const setup = await aSendingSetup(db, { host: "127.0.0.1", port: 2525 });
    const ingrid = await aPerson(db, { firstName: "Ingrid", email: "ingrid@mottaker.example" });
    mailingId = (
      await aReadyMailing(db, setup, [ingrid.id], { name: "Menus", contentFormat: "mjml", content: MJML })
    ).id;
    // Saved by another user: saved blocks are shared by everyone.
    marketer = await userWithRole(server, admin, "marketer");
    await ok(marketer.send("POST", "/api/saved-blocks", { name: "Marketer's footer", mjml: SAVED }), 201);
    browser = await launchChromium();
    page = await signedInPage(browser, {
      url: server.url,
      email: server.adminEmail,
      password: server.adminPassword,
      language: "en",
      viewport: { width: 1440, height: 1000 },
    });
    page.on("pageerror", (error) => pageErrors.push(error.message));
    canvas = page.frameLocator(".gjs-frame");
  }, 180_000);

  beforeEach((context) => reportPageOnFailure(context, () => page, "editor-menus", pageErrors));

  afterAll(async () => {
    await browser?.close();
    await server?.close();
  });

  it(
    "offers rows and columns, text, heading, image, button, divider, spacer, social links, HTML and the saved blocks",
    async () => {
      await page.goto(`${server.url}/mailings/${mailingId}?step=content`);
      await page.getByTestId("visual-editor").waitFor();
      await expect.poll(() => canvas.getByText("Spring greetings").count(), { timeout: 30_000 }).toBe(1);
      const blocks = page.locator(".gjs-block");
      await expect.poll(() => blocks.count()).toBeGreaterThan(10);
      const labels = (await blocks.allTextContents()).map((l) => l.trim());
      expect(labels).toEqual(
        expect.arrayContaining([
          "1 column",
          "2 columns",
          "3 columns",
          "Text",
          "Heading",
          "Image",
          "Button",
          "Divider",
          "Spacer",
          "Social links",
          "HTML",
          "Marketer's footer",
        ]),
      );
      await screenshot(page, "visual-editor-menus-01-blocks");
    },
    STEP,
  );

  it(
    "offers the unsubscribe, subscriptions and view-online links beside the tracked link, and inserts them in a text",
    async () => {
      await canvas.getByText("Spring greetings").click();
      await page.getByRole("button", { name: "Insert a link" }).click();
      const menu = page.getByTestId("special-link-menu");
      expect((await menu.getByRole("menuitem").allTextContents()).map((l) => l.trim())).toEqual([
        "Unsubscribe link",
        "Subscriptions link",
        "View online",
        "Tracked link",
      ]);
      // Inserted where the cursor is, or in a new text block below the selected one.
      await menu.getByRole("menuitem", { name: "Subscriptions link" }).click();
      await expect.poll(() => canvas.getByText("Subscriptions link").count()).toBe(1);
      await canvas.getByText("Spring greetings").click();
      await page.getByRole("button", { name: "Insert a link" }).click();
      await menu.getByRole("menuitem", { name: "View online" }).click();
      await expect.poll(() => canvas.getByText("View online").count()).toBe(1);
      await page.getByRole("button", { name: "Save draft" }).click();
      const content = async () =>
        ((await admin.get(`/api/mailings/${mailingId}`)).body as { content: string | null }).content ?? "";
      await expect.poll(content).toContain('href="[[link.subscriptions]]"');
      expect(await content()).toContain('href="[[link.viewOnline]]"');
      await screenshot(page, "visual-editor-menus-02-links");
      expect(pageErrors).toEqual([]);
    },
    STEP,
  );

  it(
    "saves the selected section as a block, which every user then has in the block list",
    async () => {
      await canvas.getByText("Spring greetings").click();
      await page.getByRole("button", { name: "Save section as block" }).click();
      await page.getByLabel("Block name").fill("Spring header");
      await page.getByRole("button", { name: "Save", exact: true }).click();
      const blocks = async (client: ApiClient) =>
        ((await client.get("/api/saved-blocks")).body as { items: Array<{ name: string; mjml: string }> })
          .items;
      await expect.poll(async () => (await blocks(admin)).map((b) => b.name)).toContain("Spring header");
      // The section the selected text is in, saved as MJML; and another user has it too.
      const saved = (await blocks(marketer)).find((b) => b.name === "Spring header");
      expect(saved?.mjml).toMatch(/^<mj-section[\s>]/);
      expect(saved?.mjml).toContain("Spring greetings");
      await expect.poll(() => page.locator(".gjs-block", { hasText: "Spring header" }).count()).toBe(1);
      expect(pageErrors).toEqual([]);
    },
    STEP,
  );

  it(
    "picks a picture from the image library by double-clicking an image",
    async () => {
      // An image already in the library (uploaded elsewhere, e.g. on the library page), not in this mailing.
      const key = ((await admin.send("POST", "/api/api-keys", { name: "bilder" })).body as { key: string })
        .key;
      const png = await sharp({ create: { width: 80, height: 40, channels: 3, background: "#b0413e" } })
        .png()
        .toBuffer();
      const uploaded = await fetch(`${server.url}/api/images?filename=library-pick.png`, {
        method: "POST",
        body: new Uint8Array(png),
        headers: { "content-type": "image/png", authorization: `Bearer ${key}` },
      });
      expect(uploaded.status).toBe(201);
      const image = (await uploaded.json()) as { fileName: string };
      await page.reload();
      await expect.poll(() => canvas.getByText("Spring greetings").count(), { timeout: 30_000 }).toBe(1);

      await canvas.locator('img[alt="Picture to replace"]').dblclick();
      const asset = page.locator(".gjs-am-asset", { hasText: "library-pick" });
      await asset.waitFor();
      await screenshot(page, "visual-editor-menus-03-image-picker");
      await asset.dblclick();
      await expect
        .poll(() => canvas.locator(`img[src*="/img/${image.fileName}"]`).count(), { timeout: 20_000 })
        .toBe(1);
      await page.getByRole("button", { name: "Save draft" }).click();
      await expect
        .poll(
          async () =>
            ((await admin.get(`/api/mailings/${mailingId}`)).body as { content: string | null }).content ??
            "",
        )
        .toMatch(new RegExp(`<mj-image[^>]+src="[^"]*/img/${image.fileName}"`));
      expect(pageErrors).toEqual([]);
    },
    STEP,
  );
});
