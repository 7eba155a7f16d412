// A sent mailing followed up in real Chromium: the server's worker sends to the SMTP sink, a reader opens a tracked
// link from the received message (landing on a page served on loopback) and unsubscribes on the /u/ page, then the
// marketer signs in and sees both in the Statistics tab's figures and charts, the Links tab and the Recipients tab.
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import type { Browser, BrowserContext, Page } from "playwright-core";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { ensureWebBuild } from "../../scripts/ensure-web-build.ts";
import type { Db } from "../../src/db/connect.ts";
import { addSource, resolveRecipients } from "../../src/mailings/recipients.ts";
import { aPerson } from "../helpers/builders.ts";
import { chromiumAvailable, cutOffBadges, launchChromium, screenshot, textOf } from "../helpers/chromium.ts";
import { testDialects } from "../helpers/dialects.ts";
import { aReadyMailing, aSendingSetup } from "../helpers/mailings.ts";
import { partAvailable } from "../helpers/requirements.ts";
import {
  type ApiClient,
  signIn,
  startTestServer,
  type TestServer,
  untilFinished,
} from "../helpers/server.ts";
import { type SinkMessage, type SmtpSink, startSmtpSink } from "../helpers/smtp-sink.ts";

const runs = partAvailable(
  "Chromium",
  chromiumAvailable(),
  "/usr/bin/chromium is not installed (apt install chromium)",
);
const STEP = 60_000;
// Headless Chromium calls itself HeadlessChrome, which the tracker rightly takes for a link scanner: the reader's
// browser says what a desktop Chrome says.
const READER_AGENT =
  "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/130.0 Safari/537.36";

const contentFor = (site: string) => `<html><body>
<p>Hei [[customer.firstname]]!</p>
<p><a href="${site}/tilbud">Se tilbudet</a></p>
<p><a href="${site}/om-oss">Om oss</a></p>
<p><a href="[[link.unsubscribe]]">Meld deg av</a></p>
</body></html>`;

const hrefs = (message: SinkMessage) =>
  [...String(message.parsed!.html).matchAll(/href="([^"]+)"/g)].map((m) => m[1]!.replaceAll("&amp;", "&"));

/** A full-page screenshot from the top (taken scrolled, the fixed header lands mid-page). */
async function shot(page: Page, name: string) {
  await page.evaluate("window.scrollTo(0, 0)");
  await screenshot(page, name);
}

