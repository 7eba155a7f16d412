// A person's data export and erasure, and Settings → Privacy, in real Chromium: an admin downloads the export from
// the person page, erases the person after reading what goes, and finds the address on the suppression list; and the
// web forms' settings in Settings → General.
import type { Browser, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ensureWebBuild } from "../../scripts/ensure-web-build.ts";
import { chromiumAvailable, launchChromium, signedInPage, textOf } from "../helpers/chromium.ts";
import { partAvailable } from "../helpers/requirements.ts";
import { ok, signIn, startTestServer, type TestServer } from "../helpers/server.ts";

const runs = partAvailable(
  "Chromium",
  chromiumAvailable(),
  "/usr/bin/chromium is not installed (apt install chromium)",
);

describe.skipIf(!runs)("web UI: export and erase a person, the suppression list", () => {
  let server: TestServer;
  let browser: Browser;
  let page: Page;
  let personId: number;
  const pageErrors: string[] = [];
  const email = "torunn.lie@fjordpost.example";

  beforeAll(async () => {
    ensureWebBuild(() => {});
    server = await startTestServer();
    const admin = await signIn(server.url, server.adminEmail, server.adminPassword);
    personId = (
      await ok<{ id: number }>(
        admin.send("POST", "/api/persons", {
          firstName: "Torunn",
          lastName: "Lie",
          emails: [{ address: email }],
          interests: ["Kajakk"],
        }),
        201,
      )
    ).id;
    browser = await launchChromium();
    page = await signedInPage(browser, {
      url: server.url,
      email: server.adminEmail,
      password: server.adminPassword,
      language: "nb",
    });
    page.on("pageerror", (error) => pageErrors.push(error.message));
  }, 180_000);

  afterAll(async () => {
    await browser?.close();
    await server?.close();
  });

  it("offers the export as JSON and as a readable page from the person page", async () => {
    await page.goto(`${server.url}/persons/${personId}`);
    await page.getByRole("button", { name: "Hent ut data" }).click();
    const json = page.getByRole("menuitem", { name: "Last ned som JSON" });
    expect(await json.getAttribute("href")).toBe(`/api/persons/${personId}/export`);
    const html = page.getByRole("menuitem", { name: "Åpne som lesbar side" });
    expect(await html.getAttribute("href")).toBe(`/api/persons/${personId}/export?format=html`);
    const data = await page.evaluate(
      async (url) => (await fetch(url)).json(),
      `/api/persons/${personId}/export`,
    );
    expect(data).toMatchObject({ person: { firstName: "Torunn" }, interests: ["Kajakk"] });
    await page.keyboard.press("Escape");
  });

  it("shows every consent purpose at a glance, those never recorded marked as such", async () => {
    const admin = await signIn(server.url, server.adminEmail, server.adminPassword);
    // A purpose the person has no record for: it shows too, as not recorded.
    await ok(
      admin.send("POST", "/api/consent-purposes", { key: "arrangementer", name: "Arrangementer" }),
      201,
    );
    const purposes = await ok<{ items: Array<{ key: string; name: string }> }>(
      admin.get("/api/consent-purposes"),
    );
    await ok(
      admin.send("POST", `/api/persons/${personId}/consents`, {
        purpose: "e-marketing",
        legalBasis: "consent",
      }),
    );
    await page.goto(`${server.url}/persons/${personId}`);
    const rows = page.getByTestId("consents-table").locator("tbody tr");
    // The purposes the person has no record for come with the catalogue, which may load after the person.
    await expect.poll(() => rows.count()).toBe(purposes.items.length);
    const texts = await rows.allTextContents();
    const marketing = purposes.items.find((p) => p.key === "e-marketing")!;
    expect(texts.find((t) => t.includes(marketing.name))).toContain("Samtykke");
    expect(texts.find((t) => t.includes("Arrangementer"))).toContain("Ikke registrert");
    expect(texts.filter((t) => t.includes("Ikke registrert"))).toHaveLength(purposes.items.length - 1);
  });

  it("erases the person after a dialog that lists what goes, then the address is on the suppression list", async () => {
    await page.getByRole("button", { name: "Slett person" }).click();
    const plan = await textOf(page.getByTestId("erasure-plan"), (t) => t.includes("e-postadresse"));
    // One of each, said in the singular: "1 e-postadresse", not "1 e-postadresse(r)".
    expect(plan).toContain("1 e-postadresse1 interesse");
    expect(plan).not.toMatch(/\(e?r\)/);
    await page.getByRole("button", { name: "Slett for godt" }).click();
    await page.waitForURL(`${server.url}/persons`);

    await page.goto(`${server.url}/settings?tab=privacy`);
    const counts = await textOf(page.getByTestId("suppression-counts"), (t) =>
      t.includes("Slettede personer"),
    );
    expect(counts).toMatch(/Slettede personer\s*1/);
    await page.getByRole("textbox", { name: "Sjekk en adresse" }).fill(email.toUpperCase());
    await page.getByRole("button", { name: "Sjekk", exact: true }).click();
    const status = await textOf(page.getByRole("status"), (t) => t.includes("listen"));
    expect(status).toContain("står på listen (Slettede personer)");
    expect(pageErrors).toEqual([]);
  });

  it("shows the retention settings and when the daily run was", async () => {
    await page.goto(`${server.url}/settings?tab=general`);
    const days = page.getByRole("textbox", {
      name: "Behold IP-adresse og enhet for åpninger og klikk (dager)",
    });
    expect(await days.inputValue()).toBe("90");
    expect(await textOf(page.getByTestId("retention-schedule"), (t) => t.includes("sist"))).toContain(
      "Slettes daglig: sist",
    );
    expect(pageErrors).toEqual([]);
  });

  it("edits the web forms' settings: the confirmation link's hours and the fields a submission may overwrite", async () => {
    const admin = await signIn(server.url, server.adminEmail, server.adminPassword);
    const settings = async () =>
      await ok<{ formConfirmHours: number; formOverwritableFields: string[] }>(admin.get("/api/settings"));
    await page.goto(`${server.url}/settings?tab=general`);
    const hours = page.getByRole("textbox", {
      name: "Dobbel bekreftelse: bekreftelseslenken gjelder (timer)",
    });
    expect(await hours.inputValue()).toBe("48");
    await hours.fill("72");
    await hours.blur();
    await expect.poll(async () => (await settings()).formConfirmHours).toBe(72);

    const fields = page.getByRole("combobox", { name: "Felt et skjemasvar kan overskrive" });
    await fields.click();
    await page.getByRole("option", { name: "Mobil", exact: true }).click();
    await expect.poll(async () => (await settings()).formOverwritableFields).toEqual(["mobile"]);
    // The e-mail address is never overwritten by a submission, so it is not offered.
    await fields.click();
    const lastName = page.getByRole("option", { name: "Etternavn", exact: true });
    await lastName.waitFor();
    expect(await page.getByRole("option", { name: "E-post", exact: true }).count()).toBe(0);
    await lastName.click();
    await expect.poll(async () => (await settings()).formOverwritableFields).toEqual(["mobile", "last_name"]);

    await page.reload();
    expect(
      await page
        .getByRole("textbox", { name: "Dobbel bekreftelse: bekreftelseslenken gjelder (timer)" })
        .inputValue(),
    ).toBe("72");
    const chosen = await textOf(
      page.getByRole("combobox", { name: "Felt et skjemasvar kan overskrive" }).locator(".."),
      (t) => t.includes("Etternavn"),
    );
    expect(chosen).toContain("Mobil");
    expect(pageErrors).toEqual([]);
  });
});
