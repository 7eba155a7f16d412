// A document mailing through the web UI in real Chromium against a real server: the letterhead set in Settings,
// Document chosen in New mailing, Setup, the Word template refused and accepted, the letter composed with the
// toolbar and a merge field, the recipients with the one without a postal address left out, the preview's PDF,
// Generate, the progress to "Download generated document", and the downloaded PDF read back with poppler. axe checks
// each of these screens.
import { existsSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Browser, Page } from "playwright-core";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { ensureWebBuild } from "../../scripts/ensure-web-build.ts";
import { axeViolations } from "../helpers/axe.ts";
import { browserTestsRun, launchChromium, pick, screenshot, textOf } from "../helpers/chromium.ts";
import { docx, paragraph } from "../helpers/docx.ts";
import { pageText, pdfWords } from "../helpers/pdf-text.ts";
import { solidPng } from "../helpers/png.ts";
import { popplerAvailable } from "../helpers/requirements.ts";
import { type ApiClient, ok, signIn, startTestServer, type TestServer } from "../helpers/server.ts";

const runs = browserTestsRun() && popplerAvailable();
const STEP = 60_000;
const NAME = "Julebrev til kundene";
const SELECTION = "Brevmottakere";

type Mailing = {
  id: number;
  status: string;
  type: string;
  docHeading: string | null;
  docSource: string;
  docTemplateName: string | null;
  content: string | null;
  selectionId: number | null;
  recipients: { eligible: number; leftOut: number };
};

/** The bytes behind a URL as the signed-in page sees them: content type and the body in base64. */
async function fetchInPage(
  page: Page,
  url: string,
): Promise<{ status: number; type: string | null; body: Buffer }> {
  const got = (await page.evaluate(async (href) => {
    const response = await fetch(href);
    const bytes = new Uint8Array(await response.arrayBuffer());
    let binary = "";
    for (const b of bytes) binary += String.fromCharCode(b);
    return { status: response.status, type: response.headers.get("content-type"), base64: btoa(binary) };
  }, url)) as { status: number; type: string | null; base64: string };
  return { status: got.status, type: got.type, body: Buffer.from(got.base64, "base64") };
}

