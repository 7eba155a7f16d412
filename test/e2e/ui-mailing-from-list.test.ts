// A mailing started from a selection's or a project's page, in real Chromium: it is linked to that selection or
// project in Setup and sends to its members (the seed's entry point), with the same New mailing dialog; and the
// single-person picker shows each person's address, who has none, and whether the chosen person would receive it.
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

  it("shows each person's address in the single-person picker and says at once who has none", async () => {
    await ok(api.send("POST", "/api/persons", { firstName: "Uten", lastName: "Epostadresse" }), 201);
    await ok(
      api.send("POST", "/api/persons", {
        firstName: "Med",
        lastName: "Epostadresse",
        emails: [{ address: "med.epost@example.no" }],
      }),
      201,
    );
    const accounts = await ok<{ items: Array<{ id: number; kind: string }> }>(
      api.get("/api/sending-accounts"),
    );
    const mailing = await ok<{ id: number }>(
      api.send("POST", "/api/mailings", {
        name: "Enkeltpersoner",
        sendingAccountId: accounts.items.find((a) => a.kind === "outbox")!.id,
        subject: "Hei",
        fromAddress: "post@nyheter.utsend.example",
        content: '<p>Hei</p><a href="[[link.unsubscribe]]">Meld av</a>',
      }),
      201,
    );
    await page.goto(`${server.url}/mailings/${mailing.id}?step=recipients`);
    await page.getByRole("button", { name: "Legg til kilde" }).click();
    await page.getByRole("menuitem", { name: "Enkeltperson …" }).click();
    const dialog = page.getByRole("dialog");
    const picker = dialog.getByLabel("Person", { exact: true });
    await picker.fill("Epostadresse");
    await textOf(
      page.getByRole("listbox"),
      (t) =>
        t.includes("Med Epostadresse · med.epost@example.no") &&
        t.includes("Uten Epostadresse · mangler e-postadresse"),
    );
    await page.getByRole("option", { name: /Uten Epostadresse/ }).click();
    await textOf(dialog, (t) => t.includes("Uten Epostadresse har ingen e-postadresse og blir utelatt"));
  }, 60_000);

  it("shows each person's mobile in an SMS mailing's single-person picker and says at once who has none", async () => {
    await ok(
      api.send("POST", "/api/persons", { firstName: "Med", lastName: "Mobilnummer", mobile: "+4791234000" }),
      201,
    );
    await ok(
      api.send("POST", "/api/persons", {
        firstName: "Uten",
        lastName: "Mobilnummer",
        emails: [{ address: "uten.mobil@example.no" }],
      }),
      201,
    );
    const account = await ok<{ id: number }>(
      api.send("POST", "/api/sending-accounts", { name: "SMS-utboks", kind: "sms-outbox" }),
      201,
    );
    const mailing = await ok<{ id: number }>(
      api.send("POST", "/api/mailings", {
        name: "SMS til enkeltpersoner",
        type: "sms",
        sendingAccountId: account.id,
        smsSender: "Fjordlys",
        smsText: "Hei",
      }),
      201,
    );
    await page.goto(`${server.url}/mailings/${mailing.id}?step=recipients`);
    await page.getByRole("button", { name: "Legg til kilde" }).click();
    await page.getByRole("menuitem", { name: "Enkeltperson …" }).click();
    const dialog = page.getByRole("dialog");
    const picker = dialog.getByLabel("Person", { exact: true });
    await picker.fill("Mobilnummer");
    // The mobile number, not the e-mail address: this mailing goes by SMS.
    const options = await textOf(
      page.getByRole("listbox"),
      (t) =>
        t.includes("Med Mobilnummer · +4791234000") && t.includes("Uten Mobilnummer · mangler mobilnummer"),
    );
    expect(options).not.toContain("uten.mobil@example.no");
    await page.getByRole("option", { name: /Uten Mobilnummer/ }).click();
    await textOf(dialog, (t) =>
      t.includes("Uten Mobilnummer har ikke mobilnummer og blir utelatt fra denne SMS-utsendelsen"),
    );
    await page.keyboard.press("Escape");
    await dialog.waitFor({ state: "hidden" });
  }, 60_000);

  it("says at once, by the mailing's own rules, whether the chosen person would receive it and why not", async () => {
    const type = await ok<{ id: number }>(
      api.send("POST", "/api/subscription-types", { name: "Kundeavis" }),
      201,
    );
    const person = async (firstName: string, address: string, status: "subscribed" | "unsubscribed") => {
      const created = await ok<{ id: number }>(
        api.send("POST", "/api/persons", { firstName, lastName: "Leser", emails: [{ address }] }),
        201,
      );
      await ok(api.send("PUT", `/api/persons/${created.id}/subscriptions/${type.id}`, { status }));
    };
    await person("Avmeldt", "avmeldt.leser@example.no", "unsubscribed");
    await person("Abonnent", "abonnent.leser@example.no", "subscribed");
    const accounts = await ok<{ items: Array<{ id: number; kind: string }> }>(
      api.get("/api/sending-accounts"),
    );
    const mailing = await ok<{ id: number }>(
      api.send("POST", "/api/mailings", {
        name: "Kundeavisen",
        sendingAccountId: accounts.items.find((a) => a.kind === "outbox")!.id,
        subscriptionTypeId: type.id,
        subject: "Hei",
        fromAddress: "post@nyheter.utsend.example",
        content: '<p>Hei</p><a href="[[link.unsubscribe]]">Meld av</a>',
      }),
      201,
    );
    await page.goto(`${server.url}/mailings/${mailing.id}?step=recipients`);
    await page.getByRole("button", { name: "Legg til kilde" }).click();
    await page.getByRole("menuitem", { name: "Enkeltperson …" }).click();
    const dialog = page.getByRole("dialog");
    const picker = dialog.getByLabel("Person", { exact: true });
    await picker.fill("Avmeldt Leser");
    await page.getByRole("option", { name: /Avmeldt Leser · avmeldt\.leser@example\.no/ }).click();
    await textOf(dialog, (t) => t.includes("Avmeldt Leser får ikke denne utsendelsen: avmeldt."));
    await expect(picker.getAttribute("aria-invalid")).resolves.toBe("true");
    await picker.fill("Abonnent Leser");
    await page.getByRole("option", { name: /Abonnent Leser · abonnent\.leser@example\.no/ }).click();
    await textOf(dialog, (t) => t.includes("Abonnent Leser kan motta denne utsendelsen."));
    // The check left the mailing as it was: nobody was added until the user says so.
    const sources = await ok<{ items: unknown[] }>(api.get(`/api/mailings/${mailing.id}/sources`));
    expect(sources.items).toEqual([]);
  }, 60_000);

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
      // Setup shows the link: the wizard opens on Setup (no subject yet) with the selection or project chosen.
      const field = page.getByRole("combobox", {
        name: kind === "selection" ? "Utvalg" : "Prosjekt",
        exact: true,
      });
      await expect.poll(() => field.inputValue()).toBe(owner.name);
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
