// A mailing started from a selection's or a project's page, in real Chromium: it is linked to that selection or
// project in Setup and sends to its members (the seed's entry point), with the same New mailing dialog.
import type { Browser, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ensureWebBuild } from "../../scripts/ensure-web-build.ts";
import { chromiumAvailable, launchChromium, signedInPage, textOf } from "../helpers/chromium.ts";
import { partAvailable } from "../helpers/requirements.ts";
import { type ApiClient, ok, signIn, startTestServer, type TestServer } from "../helpers/server.ts";

const runs = partAvailable(
  "Chromium",
  chromiumAvailable(),
  "/usr/bin/chromium is not installed (apt install chromium)",
);

type Mailing = { id: number; selectionId: number | null; projectId: number | null };

describe.skipIf(!runs)("web UI: a new mailing from a selection or a project", () => {
  let server: TestServer;
  let api: ApiClient;
  let browser: Browser;
  let page: Page;

  beforeAll(async () => {
    ensureWebBuild(() => {});
    server = await startTestServer({ demoData: true });
    api = await signIn(server.url, server.adminEmail, server.adminPassword);
    browser = await launchChromium();
    page = await signedInPage(browser, {
      url: server.url,
      email: server.adminEmail,
      password: server.adminPassword,
      language: "nb",
    });
  }, 180_000);
  afterAll(async () => {
    await browser?.close();
    await server?.close();
  });

  for (const kind of ["selection", "project"] as const) {
    it(`links the mailing to the ${kind} and adds its members as recipients`, async () => {
      const list = await ok<{ items: Array<{ id: number; name: string }> }>(
        api.get(kind === "selection" ? "/api/selections?limit=50" : "/api/projects?limit=50"),
      );
      const owner = list.items[0]!;
      await page.goto(`${server.url}/${kind === "selection" ? "selections" : "projects"}/${owner.id}`);
      await page.getByRole("button", { name: "Ny utsendelse" }).click();
      const dialog = page.getByRole("dialog");
      await textOf(dialog.getByTestId("new-mailing-target"), (t) => t.includes(`«${owner.name}»`));
      await dialog.getByLabel("Navn").fill(`Fra ${kind}`);
      await dialog.getByRole("button", { name: "Opprett og åpne" }).click();
      await page.waitForURL(/\/mailings\/\d+/);
      const id = Number(new URL(page.url()).pathname.split("/").pop());
      const mailing = await ok<Mailing>(api.get(`/api/mailings/${id}`));
      expect(kind === "selection" ? mailing.selectionId : mailing.projectId).toBe(owner.id);
      const sources = await ok<{ items: Array<{ kind: string; refId: number }> }>(
        api.get(`/api/mailings/${id}/sources`),
      );
      expect(sources.items).toEqual([expect.objectContaining({ kind, refId: owner.id })]);
      // The members became the mailing's recipients at once (the demo's selections and projects are not empty).
      const recipients = await ok<{ total: number }>(api.get(`/api/mailings/${id}/recipients?limit=1`));
      expect(recipients.total).toBeGreaterThan(0);
    }, 60_000);
  }
});
