// An SMS mailing through the web UI in real Chromium against a real server with demo data and a local SMS outbox
// account: the type chosen in New mailing, the sender and a text with a merge field, the live counter (two parts
// past 160 characters, UCS-2 with an emoji), the recipients by mobile number, the merged first name in the phone
// preview, a test to a number, the real send, and on Statistics the deliveries and an opt-out.
import type { Browser, Page } from "playwright-core";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { ensureWebBuild } from "../../scripts/ensure-web-build.ts";
import { recordInboundSms } from "../../src/send/channels/sms/inbound.ts";
import { browserTestsRun, launchChromium, pick, screenshot, textOf } from "../helpers/chromium.ts";
import { type ApiClient, signIn, startTestServer, type TestServer } from "../helpers/server.ts";
import { zoneWhereItIs } from "../helpers/time-zones.ts";

const runs = browserTestsRun();
const STEP = 60_000;
const NAME = "Vårsalg på SMS";
const ACCOUNT = "SMS-utboks for test";
const SENDER = "Fjordlys";
const TEST_NUMBER = "+4791234567";

type Mailing = {
  id: number;
  status: string;
  type: string;
  smsSender: string | null;
  smsText: string | null;
  recipients: { eligible: number };
};

async function shot(page: Page, name: string) {
  await page.evaluate("window.scrollTo(0, 0)");
  await screenshot(page, name);
}

