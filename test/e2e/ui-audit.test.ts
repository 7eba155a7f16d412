// Settings → Audit log in real Chromium: an admin sees a failed sign-in with its address, filters by action, and the
// Export CSV link carries the same filter.
import type { Browser, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ensureWebBuild } from "../../scripts/ensure-web-build.ts";
import { chromiumAvailable, launchChromium, signedInPage, textOf } from "../helpers/chromium.ts";
import { partAvailable } from "../helpers/requirements.ts";
import { request, startTestServer, type TestServer } from "../helpers/server.ts";

const runs = partAvailable(
  "Chromium",
  chromiumAvailable(),
  "/usr/bin/chromium is not installed (apt install chromium)",
);

describe.skipIf(!runs)("web UI: the audit log", () => {
  let server: TestServer;
  let browser: Browser;
  let page: Page;
  const pageErrors: string[] = [];

  beforeAll(async () => {
    ensureWebBuild(() => {});
    server = await startTestServer();
    const failed = await request(server.url, "POST", "/auth/login", {
      body: { email: "gjetter@example.no", password: "feil-passord-123" },
    });
    expect(failed.status).toBe(401);
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

  it("lists sign-ins, filters them by action, and exports with the filter", async () => {
    await page.goto(`${server.url}/settings?tab=audit`);
    const table = page.getByTestId("audit-log");
    const text = await textOf(table, (t) => t.includes("Mislykket innlogging"));
    expect(text).toContain("gjetter@example.no");
    expect(text).toContain("Innlogging");
    expect(text).not.toContain("feil-passord-123");

    await page.getByRole("combobox", { name: "Handling" }).click();
    await page.getByRole("option", { name: "Mislykket innlogging" }).click();
    const rows = table.locator("tbody tr");
    await expect.poll(() => rows.count()).toBe(1);
    const href = await page.getByRole("link", { name: "Eksporter CSV" }).getAttribute("href");
    expect(href).toContain("/api/audit/export");
    expect(href).toContain("action=sign-in.failed");
    const csv = await page.evaluate(async (url) => (await fetch(url)).text(), href!);
    expect(csv).toContain("gjetter@example.no");
    expect(pageErrors).toEqual([]);
  });
});