/** The page a tracked link leads to, on loopback so nothing leaves the machine. */
async function startSite(): Promise<{ url: string; server: Server }> {
  const server = createServer((request, response) => {
    response.writeHead(200, { "content-type": "text/html; charset=utf-8" });
    response.end(
      `<!doctype html><title>Fjordlys</title><h1>Fjordlys ${new URL(request.url ?? "/", "http://x").pathname}</h1>`,
    );
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, server };
}

describe.skipIf(!runs).each(await testDialects())("web UI: follow-up on %s", (dialect) => {
  let server: TestServer;
  let sink: SmtpSink;
  let site: { url: string; server: Server };
  let admin: ApiClient;
  let db: Db;
  let browser: Browser;
  let reader: BrowserContext;
  let page: Page;
  let mailingId = 0;
  let messages: SinkMessage[] = [];
  const projects = { interested: 0, calls: 0 };
  const pageErrors: string[] = [];
  const tag = (name: string) => `follow-up-${dialect}-${name}`;
  const to = (address: string) => messages.find((m) => m.envelope.to[0] === address)!;

  beforeAll(async () => {
    ensureWebBuild(() => {});
    site = await startSite();
    server = await startTestServer({ dialect });
    sink = await startSmtpSink();
    admin = await signIn(server.url, server.adminEmail, server.adminPassword);
    db = server.server.handle.db;
    const setup = await aSendingSetup(db, { host: sink.host, port: sink.port });
    const people = [
      await aPerson(db, { firstName: "Kari", lastName: "Klikker", email: "kari@mottaker.example" }),
      await aPerson(db, { firstName: "Ola", lastName: "Avmelder", email: "ola@mottaker.example" }),
      await aPerson(db, { firstName: "Nils", lastName: "Leser", email: "nils@mottaker.example" }),
    ];
    const mailing = await aReadyMailing(
      db,
      setup,
      people.map((p) => p.id),
      { name: "Høstkampanje", content: contentFor(site.url) },
    );
    mailingId = mailing.id;
    // Made before the page loads its pickers, as a marketer would have them.
    for (const [key, name] of [
      ["interested", "Høstinteresserte"],
      ["calls", "Ringeliste høst"],
    ] as const) {
      const created = await admin.send("POST", "/api/projects", { name });
      expect(created.status).toBe(201);
      projects[key] = (created.body as { id: number }).id;
    }
    expect((await admin.send("POST", `/api/mailings/${mailingId}/send`)).status).toBe(200);
    messages = await sink.waitFor(3, 20_000);
    await untilFinished(admin, mailingId);
    // As if the messages went out a minute ago: clicks seconds after sending are a scanner's, not a reader's.
    await db
      .updateTable("deliveries")
      .set({ sent_at: new Date(Date.now() - 60_000).toISOString() })
      .where("mailing_id", "=", mailingId)
      .execute();
    browser = await launchChromium();
    reader = await browser.newContext({ userAgent: READER_AGENT, locale: "nb-NO" });
    page = await browser.newPage({ viewport: { width: 1360, height: 900 }, locale: "nb-NO" });
    page.setDefaultTimeout(15_000);
    page.on("pageerror", (error) => pageErrors.push(error.message));
  }, 180_000);

  beforeEach((context) => {
    context.onTestFailed(async () => {
      await screenshot(page, tag(`failed-${context.task.name.slice(0, 40).replace(/\W+/g, "-")}`));
    });
  });

  afterAll(async () => {
    await browser?.close();
    await sink?.close();
    await server?.close();
    await new Promise((resolve) => site?.server.close(resolve));
  });

  it(
    "takes a reader from the tracked link in the received message to the real page",
    async () => {
      const tracked = hrefs(to("kari@mottaker.example")).filter((h) => h.includes("/t/c/"));
      expect(tracked).toHaveLength(2);
      expect(tracked.every((h) => h.startsWith(server.url))).toBe(true);
      const tab = await reader.newPage();
      await tab.goto(tracked[0]!);
      await tab.waitForURL(`${site.url}/tilbud**`);
      expect(await tab.locator("h1").textContent()).toBe("Fjordlys /tilbud");
      await tab.close();
    },
    STEP,
  );

  it(
    "unsubscribes a reader only when they press the button on the unsubscribe page",
    async () => {
      const link = hrefs(to("ola@mottaker.example")).find((h) => h.includes("/u/"))!;
      const tab = await reader.newPage();
      await tab.goto(link);
      await tab.getByRole("button", { name: "Meld meg av" }).waitFor();
      const before = await admin.get(`/api/mailings/${mailingId}/statistics`);
      expect((before.body as { unsubscribed: number }).unsubscribed).toBe(0);
      await tab.getByRole("button", { name: "Meld meg av" }).click();
      await textOf(tab.locator("body"), (t) => t.includes("Du er meldt av"));
      await tab.close();
    },
    STEP,
  );

  it(
    "shows the click and the unsubscribe in the statistics figures, with rates and charts",
    async () => {
      await page.goto(`${server.url}/mailings/${mailingId}`);
      await page.waitForURL("**/sign-in");
      await page.getByLabel("E-post").fill(server.adminEmail);
      await page.getByLabel(/^Passord/).fill(server.adminPassword);
      await page.getByRole("button", { name: "Logg inn" }).click();
      await page.waitForURL(`**/mailings/${mailingId}`);
      await page.getByRole("tab", { name: "Statistikk" }).click();
      const figures = page.getByTestId("statistics-figures");
      await textOf(figures, (t) => t.includes("Klikket"));
      const value = (id: string) => page.getByTestId(`figure-${id}-value`).textContent();
      expect(await value("sent")).toBe("3");
      expect(await value("delivered")).toBe("3");
      expect(await value("clicked")).toBe("1");
      expect(await value("unsubscribed")).toBe("1");
      // The click counts as an open; nobody's pixel was loaded.
      expect(await value("opened")).toBe("1");
      expect(await value("bounced")).toBe("0");
      // Rates over the 3 delivered, one decimal, Norwegian format.
      expect(await page.getByTestId("figure-clicked-rate").textContent()).toMatch(/^33,3\s%$/);
      expect(await page.getByTestId("figure-unsubscribed-rate").textContent()).toMatch(/^33,3\s%$/);
      expect(await page.getByTestId("figure-bounced-rate").textContent()).toMatch(/^0,0\s%$/);
      await textOf(page.getByTestId("figure-clicked"), (t) => t.includes("1 klikk i alt"));

      const timeline = page.getByTestId("chart-timeline");
      await textOf(
        page.getByTestId("peak-hour"),
        (t) => t.startsWith("Travleste time:") && t.includes("1 klikket"),
      );
      await expect.poll(() => timeline.locator(".recharts-bar-rectangle").count()).toBeGreaterThan(0);
      expect(await timeline.locator(".recharts-reference-line").count()).toBe(1);
      // Activity in the first hour only: six hours across the card, not 48 slivers; the peak label sits inside the
      // plot, above the bars' baseline, not on the axis.
      expect(await page.getByTestId("timeline-bars").getAttribute("data-hours")).toBe("6");
      const label = await timeline.locator("svg text", { hasText: /^Topp$/ }).boundingBox();
      const axis = await timeline.locator(".recharts-xAxis").boundingBox();
      expect(label!.y + label!.height).toBeLessThan(axis!.y);
      // The bars use the width: a bar of six hours across the axis is far wider than a 48th of it.
      const widest = async () => {
        const boxes = await timeline
          .locator(".recharts-bar-rectangle path")
          .evaluateAll((paths) => paths.map((p) => p.getBoundingClientRect().width));
        return Math.max(0, ...boxes);
      };
      await expect.poll(widest).toBeGreaterThan(axis!.width / 24);
      const links = page.getByTestId("chart-links");
      await textOf(links, (t) => t.includes("/tilbud") && t.includes("/om-oss"));
      await expect.poll(() => links.locator(".recharts-bar-rectangle").count()).toBeGreaterThan(0);
      const legend = await textOf(page.getByTestId("by-status-legend"), (t) => t.includes("Levert"));
      expect(legend.replace(/\s/g, "")).toContain("Levert3");
      await page.waitForTimeout(500); // recharts animates its bars in
      await shot(page, tag("01-statistics"));
    },
    STEP,
  );

  it(
    "lists the links with their counts, shows who clicked, and adds the clickers to a new selection",
    async () => {
      await page.getByRole("tab", { name: "Lenker" }).click();
      const table = page.getByTestId("links-table");
      const offer = table.locator("tbody tr", { hasText: "/tilbud" });
      await textOf(offer, (t) => t.includes("Ingenting"));
      expect(await offer.locator('[data-col="clicks"]').textContent()).toBe("1");
      expect(await offer.locator('[data-col="unique"]').textContent()).toBe("1");
      expect(await offer.locator('[data-col="flagged"]').textContent()).toBe("0");
      const other = table.locator("tbody tr", { hasText: "/om-oss" });
      expect(await other.locator('[data-col="clicks"]').textContent()).toBe("0");
      // The page states the machine-click rule the tracker applies (src/track/agents.ts flagClick).
      expect(await page.getByTestId("links-help").textContent()).toContain(
        "klikk på alle lenkene i utsendelsen, eller 3 eller flere av dem, innen 2 sekunder",
      );
      await shot(page, tag("02-links"));

      await offer.getByRole("button", { name: "Klikkere" }).click();
      const drawer = page.getByTestId("clickers-drawer");
      const clickers = await textOf(drawer.getByTestId("clickers-table"), (t) => t.includes("Kari Klikker"));
      expect(clickers).toContain("kari@mottaker.example");
      expect(clickers).not.toContain("ola@mottaker.example");
      await shot(page, tag("03-clickers"));
      await drawer.getByRole("button", { name: /Legg klikkerne til/ }).click();
      const dialog = page.getByTestId("add-to-modal");
      await dialog.getByLabel("Navn på det nye utvalget").fill("Klikket på høsttilbudet");
      await dialog.getByRole("button", { name: "Legg til", exact: true }).click();
      // The answer names who was added.
      const result = page.getByTestId("add-to-result");
      await textOf(
        result.getByTestId("add-to-added"),
        (t) => t.includes("1 lagt til") && t.includes("Kari Klikker"),
      );
      await result.getByRole("button", { name: "Lukk", exact: true }).click();
      const selections = (await admin.get("/api/selections?limit=500")).body as {
        items: Array<{ id: number; name: string }>;
      };
      const created = selections.items.find((s) => s.name === "Klikket på høsttilbudet")!;
      const members = await admin.get(`/api/selections/${created.id}/members`);
      expect(JSON.stringify(members.body)).toContain("kari@mottaker.example");
      expect(JSON.stringify(members.body)).not.toContain("ola@mottaker.example");
      await page.keyboard.press("Escape");
      await drawer.waitFor({ state: "hidden" });
    },
    STEP,
  );

  it(
    "sets what a click on a link does, picking a project",
    async () => {
      const other = page.getByTestId("links-table").locator("tbody tr", { hasText: "/om-oss" });
      await other.getByRole("button", { name: "Handling …" }).click();
      const dialog = page.getByTestId("link-action-modal");
      await dialog.getByRole("combobox", { name: "Handling" }).click();
      await page.getByRole("option", { name: "Legg til i prosjekt" }).click();
      await dialog.getByRole("combobox", { name: "Til" }).click();
      await page.getByRole("option", { name: "Høstinteresserte" }).click();
      await dialog.getByRole("button", { name: "Lagre" }).click();
      await dialog.waitFor({ state: "hidden" });
      await textOf(other, (t) => t.includes("Legg til i prosjekt: Høstinteresserte"));
      const links = (await admin.get(`/api/mailings/${mailingId}/links`)).body as Array<{
        url: string;
        action: { kind: string; refId: number } | null;
      }>;
      expect(links.find((l) => l.url.endsWith("/om-oss"))?.action).toEqual({
        kind: "add-to-project",
        refId: projects.interested,
      });
    },
    STEP,
  );

  it(
    "filters the recipients by what they did, combining filters, and adds the picked ones to a project",
    async () => {
      await page.getByRole("tab", { name: "Mottakere" }).click();
      const table = page.getByTestId("follow-up-table");
      const rows = table.locator("tbody tr");
      await expect.poll(() => rows.count()).toBe(3);
      const filters = page.getByTestId("follow-up-filters");
      await filters.getByText("Klikket", { exact: true }).click();
      await expect.poll(() => rows.count()).toBe(1);
      const clicked = await textOf(rows.first(), (t) => t.includes("Kari Klikker"));
      expect(clicked).toContain("Levert");
      expect(await cutOffBadges(page)).toEqual([]);
      expect((await rows.first().locator('[data-col="clicked"]').textContent())?.trim()).not.toBe("");
      await shot(page, tag("04-recipients-clicked"));

      // All chosen filters must hold: nobody both clicked and unsubscribed.
      await filters.getByText("Avmeldt", { exact: true }).click();
      await expect.poll(() => rows.count()).toBe(0);
      await filters.getByText("Klikket", { exact: true }).click();
      await expect.poll(() => rows.count()).toBe(1);
      await textOf(rows.first(), (t) => t.includes("Ola Avmelder"));
      await filters.getByText("Avmeldt", { exact: true }).click();
      await expect.poll(() => rows.count()).toBe(3);

      await page.getByRole("checkbox", { name: "Velg Nils Leser" }).check();
      await page.getByRole("button", { name: "Legg valgte (1) til i …" }).click();
      const dialog = page.getByTestId("add-to-modal").filter({ visible: true });
      await dialog.getByText("Prosjekt", { exact: true }).click();
      await dialog.getByRole("combobox", { name: "Prosjekt" }).click();
      await page.getByRole("option", { name: "Ringeliste høst" }).click();
      await dialog.getByRole("button", { name: "Legg til", exact: true }).click();
      const result = page.getByTestId("add-to-result");
      await textOf(
        result.getByTestId("add-to-added"),
        (t) => t.includes("1 lagt til") && t.includes("Nils Leser"),
      );
      await result.getByRole("button", { name: "Lukk", exact: true }).click();
      // Added again, Nils is named as a member already, not counted as added.
      await page.getByRole("checkbox", { name: "Velg Nils Leser" }).check();
      await page.getByRole("button", { name: "Legg valgte (1) til i …" }).click();
      // The dialog keeps the kind of target chosen last (a project).
      await dialog.getByRole("combobox", { name: "Prosjekt" }).click();
      await page.getByRole("option", { name: "Ringeliste høst" }).click();
      await dialog.getByRole("button", { name: "Legg til", exact: true }).click();
      await textOf(
        result.getByTestId("add-to-already"),
        (t) => t.includes("1 var med fra før") && t.includes("Nils Leser"),
      );
      expect(await result.getByTestId("add-to-added").count()).toBe(0);
      await result.getByRole("button", { name: "Lukk", exact: true }).click();
      const members = await admin.get(`/api/projects/${projects.calls}/members`);
      expect(JSON.stringify(members.body)).toContain("nils@mottaker.example");
      expect(JSON.stringify(members.body)).not.toContain("kari@mottaker.example");
      const csv = page.getByRole("link", { name: "Eksporter CSV" });
      expect(await csv.getAttribute("href")).toBe(`/api/mailings/${mailingId}/recipients/export?format=csv`);
    },
    STEP,
  );

  it(
    "shows the follow-up in English when the user switches language",
    async () => {
      await page.evaluate("localStorage.setItem('utsend.language', 'en')");
      await page.reload();
      await page.getByRole("tab", { name: "Statistics" }).click();
      await textOf(page.getByTestId("figure-clicked"), (t) => t.startsWith("Clicked"));
      expect(await page.getByTestId("figure-clicked-rate").textContent()).toBe("33.3%");
      await textOf(page.getByTestId("peak-hour"), (t) => t.startsWith("Peak hour:"));
      await page.getByRole("tab", { name: "Recipients" }).click();
      await page.getByTestId("follow-up-filters").getByText("Unsubscribed", { exact: true }).waitFor();
      await page.evaluate("localStorage.setItem('utsend.language', 'nb')");
    },
    STEP,
  );

  it(
    "names who could not be added to a project and why: an address pasted into the mailing is not a CRM person",
    async () => {
      const setup = await aSendingSetup(db, { host: sink.host, port: sink.port });
      const per = await aPerson(db, { firstName: "Per", lastName: "Person", email: "per@mottaker.example" });
      const other = await aReadyMailing(db, setup, [per.id], {
        name: "Vinterkampanje",
      });
      await addSource(db, other.id, {
        kind: "addresses",
        addresses: [{ email: "innlimt@mottaker.example", name: "Innlimt Adresse" }],
      });
      await resolveRecipients(db, other.id);
      const before = sink.messages.length;
      expect((await admin.send("POST", `/api/mailings/${other.id}/send`)).status).toBe(200);
      await sink.waitFor(before + 2, 20_000);
      await untilFinished(admin, other.id);

      await page.goto(`${server.url}/mailings/${other.id}?tab=recipients`);
      const rows = page.getByTestId("follow-up-table").locator("tbody tr");
      await expect.poll(() => rows.count()).toBe(2);
      await page.getByRole("checkbox", { name: "Velg alle på siden" }).check();
      await page.getByRole("button", { name: "Legg valgte (2) til i …" }).click();
      const dialog = page.getByTestId("add-to-modal").filter({ visible: true });
      await dialog.locator(".mantine-SegmentedControl-root").getByText("Prosjekt", { exact: true }).click();
      await dialog.getByRole("combobox", { name: "Prosjekt" }).click();
      await page.getByRole("option", { name: "Ringeliste høst" }).click();
      await dialog.getByRole("button", { name: "Legg til", exact: true }).click();
      const result = page.getByTestId("add-to-result");
      await textOf(
        result.getByTestId("add-to-added"),
        (t) => t.includes("1 lagt til") && t.includes("Per Person"),
      );
      const refused = await textOf(result.getByTestId("add-to-not-in-crm"), (t) =>
        t.includes("Innlimt Adresse"),
      );
      expect(refused).toContain(
        "1 kunne ikke legges til: ikke personer i CRM (importerte eller innlimte adresser)",
      );
      await shot(page, tag("06-add-to-not-in-crm"));
      await result.getByRole("button", { name: "Lukk", exact: true }).click();
      const members = JSON.stringify(await admin.get(`/api/projects/${projects.calls}/members`));
      expect(members).toContain("per@mottaker.example");
      expect(members).not.toContain("innlimt@mottaker.example");
    },
    STEP,
  );

  it(
    "registers a link in the library and counts the clicks it already had",
    async () => {
      await page.goto(`${server.url}/mailings`);
      await page.getByRole("link", { name: "Registrerte lenker" }).click();
      await page.waitForURL("**/registered-links");
      await page.getByLabel("Navn").fill("Høsttilbudet");
      await page.getByLabel("Adresse").fill(`${site.url}/tilbud`);
      await page.getByRole("button", { name: "Legg til", exact: true }).click();
      const row = page.getByTestId("registered-links-table").locator("tbody tr", { hasText: "Høsttilbudet" });
      const text = await textOf(row, (t) => t.includes("/tilbud"));
      // One mailing, one click, one unique clicker.
      expect(text.replace(/\s/g, "")).toContain("/tilbud111");
      await shot(page, tag("05-registered-links"));
      expect(pageErrors).toEqual([]);
    },
    STEP,
  );
});
