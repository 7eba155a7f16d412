// Debian's Chromium driven by playwright-core, for browser tests and screenshots; playwright's launch gives
// every browser its own temporary profile.
import { existsSync, mkdirSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { type Browser, chromium, type Locator, type Page } from "playwright-core";
import { expect } from "vitest";

export const CHROMIUM_PATH = "/usr/bin/chromium";

const SCREENSHOT_DIR = resolve(
  dirname(fileURLToPath(import.meta.url)),
  "..",
  "..",
  "test-results",
  "screenshots",
);

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
