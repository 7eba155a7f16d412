// The statistics' problems panel in real Chromium, in both languages and checked with axe: deliveries waiting by
// recipient domain after a 421, and those a warm-up holds back. The query itself runs on both databases in
// send-pacing.test.ts; the screen is the same on either.
import type { Browser, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ensureWebBuild } from "../../scripts/ensure-web-build.ts";
import en from "../../web/src/i18n/en.json" with { type: "json" };
import nb from "../../web/src/i18n/nb.json" with { type: "json" };
import { axeViolations } from "../helpers/axe.ts";
import { aPerson } from "../helpers/builders.ts";
import { chromiumAvailable, launchChromium, signedInPage, textOf } from "../helpers/chromium.ts";
import { aReadyMailing, aSendingSetup } from "../helpers/mailings.ts";
import { partAvailable } from "../helpers/requirements.ts";
import { signIn, startTestServer, type TestServer, untilFinished } from "../helpers/server.ts";

const runs = partAvailable(
  "Chromium",
  chromiumAvailable(),
  "/usr/bin/chromium is not installed (apt install chromium)",
);
const words = { en, nb };

describe.skipIf(!runs)("web UI: deliveries waiting by domain", () => {
  let server: TestServer;
  let browser: Browser;
  let mailingId = 0;
  const nextTry = new Date(Date.now() + 3_600_000).toISOString();

  beforeAll(async () => {
    ensureWebBuild(() => {});
    server = await startTestServer();
    const db = server.server.handle.db;
    const admin = await signIn(server.url, server.adminEmail, server.adminPassword);
    const setup = await aSendingSetup(db);
    const people = [
      await aPerson(db, { email: "a@travelt.example" }),
      await aPerson(db, { email: "b@travelt.example" }),
      await aPerson(db, { email: "c@varm.example" }),
      await aPerson(db, { email: "d@rask.example" }),
    ];
    const mailing = await aReadyMailing(
      db,
      setup,
      people.map((p) => p.id),
      { name: "Vinterkampanje" },
    );
    mailingId = mailing.id;
    expect((await admin.send("POST", `/api/mailings/${mailingId}/send`)).status).toBe(200);
    await untilFinished(admin, mailingId);
    // As the ledger leaves them: two refused with 421 and waiting for their retry, one held by the warm-up.
    await db
      .updateTable("deliveries")
      .set({ status: "pending", tries: 1, last_reply: "421 4.7.0 Try again later", next_try_at: nextTry })
      .where("mailing_id", "=", mailingId)
      .where("address_key", "like", "%@travelt.example")
      .execute();
    await db
      .updateTable("deliveries")
      .set({ status: "pending", held_reason: "warm-up", next_try_at: nextTry })
      .where("mailing_id", "=", mailingId)
      .where("address_key", "=", "c@varm.example")
      .execute();
    browser = await launchChromium();
  }, 120_000);

  afterAll(async () => {
    await browser?.close();
    await server?.close();
  });

  for (const language of ["nb", "en"] as const) {
    it(`lists each waiting domain with its last reply and next try, without an axe violation (${language})`, async () => {
      const page: Page = await signedInPage(browser, {
        url: server.url,
        email: server.adminEmail,
        password: server.adminPassword,
        language,
      });
      const t = words[language].followUp;
      await page.goto(`${server.url}/mailings/${mailingId}`);
      await page.getByRole("tab", { name: words[language].followUp.tabs.statistics, exact: true }).click();
      const panel = page.getByTestId("statistics-problems");
      await textOf(panel, (text) => text.includes(t.problems.title));
      const table = page.getByRole("table", { name: t.problems.title });
      const rows = await table.locator("tbody tr").allTextContents();
      expect(rows).toHaveLength(2);
      expect(rows[0]).toContain("travelt.example");
      expect(rows[0]).toContain("421 4.7.0 Try again later");
      expect(rows[1]).toContain("varm.example");
      expect(rows[1]).toContain(t.problems.heldBy["warm-up"]);
      expect(await axeViolations(page, `${language} statistics › problems`)).toEqual([]);
      await page.context().close();
    }, 60_000);
  }
});
