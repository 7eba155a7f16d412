// The image library and saved blocks page in real Chromium, in Norwegian: reached from the menu, an upload listed
// with its size, dimensions and uploader, a file over the limit refused with a sentence that says why, a delete that
// names the template still showing the picture, and a saved block renamed and deleted.
import type { Browser, Page } from "playwright-core";
import sharp from "sharp";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { ensureWebBuild } from "../../scripts/ensure-web-build.ts";
import {
  browserTestsRun,
  launchChromium,
  reportPageOnFailure,
  screenshot,
  signedInPage,
  textOf,
} from "../helpers/chromium.ts";
import { type ApiClient, ok, signIn, startTestServer, type TestServer } from "../helpers/server.ts";

const runs = browserTestsRun();
const STEP = 90_000;

type Image = { id: number; fileName: string; originalName: string; url: string };

describe.skipIf(!runs)("web UI: the image library and saved blocks", () => {
  let server: TestServer;
  let admin: ApiClient;
  let browser: Browser;
  let page: Page;
  let adminName = "";
  const pageErrors: string[] = [];
  const images = async () => (await ok<{ items: Image[] }>(admin.get("/api/images"))).items;

  beforeAll(async () => {
    ensureWebBuild(() => {});
    server = await startTestServer();
    admin = await signIn(server.url, server.adminEmail, server.adminPassword);
    adminName = (await ok<{ user: { name: string } }>(admin.get("/api/auth/me"))).user.name;
    await ok(
      admin.send("POST", "/api/saved-blocks", {
        name: "Bunntekst",
        mjml: "<mj-section><mj-column><mj-text>Fjordlys AS · Storgata 1</mj-text></mj-column></mj-section>",
      }),
      201,
    );
    browser = await launchChromium();
    page = await signedInPage(browser, {
      url: server.url,
      email: server.adminEmail,
      password: server.adminPassword,
      language: "nb",
      viewport: { width: 1440, height: 1000 },
    });
    page.on("pageerror", (error) => pageErrors.push(error.message));
  }, 180_000);

  beforeEach((context) => reportPageOnFailure(context, () => page, "library", pageErrors));

  afterAll(async () => {
    await browser?.close();
    await server?.close();
  });

  it(
    "uploads an image from the page and lists it with its size, dimensions, uploader and public address",
    async () => {
      await page.goto(`${server.url}/persons`);
      await page.getByRole("navigation").getByRole("link", { name: "Bilder og blokker" }).click();
      await page.waitForURL("**/library");
      await page.getByRole("heading", { level: 1, name: "Bildebibliotek og lagrede blokker" }).waitFor();
      expect(await page.title()).toBe("Bildebibliotek og lagrede blokker – utsend");
      await textOf(page.getByTestId("library-images-table").or(page.getByText("Ingen bilder ennå")));

      const png = await sharp({ create: { width: 120, height: 60, channels: 3, background: "#0b5cad" } })
        .png()
        .toBuffer();
      const chooser = page.waitForEvent("filechooser");
      await page.getByTestId("library-upload").click();
      await (await chooser).setFiles({ name: "fjordlys-logo.png", mimeType: "image/png", buffer: png });
      const row = page.getByTestId("library-image").filter({ hasText: "fjordlys-logo.png" });
      await textOf(row, (t) => t.includes("120 × 60 px"));
      const text = await row.innerText();
      expect(text).toContain(adminName);
      expect(text).toMatch(/\d+ kB/);
      const [stored] = await images();
      expect(stored!.originalName).toBe("fjordlys-logo.png");
      expect(text).toContain(stored!.url);
      expect(await row.getByRole("button", { name: "Kopier adressen til fjordlys-logo.png" }).count()).toBe(
        1,
      );
      // The thumbnail is the public file, loaded without sign-in.
      expect(await row.locator("img").getAttribute("src")).toBe(stored!.url);
      await expect
        .poll(() => row.locator("img").evaluate((img) => (img as HTMLImageElement).naturalWidth))
        .toBe(120);

      // Over the limit: refused before it is sent, with the file's size and the limit.
      const before = (await images()).length;
      const big = page.waitForEvent("filechooser");
      await page.getByTestId("library-upload").click();
      await (await big).setFiles({
        name: "stor.jpg",
        mimeType: "image/jpeg",
        buffer: Buffer.alloc(Math.round(6.5 * 1024 * 1024), 1),
      });
      await textOf(page.getByTestId("library-upload-problem"), (t) =>
        t.includes("«stor.jpg» er 6,5 MB; et bilde kan være høyst 5 MB."),
      );
      // Not an image: the server's refusal in Norwegian.
      const text2 = page.waitForEvent("filechooser");
      await page.getByTestId("library-upload").click();
      await (await text2).setFiles({
        name: "notat.png",
        mimeType: "image/png",
        buffer: Buffer.from("ikke et bilde"),
      });
      await textOf(page.getByTestId("library-upload-problem"), (t) =>
        t.includes("«notat.png» ble ikke lastet opp: Filen er ikke et bilde biblioteket tar imot"),
      );
      expect(await images()).toHaveLength(before);
      await screenshot(page, "library-01-uploaded");
    },
    STEP,
  );

  it(
    "deletes an image after a confirmation that names the template still showing it",
    async () => {
      const [image] = await images();
      await ok(
        admin.send("POST", "/api/templates", {
          name: "Nyhetsbrev med logo",
          contentFormat: "html",
          content: `<p><img src="${image!.url}" alt="Fjordlys"></p>`,
        }),
        201,
      );
      const row = page.getByTestId("library-image").filter({ hasText: "fjordlys-logo.png" });
      await row.getByRole("button", { name: "Slett fjordlys-logo.png" }).click();
      const dialog = page.getByRole("dialog", { name: "Slette bildet?" });
      await textOf(dialog.getByTestId("image-uses"), (t) => t.includes("Mal: Nyhetsbrev med logo"));
      await screenshot(page, "library-02-delete-image");
      await dialog.getByRole("button", { name: "Slett", exact: true }).click();
      await expect.poll(() => row.count()).toBe(0);
      await page.getByText("Ingen bilder ennå").waitFor();
      expect(await images()).toEqual([]);
      expect((await fetch(new URL(image!.url, server.url))).status).toBe(404);
    },
    STEP,
  );

  it(
    "renames a saved block and deletes it after a confirmation",
    async () => {
      const block = page.getByTestId("library-block").filter({ hasText: "Bunntekst" });
      expect(await block.innerText()).toContain(adminName);
      await block.getByRole("button", { name: "Gi nytt navn: Bunntekst" }).click();
      const rename = page.getByRole("dialog", { name: "Nytt navn på blokken" });
      await rename.getByLabel("Navn").fill("Bunntekst med adresse");
      await rename.getByRole("button", { name: "Lagre" }).click();
      const renamed = page.getByTestId("library-block").filter({ hasText: "Bunntekst med adresse" });
      await renamed.waitFor();
      const blocks = async () =>
        (await ok<{ items: Array<{ name: string }> }>(admin.get("/api/saved-blocks"))).items;
      expect((await blocks()).map((b) => b.name)).toEqual(["Bunntekst med adresse"]);

      await renamed.getByRole("button", { name: "Slett blokken Bunntekst med adresse" }).click();
      const confirm = page.getByRole("dialog", { name: "Slette blokken?" });
      await textOf(confirm, (t) =>
        t.includes("«Bunntekst med adresse» forsvinner fra blokklisten for alle."),
      );
      await confirm.getByRole("button", { name: "Slett", exact: true }).click();
      await page.getByText("Ingen lagrede blokker").waitFor();
      expect(await blocks()).toEqual([]);
      expect(pageErrors).toEqual([]);
    },
    STEP,
  );
});
