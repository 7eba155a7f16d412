// The sending account dialog in real Chromium: the TLS mode, EHLO name and CA fields are saved, and Test connection
// reports the session against a real SMTP server (the sink) without sending, which sees QUIT.
import type { Browser, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ensureWebBuild } from "../../scripts/ensure-web-build.ts";
import { aPerson } from "../helpers/builders.ts";
import { chromiumAvailable, launchChromium, signedInPage, textOf } from "../helpers/chromium.ts";
import { aReadyMailing, aSendingSetup } from "../helpers/mailings.ts";
import { partAvailable } from "../helpers/requirements.ts";
import { type ApiClient, signIn, startTestServer, type TestServer } from "../helpers/server.ts";
import { type SmtpSink, startSmtpSink } from "../helpers/smtp-sink.ts";

const runs = partAvailable(
  "Chromium",
  chromiumAvailable(),
  "/usr/bin/chromium is not installed (apt install chromium)",
);

describe.skipIf(!runs)("web UI: a sending account's TLS, EHLO name and connection test", () => {
  let server: TestServer;
  let api: ApiClient;
  let browser: Browser;
  let page: Page;
  let sink: SmtpSink;
  let accountId = 0;
  const pageErrors: string[] = [];

  beforeAll(async () => {
    ensureWebBuild(() => {});
    server = await startTestServer();
    sink = await startSmtpSink();
    api = await signIn(server.url, server.adminEmail, server.adminPassword);
    const created = await api.send("POST", "/api/sending-accounts", {
      name: "Lokal relé",
      kind: "smtp",
      host: "127.0.0.1",
      port: sink.port,
    });
    expect(created.status, JSON.stringify(created.body)).toBe(201);
    accountId = (created.body as { id: number }).id;
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
    await sink?.close();
  });

  it("saves the EHLO name and TLS mode, and tests the connection without sending", async () => {
    await page.goto(`${server.url}/settings?tab=sending`);
    const row = page.getByTestId("sending-accounts").getByRole("row", { name: /Lokal relé/ });
    await row.getByRole("button", { name: "Rediger" }).click();
    const dialog = page.getByRole("dialog");
    await dialog.getByLabel("EHLO-navn").fill("utsend.fjordlys.example");
    await dialog.getByLabel("TLS", { exact: true }).click();
    await page.getByRole("option", { name: "STARTTLS når det tilbys" }).click();
    await dialog.getByRole("button", { name: "Lagre" }).click();
    await dialog.waitFor({ state: "hidden" });
    const saved = (await api.get("/api/sending-accounts")).body as {
      items: Array<{ id: number; ehloName: string | null; tlsMode: string; problems: string[] }>;
    };
    expect(saved.items.find((a) => a.id === accountId)).toMatchObject({
      ehloName: "utsend.fjordlys.example",
      tlsMode: "starttls-opportunistic",
      problems: [],
    });

    await row.getByRole("button", { name: "Rediger" }).click();
    await dialog.getByRole("button", { name: "Test forbindelsen" }).click();
    const report = await textOf(dialog.getByRole("status"), (t) => t.includes("Tilkoblet"));
    expect(report).toContain("utsend.fjordlys.example");
    expect(report).toContain("Ikke kryptert");
    expect(report).toContain("PIPELINING");
    const [session] = await sink.waitForClosed(5000);
    expect(session).toMatchObject({ quit: true, ehloName: "utsend.fjordlys.example" });
    expect(sink.messages).toHaveLength(0);
    expect(pageErrors).toEqual([]);
  }, 60_000);

  it("names the field when clear text is chosen toward a server that is not on this machine", async () => {
    const refused = await api.send("PATCH", `/api/sending-accounts/${accountId}`, {
      host: "smtp.example.net",
      tlsMode: "none",
    });
    expect(refused.status).toBe(400);
    expect(JSON.stringify(refused.body)).toMatch(/tlsMode.*loopback/);
  });

  it("lists an account that cannot send among the Confirm step's problems and keeps Send disabled", async () => {
    const db = server.server.handle.db;
    const remote = await api.send("POST", "/api/sending-accounts", {
      name: "Relé uten EHLO-navn",
      kind: "smtp",
      host: "smtp.relay.example",
      port: 587,
    });
    expect(remote.status, JSON.stringify(remote.body)).toBe(201);
    const setup = { ...(await aSendingSetup(db)), account: remote.body as never };
    const kari = await aPerson(db, { firstName: "Kari", email: "kari.relay@example.no" });
    const mailing = await aReadyMailing(db, setup, [kari.id], { name: "Via fjernt relé" });
    await page.goto(`${server.url}/mailings/${mailing.id}?step=confirm`);
    await textOf(page.getByTestId("problems"), (t) =>
      t.includes("Avsenderkontoen «Relé uten EHLO-navn» kan ikke sende"),
    );
    const send = page.getByRole("button", { name: "Send nå", exact: true });
    expect(await send.isDisabled()).toBe(true);
    expect(pageErrors).toEqual([]);
  }, 60_000);
});
