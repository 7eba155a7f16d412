// The criteria editor's mailing-behaviour criterion in real Chromium: pick what the person did and in which
// mailing, see the live count, save it, and get the same criteria back from the API.
import type { Browser, Page } from "playwright-core";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { ensureWebBuild } from "../../scripts/ensure-web-build.ts";
import { createMailing } from "../../src/mailings/store.ts";
import { aPerson } from "../helpers/builders.ts";
import { chromiumAvailable, launchChromium, pick, screenshot, textOf } from "../helpers/chromium.ts";
import { partAvailable } from "../helpers/requirements.ts";
import { type ApiClient, signIn, startTestServer, type TestServer } from "../helpers/server.ts";

const runs = partAvailable(
  "Chromium",
  chromiumAvailable(),
  "/usr/bin/chromium is not installed (apt install chromium)",
);
const STEP = 60_000;

describe.skipIf(!runs)("criteria on mailing behaviour in the web UI", () => {
  let server: TestServer;
  let api: ApiClient;
  let browser: Browser;
  let page: Page;
  let mailingId: number;
  const pageErrors: string[] = [];

  beforeAll(async () => {
    ensureWebBuild(() => {});
    server = await startTestServer();
    api = await signIn(server.url, server.adminEmail, server.adminPassword);
    const db = server.server.handle.db;
    for (const firstName of ["Kari", "Ola", "Per"]) await aPerson(db, { firstName });
    await createMailing(db, { name: "Høstkampanje" }, null);
    mailingId = (await createMailing(db, { name: "Vårnytt" }, null)).id;
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
    "builds 'did not open mailing Y' with the mailing picker, previews it and saves it",
    async () => {
      await page.goto(`${server.url}/sign-in`);
      await page.getByLabel("E-post").fill(server.adminEmail);
      await page.getByLabel(/^Passord/).fill(server.adminPassword);
      await page.getByRole("button", { name: "Logg inn" }).click();
      await page.getByRole("link", { name: "Utvalg" }).click();
      await page.waitForURL("**/selections");
      await page.getByRole("button", { name: "Nytt utvalg" }).click();
      await page.getByLabel("Navn").fill("Åpnet ikke vårnytt");
      await page.getByRole("radio", { name: "Dynamisk" }).check();
      await page.getByRole("button", { name: "Opprett utvalg" }).click();
      await page.waitForURL(/\/selections\/\d+\?tab=criteria$/);

      await page.getByRole("button", { name: "+ Legg til kriterium" }).click();
      await pick(page, "Kriterietype 1", "Atferd i utsendelse");
      await pick(page, "Hva personen gjorde 1", "har åpnet");
      // Nothing to count until a mailing is chosen.
      await page.getByText("Fyll ut kriteriene for å se hvem som passer.").waitFor();
      await pick(page, "Utsendelse 1", "Vårnytt");
      await textOf(page.getByTestId("preview-count"), (t) => t === "0 personer passer");
      await pick(page, "Hva personen gjorde 1", "har ikke åpnet");
      await textOf(page.getByTestId("preview-count"), (t) => t === "3 personer passer");

      // Clicks: without a list of the mailing's links, any link is the choice.
      await pick(page, "Hva personen gjorde 1", "har ikke klikket i");
      await expect
        .poll(() => page.getByRole("combobox", { name: "Kobling 1", exact: true }).inputValue())
        .toBe("Hvilken som helst kobling");
      await screenshot(page, "criteria-mailing-behaviour");

      await page.getByRole("button", { name: "Lagre kriteriene" }).click();
      await page.getByText("Kriteriene er lagret.").waitFor();
      const id = Number(new URL(page.url()).pathname.split("/").pop());
      const saved = (await api.get(`/api/selections/${id}`)).body as { criteria: unknown };
      expect(saved.criteria).toEqual({
        match: "all",
        criteria: [{ type: "mailing", op: "didNot", event: "clicked", mailingId }],
      });
      expect(pageErrors).toEqual([]);
    },
    STEP,
  );
});
