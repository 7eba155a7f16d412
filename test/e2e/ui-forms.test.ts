// The forms UI in real Chromium against the real server: create a form, build it (an e-mail field mapped to the CRM,
// first name, a consent check-box, a choice field with options), reorder by keyboard with focus kept on the moved
// field, see the live preview follow, save, publish, open the hosted page from Share; the submissions list's empty
// state and the statistics page with the view the hosted page counted; proof of work turned on in Settings, and its
// refusal named on the statistics page.
// Needs the forms API (core branch of issue 16): it passes once that is merged.
import type { Browser, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ensureWebBuild } from "../../scripts/ensure-web-build.ts";
import { axeViolations } from "../helpers/axe.ts";
import { chromiumAvailable, launchChromium, pick, signedInPage, textOf } from "../helpers/chromium.ts";
import { agedStamp, postPage } from "../helpers/forms.ts";
import { partAvailable } from "../helpers/requirements.ts";
import { type ApiClient, ok, signIn, startTestServer, type TestServer } from "../helpers/server.ts";

const runs = partAvailable(
  "Chromium",
  chromiumAvailable(),
  "/usr/bin/chromium is not installed (apt install chromium)",
);

type FormBody = {
  id: number;
  status: string;
  publishedVersion: number;
  hostedUrl: string;
  definition: { fields: Array<{ key: string; kind: string; options?: Array<{ nb: string; en: string }> }> };
};

