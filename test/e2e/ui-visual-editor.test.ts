// The visual e-mail editor in real Chromium: a mailing built from a starter template, a block dragged in, a merge
// field and a tracked link inserted from the menus, an image uploaded to the library; undo/redo, the mobile preview
// and the MJML code view; then sent through the server's worker to a real SMTP sink, and the received message
// (parsed MIME) shows the blocks.

import type { Browser, FrameLocator, Page } from "playwright-core";
import sharp from "sharp";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { ensureWebBuild } from "../../scripts/ensure-web-build.ts";
import { axeViolations } from "../helpers/axe.ts";
import { aPerson } from "../helpers/builders.ts";
import {
  browserTestsRun,
  launchChromium,
  reportPageOnFailure,
  screenshot,
  signedInPage,
  textOf,
} from "../helpers/chromium.ts";
import { aReadyMailing, aSendingSetup } from "../helpers/mailings.ts";
import {
  type ApiClient,
  signIn,
  startTestServer,
  type TestServer,
  untilFinished,
} from "../helpers/server.ts";
import { type SmtpSink, startSmtpSink } from "../helpers/smtp-sink.ts";

const runs = browserTestsRun();
const STEP = 90_000;

type Mailing = { id: number; status: string; content: string | null; contentFormat: string; subject: string };

