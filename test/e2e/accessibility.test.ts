// WCAG 2.1 A/AA in real Chromium with axe-core, in nb and en: every route of the web router (read from App.tsx, so
// a new page is scanned without being listed), every tab on it, the listed dialogs opened from their buttons,
// every step of the mailing wizard (and of a document mailing's), the sign-in page, and the recipients' public
// pages from a real delivery's links.
// All violations of a walk are gathered and printed together, so one run shows everything there is to fix.
import { readFileSync } from "node:fs";
import { dirname, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import type { Browser, Locator, Page } from "playwright-core";
import sharp from "sharp";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ensureWebBuild } from "../../scripts/ensure-web-build.ts";
import type { Db } from "../../src/db/connect.ts";
import { addImage } from "../../src/editor/images.ts";
import { setSubscription } from "../../src/persons/consent.ts";
import { concreteUrl, webRoutes } from "../helpers/app-routes.ts";
import { axeViolations } from "../helpers/axe.ts";
import { aPerson } from "../helpers/builders.ts";
import { browserTestsRun, launchChromium, screenshot, signedInPage } from "../helpers/chromium.ts";
import { aFormWithSubmission } from "../helpers/form-pages.ts";
import { aReadyMailing, aSendingSetup } from "../helpers/mailings.ts";
import { type ApiClient, ok, signIn, startTestServer, type TestServer, waitFor } from "../helpers/server.ts";
import { zoneWhereItIs } from "../helpers/time-zones.ts";

const runs = browserTestsRun();
const WALK = 300_000;
const LANGUAGES = ["nb", "en"] as const;
type Language = (typeof LANGUAGES)[number];

const I18N_DIR = resolve(dirname(fileURLToPath(import.meta.url)), "..", "..", "web", "src", "i18n");
const messages: Record<Language, unknown> = {
  nb: JSON.parse(readFileSync(resolve(I18N_DIR, "nb.json"), "utf8")),
  en: JSON.parse(readFileSync(resolve(I18N_DIR, "en.json"), "utf8")),
};
function lookup(language: Language, key: string): string | undefined {
  let node: unknown = messages[language];
  for (const part of key.split(".")) node = (node as Record<string, unknown> | undefined)?.[part];
  return typeof node === "string" ? node : undefined;
}

/** The UI's text for a message key, so the walk finds buttons by the name a user sees in either language. */
function text(language: Language, key: string): string {
  const found = lookup(language, key) ?? lookup(language, `${key}_other`);
  if (found === undefined) throw new Error(`no message ${key} in ${language}.json`);
  return found;
}

/**
 * The name of a button whose message has placeholders ("Add all {count} …"), matching any value in them; a count
 * message matches its singular and its plural form.
 */
function named(language: Language, key: string): string | RegExp {
  const forms = [
    lookup(language, key),
    lookup(language, `${key}_one`),
    lookup(language, `${key}_other`),
  ].filter((m): m is string => m !== undefined);
  if (forms.length === 0) throw new Error(`no message ${key} in ${language}.json`);
  if (forms.length === 1 && !forms[0]!.includes("{")) return forms[0]!;
  // A count is a number ("1 200"), so "Legg {count} til i …" does not also match "Legg valgte (0) til i …".
  const pattern = (message: string) =>
    message
      .split(/(\{\w+\})/)
      .map((p) =>
        p === "{count}"
          ? "[\\d\\s\u00a0.,]+"
          : /^\{\w+\}$/.test(p)
            ? ".+"
            : p.replace(/[.*+?^${}()|[\]\\]/g, "\\$&"),
      )
      .join("");
  return new RegExp(`^(?:${forms.map(pattern).join("|")})$`);
}

/** A button that opens a dialog; `tab` is clicked first when the button lives on a tab; `inside` opens one from that dialog. */
type Opener = { button: string; tab?: string; inside?: Opener };

