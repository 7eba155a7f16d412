// Reflow at 320 CSS px (WCAG 1.4.10; also what a 1280 px screen shows at the browser's 200 % zoom), in real
// Chromium on a server with demo data: every route of the web router, every step of a draft mailing and every tab
// of a sent one. No page scrolls sideways (a table may, inside its own scroll box), no badge cuts its text, and the
// header's actions stay on screen, with Sign out reachable through the menu.
// The functions handed to page.evaluate run in the browser: they are typed against the DOM.
/// <reference lib="dom" />
import type { Browser, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ensureWebBuild } from "../../scripts/ensure-web-build.ts";
import { concreteUrl, webRoutes } from "../helpers/app-routes.ts";
import { browserTestsRun, launchChromium, screenshot, signedInPage } from "../helpers/chromium.ts";
import { aFormWithSubmission } from "../helpers/form-pages.ts";
import { aReadyMailing, aSendingSetup } from "../helpers/mailings.ts";
import {
  type ApiClient,
  ok,
  signIn,
  startTestServer,
  type TestServer,
  untilFinished,
} from "../helpers/server.ts";

const runs = browserTestsRun();
const NARROW = { width: 320, height: 640 };
const WORDS = {
  nb: { menu: "Meny", signOut: "Logg ut" },
  en: { menu: "Menu", signOut: "Sign out" },
} as const;

/** Waits until the page has loaded its data: no request in flight, no loader turning. */
async function settled(page: Page): Promise<void> {
  await page.waitForLoadState("networkidle");
  await page.locator(".mantine-Loader-root").first().waitFor({ state: "detached", timeout: 15_000 });
}

type Reflow = { scrollWidth: number; innerWidth: number; sticksOut: string[]; cutBadges: string[] };

/**
 * How wide the document is against the window; the elements that reach past the window's right edge without a
 * horizontal scroll box of their own around them; and the badges whose text does not fit.
 */
function measure(page: Page): Promise<Reflow> {
  return page.evaluate(() => {
    const describe = (el: Element) =>
      `${el.tagName.toLowerCase()}${el.id ? `#${el.id}` : ""}.${[...el.classList].slice(0, 3).join(".")} "${(el.textContent ?? "").trim().slice(0, 40)}"`;
    const inScrollBox = (el: Element) => {
      for (let p = el.parentElement; p && p !== document.body; p = p.parentElement) {
        const overflow = getComputedStyle(p).overflowX;
        if (overflow === "auto" || overflow === "scroll" || overflow === "hidden" || overflow === "clip")
          return true;
      }
      return false;
    };
    const sticksOut: string[] = [];
    for (const el of document.body.querySelectorAll("*")) {
      const box = el.getBoundingClientRect();
      if (box.width === 0 || box.right <= innerWidth + 1 || inScrollBox(el)) continue;
      // Only the innermost: its ancestors stick out because of it.
      if (![...el.children].some((child) => child.getBoundingClientRect().right > innerWidth + 1))
        sticksOut.push(describe(el));
    }
    const cutBadges = [...document.querySelectorAll(".mantine-Badge-root, .mantine-Badge-label")]
      .filter((el) => el.scrollWidth > el.clientWidth + 1)
      .map(describe);
    return {
      scrollWidth: document.documentElement.scrollWidth,
      innerWidth,
      sticksOut: sticksOut.slice(0, 8),
      cutBadges,
    };
  });
}

/** Whether the element is rendered and lies wholly inside the window. */
async function onScreen(page: Page, selector: string): Promise<boolean> {
  const box = await page.locator(selector).first().boundingBox();
  if (!box) return false;
  return box.width > 0 && box.x >= 0 && box.y >= 0 && box.x + box.width <= NARROW.width + 1;
}

