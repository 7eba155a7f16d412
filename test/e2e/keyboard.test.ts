// The web UI with the keyboard only, in real Chromium on a server with demo data: the skip link is the first stop
// and lands in the page; Tab from the top reaches every list page's main action, showing a focus ring at every
// stop on the way; and every dialog tried (the Preview with its e-mail frame among them) takes focus, keeps it
// when Tab runs past its end, closes on Escape and gives focus back to the button that opened it.
// The functions handed to page.evaluate run in the browser: they are typed against the DOM.
/// <reference lib="dom" />
import type { Browser, Locator, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ensureWebBuild } from "../../scripts/ensure-web-build.ts";
import { webRoutes } from "../helpers/app-routes.ts";
import { browserTestsRun, launchChromium, screenshot, signedInPage } from "../helpers/chromium.ts";
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
const WORDS = {
  nb: {
    skip: "Hopp til innhold",
    newPerson: "Ny person",
    newMailing: "Ny utsendelse",
    newSelection: "Nytt utvalg",
    newProject: "Nytt prosjekt",
    preview: "Forhåndsvis",
    sendTest: "Send test",
    delete: "Slett",
    links: "Lenker",
    clickers: "Klikkere",
    action: "Handling …",
  },
  en: {
    skip: "Skip to content",
    newPerson: "New person",
    newMailing: "New mailing",
    newSelection: "New selection",
    newProject: "New project",
    preview: "Preview",
    sendTest: "Send test",
    delete: "Delete",
    links: "Links",
    clickers: "Clickers",
    action: "Action …",
  },
} as const;
type Language = keyof typeof WORDS;
/** From the top of a page: the skip link, the logo, the language switch, Sign out, eight menu links, then the page. */
const MAX_TABS_TO_MAIN_ACTION = 20;

async function settled(page: Page): Promise<void> {
  await page.waitForLoadState("networkidle");
  await page.locator(".mantine-Loader-root").first().waitFor({ state: "detached", timeout: 15_000 });
}

type Stop = {
  name: string;
  ring: boolean;
  /** Whether the target is at least 24 × 24 px (WCAG 2.2), or a link exempt from it (see below). */
  bigEnough: boolean;
  inTopDialog: boolean;
  opener: string | null;
  inMain: boolean;
};

/**
 * The focused element, whether it shows a ring (its own outline or box-shadow, or that of the part that shows a
 * visually hidden input: the next sibling or its label), whether it is inside the topmost dialog or the main
 * landmark, and the test's data-opener mark it carries.
 */
function focused(page: Page): Promise<Stop> {
  return page.evaluate(() => {
    const el = document.activeElement as HTMLElement | null;
    const dialogs = [...document.querySelectorAll('[role="dialog"]')];
    const top = dialogs[dialogs.length - 1];
    const base = {
      inTopDialog: !!el && !!top && top.contains(el),
      opener: el?.getAttribute("data-opener") ?? null,
      inMain: !!el?.closest("main"),
    };
    if (!el || el === document.body) return { ...base, name: "(nothing)", ring: false, bigEnough: false };
    const name = `${el.tagName.toLowerCase()} "${(el.getAttribute("aria-label") ?? el.textContent ?? "").trim().slice(0, 40)}"`;
    // A frame's content draws its own focus (the browser's ring on the link inside).
    if (el.tagName === "IFRAME") return { ...base, name, ring: true, bigEnough: true };
    const shown = (e: Element) => {
      const box = e.getBoundingClientRect();
      const style = getComputedStyle(e);
      return box.width > 1 && box.height > 1 && style.opacity !== "0" && style.visibility !== "hidden";
    };
    const ring = (e: Element) => {
      const style = getComputedStyle(e);
      return (
        (style.outlineStyle !== "none" && Number.parseFloat(style.outlineWidth) > 0) ||
        style.boxShadow !== "none"
      );
    };
    const labels = "labels" in el ? [...((el as HTMLInputElement).labels ?? [])] : [];
    const parts = [el, el.nextElementSibling, ...labels, el.closest("label")].filter(
      (e): e is Element => e !== null && shown(e),
    );
    const big = (e: Element) => {
      const box = e.getBoundingClientRect();
      return box.width >= 23.5 && box.height >= 23.5;
    };
    // Exempt (WCAG 2.5.8): a link in running text, and a link that is a table cell's text, whose row keeps the
    // next target more than 24 px away.
    const inline = getComputedStyle(el).display === "inline" || (el.tagName === "A" && !!el.closest("td"));
    return { ...base, name, ring: parts.some(ring), bigEnough: inline || parts.some(big) };
  });
}

