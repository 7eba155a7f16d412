// The mailing wizard in real Chromium against a real server with demo data: a new draft through Setup (the demo
// outbox account, a from address on the demo sending domain, the static selection), a blank template, content
// with merge fields, the recipients with blocked reasons and pasted addresses, a preview with empty-variable
// warnings, a test send seen in the Outbox, the real send followed to the end, and a delivered message rendered.
import { mkdirSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import type { Browser, Locator, Page } from "playwright-core";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { ensureWebBuild } from "../../scripts/ensure-web-build.ts";
import {
  chromiumAvailable,
  cutOffBadges,
  launchChromium,
  pick,
  screenshot,
  textOf,
} from "../helpers/chromium.ts";
import { partAvailable } from "../helpers/requirements.ts";
import { type ApiClient, signIn, startTestServer, type TestServer } from "../helpers/server.ts";

const runs = partAvailable(
  "Chromium",
  chromiumAvailable(),
  "/usr/bin/chromium is not installed (apt install chromium)",
);
const STEP = 60_000;
const SHOTS = resolve(dirname(fileURLToPath(import.meta.url)), "..", "..", "test-results", "screenshots");
const NAME = "Vårnytt til VIP-kundene";
const SUBJECT = "Vårnytt fra Fjordlys";
const CONTENT =
  '<h1>Hei [[customer.firstname]]!</h1>\n<p>Vårnytt fra oss.</p>\n<p><a href="[[link.unsubscribe]]">Meld deg av</a></p>';

type Mailing = {
  id: number;
  status: string;
  selectionId: number | null;
  subscriptionTypeId: number | null;
  fromAddress: string | null;
  content: string | null;
  recipients: { eligible: number; blocked: Record<string, number>; leftOut: number };
  problems: Array<{ code: string }>;
};

/** A full-page screenshot from the top (taken scrolled, the fixed header lands mid-page). */
async function shot(page: Page, name: string) {
  await page.evaluate("window.scrollTo(0, 0)");
  await screenshot(page, name);
}

/**
 * Clicks after scrolling the element into view and letting the page settle: Chromium renders a sandboxed frame
 * in its own process, and a click sent right after a scroll can be routed by the frame's old position.
 */
async function clickNearFrame(page: Page, locator: Locator) {
  await locator.scrollIntoViewIfNeeded();
  await page.waitForTimeout(300);
  await locator.click();
}

/** An element alone (full-page shots leave sandboxed frames blank). */
async function elementShot(locator: Locator, name: string) {
  mkdirSync(SHOTS, { recursive: true });
  await locator.scrollIntoViewIfNeeded();
  await locator.screenshot({ path: join(SHOTS, `${name}.png`) });
}

describe.skipIf(!runs)("web UI: mailings", () => {
  let server: TestServer;
  let api: ApiClient;
  let browser: Browser;
  let page: Page;
  let mailingId = 0;
  let domain = "";
  let vipId = 0;
  const pageErrors: string[] = [];
  const mailing = async () => (await api.get(`/api/mailings/${mailingId}`)).body as Mailing;

  beforeAll(async () => {
    ensureWebBuild(() => {});
    server = await startTestServer({ demoData: true });
    api = await signIn(server.url, server.adminEmail, server.adminPassword);
    const domains = (await api.get("/api/sending-domains")).body as { items: { domain: string }[] };
    domain = domains.items[0]?.domain ?? "";
    const selections = (await api.get("/api/selections")).body as {
      items: { id: number; name: string; kind: string }[];
    };
    vipId = selections.items.find((s) => s.kind === "static")?.id ?? 0;
    browser = await launchChromium();
    page = await browser.newPage({ viewport: { width: 1360, height: 900 }, locale: "nb-NO" });
    page.setDefaultTimeout(15_000);
    page.on("pageerror", (error) => pageErrors.push(error.message));
  }, 180_000);

  beforeEach((context) => {
    context.onTestFailed(async () => {
      await screenshot(page, `failed-mailings-${context.task.name.slice(0, 40).replace(/\W+/g, "-")}`);
    });
  });

  afterAll(async () => {
    await browser?.close();
    await server?.close();
  });

  it(
    "signs in to the mailings list and starts a new draft that opens in the wizard",
    async () => {
      expect(domain).not.toBe("");
      expect(vipId).toBeGreaterThan(0);
      await page.goto(`${server.url}/mailings`);
      await page.waitForURL("**/sign-in");
      await page.getByLabel("E-post").fill(server.adminEmail);
      await page.getByLabel(/^Passord/).fill(server.adminPassword);
      await page.getByRole("button", { name: "Logg inn" }).click();
      await page.waitForURL("**/mailings");
      await textOf(page.getByTestId("mailings-table"), (t) => t.includes("Invitasjon til Vårkonferansen"));
      await shot(page, "mailings-01-list");

      await page.getByRole("button", { name: "Ny utsendelse" }).first().click();
      const dialog = page.getByRole("dialog");
      await dialog.getByLabel("Navn").fill(NAME);
      await dialog.getByRole("button", { name: "Opprett og åpne" }).click();
      await page.waitForURL(/\/mailings\/\d+$/);
      mailingId = Number(new URL(page.url()).pathname.split("/").pop());
      expect((await mailing()).status).toBe("draft");
      await textOf(page.getByRole("heading", { level: 1 }), (t) => t.includes(NAME));
      // A new draft lacks a subject and a from address: Setup is incomplete, the later steps are closed.
      await expect
        .poll(() => page.getByTestId("step-marker-setup").getAttribute("data-state"))
        .toBe("incomplete");
      expect(await page.getByTestId("step-marker-content").isDisabled()).toBe(true);
      await textOf(page.getByTestId("step-problems"), (t) => t.includes("Skriv et emne"));
      await shot(page, "mailings-02-new-draft");
    },
    STEP,
  );

  it(
    "completes Setup with the outbox account, a from address on the demo domain and the static selection",
    async () => {
      // The built-in outbox is named in the UI's language.
      await pick(page, "Avsenderkonto", "Lokal utboks");
      await pick(page, "Utvalg", "VIP-kunder");
      await pick(page, "Abonnementstype", "Månedlig nyhetsbrev");
      await page.getByLabel(/^Emne/).fill(SUBJECT);
      // The problem list follows the fields as they are filled, before any save.
      await textOf(
        page.getByTestId("step-problems"),
        (t) => !t.includes("Skriv et emne") && t.includes("avsenderadresse"),
      );
      await page.getByLabel("Avsendernavn").fill("Fjordlys");
      await page.getByLabel(/^Avsenderadresse/).fill(`post@${domain}`);
      await expect.poll(() => page.getByTestId("step-problems").count()).toBe(0);
      await shot(page, "mailings-03-setup");
      await page.getByRole("button", { name: /Neste: Mal/ }).click();
      await page.waitForURL(/step=template/);
      await expect
        .poll(() => page.getByTestId("step-marker-setup").getAttribute("data-state"))
        .toBe("complete");
      const saved = await mailing();
      expect(saved).toMatchObject({ selectionId: vipId, fromAddress: `post@${domain}` });
      expect(saved.subscriptionTypeId).not.toBeNull();
    },
    STEP,
  );

  it(
    "starts blank, warns about an unknown merge field on save, and writes content with inserted fields",
    async () => {
      await page.getByRole("button", { name: "Start blankt" }).click();
      await page.waitForURL(/step=content/);
      const editor = page.getByLabel("Innhold", { exact: true });
      await editor.fill("<p>Hei [[customer.shoesize]]</p>");
      await page.getByRole("button", { name: "Lagre utkast" }).click();
      await page.getByText("Utkastet er lagret. Advarsler: 1.").waitFor();
      const problems = await textOf(page.getByTestId("step-problems"), (t) => t.includes("shoesize"));
      expect(problems).toContain("Ukjent flettefelt [[customer.shoesize]]");
      expect(problems).toContain("Legg inn avmeldingslenken");
      await shot(page, "mailings-04-content-warnings");
      // Neither the missing unsubscribe link nor the unknown merge field holds Recipients back: the content is written.
      expect(await page.getByTestId("step-marker-recipients").isDisabled()).toBe(false);
      expect((await mailing()).problems.map((p) => p.code).sort()).toEqual([
        "unknown-variable",
        "unsubscribe-link",
      ]);
      await editor.fill('<p>Hei [[customer.shoesize]]</p><a href="[[link.unsubscribe]]">Meld av</a>');
      await page.getByRole("button", { name: "Lagre utkast" }).click();
      await expect
        .poll(async () => (await mailing()).problems.map((p) => p.code))
        .toEqual(["unknown-variable"]);
      expect(await page.getByTestId("step-marker-recipients").isDisabled()).toBe(false);
      expect(await page.getByTestId("step-marker-content").getAttribute("data-state")).toBe("incomplete");
      // Confirm is reachable too: it lists the unknown merge field, and that holds back sending only.
      expect(await page.getByTestId("step-marker-confirm").isDisabled()).toBe(false);
      await page.getByTestId("step-marker-confirm").click();
      await page.waitForURL(/step=confirm/);
      await textOf(page.getByTestId("problems"), (t) =>
        t.includes("Ukjent flettefelt [[customer.shoesize]]"),
      );
      expect(await page.getByRole("button", { name: "Send nå" }).isDisabled()).toBe(true);
      expect((await mailing()).problems.map((p) => p.code)).toEqual(["unknown-variable"]);
      await shot(page, "mailings-04b-confirm-lists-content-problem");
      await page.getByTestId("step-marker-content").click();
      await page.waitForURL(/step=content/);

      await editor.fill("<h1>Hei ");
      await page.getByRole("button", { name: "Sett inn flettefelt" }).click();
      await page.getByPlaceholder("Søk blant flettefeltene").fill("fornavn");
      await page.getByRole("menuitem", { name: /customer\.firstname/ }).click();
      await expect.poll(() => editor.evaluate((el) => el === el.ownerDocument.activeElement)).toBe(true);
      await page.keyboard.type('!</h1>\n<p>Vårnytt fra oss.</p>\n<p><a href="');
      await page.getByRole("button", { name: "Avmeldingslenke" }).click();
      await expect.poll(() => editor.evaluate((el) => el === el.ownerDocument.activeElement)).toBe(true);
      await page.keyboard.type('">Meld deg av</a></p>');
      expect(await editor.inputValue()).toBe(CONTENT);
      await shot(page, "mailings-05-content");

      await page.getByRole("button", { name: /Neste: Mottakere/ }).click();
      await page.waitForURL(/step=recipients/);
      expect((await mailing()).content).toBe(CONTENT);
    },
    STEP,
  );

  it(
    "lists the recipients with blocked reasons and those left out, and adds pasted addresses",
    async () => {
      const before = await mailing();
      expect(before.recipients.eligible).toBeGreaterThan(0);
      expect(before.recipients.blocked.unsubscribed ?? 0).toBeGreaterThan(0);
      await textOf(page.getByTestId("count-eligible"), (t) => t === String(before.recipients.eligible));
      const reasons = await textOf(page.getByTestId("blocked-reasons"), (t) => t.includes("Avmeldt"));
      expect(reasons).toContain(`Avmeldt: ${before.recipients.blocked.unsubscribed}`);
      if (before.recipients.leftOut > 0) {
        await textOf(
          page.getByTestId("left-out"),
          (t) => t === `${before.recipients.leftOut} utelatt: mangler e-postadresse`,
        );
      }
      await textOf(page.getByTestId("setup-source-selection"), (t) => t.includes("VIP-kunder"));

      await page.getByTestId("recipient-filter").getByText("Sperret", { exact: true }).click();
      const rows = page.getByTestId("recipients-table").locator("tbody tr");
      const blockedTotal = Object.values(before.recipients.blocked).reduce((a, b) => a + b, 0);
      await expect.poll(() => rows.count()).toBe(blockedTotal);
      const blockedText = await textOf(page.getByTestId("recipients-table").locator("tbody"), (t) =>
        t.includes("Avmeldt"),
      );
      expect(blockedText).toContain("Sperret");
      // Every status badge says its status in full, never cut off with an ellipsis.
      expect(await cutOffBadges(page)).toEqual([]);
      await shot(page, "mailings-06-recipients-blocked");

      await page.getByRole("button", { name: "Legg til kilde" }).click();
      await page.getByRole("menuitem", { name: "Lim inn adresser …" }).click();
      const dialog = page.getByRole("dialog");
      await dialog.getByLabel("Adresser").fill("Nora Ny <nora.ny@example.no>\nukjent@example.no");
      await textOf(dialog.getByTestId("pasted-count"), (t) => t === "2 adresser");
      const add = dialog.getByRole("button", { name: "Legg til kilde" });
      expect(await add.isDisabled()).toBe(true);
      await dialog.getByLabel("Disse personene har samtykket til markedsføring").check();
      await add.click();
      await dialog.waitFor({ state: "hidden" });
      await textOf(page.getByTestId("sources-table"), (t) => t.includes("Adresser"));
      await textOf(page.getByTestId("count-eligible"), (t) => t === String(before.recipients.eligible + 2));
      await page.getByTestId("recipient-filter").getByText("Alle", { exact: true }).click();
      await textOf(page.getByTestId("recipients-table"), (t) => t.includes("ukjent@example.no"));
      await shot(page, "mailings-07-recipients-pasted");
      expect((await mailing()).recipients.eligible).toBe(before.recipients.eligible + 2);
    },
    STEP,
  );

  it(
    "previews recipients, lists empty merge fields across the list, and sends a test seen in the Outbox",
    async () => {
      await page.getByRole("button", { name: /Neste: Bekreft/ }).click();
      await page.waitForURL(/step=confirm/);
      await textOf(page.getByTestId("ready"), (t) => t.includes("Klar til å sende"));
      await textOf(page.getByTestId("preview-subject"), (t) => t === SUBJECT);
      const frame = page.frameLocator('[data-testid="preview-frame"]');
      const greeting = await textOf(frame.locator("h1"), (t) => /^Hei \S+!$/.test(t));
      expect(greeting).not.toContain("[[");

      await pick(page, "Vis som", /ukjent@example\.no/);
      await textOf(frame.locator("h1"), (t) => t === "Hei !");
      await textOf(page.getByTestId("preview-empty-variables"), (t) => t.includes("customer.firstname"));
      const empty = page.getByTestId("empty-variables");
      await textOf(empty, (t) => t.includes("customer.firstname er tom for 2 mottakere"));
      await clickNearFrame(page, empty.getByRole("button", { name: /customer\.firstname/ }));
      await expect
        .poll(() => empty.getByRole("button", { name: /customer\.firstname/ }).getAttribute("aria-expanded"))
        .toBe("true");
      await textOf(empty, (t) => t.includes("nora.ny@example.no") && t.includes("ukjent@example.no"));
      await shot(page, "mailings-08-confirm-preview");
      await elementShot(page.getByTestId("preview-frame"), "mailings-08b-preview-frame");

      await clickNearFrame(
        page,
        page.getByTestId("preview-panel").getByRole("button", { name: "Send test" }),
      );
      const dialog = page.getByRole("dialog");
      // A bad address is refused under the field in Norwegian (the server's kind and params), not the server's English.
      const addresses = dialog.getByLabel(/^Adresser/);
      await addresses.fill("test.en@example.no; ikke-en-adresse");
      await dialog.getByRole("button", { name: "Send test" }).click();
      await expect.poll(() => addresses.getAttribute("aria-invalid")).toBe("true");
      const refused = await textOf(dialog, (t) => t.includes("må være en e-postadresse: ikke-en-adresse"));
      expect(refused).not.toMatch(/not valid|e-mail address/);
      expect(await dialog.getByTestId("test-sent").count()).toBe(0);
      await addresses.fill("test.en@example.no; test.to@example.no");
      await textOf(dialog, (t) => t.includes("[TEST] legges foran emnet"));
      await dialog.getByRole("button", { name: "Send test" }).click();
      await textOf(dialog.getByTestId("test-sent"), (t) => t.includes("Sendt til 2 adresser."));
      // Each test is listed with the mailing's earlier tests, where a bounce that comes back for it shows up.
      await textOf(
        dialog.getByTestId("test-history"),
        (t) => t.includes("test.en@example.no") && t.includes("test.to@example.no") && t.includes("Sendt"),
      );
      await shot(page, "mailings-09-test-sent");
      await dialog.getByRole("button", { name: "Lukk", exact: true }).click();

      await page.getByRole("navigation").getByRole("link", { name: "Utboks" }).click();
      await page.waitForURL("**/outbox");
      const outbox = page.getByTestId("outbox-table");
      const tests = await textOf(
        outbox,
        (t) => t.includes("test.en@example.no") && t.includes("test.to@example.no"),
      );
      expect(tests).toContain(`[TEST] ${SUBJECT}`);
      expect(await outbox.locator('tbody tr[data-test-send="yes"]').count()).toBe(2);
      await shot(page, "mailings-10-outbox-tests");
    },
    STEP,
  );

  it(
    "sends the mailing and follows the progress until it is finished",
    async () => {
      const eligible = (await mailing()).recipients.eligible;
      await page.goto(`${server.url}/mailings/${mailingId}?step=confirm`);
      await page.getByRole("button", { name: "Send nå" }).click();
      const dialog = page.getByRole("dialog");
      await textOf(dialog, (t) => t.includes(`til ${eligible} mottakere`));
      await dialog.getByRole("button", { name: "Send nå" }).click();
      await page.getByTestId("sending-progress").waitFor();
      await shot(page, "mailings-11-sending");
      await textOf(
        page.getByTestId("progress-sent"),
        (t) => t.replace(/\s/g, "") === `${eligible}av${eligible}sendt`,
        60_000,
      );
      await textOf(page.getByTestId("mailing-status"), (t) => t === "Ferdig", 15_000);
      await textOf(page.getByTestId("sending-progress"), (t) => t.includes("Ferdig sendt"));
      expect((await mailing()).status).toBe("finished");
      await shot(page, "mailings-12-finished");
    },
    STEP * 2,
  );

  it(
    "opens the mailing's messages in the Outbox and shows a delivered one rendered, with headers and source",
    async () => {
      const eligible = (await mailing()).recipients.eligible;
      await page.getByRole("link", { name: "Se meldingene i utboksen" }).click();
      await page.waitForURL(/\/outbox\?mailingId=\d+/);
      const rows = page.getByTestId("outbox-table").locator("tbody tr");
      // The two test sends belong to the mailing too; they are marked.
      await expect.poll(() => rows.count()).toBe(eligible + 2);
      await page
        .getByTestId("outbox-table")
        .locator('tbody tr[data-test-send="no"]')
        .first()
        .getByRole("link")
        .click();
      await page.waitForURL(/\/outbox\/\d+$/);
      await textOf(page.getByTestId("outbox-subject"), (t) => t === SUBJECT);
      const frame = page.frameLocator('[data-testid="outbox-frame"]');
      await textOf(frame.locator("h1"), (t) => t.startsWith("Hei "));
      expect(await frame.locator("a", { hasText: "Meld deg av" }).getAttribute("href")).toMatch(
        /^https?:\/\//,
      );
      await shot(page, "mailings-13-outbox-message");
      await elementShot(page.getByTestId("outbox-frame"), "mailings-13b-outbox-frame");

      await clickNearFrame(page, page.getByRole("tab", { name: "Hoder" }));
      const headers = await textOf(page.getByTestId("outbox-headers"), (t) => t.includes("list-unsubscribe"));
      expect(headers.toLowerCase()).toContain("dkim-signature");
      await clickNearFrame(page, page.getByRole("button", { name: "Vis kildekoden" }));
      await textOf(
        page.getByTestId("outbox-raw"),
        (t) => t.includes(`Subject: ${SUBJECT}`) || t.includes("Subject:"),
      );
      await shot(page, "mailings-14-outbox-headers");

      await page.goto(`${server.url}/selections/${vipId}?tab=mailings`);
      await textOf(page.getByTestId("linked-mailings"), (t) => t.includes(NAME) && t.includes("Ferdig"));
      await shot(page, "mailings-15-selection-mailings");
    },
    STEP,
  );

  it(
    "lists the e-mail's accessibility warnings at Confirm, in nb and en, each dismissed from the keyboard without blocking sending",
    async () => {
      const list = (await api.get("/api/mailings?limit=50")).body as {
        items: { id: number; name: string }[];
      };
      const demo = list.items.find((m) => m.name === "Invitasjon til Vårkonferansen")!;
      const edited = await api.send("PATCH", `/api/mailings/${demo.id}`, {
        subject: "Nyhetsbrev",
        content: `<h1>Hei [[customer.firstname]]!</h1><p>Vårkonferansen samler kunder og partnere i Bergen i april, med foredrag, verksted og middag.</p>
          <img src="https://cdn.example/program.jpg"><p style="color:#999999">Påmeldingsfristen er 1. april.</p>
          <p><a href="https://fjordlys.example/konferanse">Les mer</a> · <a href="[[link.unsubscribe]]">Meld deg av</a></p>`,
      });
      expect(edited.status).toBe(200);
      const canSend = (edited.body as { canSend: boolean }).canSend;
      await page.goto(`${server.url}/mailings/${demo.id}?step=confirm`);
      const warnings = page.getByTestId("accessibility-warnings");
      const text = await textOf(warnings, (t) => t.includes("Tilgjengelighet i e-posten"));
      expect(text).toContain("Et bilde mangler alt-tekst (https://cdn.example/program.jpg)");
      expect(text).toContain("«Påmeldingsfristen er 1. april.» har kontrast 2,84:1 (#999999 på #ffffff)");
      expect(text).toContain("Lenketeksten «Les mer» sier ikke hvor lenken går.");
      expect(text).toContain("Emnet «Nyhetsbrev» sier ikke hva e-posten handler om.");
      expect(await warnings.getByRole("listitem").count()).toBe(4);

      const dismiss = warnings.getByRole("button", { name: /^Ignorer: Emnet «Nyhetsbrev»/ });
      await dismiss.focus();
      await page.keyboard.press("Enter");
      const restore = warnings.getByRole("button", { name: /^Vis igjen: Emnet «Nyhetsbrev»/ });
      await restore.waitFor();
      // The same button, still focused: the keyboard user is where they were.
      expect(await page.evaluate("document.activeElement?.textContent")).toBe("Vis igjen");
      await textOf(warnings, (t) => t.includes("Ignorert: Emnet «Nyhetsbrev»"));
      const saved = (await api.get(`/api/mailings/${demo.id}`)).body as {
        canSend: boolean;
        accessibilityWarnings: Array<{ code: string; dismissed: boolean }>;
      };
      expect(saved.accessibilityWarnings.filter((w) => w.dismissed).map((w) => w.code)).toEqual([
        "vague-subject",
      ]);
      // Warnings never stop sending: the send button is as the blocking problems alone leave it.
      expect(saved.canSend).toBe(canSend);
      expect(await page.getByRole("button", { name: "Send nå" }).isEnabled()).toBe(canSend);
      await shot(page, "mailings-17-accessibility-warnings");

      await page.evaluate("localStorage.setItem('utsend.language', 'en')");
      await page.reload();
      const english = await textOf(warnings, (t) => t.includes("Accessibility of the e-mail"));
      expect(english).toContain("has a contrast of 2.84:1 (#999999 on #ffffff); it needs at least 4.5:1");
      expect(english).toContain("Dismissed: The subject “Nyhetsbrev” does not say what the e-mail is about.");
      await warnings.getByRole("button", { name: /^Show again: The subject/ }).click();
      await warnings.getByRole("button", { name: /^Dismiss: The subject/ }).waitFor();
      await page.evaluate("localStorage.setItem('utsend.language', 'nb')");
      await page.reload();
      await textOf(warnings, (t) => t.includes("Tilgjengelighet i e-posten"));
    },
    STEP,
  );

  it(
    "shows the sending accounts and the demo domain's DNS records to publish under Settings",
    async () => {
      await page.getByRole("navigation").getByRole("link", { name: "Innstillinger" }).click();
      await page.getByRole("tab", { name: "Sending" }).click();
      const accounts = await textOf(page.getByTestId("sending-accounts"), (t) => t.includes("Lokal utboks"));
      expect(accounts).not.toContain("Local outbox");
      const domains = await textOf(page.getByTestId("sending-domains"), (t) => t.includes(domain));
      expect(domains).toContain(`bounces.${domain}`);
      await page.getByRole("button", { name: "DNS-oppføringer" }).click();
      const records = await textOf(page.getByTestId("dns-records"), (t) => t.includes("_domainkey"));
      expect(records).toContain("v=DKIM1");
      expect(records).toContain(`_dmarc.${domain}`);
      expect(
        await page.getByTestId("dns-records").getByRole("button", { name: "Kopier" }).count(),
      ).toBeGreaterThan(3);
      await shot(page, "mailings-16-settings-sending");
      expect(pageErrors).toEqual([]);
    },
    STEP,
  );
});