describe.skipIf(!runs)("reflow at 320 CSS px", () => {
  let server: TestServer;
  let api: ApiClient;
  let browser: Browser;
  const pages: Array<{ name: string; url: string; tabs?: boolean }> = [];

  beforeAll(async () => {
    ensureWebBuild(() => {});
    server = await startTestServer({ demoData: true });
    api = await signIn(server.url, server.adminEmail, server.adminPassword);
    // A sent mailing (statistics, links, recipients, bounces tabs) through the local outbox, which also fills
    // /outbox/:id; and a draft for the wizard's steps.
    const db = server.server.handle.db;
    const setup = await aSendingSetup(db);
    await aFormWithSubmission(api, db);
    const persons = await ok<{ items: Array<{ id: number }> }>(api.get("/api/persons?limit=3"));
    const sent = await aReadyMailing(
      db,
      setup,
      persons.items.map((p) => p.id),
      { name: "Sendt nyhetsbrev med et ganske langt navn som må brytes", trackOpens: true },
    );
    await ok(api.send("POST", `/api/mailings/${sent.id}/send`));
    await untilFinished(api, sent.id);
    const draft = await aReadyMailing(
      db,
      setup,
      persons.items.map((p) => p.id),
      { name: "Utkast" },
    );

    for (const route of webRoutes().filter((r) => r.signedIn)) {
      pages.push({ name: route.path, url: await concreteUrl(api, route) });
    }
    for (const step of ["setup", "template", "content", "recipients", "confirm"]) {
      pages.push({ name: `draft mailing, step ${step}`, url: `/mailings/${draft.id}?step=${step}` });
    }
    pages.push({ name: "sent mailing", url: `/mailings/${sent.id}`, tabs: true });
    browser = await launchChromium();
  }, 180_000);

  afterAll(async () => {
    await browser?.close();
    await server?.close();
  });

  for (const language of ["nb", "en"] as const) {
    it(`lets no page scroll sideways, cut a badge or push a header action off screen (${language})`, async () => {
      const page = await signedInPage(browser, {
        url: server.url,
        email: server.adminEmail,
        password: server.adminPassword,
        language,
        viewport: NARROW,
      });
      const failures: string[] = [];
      let visited = 0;
      const check = async (name: string) => {
        await settled(page);
        visited++;
        const reflow = await measure(page);
        if (reflow.scrollWidth > reflow.innerWidth + 1)
          failures.push(
            `${name}: ${reflow.scrollWidth} px wide in a ${reflow.innerWidth} px window; sticking out: ${reflow.sticksOut.join(" | ")}`,
          );
        if (reflow.cutBadges.length > 0)
          failures.push(`${name}: badges cut off: ${reflow.cutBadges.join(" | ")}`);
        for (const [what, selector] of [
          ["menu button", `header button[aria-label="${WORDS[language].menu}"]`],
          ["language switch", "header .mantine-SegmentedControl-root"],
        ] as const) {
          if (!(await onScreen(page, selector)))
            failures.push(`${name}: the header's ${what} is not on screen`);
        }
        if (failures.length > 0) await screenshot(page, `reflow-${language}-${name.replace(/\W+/g, "-")}`);
      };

      for (const target of pages) {
        await page.goto(`${server.url}${target.url}`);
        await check(target.name);
        if (target.tabs) {
          const tabs = page.getByRole("tab");
          for (let i = 0; i < (await tabs.count()); i++) {
            const tab = tabs.nth(i);
            await tab.click();
            await check(`${target.name}, tab "${await tab.textContent()}"`);
          }
        }
      }

      if (failures.length > 0) console.error(failures.join("\n"));
      expect(failures.join("\n")).toBe("");
      expect(visited).toBeGreaterThanOrEqual(pages.length);

      // Sign out is in the menu on a narrow screen: the menu button says it is closed, opens it, says so.
      await page.goto(`${server.url}/persons`);
      await settled(page);
      const menu = page.getByRole("button", { name: WORDS[language].menu });
      expect(await menu.getAttribute("aria-expanded")).toBe("false");
      const navId = await menu.getAttribute("aria-controls");
      expect(navId).toBeTruthy();
      await menu.click();
      expect(await menu.getAttribute("aria-expanded")).toBe("true");
      const signOut = page.locator(`[id="${navId}"]`).getByRole("button", { name: WORDS[language].signOut });
      await signOut.waitFor();
      // The menu slides in.
      await expect
        .poll(() => onScreen(page, `[id="${navId}"] button:has-text("${WORDS[language].signOut}")`))
        .toBe(true);
      await page.context().close();
    }, 300_000);
  }
});