describe.skipIf(!runs)("web UI: the visual e-mail editor", () => {
  let server: TestServer;
  let sink: SmtpSink;
  let admin: ApiClient;
  let browser: Browser;
  let page: Page;
  let canvas: FrameLocator;
  let mailingId = 0;
  const pageErrors: string[] = [];
  const mailing = async () => (await admin.get(`/api/mailings/${mailingId}`)).body as Mailing;

  beforeAll(async () => {
    ensureWebBuild(() => {});
    server = await startTestServer();
    sink = await startSmtpSink();
    admin = await signIn(server.url, server.adminEmail, server.adminPassword);
    const db = server.server.handle.db;
    const setup = await aSendingSetup(db, { host: sink.host, port: sink.port });
    const ingrid = await aPerson(db, {
      firstName: "Ingrid",
      lastName: "Bjørnstad",
      email: "ingrid@mottaker.example",
      language: "en",
    });
    mailingId = (await aReadyMailing(db, setup, [ingrid.id], { name: "Spring news", subject: "Spring news" }))
      .id;
    browser = await launchChromium();
    page = await signedInPage(browser, {
      url: server.url,
      email: server.adminEmail,
      password: server.adminPassword,
      language: "en",
      viewport: { width: 1440, height: 1000 },
    });
    page.on("pageerror", (error) => pageErrors.push(error.message));
    // A request the page itself gave up (a query cancelled as its step unmounts) is not a failure; any other is,
    // such as a call to a host the editor must not reach (telemetry, a CDN).
    page.on("requestfailed", (r) => {
      if (r.failure()?.errorText !== "net::ERR_ABORTED")
        pageErrors.push(`failed: ${r.url()} ${r.failure()?.errorText}`);
    });
    page.on("console", (m) => {
      if (m.type() === "error") pageErrors.push(`console: ${m.text()}`);
    });
    canvas = page.frameLocator(".gjs-frame");
  }, 180_000);

  beforeEach((context) => reportPageOnFailure(context, () => page, "visual-editor", pageErrors));

  afterAll(async () => {
    await browser?.close();
    await sink?.close();
    await server?.close();
  });

  it(
    "starts the content from a starter template and opens it in the visual editor",
    async () => {
      await page.goto(`${server.url}/mailings/${mailingId}`);
      await page.getByTestId("step-marker-template").click();
      await page.getByTestId("starter-templates").locator("label", { hasText: "English" }).click();
      await page.getByRole("button", { name: "Use: Newsletter" }).click();
      await expect.poll(async () => (await mailing()).contentFormat).toBe("mjml");
      expect((await mailing()).content).toContain("<mj-column>");
      await page.getByTestId("visual-editor").waitFor();
      await expect
        .poll(() => canvas.getByText("News from us").count(), { timeout: 30_000 })
        .toBeGreaterThan(0);
      await screenshot(page, "visual-editor-01-starter");
    },
    STEP,
  );

  it(
    "drags a block in, with undo and redo, and previews it at a phone's width",
    async () => {
      const block = page.locator(".gjs-block", { hasText: "1 column" });
      await block.waitFor();
      const frame = page.locator(".gjs-frame");
      const box = (await frame.boundingBox())!;
      // A person's drag: press on the block, move over the canvas in steps (GrapesJS places on dragover), release.
      const from = (await block.boundingBox())!;
      await page.mouse.move(from.x + from.width / 2, from.y + from.height / 2);
      await page.mouse.down();
      for (let i = 1; i <= 10; i++)
        await page.mouse.move(box.x + box.width / 2, box.y + 40 + i * 20, { steps: 2 });
      await page.mouse.up();
      await expect.poll(() => canvas.getByText("Content 1").count()).toBe(1);
      await page.getByRole("button", { name: "Undo" }).click();
      await expect.poll(() => canvas.getByText("Content 1").count()).toBe(0);
      await page.getByRole("button", { name: "Redo" }).click();
      await expect.poll(() => canvas.getByText("Content 1").count()).toBe(1);

      await page.locator("label", { hasText: "Mobile" }).click();
      await expect.poll(async () => (await frame.boundingBox())!.width).toBeLessThan(450);
      await screenshot(page, "visual-editor-02-mobile");
      await page.locator("label", { hasText: "Desktop" }).click();
      await expect.poll(async () => (await frame.boundingBox())!.width).toBeGreaterThan(600);
    },
    STEP,
  );

  it(
    "inserts a merge field and a tracked link from the menus, and uploads an image to the library",
    async () => {
      await canvas.getByText("First story").click();
      await page.getByRole("button", { name: "Insert merge field" }).click();
      await page.getByTestId("merge-field-menu").getByText("customer.lastname", { exact: true }).click();
      await expect.poll(() => canvas.getByText("[[customer.lastname]]").count()).toBe(1);

      await page.getByRole("button", { name: "Insert a link" }).click();
      await page.getByRole("menuitem", { name: "Tracked link" }).click();
      const form = page.getByTestId("tracked-link-form");
      await form.getByLabel("Web address").fill("https://fjordlys.example/spring");
      await form.getByLabel("Link text").fill("See the spring range");
      await form.getByRole("button", { name: "Insert link" }).click();
      await expect.poll(() => canvas.getByText("See the spring range").count()).toBe(1);

      const png = await sharp({ create: { width: 120, height: 60, channels: 3, background: "#0b5cad" } })
        .png()
        .toBuffer();
      const chooser = page.waitForEvent("filechooser");
      await page.getByRole("button", { name: "Upload image" }).click();
      await (await chooser).setFiles({ name: "spring-logo.png", mimeType: "image/png", buffer: png });
      await expect.poll(() => canvas.locator('img[src*="/img/"]').count(), { timeout: 20_000 }).toBe(1);
      await screenshot(page, "visual-editor-03-inserted");

      await page.getByRole("button", { name: "Save draft" }).click();
      await expect.poll(async () => (await mailing()).content ?? "").toContain("[[customer.lastname]]");
      const saved = (await mailing()).content!;
      expect(saved).toContain('href="https://fjordlys.example/spring"');
      expect(saved).toMatch(/<mj-image[^>]+src="[^"]*\/img\/[0-9a-f]{32}\.png"/);
      expect(saved).toContain("Content 1");
      expect(saved).toContain("[[link.unsubscribe]]");
    },
    STEP,
  );

  it(
    "shows the same content as MJML code, and a change there shows in the visual editor",
    async () => {
      await page.locator("label", { hasText: "MJML code" }).click();
      const code = page.getByTestId("content-editor");
      await expect.poll(() => code.inputValue()).toContain("[[customer.lastname]]");
      const edited = (await code.inputValue()).replace("Content 1", "Written in the code view");
      await code.fill(edited);
      await page.locator("label", { hasText: "Visual editor" }).click();
      await expect
        .poll(() => canvas.getByText("Written in the code view").count(), { timeout: 30_000 })
        .toBe(1);
      await page.getByRole("button", { name: "Save draft" }).click();
      await expect.poll(async () => (await mailing()).content ?? "").toContain("Written in the code view");
    },
    STEP,
  );

  it(
    "saves the edited starter as the user's own template, listed on the Template step",
    async () => {
      await page.getByTestId("step-marker-template").click();
      await page.getByLabel("Template name").fill("Our spring newsletter");
      await page.getByRole("button", { name: "Save as template" }).click();
      await textOf(page.getByTestId("templates-table"), (t) => t.includes("Our spring newsletter"));
      const list = (await admin.get("/api/templates?type=email")).body as {
        items: Array<{ id: number; name: string; contentFormat: string }>;
      };
      const own = list.items.find((t) => t.name === "Our spring newsletter");
      expect(own?.contentFormat).toBe("mjml");
      const saved = (await admin.get(`/api/templates/${own!.id}`)).body as { content: string };
      // The starter's blocks with this user's edits: the dragged section as changed in the code view, the merge field.
      expect(saved.content).toContain("News from us");
      expect(saved.content).toContain("Written in the code view");
      expect(saved.content).toContain("[[customer.lastname]]");
      await page.getByTestId("step-marker-content").click();
      await page.getByTestId("visual-editor").waitFor();
    },
    STEP,
  );

  it(
    "passes the accessibility scan (WCAG 2.1 A/AA, serious and critical) on the starter templates and the editor",
    async () => {
      const violations: string[] = [];
      await page.getByTestId("step-marker-template").click();
      await page.getByTestId("starter-templates").waitFor();
      violations.push(...(await axeViolations(page, "en template step with starter templates")));
      await page.getByTestId("step-marker-content").click();
      await page.locator(".gjs-block").first().waitFor();
      violations.push(...(await axeViolations(page, "en content step with the visual editor")));
      expect(violations, `${violations.length} violations:\n${violations.join("\n")}`).toEqual([]);
    },
    STEP,
  );

  it(
    "speaks Norwegian in GrapesJS's own panels when the UI is in Norwegian, and English again after switching",
    async () => {
      const nb = await signedInPage(browser, {
        url: server.url,
        email: server.adminEmail,
        password: server.adminPassword,
        language: "nb",
        viewport: { width: 1440, height: 1000 },
      });
      const errors: string[] = [];
      nb.on("pageerror", (error) => errors.push(error.message));
      try {
        await nb.goto(`${server.url}/mailings/${mailingId}?step=content`);
        const editor = nb.getByTestId("visual-editor");
        const blocks = editor.locator(".gjs-block-label");
        await blocks.first().waitFor();
        expect(await blocks.allInnerTexts()).toEqual(
          expect.arrayContaining([
            "1 kolonne",
            "2 kolonner",
            "Tekst",
            "Overskrift",
            "Bilde",
            "Knapp",
            "Skillelinje",
          ]),
        );
        const titles = () =>
          editor.locator("[title]").evaluateAll((els) => els.map((e) => e.getAttribute("title") ?? ""));
        expect(await titles()).toEqual(
          expect.arrayContaining([
            "Angre",
            "Gjør om",
            "Importer MJML",
            "Vis koden (MJML og HTML)",
            "Stil for den valgte blokken",
            "Innstillinger for den valgte blokken",
            "Lag: innholdet som tre",
            "Blokker å dra inn",
            "Datamaskin",
            "Mobil",
          ]),
        );
        // The side panel's views, each opened: the style sectors, a block's settings and the layer tree.
        const nbCanvas = nb.frameLocator(".gjs-frame");
        await nbCanvas.getByText("News from us").click();
        const view = (word: string) =>
          editor.locator(".gjs-pn-btn", { hasText: new RegExp(`^${word}$`) }).click();
        await view("Stil");
        for (const sector of ["Mål og avstand", "Tekst", "Bakgrunn og kant"])
          await editor.locator(".gjs-sm-sector-title", { hasText: sector }).first().waitFor();
        await editor.locator(".gjs-sm-sector-title", { hasText: "Tekst" }).first().click();
        await editor.locator(".gjs-sm-label", { hasText: "Skriftstørrelse" }).first().waitFor();
        // The alignment choices are words (GrapesJS's icons come from a CDN that is not used).
        for (const choice of ["Venstre", "Midtstilt", "Høyre", "Blokkjustert", "Kursiv"])
          await editor.locator(".gjs-radio-item-label", { hasText: choice }).first().waitFor();
        const seen: string[] = [];
        const visibleWords = async () =>
          seen.push(
            ...(await editor.evaluate((root) =>
              [...root.querySelectorAll("*")]
                .filter((e) => e.children.length === 0 && (e as HTMLElement).offsetParent !== null)
                .map((e) => (e.textContent ?? "").trim())
                .filter(Boolean),
            )),
            ...(await titles()),
          );
        await visibleWords();
        await view("Innstillinger");
        await editor.locator(".gjs-trt-trait", { hasText: "Tittel (verktøytips)" }).first().waitFor();
        await visibleWords();
        await view("Lag");
        await editor.locator(".gjs-layer-name", { hasText: "Seksjon" }).first().waitFor();
        await visibleWords();
        // The text toolbar, when a text block is being written in.
        await nbCanvas.getByText("News from us").dblclick();
        await expect.poll(() => titles()).toEqual(expect.arrayContaining(["Fet", "Kursiv", "Lenke"]));
        await visibleWords();
        await screenshot(nb, "visual-editor-04-norwegian");
        const english = new Set([
          "Undo",
          "Redo",
          "Open code",
          "View code",
          "Open Blocks",
          "Blocks",
          "Settings",
          "Open Layer Manager",
          "Open Style Manager",
          "Import MJML",
          "Desktop",
          "Tablet",
          "Mobile",
          "Dimension",
          "Typography",
          "Decorations",
          "Font size",
          "Bold",
          "Italic",
          "Link",
          "Section",
          "Column",
          "1 column",
          "Text",
          "Button",
        ]);
        expect(seen.filter((word) => english.has(word))).toEqual([]);
        expect(seen.filter((word) => /Layer Manager|Style Manager|Select an element/.test(word))).toEqual([]);

        // Another language remakes the editor in it, without reloading the page.
        await nb.locator("header label", { hasText: "English" }).click();
        await expect.poll(() => editor.locator(".gjs-block-label").allInnerTexts()).toContain("1 column");
        expect(await titles()).toEqual(expect.arrayContaining(["Undo", "Show the code (MJML and HTML)"]));
        expect(await editor.locator(".gjs-block-label", { hasText: "1 kolonne" }).count()).toBe(0);
        expect(errors).toEqual([]);
      } finally {
        await nb.context().close();
      }
    },
    STEP,
  );

  it(
    "sends the mailing through the SMTP sink, and the received message renders the blocks",
    async () => {
      const before = sink.messages.length;
      const sent = await admin.send("POST", `/api/mailings/${mailingId}/send`);
      expect(sent.status, JSON.stringify(sent.body)).toBe(200);
      await untilFinished(admin, mailingId);
      const [message] = (await sink.waitFor(before + 1, 20_000)).slice(before);
      const parsed = message!.parsed!;
      const html = parsed.html ?? "";
      expect(parsed.subject).toBe("Spring news");
      // The starter's blocks, the dragged section and the inserted merge field, resolved.
      expect(html).toContain("News from us");
      expect(html).toContain("Hi Ingrid,");
      expect(html).toContain("Written in the code view");
      expect(html).toContain("Bjørnstad");
      expect(html).toMatch(/class="mj-column-per-50/);
      expect(html).not.toMatch(/\[\[|<mj-/);
      // The tracked link goes through utsend's click URL, which leads to the address written.
      const link = /<a [^>]*href="([^"]+)"[^>]*>See the spring range<\/a>/.exec(html);
      expect(link).not.toBeNull();
      expect(link![1]).not.toContain("fjordlys.example");
      const click = await fetch(link![1]!.replace(/&amp;/g, "&"), { redirect: "manual" });
      expect(click.headers.get("location")).toBe("https://fjordlys.example/spring");
      // The uploaded image, from the library's public URL without sign-in.
      const img = /<img [^>]*src="[^"]*(\/img\/[0-9a-f]{32}\.png)"/.exec(html);
      expect(img).not.toBeNull();
      const served = await fetch(`${server.url}${img![1]!}`);
      expect(served.status).toBe(200);
      expect(served.headers.get("content-type")).toBe("image/png");
      // The footer's unsubscribe link is the recipient's own.
      expect(html).toMatch(/href="http:\/\/127\.0\.0\.1:\d+\/u\/[^"]+"/);
      expect(pageErrors).toEqual([]);
    },
    STEP,
  );
});