describe.skipIf(!runs)("web UI: a document mailing", () => {
  let server: TestServer;
  let api: ApiClient;
  let browser: Browser;
  let page: Page;
  let work: string;
  let mailingId = 0;
  let ids: number[] = [];
  const violations: string[] = [];
  const pageErrors: string[] = [];
  const mailing = async () => (await api.get(`/api/mailings/${mailingId}`)).body as Mailing;
  const axe = async (state: string) => {
    // A notification fading in has not reached its colours yet: axe reads them once transitions have ended.
    await page.waitForFunction(() =>
      document
        .getAnimations()
        .every(
          (a) => a.playState !== "running" || a.effect?.getTiming().iterations === Number.POSITIVE_INFINITY,
        ),
    );
    violations.push(...(await axeViolations(page, state)));
  };
  const next = async (step: string) => {
    await page.getByRole("button", { name: new RegExp(`^Neste: ${step}`) }).click();
  };

  beforeAll(async () => {
    ensureWebBuild(() => {});
    work = mkdtempSync(join(tmpdir(), "utsend-ui-documents-"));
    // The server's document generator is started without LibreOffice on its PATH (its thread keeps the PATH it
    // started with), so a Word mailing's result is the DOCX and the page says why.
    const path = process.env.PATH;
    process.env.PATH = (path ?? "")
      .split(":")
      .filter((dir) => !existsSync(join(dir, "soffice")))
      .join(":");
    try {
      server = await startTestServer({});
    } finally {
      process.env.PATH = path;
    }
    api = await signIn(server.url, server.adminEmail, server.adminPassword);
    const person = async (body: Record<string, unknown>) =>
      (await ok<{ id: number }>(api.send("POST", "/api/persons", body), 201)).id;
    ids = [
      await person({
        firstName: "Bjørn",
        lastName: "Ærlig",
        street: "Åsgårdveien 7",
        postcode: "3179",
        city: "Åsgårdstrand",
      }),
      await person({
        firstName: "Kari",
        lastName: "Nordmann",
        street: "Kirkegata 3",
        postcode: "0153",
        city: "Oslo",
      }),
      await person({ firstName: "Per", lastName: "Uten" }),
    ];
    const selection = await ok<{ id: number }>(
      api.send("POST", "/api/selections", { name: SELECTION, kind: "static" }),
      201,
    );
    await ok(api.send("POST", `/api/selections/${selection.id}/members`, { personIds: ids }));
    browser = await launchChromium();
    // Signed in through the form, not signedInPage: its init script reads localStorage in every frame, and the
    // PDF preview's frame has none.
    page = await browser.newPage({ viewport: { width: 1360, height: 900 }, locale: "nb-NO" });
    page.setDefaultTimeout(15_000);
    await page.goto(`${server.url}/sign-in`);
    await page.getByLabel("E-post").fill(server.adminEmail);
    await page.getByLabel(/^Passord/).fill(server.adminPassword);
    await page.getByRole("button", { name: "Logg inn" }).click();
    await page.waitForURL((url) => !url.pathname.startsWith("/sign-in"));
    page.on("pageerror", (error) => pageErrors.push(error.message));
  }, 180_000);

  beforeEach((context) => {
    context.onTestFailed(async () => {
      await screenshot(page, `failed-documents-${context.task.name.slice(0, 40).replace(/\W+/g, "-")}`);
    });
  });

  afterAll(async () => {
    await browser?.close();
    await server?.close();
    if (work) rmSync(work, { recursive: true, force: true });
  });

  it(
    "sets the letterhead in Settings, with a logo uploaded and shown",
    async () => {
      await page.goto(`${server.url}/settings?tab=letterhead`);
      const panel = page.getByTestId("letterhead-settings");
      await panel.getByLabel("Firmanavn").fill("Fjordlys AS");
      await panel.getByRole("textbox", { name: "Adresse", exact: true }).fill("Storgata 1\n0155 Oslo");
      await panel.getByLabel("Land").fill("no");
      await panel.getByLabel("Organisasjonsnummer").fill("912 345 678");
      await panel.getByRole("button", { name: "Lagre" }).click();
      await page.getByText("Brevhodet er lagret").waitFor();
      const logo = join(work, "logo.png");
      writeFileSync(logo, solidPng(120, 40));
      await panel.locator('input[type="file"]').setInputFiles(logo);
      await panel.getByTestId("letterhead-logo").waitFor();
      const saved = await ok<{ companyName: string; addressLines: string[]; country: string; logo: unknown }>(
        api.get("/api/settings/letterhead"),
      );
      expect(saved).toMatchObject({
        companyName: "Fjordlys AS",
        addressLines: ["Storgata 1", "0155 Oslo"],
        country: "NO",
        logo: { contentType: "image/png" },
      });
      await axe("nb /settings?tab=letterhead");
    },
    STEP,
  );

  it(
    "creates a Document in New mailing and fills its Setup: heading, attention rule and the selection",
    async () => {
      await page.goto(`${server.url}/mailings`);
      await page.getByRole("button", { name: "Ny utsendelse" }).first().click();
      const dialog = page.getByRole("dialog");
      await dialog.getByLabel("Navn").fill(NAME);
      await dialog.getByTestId("mailing-type-document").click();
      // Saved templates are e-mails and texts: a letter starts blank or as a copy.
      expect(await dialog.getByRole("radio", { name: "En lagret mal" }).count()).toBe(0);
      await dialog.getByRole("button", { name: "Opprett og åpne" }).click();
      await page.waitForURL(/\/mailings\/\d+/);
      mailingId = Number(new URL(page.url()).pathname.split("/").pop());
      expect((await mailing()).type).toBe("document");
      // A name is all Setup needs, so the wizard opens on Content; Setup holds the letter's other parts.
      await page.waitForURL(/step=content|\/mailings\/\d+$/);
      await page.getByTestId("step-content-panel").waitFor();
      await page.goto(`${server.url}/mailings/${mailingId}?step=setup`);

      // No sending account, subject or from address for a letter.
      expect(await page.getByRole("combobox", { name: "Avsenderkonto" }).count()).toBe(0);
      expect(await page.getByLabel(/^Emne/).count()).toBe(0);
      await page.getByTestId("doc-heading").fill("God jul, [[customer.firstname]]");
      await page.getByRole("radio", { name: "Alltid denne teksten" }).check();
      await page.getByLabel("Att.-tekst").fill("Innkjøpsavdelingen");
      await page.getByLabel("Vår referanse").fill("JUL-2026");
      await page.getByRole("radio", { name: "Etter postnummer" }).check();
      await pick(page, "Utvalg", SELECTION);
      await axe("nb document wizard › setup");
      await next("Mal");
      await page.waitForURL(/step=template/);
      expect(await mailing()).toMatchObject({
        docHeading: "God jul, [[customer.firstname]]",
        docAttentionMode: "always-text",
        docAttentionText: "Innkjøpsavdelingen",
        docOurRef: "JUL-2026",
        docOrder: "postcode",
      });
      expect((await mailing()).selectionId).not.toBeNull();
    },
    STEP,
  );

  it(
    "refuses a file that is no Word document with the server's message, and takes the starter template",
    async () => {
      await page.getByTestId("doc-source-word").click();
      await axe("nb document wizard › template");
      await next("Innhold");
      await page.waitForURL(/step=content/);
      expect((await mailing()).docSource).toBe("word");

      // The starter template downloads as a DOCX (a zip).
      const starter = await fetchInPage(page, "/api/documents/starter-template?language=nb");
      expect(starter.status).toBe(200);
      expect(starter.body.subarray(0, 2).toString("latin1")).toBe("PK");
      const input = page.locator('input[type="file"]');
      const bad = join(work, "brev.docx");
      writeFileSync(bad, "dette er ikke et Word-dokument");
      await input.setInputFiles(bad);
      const refusal = await textOf(page.getByRole("alert").filter({ hasText: "DOCUMENT_TEMPLATE_INVALID" }));
      expect(refusal.length).toBeGreaterThan("DOCUMENT_TEMPLATE_INVALID".length + 10);
      expect((await mailing()).docTemplateName).toBeNull();

      // A field the letter cannot have is named at upload, and Confirm names it as a problem until it is gone.
      const odd = join(work, "skobrev.docx");
      writeFileSync(odd, docx(paragraph("Hei [[customer.firstname]], [[customer.skoSize]]")));
      await input.setInputFiles(odd);
      await textOf(page.getByTestId("unknown-fields"), (t) => t.includes("[[customer.skoSize]]"));
      const blocked = (await api.get(`/api/mailings/${mailingId}`)).body as {
        problems: Array<{ code: string }>;
      };
      expect(blocked.problems.map((p) => p.code)).toContain("unknown-variable");

      const good = join(work, "julebrev.docx");
      writeFileSync(good, starter.body);
      await input.setInputFiles(good);
      await textOf(page.getByTestId("word-template-name"), (t) => t.includes("julebrev.docx"));
      expect((await mailing()).docTemplateName).toBe("julebrev.docx");
      await expect.poll(() => page.getByTestId("unknown-fields").count()).toBe(0);
      const fixed = (await api.get(`/api/mailings/${mailingId}`)).body as {
        problems: Array<{ code: string }>;
      };
      expect(fixed.problems.map((p) => p.code)).not.toContain("unknown-variable");
      await axe("nb document wizard › content (Word)");
    },
    STEP,
  );

  it(
    "composes the letter in utsend with the toolbar, a merge field and an image",
    async () => {
      await page.goto(`${server.url}/mailings/${mailingId}?step=template`);
      await page.getByTestId("doc-source-composed").click();
      await next("Innhold");
      await page.waitForURL(/step=content/);
      const body = page.getByRole("textbox", { name: /^Brevtekst/ });
      await body.fill("");
      await page.getByRole("button", { name: "Avsnitt" }).click();
      await page.keyboard.type("Hei ");
      await page.getByRole("button", { name: "Sett inn flettefelt" }).click();
      await page.getByPlaceholder("Søk blant flettefeltene").fill("fornavn");
      await page.getByRole("menuitem", { name: /customer\.firstname/ }).click();
      await expect.poll(() => body.evaluate((el) => el === el.ownerDocument.activeElement)).toBe(true);
      await page.keyboard.type(", takk for året som gikk.");
      await page.keyboard.press("Control+End");
      await page.getByRole("button", { name: "Fet" }).click();
      await page.keyboard.type("Vi gleder oss til neste år!");
      expect(await body.inputValue()).toBe(
        "<p>Hei [[customer.firstname]], takk for året som gikk.</p>\n<strong>Vi gleder oss til neste år!</strong>",
      );
      // An image goes into the body as a data: URI, at the cursor.
      const image = join(work, "bilde.png");
      writeFileSync(image, solidPng(60, 20, [200, 30, 30]));
      await body.press("Control+End");
      await page.getByTestId("document-toolbar").locator('input[type="file"]').setInputFiles(image);
      await expect
        .poll(() => body.inputValue())
        .toMatch(/<\/strong><p><img src="data:image\/png;base64,[A-Za-z0-9+/=]+" alt="bilde.png"><\/p>\n$/);
      await axe("nb document wizard › content (composed)");
      await next("Mottakere");
      await page.waitForURL(/step=recipients/);
      expect((await mailing()).docSource).toBe("composed");
      expect((await mailing()).content).toContain("[[customer.firstname]]");
    },
    STEP,
  );

  it(
    "lists the recipients with the one without a postal address left out",
    async () => {
      await textOf(page.getByTestId("step-recipients-panel"), (t) =>
        t.includes("1 utelatt: ingen postadresse"),
      );
      expect((await mailing()).recipients).toMatchObject({ eligible: 2, leftOut: 1 });
      expect(await page.getByRole("checkbox", { name: "Ett brev per postadresse" }).count()).toBe(1);
      // The list shows where each letter goes instead of an e-mail column, and the one left out with the reason.
      const table = page.getByTestId("recipients-table");
      await table.getByRole("row", { name: /Bjørn Ærlig/ }).waitFor();
      expect(await table.getByRole("columnheader").allInnerTexts()).toEqual([
        "Navn",
        "Postadresse",
        "Status",
        "Årsak",
      ]);
      const cells = async (name: RegExp) =>
        (await table.getByRole("row", { name }).getByRole("cell").allTextContents()).map((c) => c.trim());
      expect(await cells(/Bjørn Ærlig/)).toEqual([
        "Bjørn Ærlig",
        "Bjørn Ærlig\nÅsgårdveien 7\n3179 ÅSGÅRDSTRAND",
        "Mottaker",
        "",
      ]);
      // The left out are not on the list; the filter shows them with their reason (src/db/block-reasons.ts).
      expect(await table.getByRole("row", { name: /Per Uten/ }).count()).toBe(0);
      await page.getByTestId("recipient-filter").getByText("Utelatt", { exact: true }).click();
      await table.getByRole("row", { name: /Per Uten/ }).waitFor();
      expect(await cells(/Per Uten/)).toEqual(["Per Uten", "", "Utelatt", "Ingen postadresse"]);
      await axe("nb document wizard › recipients");
      await next("Bekreft");
      await page.waitForURL(/step=confirm/);
    },
    STEP,
  );

  it(
    "previews a recipient's letter as a PDF in a titled frame",
    async () => {
      const frame = page.getByTestId("step-confirm-panel").getByTestId("document-preview");
      await frame.waitFor();
      expect(await frame.getAttribute("title")).toBe("Mottakerens brev (PDF)");
      const src = (await frame.getAttribute("src"))!;
      expect(src).toMatch(/\/document\/preview\?recipientId=\d+$/);
      const pdf = await fetchInPage(page, src);
      expect(pdf.status).toBe(200);
      expect(pdf.type).toBe("application/pdf");
      expect(pdf.body.subarray(0, 5).toString("latin1")).toBe("%PDF-");
      const file = join(work, "preview.pdf");
      writeFileSync(file, pdf.body);
      const text = (await pdfWords(file)).map(pageText).join(" ");
      expect(text).toContain("Fjordlys AS");
      expect(text).toMatch(/God jul, (Bjørn|Kari)/);
      expect(text).toContain("takk for året som gikk.");
      await axe("nb document wizard › confirm");
    },
    STEP,
  );

  it(
    "generates the document, shows its progress to the download, and the PDF holds a letter to each recipient",
    async () => {
      expect(await page.getByRole("button", { name: "Send nå" }).count()).toBe(0);
      await page.getByRole("button", { name: "Generer dokument" }).click();
      await page.getByRole("dialog").getByRole("button", { name: "Generer dokument" }).click();
      const download = page.getByRole("link", { name: "Last ned generert dokument" });
      await download.waitFor({ timeout: 45_000 });
      // Letters, pages, format and file size (label and value as the details list shows them).
      const details = await textOf(page.getByTestId("document-details"), (t) => /Sider\s*2/.test(t));
      expect(details).toMatch(/Brev\s*2/);
      expect(details).toMatch(/Format\s*PDF/);
      expect(details).toMatch(/Filstørrelse\s*[\d\s\u00a0]+(,\d)? kB/);
      await textOf(
        page.getByTestId("document-letters"),
        (t) => t.includes("Bjørn Ærlig") && t.includes("Kari Nordmann"),
      );
      // Each letter's page range in the PDF, in page order (by postcode: Oslo's 0153 first).
      const letterRows = page.getByTestId("document-letters").locator("tbody tr");
      const ranges = [];
      for (const row of await letterRows.all())
        ranges.push((await row.getByRole("cell").allTextContents()).map((c) => c.trim()));
      expect(ranges).toEqual([
        ["Kari Nordmann", "1"],
        ["Bjørn Ærlig", "2"],
      ]);
      await textOf(page.getByTestId("document-left-out"), (t) => t.includes("Ingen postadresse: 1"));
      // No statistics, links or bounces for printed letters.
      expect(await page.getByRole("tab", { name: "Statistikk" }).count()).toBe(0);
      expect(await page.getByRole("tab", { name: "Lenker" }).count()).toBe(0);
      await axe("nb document mailing › generated");
      expect((await mailing()).status).toBe("finished");

      const href = (await download.getAttribute("href"))!;
      expect(await download.getAttribute("download")).not.toBeNull();
      const pdf = await fetchInPage(page, href);
      expect(pdf.type).toBe("application/pdf");
      expect(pdf.body.subarray(0, 5).toString("latin1")).toBe("%PDF-");
      const file = join(work, "letters.pdf");
      writeFileSync(file, pdf.body);
      const pages = await pdfWords(file);
      expect(pages).toHaveLength(2);
      // By postcode: 0153 Oslo before 3179 Åsgårdstrand.
      expect(pageText(pages[0]!)).toContain("Kari Nordmann");
      expect(pageText(pages[0]!)).toContain("God jul, Kari");
      expect(pageText(pages[1]!)).toContain("Bjørn Ærlig");
      expect(pageText(pages[1]!)).toContain("Innkjøpsavdelingen");
      expect(pages.map(pageText).join(" ")).not.toContain("Per Uten");

      // Edit and generate again brings the wizard back.
      await page.getByRole("button", { name: "Rediger og generer på nytt" }).click();
      await expect.poll(async () => (await mailing()).status).toBe("draft");
      await page.getByTestId("step-confirm-panel").or(page.getByTestId("step-setup-panel")).first().waitFor();
    },
    STEP,
  );

  it(
    "generates a Word mailing without LibreOffice as a DOCX and says why in Norwegian",
    async () => {
      await page.goto(`${server.url}/mailings/${mailingId}?step=template`);
      await page.getByTestId("doc-source-word").click();
      await next("Innhold");
      await page.waitForURL(/step=content/);
      await textOf(page.getByTestId("word-template-name"), (t) => t.includes("julebrev.docx"));
      await page.goto(`${server.url}/mailings/${mailingId}?step=confirm`);
      await page.getByRole("button", { name: "Generer dokument" }).click();
      await page.getByRole("dialog").getByRole("button", { name: "Generer dokument" }).click();
      const download = page.getByRole("link", { name: "Last ned generert dokument" });
      await download.waitFor({ timeout: 45_000 });
      const note = page.getByTestId("document-note");
      expect(await textOf(note)).toContain("En Word-fil, ikke PDF");
      expect(await textOf(note)).toContain("LibreOffice er ikke installert på serveren");
      await textOf(page.getByTestId("document-details"), (t) => /Format\s*DOCX/.test(t));
      const file = await fetchInPage(page, (await download.getAttribute("href"))!);
      expect(file.type).toBe("application/vnd.openxmlformats-officedocument.wordprocessingml.document");
      expect(file.body.subarray(0, 2).toString("latin1")).toBe("PK");
      await axe("nb document mailing › generated as DOCX");
    },
    STEP,
  );

  it(
    "gives a person a postal address on the person form, and the person page shows it",
    async () => {
      const per = ids[2]!;
      await page.goto(`${server.url}/persons/${per}/edit`);
      await page.getByLabel("Gateadresse").fill("Fjordveien 2");
      await page.getByLabel("Postnummer").fill("5003");
      await page.getByLabel("Poststed").fill("Bergen");
      await page.getByRole("textbox", { name: /^Land/ }).fill("no");
      await axe("nb /persons/:id/edit");
      await page.getByRole("button", { name: "Lagre" }).click();
      await page.waitForURL(new RegExp(`/persons/${per}$`));
      await textOf(page.getByRole("main"), (t) => t.includes("Fjordveien 2, 5003 Bergen, NO"));
      expect(await ok(api.get(`/api/persons/${per}`))).toMatchObject({
        street: "Fjordveien 2",
        postcode: "5003",
        city: "Bergen",
        country: "NO",
      });
    },
    STEP,
  );

  it("found no serious accessibility violations and no page errors", () => {
    if (violations.length > 0) console.log(violations.join("\n"));
    expect(violations).toEqual([]);
    expect(pageErrors).toEqual([]);
  });
});