// The dialogs each page opens, by the message key of the button's name. A listed button that is not there fails
// the walk, so a renamed button cannot quietly drop its dialog from the scan.
const DIALOGS: Record<string, Opener[]> = {
  "/mailings": [{ button: "mailings.new" }],
  "/mailings/:id": [
    { button: "preview.open", inside: { button: "preview.sendTest" } },
    { tab: "followUp.tabs.recipients", button: "followUp.recipients.addAll" },
  ],
  "/selections": [{ button: "selections.new" }],
  "/forms": [{ button: "forms.new" }],
  "/forms/:id/submissions/:sid": [{ button: "forms.submission.reject" }],
  "/selections/:id": [{ button: "common.edit" }, { button: "common.delete" }],
  "/projects": [{ button: "projects.new" }],
  "/projects/:id": [
    { button: "common.edit" },
    { button: "common.delete" },
    { tab: "projects.tabs.members", button: "members.add" },
  ],
  "/companies/:id": [{ button: "common.delete" }],
  "/persons/:id": [{ button: "persons.erase.button" }],
  "/settings": [
    { tab: "settings.tabs.users", button: "settings.users.new" },
    { tab: "settings.tabs.sending", button: "settings.sending.newAccount" },
  ],
};
// The wizard's dialogs, by step key; the header's Preview and Delete are opened on the first step.
const WIZARD_DIALOGS: Record<string, Opener[]> = {
  setup: [{ button: "preview.open", inside: { button: "preview.sendTest" } }, { button: "common.delete" }],
  confirm: [{ button: "sending.sendNow" }, { button: "sending.scheduleOpen" }],
};

const IMPORT_FILE = resolve(
  dirname(fileURLToPath(import.meta.url)),
  "..",
  "fixtures",
  "imports",
  "persons-broken-rows.csv",
);

/** Closes the open dialogs with Escape (more than one press when a dropdown inside a dialog is open). */
async function closeDialogs(page: Page): Promise<void> {
  for (let i = 0; i < 5 && (await page.getByRole("dialog").count()) > 0; i++) {
    await page.keyboard.press("Escape");
    await page.waitForTimeout(300);
  }
  await expect.poll(() => page.getByRole("dialog").count()).toBe(0);
}

// What axe reports only as "moderate" but the app promises: one h1, no skipped heading level, a title per route.
const STRUCTURE = `(() => {
  const headings = [...document.querySelectorAll("h1, h2, h3, h4, h5, h6")].filter((h) => h.getClientRects().length > 0);
  const levels = headings.map((h) => Number(h.tagName[1]));
  const problems = [];
  const h1 = levels.filter((l) => l === 1).length;
  if (h1 !== 1) problems.push(h1 + " h1 elements");
  levels.forEach((level, i) => {
    const before = i === 0 ? 1 : levels[i - 1];
    if (level > before + 1) problems.push("h" + level + " '" + headings[i].textContent.trim().slice(0, 40) + "' after h" + before);
  });
  if (!/ – utsend$/.test(document.title)) problems.push("document title '" + document.title + "'");
  return problems;
})()`;

/** Waits until nothing on the page is loading, and for Mantine's transitions to end. */
async function settle(page: Page): Promise<void> {
  await page
    .waitForFunction(`!document.querySelector('[aria-busy="true"], .mantine-Loader-root')`, null, {
      timeout: 10_000,
    })
    .catch(() => {});
  await page.waitForTimeout(300);
}

/** A screen to scan: where it is, what shows it is ready, and what to do on it first (open a tab). */
type Screen = {
  state: string;
  url: string;
  ready: string;
  open?: (page: Page, language: Language) => Promise<void>;
};

/**
 * Signs in once per language and scans each screen: axe-core, then the structure checks. A failure leaves a
 * screenshot named after the area.
 */