describe.skipIf(!runs)("web UI: building, publishing and following up a form", () => {
  let server: TestServer;
  let api: ApiClient;
  let browser: Browser;
  let page: Page;
  let purpose = { key: "", name: "" };
  let formId = 0;
  const pageErrors: string[] = [];

  beforeAll(async () => {
    ensureWebBuild(() => {});
    server = await startTestServer();
    api = await signIn(server.url, server.adminEmail, server.adminPassword);
    const purposes = await ok<{ items: Array<{ key: string; name: string }> }>(
      api.get("/api/consent-purposes"),
    );
    purpose = purposes.items[0]!;
    browser = await launchChromium();
    page = await signedInPage(browser, {
      url: server.url,
      email: server.adminEmail,
      password: server.adminPassword,
      language: "nb",
    });
    page.on("pageerror", (error) => pageErrors.push(error.message));
  }, 180_000);

  afterAll(async () => {
    await browser?.close();
    await server?.close();
  });

  const fieldKeys = () =>
    page.getByTestId("form-field").evaluateAll((cards) => cards.map((c) => c.getAttribute("data-key")));
  const previewText = () =>
    page
      .frameLocator('[data-testid="form-preview"]')
      .locator("body")
      .textContent({ timeout: 5_000 })
      .catch(() => "");

  async function addField(option: string) {
    await pick(page, "Legg til felt", option);
    await page.getByRole("button", { name: "Legg til", exact: true }).click();
  }

  it("creates a form from the menu's Forms page", async () => {
    await page.getByRole("navigation").getByRole("link", { name: "Skjemaer" }).click();
    await page.waitForURL(/\/forms$/);
    await expect.poll(() => page.title()).toBe("Skjemaer – utsend");
    await expect.poll(() => page.getByTestId("empty-state").textContent()).toContain("Ingen skjemaer ennå");
    await page.getByRole("button", { name: "Nytt skjema" }).click();
    const dialog = page.getByRole("dialog");
    await dialog.getByLabel("Navn").fill("Påmelding vårkurs");
    await dialog.getByRole("button", { name: "Opprett skjema" }).click();
    await page.waitForURL(/\/forms\/\d+$/);
    formId = Number(new URL(page.url()).pathname.split("/").pop());
    const created = await ok<FormBody>(api.get(`/api/forms/${formId}`));
    expect(created.status).toBe("draft");
  });

  it("adds mapped, consent and choice fields, and the live preview follows", async () => {
    await addField("E-post");
    await addField("Fornavn");
    await addField(`Samtykke: ${purpose.name}`);
    await addField("Valg (ett)");
    await expect
      .poll(fieldKeys)
      .toEqual(["email", "first_name", expect.stringMatching(/^consent_/), "choice"]);
    // The choice field's editor is open (the newest field): its label, and two options in both languages.
    const editor = page.getByTestId("field-editor");
    await editor.getByLabel("Ledetekst (Norsk bokmål)").fill("Kursstørrelse");
    await editor.getByLabel("Ledetekst (Engelsk)").fill("Course size");
    for (const [n, nb, en] of [
      [1, "Liten gruppe", "Small group"],
      [2, "Stor gruppe", "Large group"],
    ] as const) {
      await editor.getByRole("button", { name: "Legg til alternativ" }).click();
      await editor.getByLabel(`Alternativ ${n} (Norsk bokmål)`).fill(nb);
      await editor.getByLabel(`Alternativ ${n} (Engelsk)`).fill(en);
    }
    // The key followed the English label.
    await expect.poll(fieldKeys).toEqual(["email", "first_name", expect.any(String), "course_size"]);
    expect(await page.getByTestId("field-problem").count()).toBe(0);
    await expect.poll(previewText).toContain("Kursstørrelse");
    await expect.poll(previewText).toContain("Stor gruppe");
  });

  it("moves a field by keyboard, keeps focus on it, and the preview shows the new order", async () => {
    const up = page.getByRole("button", { name: "Flytt «Fornavn» opp" });
    await up.focus();
    await page.keyboard.press("Enter");
    await expect.poll(fieldKeys).toEqual(["first_name", "email", expect.any(String), "course_size"]);
    // At the top the Up button is disabled: focus went to the same field's Down button, not to the page.
    await expect
      .poll(() => page.evaluate(() => document.activeElement?.getAttribute("aria-label")))
      .toBe("Flytt «Fornavn» ned");
    await expect.poll(() => page.getByRole("status").filter({ hasText: "plass 1 av 4" }).count()).toBe(1);
    await expect
      .poll(async () => {
        const text = (await previewText()) ?? "";
        return text.indexOf("Fornavn") >= 0 && text.indexOf("Fornavn") < text.indexOf("E-post");
      })
      .toBe(true);
  });

  it("saves and publishes; the saved definition is what was built", async () => {
    await page.getByTestId("save-form").click();
    await page.getByTestId("unsaved").waitFor({ state: "hidden" });
    const saved = await ok<FormBody>(api.get(`/api/forms/${formId}`));
    expect(saved.definition.fields.map((f) => f.key)).toEqual([
      "first_name",
      "email",
      saved.definition.fields[2]!.key,
      "course_size",
    ]);
    expect(saved.definition.fields[2]!.kind).toBe("consent");
    expect(saved.definition.fields[3]!.options).toEqual([
      { nb: "Liten gruppe", en: "Small group" },
      { nb: "Stor gruppe", en: "Large group" },
    ]);

    await page.getByRole("tab", { name: "Publisering" }).click();
    await page.getByRole("button", { name: "Publiser", exact: true }).click();
    await expect.poll(() => page.getByTestId("form-status").first().textContent()).toBe("Publisert");
    const published = await ok<FormBody>(api.get(`/api/forms/${formId}`));
    expect(published).toMatchObject({ status: "published", publishedVersion: 1 });
    await expect.poll(() => page.getByTestId("publish-details").textContent()).toContain("Aktivt");
  });

  it("shares the hosted page's address and snippets, and the link opens the form", async () => {
    await page.getByRole("tab", { name: "Del" }).click();
    const form = await ok<FormBody>(api.get(`/api/forms/${formId}`));
    const link = page.getByTestId("hosted-link");
    expect(await link.getAttribute("href")).toBe(form.hostedUrl);
    await expect.poll(() => page.getByTestId("embed-iframe").textContent()).toContain("<iframe");
    expect(await page.getByTestId("embed-script").textContent()).toContain("<script");
    const [hosted] = await Promise.all([page.context().waitForEvent("page"), link.click()]);
    await hosted.waitForLoadState();
    expect(await hosted.locator("body").textContent()).toContain("Kursstørrelse");
    expect(await hosted.getByLabel("Fornavn").count()).toBe(1);
    await hosted.close();
  });

  it("shows the submissions list's empty state and the statistics with the counted view", async () => {
    await page.goto(`${server.url}/forms/${formId}/submissions`);
    await expect.poll(() => page.getByTestId("empty-state").textContent()).toContain("Ingen svar ennå");
    await page.goto(`${server.url}/forms/${formId}/statistics`);
    expect(await textOf(page.getByTestId("figure-views"))).toBe("1");
    expect(await page.getByTestId("figure-submissions").textContent()).toBe("0");
    await expect.poll(() => page.getByTestId("chart-days").locator("svg").count()).toBeGreaterThan(0);
    expect(await page.getByTestId("no-refusals").count()).toBe(1);
    await page.goto(`${server.url}/forms`);
    await expect.poll(() => page.getByTestId("forms-table").textContent()).toContain("Påmelding vårkurs");
    expect(pageErrors).toEqual([]);
  });

  it("turns on proof of work in Settings, and the statistics name its refusal", async () => {
    await page.goto(`${server.url}/forms/${formId}?tab=settings`);
    const toggle = page.getByRole("switch", { name: "Krev arbeidsbevis" });
    await expect
      .poll(() => page.getByText("Besøkende trenger da JavaScript", { exact: false }).count())
      .toBe(1);
    expect(await axeViolations(page, "nb form settings tab")).toEqual([]);
    await toggle.check();
    await page.getByTestId("save-form").click();
    await page.getByTestId("unsaved").waitFor({ state: "hidden" });
    const form = await ok<FormBody & { proofOfWork: boolean }>(api.get(`/api/forms/${formId}`));
    expect(form.proofOfWork).toBe(true);
    const slug = new URL(form.hostedUrl).pathname.split("/").pop()!;
    const refused = await postPage(server.url, `/f/${slug}`, {
      email: "robot@example.no",
      _stamp: await agedStamp(server.url, slug),
    });
    expect(refused.status).toBe(422);
    await page.goto(`${server.url}/forms/${formId}/statistics`);
    await expect
      .poll(() => page.getByTestId("refusals").textContent())
      .toContain("Manglende eller ugyldig arbeidsbevis");
    expect(pageErrors).toEqual([]);
  });
});
