// Debian's Chromium driven by playwright-core, for browser tests and screenshots; playwright's launch gives
// every browser its own temporary profile.
import { existsSync, mkdirSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { type Browser, chromium, type Locator, type Page } from "playwright-core";
import { expect } from "vitest";
import { partAvailable } from "./requirements.ts";

export const CHROMIUM_PATH = "/usr/bin/chromium";

const SCREENSHOT_DIR = resolve(
  dirname(fileURLToPath(import.meta.url)),
  "..",
  "..",
  "test-results",
  "screenshots",
);

/** Whether browser tests run here: Chromium installed, or a failure when UTSEND_REQUIRE_ALL=1. */
export function browserTestsRun(): boolean {
  return partAvailable(
    "Chromium",
    chromiumAvailable(),
    "/usr/bin/chromium is not installed (apt install chromium)",
  );
}

export function chromiumAvailable(): boolean {
  return existsSync(CHROMIUM_PATH);
}

export function launchChromium(): Promise<Browser> {
  return chromium.launch({
    executablePath: CHROMIUM_PATH,
    args: [
      "--headless",
      "--no-sandbox",
      "--disable-gpu",
      "--disable-background-networking",
      "--disable-component-update",
      "--disable-sync",
      "--no-first-run",
      "--disable-quic",
    ],
  });
}

/** Saves a full-page screenshot as test-results/screenshots/<name>.png and returns its path. */
export async function screenshot(page: Page, name: string): Promise<string> {
  mkdirSync(SCREENSHOT_DIR, { recursive: true });
  const path = join(SCREENSHOT_DIR, `${name}.png`);
  await page.screenshot({ path, fullPage: true });
  return path;
}

/**
 * For a beforeEach: when the test fails, prints the page's errors and saves a screenshot named after the test, so a
 * failed browser test shows what the page looked like.
 */
export function reportPageOnFailure(
  context: { task: { name: string }; onTestFailed(fn: () => Promise<void>): void },
  page: () => Page,
  prefix: string,
  pageErrors: string[],
): void {
  context.onTestFailed(async () => {
    console.error("page errors:", pageErrors);
    await screenshot(page(), `failed-${prefix}-${context.task.name.slice(0, 40).replace(/\W+/g, "-")}`);
  });
}

/** Waits until the locator's text satisfies the check (by default: has any text), and returns the text. */
export async function textOf(
  locator: Locator,
  check: (text: string) => boolean = (t) => t.length > 0,
  timeout = 15_000,
): Promise<string> {
  let last = "";
  await expect
    .poll(
      async () => {
        last = (await locator.textContent()) ?? "";
        return check(last);
      },
      { timeout },
    )
    .toBe(true);
  return last;
}

/** Chooses an option of the labelled select (combobox). */
export async function pick(page: Page, label: string, option: string | RegExp): Promise<void> {
  await page.getByRole("combobox", { name: label, exact: true }).click();
  await page.getByRole("option", { name: option }).first().click();
}

/**
 * A page in a fresh browser context, signed in through the sign-in form as `email`, with the UI in `language`
 * (kept where the app keeps it) and the browser's locale to match. `viewport` defaults to a laptop screen.
 */
export async function signedInPage(
  browser: Browser,
  options: {
    url: string;
    email: string;
    password: string;
    language: "nb" | "en";
    viewport?: { width: number; height: number };
  },
): Promise<Page> {
  const context = await browser.newContext({
    viewport: options.viewport ?? { width: 1360, height: 900 },
    locale: options.language === "nb" ? "nb-NO" : "en-GB",
  });
  await context.addInitScript((language) => {
    if (!localStorage.getItem("utsend.language")) localStorage.setItem("utsend.language", language);
  }, options.language);
  const page = await context.newPage();
  page.setDefaultTimeout(15_000);
  await page.goto(`${options.url}/sign-in`);
  await page.locator('input[type="email"], input[name="email"]').first().fill(options.email);
  await page.locator('input[type="password"]').first().fill(options.password);
  await page.locator('button[type="submit"]').first().click();
  await page.waitForURL((url) => !url.pathname.startsWith("/sign-in"));
  return page;
}

/** The text of every badge on the page that is cut off (wider than its box), to assert none is. */
export async function cutOffBadges(page: Page): Promise<string[]> {
  return page.evaluate(() =>
    [...document.querySelectorAll(".mantine-Badge-label")]
      .filter(
        (label) => label.scrollWidth > label.clientWidth + 1 || label.scrollHeight > label.clientHeight + 1,
      )
      .map((label) => label.textContent ?? ""),
  );
}
