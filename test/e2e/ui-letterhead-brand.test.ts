// Settings → Letterhead's brand colour in real Chromium, in Norwegian and English: a colour not written #rrggbb is
// refused beside the field before anything is saved, a good one shows the form button's preview with the text colour
// the hosted page will use, saves, and the hosted page's button wears it. axe checks the panel.
import type { Browser } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ensureWebBuild } from "../../scripts/ensure-web-build.ts";
import { axeViolations } from "../helpers/axe.ts";
import { browserTestsRun, launchChromium, signedInPage } from "../helpers/chromium.ts";
import { publishedForm } from "../helpers/forms.ts";
import { type ApiClient, ok, signIn, startTestServer, type TestServer } from "../helpers/server.ts";

describe.runIf(browserTestsRun())("web UI: the letterhead's brand colour", () => {
  let server: TestServer;
  let api: ApiClient;
  let browser: Browser;
  const brandColor = async () =>
    (await ok<{ brandColor: string | null }>(api.get("/api/settings/letterhead"))).brandColor;

  beforeAll(async () => {
    ensureWebBuild(() => {});
    server = await startTestServer();
    api = await signIn(server.url, server.adminEmail, server.adminPassword);
    browser = await launchChromium();
  }, 180_000);
  afterAll(async () => {
    await browser?.close();
    await server?.close();
  });

  const open = async (language: "nb" | "en") => {
    const page = await signedInPage(browser, {
      url: server.url,
      email: server.adminEmail,
      password: server.adminPassword,
      language,
    });
    await page.goto(`${server.url}/settings?tab=letterhead`);
    return { page, panel: page.getByTestId("letterhead-settings") };
  };

  it("refuses a colour not written #rrggbb beside the field, previews and saves a good one, and the form wears it", async () => {
    const { page, panel } = await open("nb");
    const field = panel.getByLabel("Profilfarge");
    await field.fill("#fff");
    await panel.getByRole("button", { name: "Lagre" }).click();
    await panel.getByText("Skriv fargen som # og seks heksadesimale sifre, f.eks. #0b5394").waitFor();
    expect(await field.getAttribute("aria-invalid")).toBe("true");
    expect(await brandColor()).toBeNull();

    await field.fill("#7A1F5C");
    await page.keyboard.press("Escape");
    const preview = panel.getByTestId("brand-preview");
    expect(await preview.textContent()).toContain("Knappen på skjemasidene får hvit tekst (kontrast 9.6:1):");
    await panel.getByRole("button", { name: "Lagre" }).click();
    await page.getByText("Brevhodet er lagret").waitFor();
    expect(await brandColor()).toBe("#7a1f5c");
    expect(await axeViolations(page, "nb /settings?tab=letterhead with a brand colour")).toEqual([]);

    const form = await publishedForm(api, "Profilfarge");
    const hosted = await page.context().newPage();
    await hosted.goto(form.hostedUrl);
    expect(
      await hosted
        .getByRole("button", { name: "Send inn" })
        .evaluate((b) => getComputedStyle(b).backgroundColor),
    ).toBe("rgb(122, 31, 92)");
    await page.context().close();
  }, 60_000);

  it("speaks English, and puts black text on a light colour", async () => {
    const { page, panel } = await open("en");
    const field = panel.getByLabel("Brand colour");
    await field.fill("#ffd23f");
    await page.keyboard.press("Escape");
    expect(await panel.getByTestId("brand-preview").textContent()).toContain(
      "The form pages' button gets black text (contrast 14.5:1):",
    );
    // Emptied, the colour returns to the default.
    await field.fill("");
    await panel.getByRole("button", { name: "Save" }).click();
    await page.getByText("Letterhead saved").waitFor();
    expect(await brandColor()).toBeNull();
    expect(await panel.getByTestId("brand-preview").count()).toBe(0);
    expect(await axeViolations(page, "en /settings?tab=letterhead")).toEqual([]);
    await page.context().close();
  }, 60_000);
});