async function scanScreens(
  browser: Browser,
  server: TestServer,
  area: string,
  screens: (language: Language) => Screen[],
): Promise<string[]> {
  const violations: string[] = [];
  for (const language of LANGUAGES) {
    const page = await signedInPage(browser, {
      url: server.url,
      email: server.adminEmail,
      password: server.adminPassword,
      language,
    });
    try {
      for (const { state, url, ready, open } of screens(language)) {
        await page.goto(`${server.url}${url}`);
        await open?.(page, language);
        await page.locator(ready).first().waitFor();
        await settle(page);
        violations.push(...(await axeViolations(page, `${language} ${area} ${state}`)));
        const structure = (await page.evaluate(STRUCTURE)) as string[];
        violations.push(...structure.map((problem) => `${language} ${area} ${state}: structure: ${problem}`));
      }
    } catch (error) {
      await screenshot(page, `a11y-${area.replaceAll(" ", "-")}-failed-${language}`);
      throw error;
    } finally {
      await page.context().close();
    }
  }
  return violations;
}

describe.skipIf(!runs)("accessibility (axe-core, WCAG 2.1 A/AA) of every page", () => {
  let server: TestServer;
  let api: ApiClient;
  let db: Db;
  let browser: Browser;
  let draftId = 0;
  const sms = { draftId: 0, sentId: 0, outboxId: 0 };
  const doc = { draftId: 0, sentId: 0 };
  let spamId = 0;
  const publicPages: Array<{ language: Language; path: string }> = [];

  beforeAll(async () => {
    ensureWebBuild(() => {});
    // SpamAssassin where installed, so the Confirm step shows a score, its rules and the reason form.
    server = await startTestServer({ demoData: true, config: { spamAssassin: "auto" } });
    api = await signIn(server.url, server.adminEmail, server.adminPassword);
    db = server.server.handle.db;
    const drafts = await ok<{ items: Array<{ id: number; status: string }> }>(
      api.get("/api/mailings?limit=50"),
    );
    draftId = drafts.items.find((m) => m.status === "draft")!.id;
    // A published form with a submission awaiting manual processing: fills /forms/:id and its submission pages.
    await aFormWithSubmission(api, db);

    // SMS mailings through a local SMS outbox whose sending window is open now: a draft for the content step's
    // counter and the preview panel, a sent one for its statistics and its message in the Outbox. Made
    // first, so that the newest mailing and outbox message, which the route walk opens, stay the e-mail ones.
    const account = await ok<{ id: number }>(
      api.send("POST", "/api/sending-accounts", {
        name: "SMS-utboks",
        kind: "sms-outbox",
        ratePerSecond: 1000,
        timeZone: zoneWhereItIs(12),
      }),
      201,
    );
    const type = await ok<{ id: number }>(
      api.send("POST", "/api/subscription-types", { name: "SMS-tilbud" }),
      201,
    );
    const texter = await aPerson(db, {
      firstName: "Siri",
      mobile: "+4791234567",
      email: "siri.a11y@example.no",
    });
    await setSubscription(db, texter.id, { typeId: type.id, status: "subscribed", source: "manual" });
    const anSms = async (name: string) => {
      const made = await ok<{ id: number }>(
        api.send("POST", "/api/mailings", {
          name,
          type: "sms",
          sendingAccountId: account.id,
          smsSender: "Fjordlys",
          smsText: "Hei [[customer.firstname]]! Vårsalget starter i dag.",
          subscriptionTypeId: type.id,
        }),
        201,
      );
      await ok(api.send("POST", `/api/mailings/${made.id}/sources`, { kind: "person", refId: texter.id }));
      return made.id;
    };
    sms.draftId = await anSms("SMS-utkast");
    sms.sentId = await anSms("SMS sendt");
    await ok(api.send("POST", `/api/mailings/${sms.sentId}/send`));
    await waitFor(
      async () => (await ok<{ status: string }>(api.get(`/api/mailings/${sms.sentId}`))).status,
      (status) => status === "finished",
      60_000,
    );
    const smsOutbox = await ok<{ items: Array<{ id: number }> }>(
      api.get(`/api/outbox?mailingId=${sms.sentId}`),
    );
    sms.outboxId = smsOutbox.items[0]!.id;
    // Document mailings (letters): a draft for the wizard's steps and the PDF preview's frame, a generated one for
    // its document panel. Made before the e-mail ones for the same reason as the SMS.
    const letterReader = await ok<{ id: number }>(
      api.send("POST", "/api/persons", {
        firstName: "Brita",
        lastName: "Brevlesen",
        street: "Kirkegata 3",
        postcode: "0153",
        city: "Oslo",
      }),
      201,
    );
    const aDocument = async (name: string) => {
      const made = await ok<{ id: number }>(
        api.send("POST", "/api/mailings", {
          name,
          type: "document",
          docHeading: "Til [[customer.firstname]]",
          content: "<p>Hei [[customer.firstname]], takk for året som gikk.</p>",
        }),
        201,
      );
      await ok(
        api.send("POST", `/api/mailings/${made.id}/sources`, { kind: "person", refId: letterReader.id }),
      );
      await ok(api.send("POST", `/api/mailings/${made.id}/recipients/refresh`));
      return made.id;
    };
    doc.draftId = await aDocument("Brevutkast");
    doc.sentId = await aDocument("Brev generert");
    await ok(api.send("POST", `/api/mailings/${doc.sentId}/send`));
    await waitFor(
      async () => (await ok<{ status: string }>(api.get(`/api/mailings/${doc.sentId}`))).status,
      (status) => status === "finished",
      60_000,
    );
    // A real delivery through the local outbox, to a Norwegian and an English recipient: it gives the outbox
    // message page, a sent mailing's follow-up tabs, and the links to the public pages in each language.
    const nb = await aPerson(db, { firstName: "Kari", email: "kari.a11y@example.no", language: "nb" });
    const en = await aPerson(db, { firstName: "Emma", email: "emma.a11y@example.com", language: "en" });
    // A mailing SpamAssassin scores as spam (the GTUBE test string): its Confirm step asks for a reason. Made
    // before the sent one, which stays the newest mailing that /mailings/:id shows.
    spamId = (
      await aReadyMailing(db, await aSendingSetup(db), [nb.id], {
        name: "Spamsjekk",
        content: `<p>XJS*C4JDBQADN1.NSBN3*2IDNEN*GTUBE-STANDARD-ANTI-UBE-TEST-EMAIL*C.34X</p>
          <p><a href="https://bit.ly/3xYz">Program</a> <a href="[[link.unsubscribe]]">Meld av</a></p>`,
      })
    ).id;
    const mailing = await aReadyMailing(db, await aSendingSetup(db), [nb.id, en.id], {
      name: "Tilgjengelighet",
      content: `<p>Hei [[customer.firstname]]</p><p><a href="[[link.unsubscribe]]">Meld av</a>
        <a href="[[link.subscriptions]]">Abonnementer</a> <a href="[[link.viewOnline]]">Vis i nettleser</a></p>`,
    });
    await ok(api.send("POST", `/api/mailings/${mailing.id}/send`));
    const sent = await waitFor(
      async () => (await ok<{ status: string }>(api.get(`/api/mailings/${mailing.id}`))).status,
      (status) => status === "finished",
      60_000,
    );
    expect(sent).toBe("finished");
    const outbox = await ok<{ items: Array<{ id: number }> }>(api.get(`/api/outbox?mailingId=${mailing.id}`));
    expect(outbox.items).toHaveLength(2);
    for (const item of outbox.items) {
      const message = await ok<{ to: string; html: string | null }>(api.get(`/api/outbox/${item.id}`));
      const language: Language = JSON.stringify(message).includes("emma.a11y") ? "en" : "nb";
      for (const kind of ["u", "s", "v"]) {
        const found = message.html?.match(new RegExp(`/${kind}/([A-Za-z0-9_.~-]+)`));
        if (!found) throw new Error(`no /${kind}/ link in the message to ${message.to}`);
        publicPages.push({ language, path: `/${kind}/${found[1]}` });
      }
    }
    browser = await launchChromium();
  }, 240_000);

  afterAll(async () => {
    await browser?.close();
    await server?.close();
  });

  for (const language of LANGUAGES) {
    it(
      `finds no serious or critical violation on any route, tab, wizard step or dialog in ${language}`,
      async () => {
        const violations: string[] = [];
        const unwalked: string[] = [];
        let states = 0;
        const scan = async (page: Page, state: string) => {
          states++;
          violations.push(...(await axeViolations(page, `${language} ${state}`)));
          const structure = (await page.evaluate(STRUCTURE)) as string[];
          violations.push(...structure.map((problem) => `${language} ${state}: structure: ${problem}`));
        };
        /** Runs one part of the walk; a part that fails is reported at the end and the walk goes on. */
        const part = async (page: Page, what: string, walk: () => Promise<void>) => {
          try {
            await walk();
          } catch (error) {
            unwalked.push(`${language} ${what}: ${String(error).split("\n")[0]}`);
            await closeDialogs(page).catch(() => {});
            await screenshot(page, `a11y-${language}-${what.replace(/\W+/g, "-")}`).catch(() => {});
          }
        };
        const button = (scope: Page | Locator, key: string) =>
          scope.getByRole("button", { name: named(language, key), exact: true });

        /** Opens each listed dialog, scans it (and the one it opens), and closes it again. */
        const openDialogs = async (page: Page, where: string, openers: Opener[]) => {
          for (const opener of openers) {
            if (opener.tab) {
              await page.getByRole("tab", { name: text(language, opener.tab), exact: true }).click();
              await settle(page);
            }
            const opening = button(page, opener.button).first();
            // count() does not wait: on a busy machine a tab's content (the members list) may still be rendering.
            await opening.waitFor({ timeout: 10_000 }).catch(() => {});
            if ((await opening.count()) === 0) {
              unwalked.push(`${language} ${where}: no button "${text(language, opener.button)}"`);
              continue;
            }
            await opening.click();
            const dialog = page.getByRole("dialog").last();
            await dialog.waitFor();
            await settle(page);
            await scan(page, `${where} › dialog "${text(language, opener.button)}"`);
            if (opener.inside) {
              const inner = button(dialog, opener.inside.button).first();
              if ((await inner.count()) === 0) {
                unwalked.push(
                  `${language} ${where}: no button "${text(language, opener.inside.button)}" in the dialog`,
                );
              } else {
                await inner.click();
                await expect.poll(() => page.getByRole("dialog").count()).toBeGreaterThan(1);
                await settle(page);
                await scan(page, `${where} › dialog › dialog "${text(language, opener.inside.button)}"`);
              }
            }
            await closeDialogs(page);
            await settle(page);
          }
        };

        // Signed out first: the sign-in page.
        const signedOut = await browser.newContext({ locale: language === "nb" ? "nb-NO" : "en-GB" });
        await signedOut.addInitScript((l) => localStorage.setItem("utsend.language", l), language);
        const signInPage = await signedOut.newPage();
        await signInPage.goto(`${server.url}/sign-in`);
        await settle(signInPage);
        await scan(signInPage, "/sign-in");
        await signedOut.close();

        const page = await signedInPage(browser, {
          url: server.url,
          email: server.adminEmail,
          password: server.adminPassword,
          language,
        });
        try {
          for (const route of webRoutes().filter((r) => r.signedIn))
            await part(page, route.path, async () => {
              const url = await concreteUrl(api, route);
              await page.goto(`${server.url}${url}`);
              await settle(page);
              await scan(page, route.path);
              const tabs = page.locator("main").getByRole("tab");
              const count = await tabs.count();
              for (let i = 0; i < count; i++) {
                const tab = tabs.nth(i);
                if ((await tab.getAttribute("aria-selected")) === "true" || (await tab.isDisabled()))
                  continue;
                const name = (await tab.textContent())?.trim();
                await tab.click();
                await settle(page);
                await scan(page, `${route.path} › tab "${name}"`);
              }
              await openDialogs(page, route.path, DIALOGS[route.path] ?? []);
            });

          // The import page with a file chosen and checked: the column mapping and the dry run's report.
          await part(page, "/persons/import with a file", async () => {
            await page.goto(`${server.url}/persons/import`);
            await settle(page);
            await page.locator('input[type="file"]').setInputFiles(IMPORT_FILE);
            await page
              .getByRole("combobox", { name: new RegExp(text(language, "imports.legalBasis")) })
              .click();
            await page.getByRole("option", { name: text(language, "imports.basis.consent") }).click();
            await page
              .getByRole("textbox", { name: new RegExp(`^${text(language, "imports.source")}`) })
              .fill("Messe");
            await button(page, "imports.check").click();
            await page.getByTestId("import-report").waitFor();
            await settle(page);
            await scan(page, "/persons/import › dry-run report and mapping");
          });

          // The wizard of the demo's draft mailing: every step the step markers show, in their order.
          await page.goto(`${server.url}/mailings/${draftId}`);
          await settle(page);
          const markers = page
            .getByRole("navigation", { name: text(language, "mailings.stepsLabel") })
            .getByRole("button");
          const steps = await markers.count();
          expect(steps).toBeGreaterThanOrEqual(5);
          for (let i = 0; i < steps; i++) {
            const marker = markers.nth(i);
            const key = (await marker.getAttribute("data-testid"))?.replace("step-marker-", "") ?? String(i);
            if (await marker.isDisabled()) {
              unwalked.push(`${language} wizard: step ${key} is locked, so it was not scanned`);
              continue;
            }
            await part(page, `wizard step ${key}`, async () => {
              await marker.click();
              await page.getByTestId(`step-${key}-panel`).waitFor();
              await settle(page);
              await scan(page, `wizard step ${key}`);
              if (key === "recipients") {
                await button(page, "recipients.addSource").click();
                await page.getByRole("menu").waitFor();
                await settle(page);
                await scan(page, "wizard step recipients › add-source menu");
                await page.getByRole("menuitem").first().click();
                await page.getByRole("dialog").waitFor();
                await settle(page);
                await scan(page, "wizard step recipients › add-source dialog");
                await closeDialogs(page);
              }
              await openDialogs(page, `wizard step ${key}`, WIZARD_DIALOGS[key] ?? []);
            });
          }

          // The spam check of a message SpamAssassin calls spam: score, rules, the reason form and the findings.
          await part(page, "wizard step confirm with a spam score", async () => {
            await page.goto(`${server.url}/mailings/${spamId}`);
            await settle(page);
            await page.getByTestId("step-marker-confirm").click();
            await page.getByTestId("spam-findings").waitFor({ timeout: 30_000 });
            await settle(page);
            await scan(page, "wizard step confirm › spam check");
          });
        } catch (error) {
          await screenshot(page, `a11y-walk-failed-${language}`);
          throw error;
        } finally {
          await page.context().close();
        }

        console.info(`accessibility walk in ${language}: ${states} states scanned`);
        expect(unwalked, unwalked.join("\n")).toEqual([]);
        expect(
          violations,
          `${violations.length} violations in ${states} states:\n${violations.join("\n")}`,
        ).toEqual([]);
        // Sign-in, 20 routes with their tabs and listed dialogs, the import report, five wizard steps with their
        // menu and dialogs: 64 on the demo data when this was written.
        expect(states).toBeGreaterThanOrEqual(64);
      },
      WALK,
    );
  }

  it(
    "finds no serious or critical violation on the SMS screens: content step with its counter, preview, statistics, outbox message",
    async () => {
      const testId = (id: string) => `[data-testid="${id}"]`;
      const violations = await scanScreens(browser, server, "SMS", () => [
        { state: "content step", url: `/mailings/${sms.draftId}?step=content`, ready: testId("sms-parts") },
        {
          state: "confirm step preview",
          url: `/mailings/${sms.draftId}?step=confirm`,
          ready: testId("phone-bubble"),
        },
        {
          state: "statistics",
          url: `/mailings/${sms.sentId}`,
          ready: testId("sms-statistics"),
          open: (page, language) =>
            page.getByRole("tab", { name: text(language, "followUp.tabs.statistics"), exact: true }).click(),
        },
        { state: "outbox message", url: `/outbox/${sms.outboxId}`, ready: testId("phone-bubble") },
      ]);
      expect(violations, `${violations.length} violations:\n${violations.join("\n")}`).toEqual([]);
    },
    WALK,
  );

  it(
    "finds no serious or critical violation in the visual e-mail editor and on the starter templates",
    async () => {
      // Setup complete (a from address on the demo's sending domain), so the later steps open.
      const domains = await ok<{ items: Array<{ domain: string }> }>(api.get("/api/sending-domains"));
      const made = await ok<{ id: number }>(
        api.send("POST", "/api/mailings", {
          name: "Visuell e-post",
          fromName: "Fjordlys",
          fromAddress: `post@${domains.items[0]!.domain}`,
        }),
        201,
      );
      await ok(api.send("POST", `/api/mailings/${made.id}/apply-starter`, { key: "newsletter-nb" }));
      const violations = await scanScreens(browser, server, "visual editor", () => [
        {
          state: "template step",
          url: `/mailings/${made.id}?step=template`,
          ready: '[data-testid="starter-templates"]',
        },
        { state: "content step", url: `/mailings/${made.id}?step=content`, ready: ".gjs-block" },
      ]);
      expect(violations, `${violations.length} violations:\n${violations.join("\n")}`).toEqual([]);
    },
    WALK,
  );

  it(
    "finds no serious or critical violation on the image library page: images, saved blocks, the delete and rename dialogs",
    async () => {
      const testId = (id: string) => `[data-testid="${id}"]`;
      const png = await sharp({ create: { width: 60, height: 30, channels: 3, background: "#0b5cad" } })
        .png()
        .toBuffer();
      await addImage(db, "", { data: png, originalName: "fjordlys-logo.png", userId: null });
      await ok(
        api.send("POST", "/api/saved-blocks", {
          name: "Bunntekst",
          mjml: "<mj-section><mj-column><mj-text>Fjordlys AS</mj-text></mj-column></mj-section>",
        }),
        201,
      );
      const violations = await scanScreens(browser, server, "library", () => [
        { state: "with an image and a block", url: "/library", ready: testId("library-blocks-table") },
        {
          state: "delete-image dialog",
          url: "/library",
          ready: testId("image-uses"),
          open: (page, language) =>
            page
              .getByRole("button", { name: named(language, "library.deleteImageOf") })
              .first()
              .click(),
        },
        {
          state: "rename-block dialog",
          url: "/library",
          ready: '[role="dialog"] input',
          open: (page, language) =>
            page
              .getByRole("button", { name: named(language, "library.renameOf") })
              .first()
              .click(),
        },
      ]);
      expect(violations, `${violations.length} violations:\n${violations.join("\n")}`).toEqual([]);
    },
    WALK,
  );

  it(
    "finds no serious or critical violation on the document screens: the wizard's steps, the PDF preview, the generated document",
    async () => {
      const testId = (id: string) => `[data-testid="${id}"]`;
      const draft = `/mailings/${doc.draftId}`;
      const violations = await scanScreens(browser, server, "document", () => [
        { state: "setup step", url: `${draft}?step=setup`, ready: testId("doc-heading") },
        { state: "template step", url: `${draft}?step=template`, ready: testId("doc-source-word") },
        { state: "content step", url: `${draft}?step=content`, ready: testId("document-body") },
        { state: "recipients step", url: `${draft}?step=recipients`, ready: testId("recipients-table") },
        { state: "confirm step preview", url: `${draft}?step=confirm`, ready: testId("document-preview") },
        { state: "generated", url: `/mailings/${doc.sentId}`, ready: testId("download-document") },
      ]);
      expect(violations, `${violations.length} violations:\n${violations.join("\n")}`).toEqual([]);
    },
    WALK,
  );

  it(
    "finds no serious or critical violation on the public pages (unsubscribe, subscriptions, view online)",
    async () => {
      const violations: string[] = [];
      const page = await browser.newPage();
      for (const { language, path } of publicPages) {
        await page.goto(`${server.url}${path}`);
        violations.push(...(await axeViolations(page, `${language} ${path.slice(0, 3)}`)));
      }
      await page.close();
      expect(publicPages).toHaveLength(6);
      expect(violations, `${violations.length} violations:\n${violations.join("\n")}`).toEqual([]);
    },
    WALK,
  );
});
