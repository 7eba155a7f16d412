// The bounce tools in real Chromium against a server with demo data: the blocked-address list with the server's
// reply, clearing a block from it, and the warning (with its actions) on the person's page.
import type { Browser, Page } from "playwright-core";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { ensureWebBuild } from "../../scripts/ensure-web-build.ts";
import { blockAddress } from "../../src/deliveries/blocks.ts";
import { chromiumAvailable, launchChromium, screenshot, textOf } from "../helpers/chromium.ts";
import { partAvailable } from "../helpers/requirements.ts";
import { type ApiClient, signIn, startTestServer, type TestServer } from "../helpers/server.ts";

const runs = partAvailable(
  "Chromium",
  chromiumAvailable(),
  "/usr/bin/chromium is not installed (apt install chromium)",
);
const STEP = 60_000;

type PersonSummary = { id: number; fullName: string; email: string | null };

describe.skipIf(!runs)("web UI: blocked addresses", () => {
  let server: TestServer;
  let api: ApiClient;
  let browser: Browser;
  let page: Page;
  let first: PersonSummary;
  let second: PersonSummary;
  const pageErrors: string[] = [];

  beforeAll(async () => {
    ensureWebBuild(() => {});
    server = await startTestServer({ demoData: true });
    api = await signIn(server.url, server.adminEmail, server.adminPassword);
    const persons = (await api.get("/api/persons?hasEmail=true&limit=2")).body as { items: PersonSummary[] };
    [first, second] = persons.items as [PersonSummary, PersonSummary];
    const db = server.server.handle.db;
    const now = new Date().toISOString();
    await blockAddress(db, first.email!.toLowerCase(), "hard-bounce", "550 5.1.1 <x>: User unknown", now);
    await blockAddress(db, second.email!.toLowerCase(), "soft-bounces", "452 4.2.2 Mailbox full", now);
    browser = await launchChromium();
    page = await browser.newPage({ viewport: { width: 1360, height: 900 }, locale: "nb-NO" });
    page.setDefaultTimeout(15_000);
    page.on("pageerror", (error) => pageErrors.push(error.message));
  }, 180_000);

  beforeEach((context) => {
    context.onTestFailed(async () => {
      await screenshot(page, `failed-bounces-${context.task.name.slice(0, 40).replace(/\W+/g, "-")}`);
    });
  });

  afterAll(async () => {
    await browser?.close();
    await server?.close();
  });

  it(
    "opens Blocked addresses from the menu and shows each address with its reason, reply and person",
    async () => {
      await page.goto(`${server.url}/persons`);
      await page.waitForURL("**/sign-in");
      await page.getByLabel("E-post").fill(server.adminEmail);
      await page.getByLabel(/^Passord/).fill(server.adminPassword);
      await page.getByRole("button", { name: "Logg inn" }).click();
      await page.waitForURL("**/persons");
      await page.getByRole("link", { name: "Blokkerte adresser" }).click();
      await page.waitForURL("**/blocked-addresses");
      const table = page.getByTestId("blocked-addresses");
      const row = page.getByTestId(`blocked-${first.email!.toLowerCase()}`);
      const text = await textOf(row, (t) => t.includes("User unknown"));
      expect(text).toContain("Hard retur");
      expect(text).toContain("5.1.1");
      expect(text).toContain(first.fullName);
      await textOf(table, (t) => t.includes("Mailbox full"));
      await page.evaluate("window.scrollTo(0, 0)");
      await screenshot(page, "bounces-01-blocked-list");

      await page.getByRole("combobox", { name: "Årsak" }).click();
      await page.getByRole("option", { name: "Myke returer" }).click();
      await expect.poll(() => row.count()).toBe(0);
      await textOf(table, (t) => t.includes(second.email!.toLowerCase()));
      await page.getByRole("combobox", { name: "Årsak" }).click();
      await page.getByRole("option", { name: "Myke returer" }).click();
      await expect.poll(() => row.count()).toBe(1);
    },
    STEP,
  );

  it(
    "clears a picked address's block and the row goes",
    async () => {
      const address = second.email!.toLowerCase();
      await page.getByRole("checkbox", { name: `Velg ${address}` }).check();
      await textOf(page.getByTestId("bounce-actions"), (t) => t.includes("1 valgt"));
      await page.getByTestId("bounce-actions").getByRole("button", { name: "Opphev blokkeringen" }).click();
      await expect.poll(() => page.getByTestId(`blocked-${address}`).count()).toBe(0);
      const left = (await api.get("/api/blocked-addresses")).body as { items: Array<{ address: string }> };
      expect(left.items.map((b) => b.address)).toEqual([first.email!.toLowerCase()]);
      await screenshot(page, "bounces-02-cleared");
    },
    STEP,
  );

  it(
    "warns on the person's page with the fault, and the warning goes when the block is cleared there",
    async () => {
      await page.getByRole("link", { name: first.fullName }).click();
      await page.waitForURL(`**/persons/${first.id}`);
      const alert = page.getByTestId("address-problems");
      const text = await textOf(alert, (t) => t.includes("User unknown"));
      expect(text).toContain("En e-postadresse er blokkert");
      expect(text).toContain(first.email!);
      await screenshot(page, "bounces-03-person-warning");
      await alert.getByRole("button", { name: "Rett" }).click();
      const dialog = page.getByRole("dialog");
      await expect.poll(() => dialog.getByLabel(/Ny adresse/).inputValue()).toBe(first.email!.toLowerCase());
      await screenshot(page, "bounces-04-correct-dialog");
      await dialog.getByRole("button", { name: "Avbryt" }).click();
      await alert.getByRole("button", { name: "Opphev blokkeringen" }).click();
      await expect.poll(() => alert.count()).toBe(0);
    },
    STEP,
  );

  it(
    "shows a sent mailing's bounces in its own tab with the reply and the person",
    async () => {
      const domains = (await api.get("/api/sending-domains")).body as { items: { domain: string }[] };
      const accounts = (await api.get("/api/sending-accounts")).body as {
        items: { id: number; kind: string }[];
      };
      const created = await api.send("POST", "/api/mailings", {
        name: "Returtest",
        subject: "Hei",
        fromAddress: `post@${domains.items[0]!.domain}`,
        sendingAccountId: accounts.items.find((a) => a.kind === "outbox")!.id,
        content: '<p>Hei</p><a href="[[link.unsubscribe]]">Meld av</a>',
        options: { overrideConsent: true },
      });
      const mailingId = (created.body as { id: number }).id;
      const person = (
        await api.send("POST", "/api/persons", {
          firstName: "Retur",
          lastName: "Testesen",
          emails: [{ address: "retur.testesen@example.no" }],
        })
      ).body as { id: number };
      await api.send("POST", `/api/mailings/${mailingId}/sources`, { kind: "person", refId: person.id });
      const sent = await api.send("POST", `/api/mailings/${mailingId}/send`);
      expect(sent.status, JSON.stringify(sent.body)).toBe(200);
      await expect
        .poll(async () => ((await api.get(`/api/mailings/${mailingId}`)).body as { status: string }).status, {
          timeout: 15_000,
        })
        .toBe("finished");
      const db = server.server.handle.db;
      await db
        .updateTable("deliveries")
        .set({ status: "bounced", bounce_kind: "hard", last_reply: "5.1.1 The mailbox does not exist" })
        .where("mailing_id", "=", mailingId)
        .execute();
      await page.goto(`${server.url}/mailings/${mailingId}`);
      await page.getByRole("tab", { name: "Returer" }).click();
      const tab = page.getByTestId("mailing-bounces");
      const text = await textOf(tab, (t) => t.includes("The mailbox does not exist"));
      expect(text).toContain("retur.testesen@example.no");
      expect(text).toContain("Retur Testesen");
      expect(text).toContain("Hard retur");
      await screenshot(page, "bounces-05-mailing-tab");
      expect(pageErrors).toEqual([]);
    },
    STEP,
  );
});
