// Settings → Sending in real Chromium: "Check DNS" on a registered domain asks a DNS server run by the test and
// shows SPF, DKIM and DMARC badges with what is wrong in words, and each SMTP account's EHLO name.
import type { Browser, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ensureWebBuild } from "../../scripts/ensure-web-build.ts";
import { chromiumAvailable, launchChromium, screenshot } from "../helpers/chromium.ts";
import { type DnsServer, reverseName, startDnsServer } from "../helpers/dns-server.ts";
import { partAvailable } from "../helpers/requirements.ts";
import { type ApiClient, signIn, startTestServer, type TestServer } from "../helpers/server.ts";

const runs = partAvailable(
  "Chromium",
  chromiumAvailable(),
  "/usr/bin/chromium is not installed (apt install chromium)",
);
const DOMAIN = "kampanje.example";

describe.skipIf(!runs)("web UI: sending-domain DNS check", () => {
  let dns: DnsServer;
  let server: TestServer;
  let api: ApiClient;
  let browser: Browser;
  let page: Page;
  let accountId: number;
  const pageErrors: string[] = [];

  beforeAll(async () => {
    ensureWebBuild(() => {});
    dns = await startDnsServer({});
    server = await startTestServer({ config: { dnsServers: dns.address, dnsTimeoutMs: 1000 } });
    api = await signIn(server.url, server.adminEmail, server.adminPassword);
    const created = await api.send("POST", "/api/sending-domains", { domain: DOMAIN });
    const domain = created.body as { dnsRecords: Array<{ name: string; value: string }> };
    // DKIM published as shown; no SPF at all; DMARC at p=none.
    for (const record of domain.dnsRecords) dns.zone[record.name] = { TXT: [record.value] };
    dns.zone[DOMAIN] = { TXT: ["site-verification=1"] };
    // An SMTP account whose EHLO name resolves, but whose address's PTR is the provider's own name.
    const account = await api.send("POST", "/api/sending-accounts", {
      name: "Relé",
      kind: "smtp",
      host: "smtp.relay.example",
      port: 587,
      ehloName: `mail.${DOMAIN}`,
    });
    accountId = (account.body as { id: number }).id;
    dns.zone[`mail.${DOMAIN}`] = { A: ["192.0.2.88"] };
    dns.zone[reverseName("192.0.2.88")] = { PTR: ["vps88.hosting.example"] };
    browser = await launchChromium();
    page = await browser.newPage({ viewport: { width: 1360, height: 900 }, locale: "nb-NO" });
    page.setDefaultTimeout(15_000);
    page.on("pageerror", (error) => pageErrors.push(error.message));
    await page.goto(`${server.url}/mailings`);
    await page.waitForURL("**/sign-in");
    await page.getByLabel("E-post").fill(server.adminEmail);
    await page.getByLabel(/^Passord/).fill(server.adminPassword);
    await page.getByRole("button", { name: "Logg inn" }).click();
    await page.waitForURL("**/mailings");
  }, 180_000);

  afterAll(async () => {
    await browser?.close();
    await server?.close();
    await dns?.close();
  });

  it("checks a domain and shows each record's verdict, in Norwegian", async () => {
    await page.getByRole("navigation").getByRole("link", { name: "Innstillinger" }).click();
    await page.getByRole("tab", { name: "Sending" }).click();
    const row = page.getByTestId("sending-domains").getByRole("row", { name: new RegExp(DOMAIN) });
    await expect.poll(() => row.textContent()).toContain("Ikke sjekket ennå");
    await row.getByRole("button", { name: "Sjekk DNS" }).click();

    const check = page.getByTestId(`dns-check-${DOMAIN}`);
    await expect.poll(() => check.getAttribute("data-status")).toBe("fail");
    const text = (await check.textContent()) ?? "";
    expect(text).toContain("SPF: Feil");
    expect(text).toContain("DKIM: OK");
    expect(text).toContain("DMARC: Svak");
    expect(text).toContain(`${DOMAIN} has no SPF record`);
    expect(text).toContain("p=none");
    const ehlo = page.getByTestId(`dns-ehlo-${accountId}`);
    expect(await ehlo.getAttribute("data-status")).toBe("warn");
    const ehloText = (await ehlo.textContent()) ?? "";
    expect(ehloText).toContain(`EHLO: Svak`);
    expect(ehloText).toContain(`EHLO-navn for Relé: mail.${DOMAIN}`);
    expect(ehloText).toContain("192.0.2.88 has PTR vps88.hosting.example");
    await page.mouse.move(0, 0); // no tooltip over the badges in the picture
    await screenshot(page, "settings-sending-dns-check");

    // Fixed in DNS, checked again: the badges follow.
    dns.zone[DOMAIN] = { TXT: ["v=spf1 mx -all"] };
    await row.getByRole("button", { name: "Sjekk DNS" }).click();
    await expect.poll(() => check.getAttribute("data-status")).toBe("warn");
    expect(await check.textContent()).toContain("SPF: OK");
    // The PTR set by the provider: the EHLO line passes and says no more than its badge.
    dns.zone[reverseName("192.0.2.88")] = { PTR: [`mail.${DOMAIN}`] };
    await row.getByRole("button", { name: "Sjekk DNS" }).click();
    await expect
      .poll(() => page.getByTestId(`dns-ehlo-${accountId}`).getAttribute("data-status"))
      .toBe("pass");
    expect(await page.getByTestId(`dns-ehlo-${accountId}`).textContent()).not.toContain("PTR");
    expect(pageErrors).toEqual([]);
  }, 60_000);

  it("lets the relay sign: the relay's selector is checked instead of utsend's key", async () => {
    const row = page.getByTestId("sending-domains").getByRole("row", { name: new RegExp(DOMAIN) });
    await row.getByRole("button", { name: "DNS-oppføringer" }).click();
    const signing = page.getByTestId("dkim-signing");
    await signing.getByRole("radio", { name: /SMTP-reléet/ }).check();
    const save = signing.getByRole("button", { name: "Lagre" });
    expect(await save.isDisabled()).toBe(true); // no selector yet
    await signing.getByLabel("Reléets DKIM-selektor").fill("k1");
    await save.click();
    await expect.poll(() => row.textContent()).toContain("signeres av reléet (k1)");
    // The last check judged utsend's key: it is gone until the next one, which asks for the relay's record.
    expect(await row.textContent()).not.toContain("DKIM: OK");
    await row.getByRole("button", { name: "Sjekk DNS" }).click();
    await expect.poll(() => dns.asked.includes(`k1._domainkey.${DOMAIN}`)).toBe(true);
    await expect.poll(() => page.getByTestId(`dns-check-${DOMAIN}`).textContent()).toContain("k1._domainkey");
    expect(pageErrors).toEqual([]);
  }, 60_000);
});
