// The criteria editor's form-behaviour criterion in real Chromium: pick the status, the form (or any) and a period,
// see the live count, save it, and get the same criteria back from the API.
import type { Browser, Page } from "playwright-core";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { ensureWebBuild } from "../../scripts/ensure-web-build.ts";
import { aForm } from "../../src/forms/test-builders.ts";
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

describe.skipIf(!runs)("criteria on form behaviour in the web UI", () => {
  let server: TestServer;
  let api: ApiClient;
  let browser: Browser;
  let page: Page;
  let formId: number;
  let formName: string;
  const pageErrors: string[] = [];

  beforeAll(async () => {
    ensureWebBuild(() => {});
    server = await startTestServer();
    api = await signIn(server.url, server.adminEmail, server.adminPassword);
    const db = server.server.handle.db;
    const [kari, ola] = [await aPerson(db, { firstName: "Kari" }), await aPerson(db, { firstName: "Ola" })];
    await aPerson(db, { firstName: "Per" });
    const other = await aForm(db);
    const form = await aForm(db, { doubleOptIn: true });
    formId = form.id;
    formName = form.name;
    const row = (form: number, personId: number, daysAgo: number) => {
      const at = new Date(Date.now() - daysAgo * 86_400_000).toISOString();
      return {
        form_id: form,
        version: 1,
        answers: "{}",
        email_lower: null,
        ip: null,
        user_agent: null,
        submitted_at: at,
        status: "processed" as const,
        reject_reason: null,
        person_id: personId,
        company_id: null,
        prefill_person_id: null,
        confirm_sent_at: at,
        confirm_expires_at: null,
        confirmed_at: at,
        processed_at: at,
        processed_by: null,
      };
    };
    // Kari answered the double opt-in form 2 days ago, Ola 90 days ago; Ola also answered the other form.
    await db
      .insertInto("form_submissions")
      .values([row(formId, kari.id, 2), row(formId, ola.id, 90), row(other.id, ola.id, 1)])
      .execute();
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
    "builds 'confirmed form X in the last 30 days' with the form picker, previews it and saves it",
    async () => {
      await page.goto(`${server.url}/sign-in`);
      await page.getByLabel("E-post").fill(server.adminEmail);
      await page.getByLabel(/^Passord/).fill(server.adminPassword);
      await page.getByRole("button", { name: "Logg inn" }).click();
      await page.getByRole("link", { name: "Utvalg" }).click();
      await page.waitForURL("**/selections");
      await page.getByRole("button", { name: "Nytt utvalg" }).click();
      await page.getByLabel("Navn").fill("Bekreftet skjema");
      await page.getByRole("radio", { name: "Dynamisk" }).check();
      await page.getByRole("button", { name: "Opprett utvalg" }).click();
      await page.waitForURL(/\/selections\/\d+\?tab=criteria$/);

      await page.getByRole("button", { name: "+ Legg til kriterium" }).click();
      await pick(page, "Kriterietype 1", "Atferd i skjema");
      // Any form at any time: Kari and Ola.
      await expect
        .poll(() => page.getByRole("combobox", { name: "Skjema 1", exact: true }).inputValue())
        .toBe("Hvilket som helst skjema");
      await textOf(page.getByTestId("preview-count"), (t) => t === "2 personer passer");
      await pick(page, "Hva personen gjorde med skjemaet 1", "har bekreftet (dobbel opt-in)");
      await pick(page, "Skjema 1", formName);
      await textOf(page.getByTestId("preview-count"), (t) => t === "2 personer passer");
      await pick(page, "Periode 1", "de siste dagene");
      await expect.poll(() => page.getByLabel("Antall dager 1", { exact: true }).inputValue()).toBe("30");
      await textOf(page.getByTestId("preview-count"), (t) => t === "1 person passer");
      await screenshot(page, "criteria-form-behaviour");

      await page.getByRole("button", { name: "Lagre kriteriene" }).click();
      await page.getByText("Kriteriene er lagret.").waitFor();
      const id = Number(new URL(page.url()).pathname.split("/").pop());
      const saved = (await api.get(`/api/selections/${id}`)).body as { criteria: unknown };
      expect(saved.criteria).toEqual({
        match: "all",
        criteria: [{ type: "form", status: "confirmed", formId, lastDays: 30 }],
      });
      expect(pageErrors).toEqual([]);
    },
    STEP,
  );
});
