// Step 4's "Import file" source in real Chromium: pick a CSV, check it (the dry run names the invalid row), confirm
// consent, add it, and see the file as a source and its people in the list; then the export menu's CSV link.
import { dirname, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import type { Browser, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ensureWebBuild } from "../../scripts/ensure-web-build.ts";
import { chromiumAvailable, launchChromium, screenshot } from "../helpers/chromium.ts";
import { holdUploadShowingProgress } from "../helpers/import-progress.ts";
import { partAvailable } from "../helpers/requirements.ts";
import { type ApiClient, signIn, startTestServer, type TestServer } from "../helpers/server.ts";

const runs = partAvailable(
  "Chromium",
  chromiumAvailable(),
  "/usr/bin/chromium is not installed (apt install chromium)",
);
const FIXTURE = resolve(
  dirname(fileURLToPath(import.meta.url)),
  "..",
  "fixtures",
  "imports",
  "recipients-nb.csv",
);

describe.skipIf(!runs)("web UI: recipients from a file", () => {
  let server: TestServer;
  let api: ApiClient;
  let browser: Browser;
  let page: Page;
  let mailingId: number;
  const pageErrors: string[] = [];

  beforeAll(async () => {
    ensureWebBuild(() => {});
    server = await startTestServer({ demoData: true });
    api = await signIn(server.url, server.adminEmail, server.adminPassword);
    // The demo's draft mailing has Setup and Content done, so its Recipients step is open.
    const drafts = (await api.get("/api/mailings?status=draft")).body as { items: Array<{ id: number }> };
    mailingId = drafts.items[0]!.id;
    browser = await launchChromium();
    page = await browser.newPage({ viewport: { width: 1360, height: 900 }, locale: "nb-NO" });
    page.setDefaultTimeout(15_000);
    page.on("pageerror", (error) => pageErrors.push(error.message));
  }, 180_000);

  afterAll(async () => {
    await browser?.close();
    await server?.close();
  });

  const eligible = async () =>
    ((await api.get(`/api/mailings/${mailingId}`)).body as { recipients: { eligible: number } }).recipients
      .eligible;

  it("checks a file, then adds it as a source with the consent confirmed", async () => {
    await page.goto(`${server.url}/mailings/${mailingId}?step=recipients`);
    await page.waitForURL("**/sign-in**");
    await page.getByLabel("E-post").fill(server.adminEmail);
    await page.getByLabel(/^Passord/).fill(server.adminPassword);
    await page.getByRole("button", { name: "Logg inn" }).click();
    await page.waitForURL(/step=recipients/);
    await page.getByTestId("sources-table").waitFor();
    const before = await eligible();

    await page.getByRole("button", { name: "Legg til kilde" }).click();
    await page.getByRole("menuitem", { name: "Importer fil …" }).click();
    const dialog = page.getByRole("dialog");
    await dialog.locator('input[type="file"]').setInputFiles(FIXTURE);
    // The upload is held until the dialog has shown the progress it was given, as on the person import page: what
    // the dialog asks for and shows is checked here; how the server counts is mailing-imports.test.ts.
    const upload = await holdUploadShowingProgress(page, "**/api/mailings/*/imports?*", {
      phase: "checking",
      rows: 3,
      totalRows: null,
      bytes: 100,
      totalBytes: 400,
    });
    try {
      await dialog.getByRole("button", { name: "Kontroller fil" }).click();
      await expect
        .poll(async () => (await dialog.getByTestId("import-progress-counts").textContent()) ?? "")
        .toBe("3 rader sjekket · 25 % av filen lest");
      expect(await dialog.getByRole("progressbar").getAttribute("aria-valuenow")).toBe("25");
      const progressId = upload.progressId();
      expect(progressId).toMatch(/^[0-9a-f]{32}$/);
      await screenshot(page, "recipient-import-00-progress");
      upload.release();
      await dialog.getByTestId("recipient-import-report").waitFor();
      // The server took the id (an unknown query parameter would be refused) and forgot it once the import ended.
      expect((await api.get(`/api/imports/progress/${progressId}`)).status).toBe(404);
    } finally {
      await upload.stop();
    }
    const issue = await dialog
      .getByTestId("import-issues")
      .locator("tbody tr")
      .first()
      .locator("td")
      .allTextContents();
    // The row's problem in the page's language, from its kind.
    expect(issue).toEqual(["4", "E-post", "ikke-en-adresse", "er ikke en gyldig e-postadresse"]);
    expect(await dialog.getByTestId("import-count-import-only").textContent()).toContain("5");
    const add = dialog.getByRole("button", { name: "Legg til 5 mottakere" });
    expect(await add.isDisabled()).toBe(true);
    await dialog.getByLabel("Disse personene har samtykket til markedsføring").check();
    await screenshot(page, "recipient-import-01-checked");
    await add.click();
    await dialog.waitFor({ state: "hidden" });

    await expect
      .poll(async () => (await page.getByTestId("sources-table").textContent()) ?? "")
      .toContain("recipients-nb.csv (5 rader)");
    // None of the file's addresses is in the demo CRM: five import-only recipients on top of the list.
    expect(await eligible()).toBe(before + 5);
    await expect
      .poll(async () => ((await page.getByTestId("count-eligible").textContent()) ?? "").replace(/\D/g, ""))
      .toBe(String(before + 5));

    await page.getByTestId("recipients-export").click();
    const href = await page.getByRole("menuitem", { name: "Eksporter CSV" }).getAttribute("href");
    expect(href).toBe(`/api/mailings/${mailingId}/recipients/export?format=csv`);
    await screenshot(page, "recipient-import-02-added");
    expect(pageErrors).toEqual([]);
  }, 120_000);
});
