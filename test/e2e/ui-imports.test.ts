// The person import and export in real Chromium against a server with demo data: upload a CSV with broken rows, read
// the dry-run report (row numbers and columns as the spreadsheet shows them), import skipping the invalid rows, see
// the persons list grow by the number created, download a CSV export, and see rows counted while a file is checked.
import { readFileSync } from "node:fs";
import { dirname, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import type { Browser, Page } from "playwright-core";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { ensureWebBuild } from "../../scripts/ensure-web-build.ts";
import { chromiumAvailable, launchChromium, screenshot, textOf } from "../helpers/chromium.ts";
import { holdUploadShowingProgress } from "../helpers/import-progress.ts";
import { partAvailable } from "../helpers/requirements.ts";
import { type ApiClient, signIn, startTestServer, type TestServer } from "../helpers/server.ts";

const runs = partAvailable(
  "Chromium",
  chromiumAvailable(),
  "/usr/bin/chromium is not installed (apt install chromium)",
);
const STEP = 60_000;
const FIXTURE = resolve(
  dirname(fileURLToPath(import.meta.url)),
  "..",
  "fixtures",
  "imports",
  "persons-broken-rows.csv",
);

/** The number in a count card of the import report. */
async function count(page: Page, key: string): Promise<number> {
  const text = await textOf(page.getByTestId(`count-${key}`).locator("p").nth(1));
  return Number(text.replace(/\D/g, ""));
}

async function personsTotal(api: ApiClient): Promise<number> {
  return ((await api.get("/api/persons?limit=1")).body as { total: number }).total;
}

describe.skipIf(!runs)("web UI: import and export persons", () => {
  let server: TestServer;
  let api: ApiClient;
  let browser: Browser;
  let page: Page;
  const pageErrors: string[] = [];

  beforeAll(async () => {
    ensureWebBuild(() => {});
    server = await startTestServer({ demoData: true });
    api = await signIn(server.url, server.adminEmail, server.adminPassword);
    browser = await launchChromium();
    page = await browser.newPage({
      viewport: { width: 1360, height: 900 },
      locale: "nb-NO",
      acceptDownloads: true,
    });
    page.setDefaultTimeout(15_000);
    page.on("pageerror", (error) => pageErrors.push(error.message));
  }, 180_000);

  beforeEach((context) => {
    context.onTestFailed(async () => {
      await screenshot(page, `imports-failed-${context.task.name.slice(0, 40).replace(/\W+/g, "-")}`);
    });
  });

  afterAll(async () => {
    await browser?.close();
    await server?.close();
  });

  let totalBefore = 0;

  it(
    "signs in and dry-runs a CSV with broken rows: the report names the row and column of each problem",
    async () => {
      totalBefore = await personsTotal(api);
      await page.goto(`${server.url}/persons`);
      await page.waitForURL("**/sign-in");
      await page.getByLabel("E-post").fill(server.adminEmail);
      await page.getByLabel(/^Passord/).fill(server.adminPassword);
      await page.getByRole("button", { name: "Logg inn" }).click();
      await page.waitForURL("**/persons");
      await textOf(page.getByTestId("pager-summary"), (t) =>
        t.replace(/\s/g, "").endsWith(`av${totalBefore}`),
      );

      await page.getByRole("link", { name: "Importer", exact: true }).click();
      await page.waitForURL("**/persons/import");
      await page.locator('input[type="file"]').setInputFiles(FIXTURE);
      await page.getByRole("combobox", { name: /Rettslig grunnlag/ }).click();
      await page.getByRole("option", { name: "Samtykke" }).click();
      await page.getByRole("textbox", { name: /^Kilde/ }).fill("Påmeldingsliste, messe 2024");
      await screenshot(page, "imports-01-form");

      await page.getByRole("button", { name: "Sjekk filen (prøvekjøring)" }).click();
      await page.getByTestId("import-report").waitFor();
      expect(await count(page, "rows")).toBe(9);
      expect(await count(page, "invalid")).toBe(6);
      expect(await count(page, "created")).toBe(2);
      expect(await count(page, "duplicatesInFile")).toBe(1);
      const first = page.getByTestId("import-issues").locator("tbody tr").first();
      const cells = await first.locator("td").allTextContents();
      expect(cells).toEqual(["3", "Email", "not-an-email", "er ikke en gyldig e-postadresse"]);
      await expect.poll(() => page.getByTestId("import-issues").locator("tbody tr").count()).toBe(6);
      // The server's header guesses fill the mapping.
      await expect
        .poll(() => page.getByRole("combobox", { name: "Felt for kolonnen Email" }).inputValue())
        .toBe("E-post");
      // The dry run wrote nothing.
      expect(await personsTotal(api)).toBe(totalBefore);
      await screenshot(page, "imports-02-dry-run-report");
    },
    STEP,
  );

  it(
    "changes a column's field, saves the mapping by name, and checks the file again with it",
    async () => {
      await page.getByRole("combobox", { name: "Felt for kolonnen City" }).click();
      await page.getByRole("option", { name: "(ikke importer)" }).click();
      // The report no longer fits the settings: import waits for a new dry run.
      await textOf(page.getByTestId("import-report"), (t) => t.includes("Sjekk filen på nytt"));
      expect(await page.getByRole("button", { name: "Importer", exact: true }).isDisabled()).toBe(true);

      await page.getByLabel("Navn på kolonneoppsettet").fill("Messeliste");
      await page.getByRole("button", { name: "Lagre kolonneoppsettet" }).click();
      await page.getByText("Kolonneoppsettet «Messeliste» er lagret.").waitFor();
      const saved = (await api.get("/api/import-mappings")).body as {
        items: { name: string; columns: Record<string, string> }[];
      };
      expect(saved.items.find((m) => m.name === "Messeliste")?.columns).toMatchObject({
        Email: "email",
        Mobile: "mobile",
        City: "ignore",
      });

      await page.getByRole("button", { name: "Sjekk på nytt" }).click();
      // Without the city, row 9 is valid: five invalid rows, three persons to create.
      await expect.poll(() => count(page, "invalid")).toBe(5);
      expect(await count(page, "created")).toBe(3);
      await expect.poll(() => page.getByTestId("import-issues").locator("tbody tr").count()).toBe(5);
      expect(await page.getByRole("button", { name: "Importer", exact: true }).isDisabled()).toBe(false);
      await screenshot(page, "imports-03-mapping-changed");
    },
    STEP,
  );

  it(
    "imports the file skipping the invalid rows, and the persons list grows by the number created",
    async () => {
      await page.getByRole("button", { name: "Importer", exact: true }).click();
      await page.getByTestId("import-result").waitFor();
      const created = await count(page, "created");
      expect(created).toBe(3);
      expect(await count(page, "invalid")).toBe(5);
      await textOf(page.getByTestId("import-result"), (t) =>
        t.includes("3 opprettet, 0 oppdatert, 5 ugyldige rader hoppet over"),
      );
      await screenshot(page, "imports-04-result");

      await page.getByRole("link", { name: "Til personene" }).click();
      await page.waitForURL("**/persons");
      const expected = totalBefore + created;
      await textOf(page.getByTestId("pager-summary"), (t) => t.replace(/\s/g, "").endsWith(`av${expected}`));
      expect(await personsTotal(api)).toBe(expected);
      const found = await api.get("/api/persons?q=ok.one%40example.no");
      expect((found.body as { total: number }).total).toBe(1);
      await screenshot(page, "imports-05-persons-grown");
    },
    STEP,
  );

  it(
    "downloads a CSV export that starts with the header line",
    async () => {
      const [download] = await Promise.all([
        page.waitForEvent("download"),
        page.getByRole("link", { name: "Eksporter CSV" }).click(),
      ]);
      expect(download.suggestedFilename()).toMatch(/^persons-\d{4}-\d{2}-\d{2}\.csv$/);
      const path = await download.path();
      const text = readFileSync(path, "utf8").replace(/^\uFEFF/, "");
      const [header, ...rows] = text.split(/\r?\n/).filter((line) => line !== "");
      expect(header).toMatch(/^ID,E-mail/);
      expect(rows.length).toBe(totalBefore + 3);
      expect(text).toContain("ok.one@example.no");

      // A selection's members tab exports that selection.
      const selection = ((await api.get("/api/selections?limit=1")).body as { items: { id: number }[] })
        .items[0]!;
      await page.goto(`${server.url}/selections/${selection.id}`);
      const [members] = await Promise.all([
        page.waitForEvent("download"),
        page.getByRole("link", { name: "Eksporter CSV" }).click(),
      ]);
      expect(members.suggestedFilename()).toMatch(new RegExp(`^selection-${selection.id}-persons-.*\\.csv$`));
      const membersText = readFileSync(await members.path(), "utf8").replace(/^\uFEFF/, "");
      expect(membersText.startsWith("ID,E-mail")).toBe(true);
      await page.getByRole("link", { name: "Eksporter Excel" }).waitFor();
      await screenshot(page, "imports-06-selection-export");
      expect(pageErrors).toEqual([]);
    },
    STEP,
  );

  it(
    "shows how many rows are done while the file is checked, and the server follows the import by the page's id",
    async () => {
      // The upload is held until the page has shown the progress it was given: what the page asks for and shows is
      // checked here; how the server counts is import-persons.test.ts and running.test.ts.
      const upload = await holdUploadShowingProgress(page, "**/api/imports/persons?*", {
        phase: "checking",
        rows: 1200,
        totalRows: null,
        bytes: 300,
        totalBytes: 1200,
      });
      try {
        await page.goto(`${server.url}/persons/import`);
        await page.locator('input[type="file"]').setInputFiles(FIXTURE);
        await page.getByRole("combobox", { name: /Rettslig grunnlag/ }).click();
        await page.getByRole("option", { name: "Samtykke" }).click();
        await page.getByRole("textbox", { name: /^Kilde/ }).fill("Påmeldingsliste, messe 2024");
        await page.getByRole("button", { name: "Sjekk filen (prøvekjøring)" }).click();
        await textOf(page.getByTestId("import-progress-counts"), (t) =>
          t.includes("1\u00a0200 rader sjekket · 25 % av filen lest"),
        );
        expect(await page.getByRole("progressbar").getAttribute("aria-valuenow")).toBe("25");
        await screenshot(page, "imports-06b-progress");
        const progressId = upload.progressId();
        expect(progressId).toMatch(/^[0-9a-f]{32}$/);
        upload.release();
        // The server took the id (an unknown query parameter would be refused) and forgets it once the import ends.
        await page.getByTestId("import-report").waitFor();
        expect(await count(page, "rows")).toBe(9);
        expect((await api.get(`/api/imports/progress/${progressId}`)).status).toBe(404);
      } finally {
        await upload.stop();
      }
    },
    STEP,
  );

  it(
    "hides import and export from a viewer",
    async () => {
      const email = "viewer-imports@example.no";
      const password = "a-long-password-1";
      const created = await api.send("POST", "/api/users", {
        email,
        name: "A viewer",
        role: "viewer",
        password,
      });
      expect(created.status).toBe(201);
      const context = await browser.newContext({ viewport: { width: 1360, height: 900 }, locale: "nb-NO" });
      try {
        const viewer = await context.newPage();
        await viewer.goto(`${server.url}/sign-in`);
        await viewer.getByLabel("E-post").fill(email);
        await viewer.getByLabel(/^Passord/).fill(password);
        await viewer.getByRole("button", { name: "Logg inn" }).click();
        await viewer.waitForURL("**/persons");
        await viewer.getByTestId("pager-summary").waitFor();
        expect(await viewer.getByRole("link", { name: "Eksporter CSV" }).count()).toBe(0);
        expect(await viewer.getByRole("link", { name: "Importer", exact: true }).count()).toBe(0);
        await screenshot(viewer, "imports-07-viewer");
      } finally {
        await context.close();
      }
    },
    STEP,
  );
});