/** Marks the element as a dialog's opener (its own mark: dialogs open over dialogs), to tell when focus is back. */
async function markOpener(opener: Locator, mark: string): Promise<void> {
  await opener.evaluate((e, value) => e.setAttribute("data-opener", value), mark);
}

/** How many dialogs are open. */
const openDialogs = (page: Page) => page.locator('[role="dialog"]').count();

/**
 * Opens the dialog from its opener with the keyboard, then: focus is inside it; Tab and Shift+Tab past its ends
 * keep focus inside it; Escape closes it and focus is back on the opener. Returns the number of stops checked.
 */
async function checkDialog(
  page: Page,
  opener: Locator,
  name: string,
  options: { inside?: (page: Page) => Promise<void>; escapeFromFrame?: string } = {},
): Promise<number> {
  const before = await openDialogs(page);
  await markOpener(opener, name);
  await opener.focus();
  await page.keyboard.press("Enter");
  await expect.poll(() => openDialogs(page), { message: `${name} opens` }).toBe(before + 1);
  await expect
    .poll(async () => (await focused(page)).inTopDialog, { message: `${name} takes focus` })
    .toBe(true);
  // Not "network idle": a message in the frame may keep loading its images from afar.
  await page.locator('[role="dialog"] .mantine-Loader-root').first().waitFor({ state: "detached" });
  const tabbable = await page
    .locator('[role="dialog"]')
    .last()
    .evaluate(
      (d) =>
        d.querySelectorAll(
          'a[href], button:not([disabled]), input:not([disabled]):not([type="hidden"]), select, textarea, iframe, [tabindex="0"]',
        ).length,
    );
  let stops = 0;
  // Past the end and round again, then backwards past the start.
  for (const key of ["Tab", "Shift+Tab"]) {
    for (let i = 0; i < tabbable + 3; i++) {
      await page.keyboard.press(key);
      // Off a frame's last link the browser moves focus first, and the trap brings it back a moment later.
      let stop = await focused(page);
      for (let wait = 0; wait < 10 && !stop.inTopDialog; wait++) {
        await page.waitForTimeout(20);
        stop = await focused(page);
      }
      stops++;
      expect(stop.inTopDialog, `${name}: ${key} ×${i + 1} left the dialog for ${stop.name}`).toBe(true);
      expect(stop.ring, `${name}: ${stop.name} shows no focus ring`).toBe(true);
      expect(stop.bigEnough, `${name}: ${stop.name} is smaller than 24 × 24 px`).toBe(true);
    }
  }
  await options.inside?.(page);
  if (options.escapeFromFrame) {
    // Tab into the e-mail frame, onto a link in the message, then Escape from there.
    await page.locator(options.escapeFromFrame).focus();
    await page.keyboard.press("Tab");
    await expect
      .poll(() => page.evaluate(() => document.activeElement?.tagName), {
        message: `${name}: focus in the frame`,
      })
      .toBe("IFRAME");
    const inFrame = await page
      .frameLocator(options.escapeFromFrame)
      .locator(":focus")
      .evaluate((e) => e.tagName);
    expect(inFrame).toBe("A");
  }
  await page.keyboard.press("Escape");
  await expect.poll(() => openDialogs(page), { message: `${name} closes on Escape` }).toBe(before);
  let back: Stop | undefined;
  await expect
    .poll(
      async () => {
        back = await focused(page);
        return back.opener === name;
      },
      { message: `${name} gives focus back to its opener` },
    )
    .toBe(true)
    .catch((error: Error) => {
      throw new Error(`${error.message}: focus is on ${back?.name}`);
    });
  return stops;
}