describe.skipIf(!runs)("web UI: an SMS mailing", () => {
  let server: TestServer;
  let api: ApiClient;
  let browser: Browser;
  let page: Page;
  let mailingId = 0;
  let accountId = 0;
  const pageErrors: string[] = [];
  const mailing = async () => (await api.get(`/api/mailings/${mailingId}`)).body as Mailing;

  beforeAll(async () => {
    ensureWebBuild(() => {});
    server = await startTestServer({ demoData: true });
    api = await signIn(server.url, server.adminEmail, server.adminPassword);
    const account = await api.send("POST", "/api/sending-accounts", {
      name: ACCOUNT,
      kind: "sms-outbox",
      ratePerSecond: 50,
      maxConnections: 1,
      isDefault: false,
      timeZone: zoneWhereItIs(12),
    });
    expect(account.status).toBe(201);
    accountId = (account.body as { id: number }).id;
    browser = await launchChromium();
    page = await browser.newPage({ viewport: { width: 1360, height: 900 }, locale: "nb-NO" });
    page.setDefaultTimeout(15_000);
    page.on("pageerror", (error) => pageErrors.push(error.message));
  }, 180_000);

  beforeEach((context) => {
    context.onTestFailed(async () => {
      await screenshot(page, `failed-sms-${context.task.name.slice(0, 40).replace(/\W+/g, "-")}`);
    });
  });

  afterAll(async () => {
    await browser?.close();
    await server?.close();
  });

  it(
    "creates an SMS mailing from New mailing and sets up its sender, SMS account and selection",
    async () => {
      await page.goto(`${server.url}/mailings`);
      await page.waitForURL("**/sign-in");
      await page.getByLabel("E-post").fill(server.adminEmail);
      await page.getByLabel(/^Passord/).fill(server.adminPassword);
      await page.getByRole("button", { name: "Logg inn" }).click();
      await page.waitForURL("**/mailings");

      await page.getByRole("button", { name: "Ny utsendelse" }).first().click();
      const dialog = page.getByRole("dialog");
      await dialog.getByLabel("Navn").fill(NAME);
      await dialog.getByTestId("mailing-type-sms").click();
      // SMS has templates of its own: that start is offered for an SMS too.
      expect(await dialog.getByRole("radio", { name: "En lagret mal" }).count()).toBe(1);
      await dialog.getByRole("button", { name: "Opprett og åpne" }).click();
      await page.waitForURL(/\/mailings\/\d+/);
      mailingId = Number(new URL(page.url()).pathname.split("/").pop());
      expect((await mailing()).type).toBe("sms");

      // Setup has no subject, from address or tracking for an SMS; the account list holds SMS accounts only.
      expect(await page.getByLabel(/^Emne/).count()).toBe(0);
      await page.getByRole("combobox", { name: "Avsenderkonto", exact: true }).click();
      const options = await textOf(page.getByRole("listbox"));
      expect(options).toContain(ACCOUNT);
      expect(options).not.toContain("Lokal utboks");
      await page.getByRole("option", { name: new RegExp(ACCOUNT) }).click();
      await pick(page, "Utvalg", "VIP-kunder");
      await pick(page, "Abonnementstype", "Månedlig nyhetsbrev");
      await page.getByRole("textbox", { name: /^Avsender/ }).fill(SENDER);
      await shot(page, "sms-01-setup");
      await page.getByRole("button", { name: /Neste: Mal/ }).click();
      await page.waitForURL(/step=template/);
      expect((await mailing()).smsSender).toBe(SENDER);
      // No SMS template is saved yet; the e-mail ones are not offered for a text message.
      await textOf(page.getByRole("main"), (t) => t.includes("SMS-maler er lagrede tekster"));
      await page.getByText("Ingen lagrede maler ennå.").waitFor();
      await page.getByRole("button", { name: /Neste: Innhold/ }).click();
      await page.waitForURL(/step=content/);
    },
    STEP,
  );

  it(
    "writes the text with a merge field, and the counter goes to two parts past 160 characters and to UCS-2 with an emoji",
    async () => {
      const text = page.getByRole("textbox", { name: /^Tekstmelding/ });
      await text.fill("Hei ");
      await page.getByRole("button", { name: "Sett inn flettefelt" }).click();
      await page.getByPlaceholder("Søk blant flettefeltene").fill("fornavn");
      await page.getByRole("menuitem", { name: /customer\.firstname/ }).click();
      await expect.poll(() => text.evaluate((el) => el === el.ownerDocument.activeElement)).toBe(true);
      await page.keyboard.type("! Vårsalget starter i dag.");
      expect(await text.inputValue()).toBe("Hei [[customer.firstname]]! Vårsalget starter i dag.");
      // Counted with the opt-out line the subscription type brings.
      await textOf(page.getByTestId("sms-parts"), (t) => t === "1 del");
      await textOf(page.getByTestId("sms-encoding"), (t) => t === "GSM-7");

      const long = `Hei [[customer.firstname]]! ${"Vårsalget starter i dag med gode tilbud. ".repeat(4)}`;
      await text.fill(long);
      await textOf(page.getByTestId("sms-parts"), (t) => t === "2 deler");
      await textOf(page.getByTestId("sms-encoding"), (t) => t === "GSM-7");
      await shot(page, "sms-02-two-parts");

      await text.fill("Hei [[customer.firstname]]! Vårsalget starter i dag 🌷");
      await textOf(page.getByTestId("sms-encoding"), (t) => t.startsWith("UCS-2"));
      await textOf(page.getByTestId("sms-ucs2-cause"), (t) => t.includes("🌷"));
      await shot(page, "sms-03-ucs2");

      await text.fill("Hei [[customer.firstname]]! Vårsalget starter i dag.");
      await textOf(page.getByTestId("sms-encoding"), (t) => t === "GSM-7");
      await page.getByRole("button", { name: /Neste: Mottakere/ }).click();
      await page.waitForURL(/step=recipients/);
      expect((await mailing()).smsText).toBe("Hei [[customer.firstname]]! Vårsalget starter i dag.");

      // The text saved as an SMS template is listed with its text on the Template step.
      await page.goto(`${server.url}/mailings/${mailingId}?step=template`);
      await page.getByLabel("Navn på malen").fill("Vårsalg-SMS");
      await page.getByRole("button", { name: "Lagre som mal" }).click();
      await textOf(
        page.getByTestId("templates-table"),
        (t) => t.includes("Vårsalg-SMS") && t.includes("Vårsalget starter i dag."),
      );
      const templates = await api.get("/api/templates?type=sms");
      expect(templates.body).toMatchObject({ items: [{ name: "Vårsalg-SMS", type: "sms" }] });
      await page.goto(`${server.url}/mailings/${mailingId}?step=recipients`);
    },
    STEP,
  );

  it(
    "lists the recipients by mobile number and previews the merged first name in a phone",
    async () => {
      const eligible = (await mailing()).recipients.eligible;
      expect(eligible).toBeGreaterThan(0);
      await textOf(page.getByTestId("recipients-table"), (t) => /\+?\d[\d ]{7,}/.test(t));
      expect(
        await page.getByTestId("recipients-table").getByRole("columnheader", { name: "Mobil" }).count(),
      ).toBe(1);
      // The demo's VIP customers without a mobile are left out and counted; duplicates are by number.
      await textOf(page.getByTestId("step-recipients-panel"), (t) =>
        /\d+ utelatt: mangler mobilnummer/.test(t),
      );
      expect(await page.getByRole("checkbox", { name: "Én melding per mobilnummer" }).count()).toBe(1);
      await shot(page, "sms-04-recipients");

      await page.getByRole("button", { name: /Neste: Bekreft/ }).click();
      await page.waitForURL(/step=confirm/);
      await textOf(page.getByTestId("phone-sender"), (t) => t === SENDER);
      // The recipient to preview as is shown by the mobile number the SMS goes to, not an e-mail address.
      const shownAs = await page.getByRole("combobox", { name: "Vis som" }).inputValue();
      expect(shownAs).toMatch(/<\+47\d{8}>$/);
      const bubble = await textOf(page.getByTestId("phone-bubble"), (t) => t.startsWith("Hei "));
      expect(bubble).not.toContain("[[");
      expect(bubble).toMatch(/^Hei \S+! Vårsalget starter i dag\./);
      expect(bubble).toContain("Svar STOPP for å melde deg av");
      await textOf(page.getByTestId("sms-summary-max"), (t) => t.includes("1"));
      await shot(page, "sms-05-preview");
    },
    STEP,
  );

  it(
    "sends a test to a number, refuses a bad one under the field, and the test is never counted",
    async () => {
      await page.getByTestId("sms-preview-panel").getByRole("button", { name: "Send test" }).click();
      const dialog = page.getByRole("dialog");
      await textOf(dialog, (t) => t.includes("Test-SMS telles aldri"));
      const numbers = dialog.getByRole("textbox", { name: /^Mobilnumre/ });
      await numbers.fill("12ab");
      await dialog.getByRole("button", { name: "Send test" }).click();
      await expect.poll(() => numbers.getAttribute("aria-invalid")).toBe("true");
      await numbers.fill(TEST_NUMBER);
      await dialog.getByRole("button", { name: "Send test" }).click();
      await textOf(dialog.getByTestId("sms-test-sent"), (t) => t.includes(`${TEST_NUMBER}: sendt`));
      await shot(page, "sms-06-test-sent");
      await dialog.getByRole("button", { name: "Lukk", exact: true }).click();

      // The test lies in the Outbox as an SMS, shown in a phone.
      const outbox = (await api.get(`/api/outbox?mailingId=${mailingId}`)).body as {
        items: { id: number; to: string; channel: string; isTest: boolean }[];
      };
      const test = outbox.items.find((item) => item.isTest);
      expect(test).toMatchObject({ to: TEST_NUMBER, channel: "sms" });
      await page.goto(`${server.url}/outbox/${test?.id}`);
      await textOf(page.getByTestId("outbox-subject"), (t) => t.includes(TEST_NUMBER));
      await textOf(page.getByTestId("phone-bubble"), (t) => /^Hei \S+! Vårsalget starter i dag\./.test(t));
      await shot(page, "sms-07-outbox-test");
      await page.goto(`${server.url}/mailings/${mailingId}?step=confirm`);
      await page.getByTestId("sms-preview-panel").waitFor();
    },
    STEP,
  );

  it(
    "sends for real through the local SMS outbox, and Statistics shows them delivered and an opt-out",
    async () => {
      const eligible = (await mailing()).recipients.eligible;
      await page.getByRole("button", { name: "Send nå" }).click();
      const dialog = page.getByRole("dialog");
      await dialog.getByRole("button", { name: "Send nå" }).click();
      await page.getByTestId("sending-progress").waitFor();
      await textOf(page.getByTestId("mailing-status"), (t) => t === "Ferdig", 60_000);
      // Delivered at once by the SMS outbox, and counted as sent all the same.
      await textOf(page.getByTestId("sending-progress"), (t) =>
        t.includes(`${eligible} av ${eligible} sendt`),
      );

      // One recipient answers STOPP to the sender.
      const rows = (await api.get(`/api/mailings/${mailingId}/recipients?status=eligible&limit=1`)).body as {
        items: { mobile: string | null }[];
      };
      const from = rows.items[0]?.mobile;
      expect(from).toBeTruthy();
      // As the SMS outbox has no phone network to answer through, the reply is recorded as a provider hands it over.
      const reply = await recordInboundSms(server.server.handle.db, accountId, {
        from: from as string,
        to: SENDER,
        text: "STOPP",
        at: new Date().toISOString(),
      });
      expect(reply.kind).toBe("opt-out");

      await page.reload();
      await page.getByRole("tab", { name: "Statistikk" }).click();
      expect(await page.getByRole("tab", { name: "Lenker" }).count()).toBe(0);
      expect(await page.getByRole("tab", { name: "Returer" }).count()).toBe(0);
      await textOf(page.getByTestId("sms-figure-delivered-value"), (t) => t === String(eligible), 30_000);
      await textOf(page.getByTestId("sms-figure-optOuts-value"), (t) => t === "1", 30_000);
      await page.getByTestId("sms-chart-timeline").waitFor();
      await shot(page, "sms-08-statistics");

      await page.getByRole("tab", { name: "Svar" }).click();
      await textOf(page.getByTestId("sms-replies"), (t) => t.includes("STOPP") && t.includes("Avmelding"));
      await shot(page, "sms-09-replies");
      expect(pageErrors).toEqual([]);
    },
    STEP * 2,
  );
});
