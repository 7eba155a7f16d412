// The Confirm step's spam check in real Chromium with Debian's SpamAssassin: a message that scores as spam shows its
// score and rules, Send stays disabled and is listed as a problem until a reason is given, and the reason is shown.
import type { Browser } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ensureWebBuild } from "../../scripts/ensure-web-build.ts";
import { aPerson } from "../helpers/builders.ts";
import { chromiumAvailable, launchChromium, screenshot, signedInPage } from "../helpers/chromium.ts";
import { aReadyMailing, aSendingSetup } from "../helpers/mailings.ts";
import { partAvailable, spamAssassinAvailable } from "../helpers/requirements.ts";
import { startTestServer, type TestServer } from "../helpers/server.ts";

const runs =
  partAvailable(
    "Chromium",
    chromiumAvailable(),
    "/usr/bin/chromium is not installed (apt install chromium)",
  ) && spamAssassinAvailable();
const REASON = "Teststrengen for spamfiltre; sendes bare til vår egen testliste";

describe.skipIf(!runs)("web UI: the spam check at Confirm", () => {
  let server: TestServer;
  let browser: Browser;
  let spamId = 0;

  beforeAll(async () => {
    ensureWebBuild(() => {});
    server = await startTestServer({ config: { spamAssassin: "auto" } });
    const db = server.server.handle.db;
    const kari = await aPerson(db, { firstName: "Kari", email: "kari.spam@example.no", language: "nb" });
    spamId = (
      await aReadyMailing(db, await aSendingSetup(db), [kari.id], {
        name: "Spamsjekk",
        content: `<p>XJS*C4JDBQADN1.NSBN3*2IDNEN*GTUBE-STANDARD-ANTI-UBE-TEST-EMAIL*C.34X</p>
          <p><a href="https://bit.ly/3xYz">Program</a> <a href="[[link.unsubscribe]]">Meld av</a></p>`,
      })
    ).id;
    browser = await launchChromium();
  }, 240_000);

  afterAll(async () => {
    await browser?.close();
    await server?.close();
  });

  it("shows the score and rules, keeps Send disabled until a reason is given, then shows the reason", async () => {
    const page = await signedInPage(browser, {
      url: server.url,
      email: server.adminEmail,
      password: server.adminPassword,
      language: "en",
    });
    try {
      await page.goto(`${server.url}/mailings/${spamId}`);
      await page.getByTestId("step-marker-confirm").click();
      const score = page.getByTestId("spamassassin-score");
      await score.waitFor({ timeout: 30_000 });
      await expect.poll(() => score.textContent()).toMatch(/SpamAssassin score: 1[,.]?00\d/);
      expect(await page.getByTestId("spam-rules").textContent()).toContain("GTUBE");
      expect(await page.getByTestId("spam-findings").textContent()).toContain("bit.ly");
      await page.getByTestId("spam-check").screenshot({ path: "test-results/screenshots/ui-spam-check.png" });
      const send = page.getByRole("button", { name: "Send now", exact: true });
      expect(await send.isDisabled()).toBe(true);
      expect(await page.getByTestId("problems").textContent()).toContain("SpamAssassin");

      await page.getByRole("textbox", { name: /Why may it be sent anyway/ }).fill(REASON);
      await page.getByRole("button", { name: "Allow sending despite the score" }).click();
      await page.getByTestId("spam-dismissed").waitFor();
      expect(await page.getByTestId("spam-dismissed").textContent()).toContain(REASON);
      await expect.poll(() => send.isDisabled()).toBe(false);
      expect(await page.getByTestId("ready").count()).toBe(1);
    } catch (error) {
      await screenshot(page, "ui-spam-check-failed");
      throw error;
    } finally {
      await page.context().close();
    }
  }, 120_000);
});