describe.skipIf(!runs)("keyboard", () => {
  let server: TestServer;
  let api: ApiClient;
  let browser: Browser;
  let demoMailingId = 0;
  let sentMailingId = 0;
  const counts = { pages: 0, stops: 0, dialogs: 0, dialogStops: 0 };

  beforeAll(async () => {
    ensureWebBuild(() => {});
    server = await startTestServer({ demoData: true });
    api = await signIn(server.url, server.adminEmail, server.adminPassword);
    const mailings = await ok<{ items: Array<{ id: number; name: string }> }>(api.get("/api/mailings"));
    demoMailingId = mailings.items.find((m) => m.name.includes("Vårkonferansen"))!.id;
    // A sent mailing with a tracked link, for the Links tab's drawer and dialog.
    const db = server.server.handle.db;
    const persons = await ok<{ items: Array<{ id: number }> }>(api.get("/api/persons?limit=2"));
    const sent = await aReadyMailing(
      db,
      await aSendingSetup(db),
      persons.items.map((p) => p.id),
      {
        name: "Sendt",
        content:
          '<p><a href="https://fjordlys.example/tilbud">Tilbud</a></p><p><a href="[[link.unsubscribe]]">Meld av</a></p>',
      },
    );
    await ok(api.send("POST", `/api/mailings/${sent.id}/send`));
    await untilFinished(api, sent.id);
    sentMailingId = sent.id;
    browser = await launchChromium();
  }, 180_000);

  afterAll(async () => {
    console.info(
      `keyboard: ${counts.pages} pages walked, ${counts.stops} tab stops checked on them, ${counts.dialogs} dialogs, ${counts.dialogStops} stops inside dialogs`,
    );
    await browser?.close();
    await server?.close();
  });

  const open = (language: Language) =>
    signedInPage(browser, {
      url: server.url,
      email: server.adminEmail,
      password: server.adminPassword,
      language,
    });

  for (const [language, path] of [
    ["nb", "/persons"],
    ["en", "/mailings"],
  ] as const) {
    it(`makes "${WORDS[language].skip}" the first Tab stop, shown when focused, and takes focus into the page (${path})`, async () => {
      const page = await open(language);
      await page.goto(`${server.url}${path}`);
      await settled(page);
      await page.keyboard.press("Tab");
      const skip = page.getByRole("link", { name: WORDS[language].skip });
      expect(await skip.evaluate((e) => e === document.activeElement)).toBe(true);
      const box = await skip.boundingBox();
      expect(box && box.y >= 0 && box.x >= 0 && box.height > 10).toBe(true);
      expect((await focused(page)).ring).toBe(true);
      await page.keyboard.press("Enter");
      expect(await page.evaluate(() => document.activeElement?.tagName)).toBe("MAIN");
      // Reading and Tab go on from the page, not the menu.
      await page.keyboard.press("Tab");
      expect((await focused(page)).inMain).toBe(true);
      await page.context().close();
    });
  }

  const listRoutes = webRoutes().filter(
    (r) => r.signedIn && r.path !== "*" && !r.path.includes(":") && !/\/(new|import)$/.test(r.path),
  );

  for (const language of ["nb", "en"] as const) {
    it(`reaches each list page's main action by Tab from the top, with a ring at every stop (${language})`, async () => {
      expect(listRoutes.length).toBeGreaterThanOrEqual(8);
      const page = await open(language);
      const small: string[] = [];
      for (const route of listRoutes) {
        await page.goto(`${server.url}${route.path}`);
        await settled(page);
        counts.pages++;
        // The main action: the filled one among the page header's actions, else its first, else the page's first control.
        await page.evaluate(() => {
          const actions =
            document.querySelector('main [data-testid="page-actions"]') ?? document.querySelector("main");
          const controls =
            'a[href], button:not([disabled]), input:not([disabled]):not([type="hidden"]), select, textarea';
          // The filled (primary) button where there is one, as "New person" beside the export links; filled is
          // Mantine's default variant, which it does not write out.
          const all = [...(actions?.querySelectorAll<HTMLElement>(controls) ?? [])];
          const first =
            all.find(
              (e) => e.matches(".mantine-Button-root") && (e.dataset.variant ?? "filled") === "filled",
            ) ?? all[0];
          first?.setAttribute("data-main-action", "");
        });
        let reached = 0;
        for (let tab = 1; tab <= MAX_TABS_TO_MAIN_ACTION && !reached; tab++) {
          await page.keyboard.press("Tab");
          const stop = await focused(page);
          counts.stops++;
          expect(stop.ring, `${route.path}: ${stop.name} (stop ${tab}) shows no focus ring`).toBe(true);
          if (!stop.bigEnough) small.push(`${route.path}: ${stop.name}`);
          if (await page.evaluate(() => !!document.activeElement?.hasAttribute("data-main-action")))
            reached = tab;
        }
        if (!reached) await screenshot(page, `keyboard-${language}-${route.path.replace(/\W+/g, "-")}`);
        expect(
          reached,
          `${route.path}: main action not reached in ${MAX_TABS_TO_MAIN_ACTION} Tabs`,
        ).toBeGreaterThan(0);
        if (route.path === "/persons" || route.path === "/mailings") {
          const name = route.path === "/persons" ? WORDS[language].newPerson : WORDS[language].newMailing;
          expect((await focused(page)).name).toContain(name);
        }
      }
      expect(small.join("\n"), "targets smaller than 24 × 24 px").toBe("");
      await page.context().close();
    }, 180_000);
  }

  it("holds focus in the Preview, its frame included, closes it on Escape from the frame and gives focus back (nb)", async () => {
    const words = WORDS.nb;
    const page = await open("nb");
    await page.goto(`${server.url}/mailings/${demoMailingId}`);
    await settled(page);
    // The Confirm step shows the message too: the frame meant is the dialog's.
    const frame = '[role="dialog"] [data-testid="preview-frame"]';
    counts.dialogStops += await checkDialog(
      page,
      page.getByRole("button", { name: words.preview }),
      "Preview",
      {
        // The Send test dialog opens over the Preview: Escape closes that one only, and focus is back in the Preview.
        inside: async (p) => {
          counts.dialogStops += await checkDialog(
            p,
            p.getByRole("dialog").getByRole("button", { name: words.sendTest }),
            "Send test",
          );
          counts.dialogs++;
          await p.locator(frame).waitFor();
        },
        escapeFromFrame: frame,
      },
    );
    counts.dialogs++;
    counts.dialogStops += await checkDialog(
      page,
      page.getByRole("button", { name: words.delete, exact: true }),
      "Delete mailing",
    );
    counts.dialogs++;
    await page.context().close();
  }, 120_000);

  it("holds focus in the list pages' New dialogs and in the Links tab's drawer and dialog (en)", async () => {
    const words = WORDS.en;
    const page = await open("en");
    for (const [path, name] of [
      ["/mailings", words.newMailing],
      ["/selections", words.newSelection],
      ["/projects", words.newProject],
    ] as const) {
      await page.goto(`${server.url}${path}`);
      await settled(page);
      counts.dialogStops += await checkDialog(page, page.getByRole("button", { name, exact: true }), name);
      counts.dialogs++;
    }
    await page.goto(`${server.url}/mailings/${sentMailingId}`);
    await settled(page);
    await page.getByRole("tab", { name: words.links }).click();
    await settled(page);
    for (const name of [words.clickers, words.action]) {
      counts.dialogStops += await checkDialog(page, page.getByRole("button", { name }).first(), name);
      counts.dialogs++;
    }
    await page.context().close();
  }, 120_000);
});
