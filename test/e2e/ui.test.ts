// The web UI in real Chromium against a real server with demo data: sign in, persons, a person form with an
// API field error, a dynamic selection built in the criteria editor, the language switch, sign out.
import type { Browser, Page } from "playwright-core";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { ensureWebBuild } from "../../scripts/ensure-web-build.ts";
import { chromiumAvailable, launchChromium, pick, screenshot, textOf } from "../helpers/chromium.ts";
import { partAvailable } from "../helpers/requirements.ts";
import { type ApiClient, signIn, startTestServer, type TestServer } from "../helpers/server.ts";

const runs = partAvailable(
  "Chromium",
  chromiumAvailable(),
  "/usr/bin/chromium is not installed (apt install chromium)",
);
const STEP = 60_000;

describe.skipIf(!runs)("web UI", () => {
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
    page = await browser.newPage({ viewport: { width: 1360, height: 900 }, locale: "nb-NO" });
    page.setDefaultTimeout(15_000);
    page.on("pageerror", (error) => pageErrors.push(error.message));
  }, 180_000);

  beforeEach((context) => {
    context.onTestFailed(async () => {
      await screenshot(page, `failed-${context.task.name.slice(0, 40).replace(/\W+/g, "-")}`);
    });
  });

  afterAll(async () => {
    await browser?.close();
    await server?.close();
  });

  it(
    "refuses a wrong password, then signs the admin in to the persons list with demo data",
    async () => {
      await page.goto(`${server.url}/persons`);
      await page.waitForURL("**/sign-in");
      // The tab shows utsend's icon, served with the UI to anyone (it holds nothing).
      const icon = await page.locator('link[rel="icon"]').getAttribute("href");
      const served = await fetch(new URL(icon!, server.url));
      expect(served.status).toBe(200);
      expect(served.headers.get("content-type")).toMatch(/^image\/svg\+xml/);
      await page.getByLabel("E-post").fill(server.adminEmail);
      await page.getByLabel(/^Passord/).fill("not-the-password");
      await page.getByRole("button", { name: "Logg inn" }).click();
      await textOf(page.getByRole("alert"), (t) => t.includes("Feil e-post eller passord"));
      await screenshot(page, "01-sign-in-failed");

      await page.getByLabel(/^Passord/).fill(server.adminPassword);
      await page.getByRole("button", { name: "Logg inn" }).click();
      await page.waitForURL("**/persons");
      const rows = page.getByTestId("persons-table").locator("tbody tr");
      await expect.poll(() => rows.count()).toBe(50);
      const total = ((await api.get("/api/persons?limit=1")).body as { total: number }).total;
      expect(total).toBeGreaterThan(50);
      await textOf(page.getByTestId("pager-summary"), (t) => t.replace(/\s/g, "") === `1–50av${total}`);
      await textOf(page.getByTestId("current-user"), (t) => t.includes("Administrator"));
      await screenshot(page, "02-persons");
    },
    STEP,
  );

  it(
    "shows the API's error under an invalid e-mail, then creates the person with a company",
    async () => {
      await page.getByRole("link", { name: "Ny person" }).click();
      await page.waitForURL("**/persons/new");
      await page.getByLabel("Fornavn").fill("Testa");
      await page.getByLabel("Etternavn").fill("Testesen");
      const email = page.getByLabel("E-post", { exact: true });
      await email.fill("ikke-en-adresse");
      await page.getByRole("button", { name: "Lagre" }).click();
      await expect.poll(() => email.getAttribute("aria-invalid")).toBe("true");
      const errorId = (await email.getAttribute("aria-describedby"))
        ?.split(" ")
        .find((id) => id.endsWith("error"));
      expect(errorId).toBeTruthy();
      // The server's problem (kind format, email) in the page's language, not its English sentence.
      await textOf(page.locator(`[id="${errorId}"]`), (t) => t.includes("må være en e-postadresse"));
      expect(page.url()).toMatch(/\/persons\/new$/);
      await screenshot(page, "03-person-field-error");

      await email.fill("testa.testesen@example.no");
      await page.getByRole("combobox", { name: "Firma" }).fill("Fjordlys");
      await page
        .getByRole("option", { name: /Fjordlys AS/ })
        .first()
        .click();
      await page.getByRole("button", { name: "Lagre" }).click();
      await page.waitForURL(/\/persons\/\d+$/);
      await textOf(page.getByRole("heading", { level: 1 }), (t) => t === "Testa Testesen");
      const details = await textOf(page.getByTestId("person-details"), (t) =>
        t.includes("testa.testesen@example.no"),
      );
      expect(details).toContain("testa.testesen@example.no");
      await textOf(page.locator("main"), (t) => t.includes("Fjordlys AS"));
      await screenshot(page, "04-person-created");

      const found = await api.get("/api/persons?q=Testesen");
      expect((found.body as { items: { email: string; companyName: string }[] }).items).toEqual([
        expect.objectContaining({ email: "testa.testesen@example.no", companyName: "Fjordlys AS" }),
      ]);
    },
    STEP,
  );

  it(
    "builds a dynamic selection in the criteria editor, previews and saves it, and lists its members",
    async () => {
      const criteria = {
        match: "all",
        criteria: [{ type: "field", field: "company.city", op: "eq", value: "Oslo" }],
      };
      const expected = (
        (await api.send("POST", "/api/selections/preview?limit=1", { criteria })).body as {
          total: number;
        }
      ).total;
      expect(expected).toBeGreaterThan(0);

      await page.getByRole("link", { name: "Utvalg" }).click();
      await page.waitForURL("**/selections");
      await page.getByRole("button", { name: "Nytt utvalg" }).click();
      await page.getByLabel("Navn").fill("Firmaer i Oslo");
      await page.getByRole("radio", { name: "Dynamisk" }).check();
      await page.getByRole("button", { name: "Opprett utvalg" }).click();
      await page.waitForURL(/\/selections\/\d+\?tab=criteria$/);

      await page.getByRole("button", { name: "+ Legg til kriterium" }).click();
      await pick(page, "Felt 1", "Poststed");
      await pick(page, "Betingelse 1", "er lik");
      await page.getByLabel("Verdi 1").fill("Oslo");
      await textOf(page.getByTestId("preview-count"), (t) => t === `${expected} personer passer`);
      await screenshot(page, "05-criteria-editor");

      await page.getByRole("button", { name: "Lagre kriteriene" }).click();
      await page.getByText("Kriteriene er lagret.").waitFor();
      const id = Number(new URL(page.url()).pathname.split("/").pop());
      const saved = (await api.get(`/api/selections/${id}`)).body as { kind: string; criteria: unknown };
      expect(saved).toMatchObject({ kind: "dynamic", criteria });

      await page.getByRole("tab", { name: "Medlemmer" }).click();
      const rows = page.getByTestId("members-table").locator("tbody tr");
      await expect.poll(() => rows.count()).toBe(Math.min(expected, 50));
      await textOf(page.getByTestId("pager-summary"), (t) => t.replace(/\s/g, "").endsWith(`av${expected}`));
      await screenshot(page, "06-selection-members");
    },
    STEP,
  );

  it(
    "switches the interface to English and keeps the choice after a reload",
    async () => {
      await page.getByText("English", { exact: true }).click();
      await page.getByRole("tab", { name: "Members" }).waitFor();
      const nav = await textOf(page.getByRole("navigation"), (t) => t.includes("Selections"));
      expect(nav).toContain("Persons");
      expect(nav).toContain("Companies");
      expect(nav).not.toContain("Personer");
      await page.reload();
      await page.getByRole("tab", { name: "Criteria" }).waitFor();
      await textOf(page.getByRole("button", { name: "Sign out" }), (t) => t === "Sign out");
      await screenshot(page, "07-english");
    },
    STEP,
  );

  it(
    "signs out and guards the pages again",
    async () => {
      await page.getByRole("button", { name: "Sign out" }).click();
      await page.waitForURL("**/sign-in");
      await page.getByRole("heading", { name: "Sign in" }).waitFor();
      await page.goto(`${server.url}/persons`);
      await page.waitForURL("**/sign-in");
      await screenshot(page, "08-signed-out");
      expect(pageErrors).toEqual([]);
    },
    STEP,
  );
});
