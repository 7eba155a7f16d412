// The sending-domain DNS check through the API, against a real server whose resolver asks a DNS server in the test.
import { generateKeyPairSync } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type DnsServer, reverseName, startDnsServer } from "../helpers/dns-server.ts";
import { type ApiClient, signIn, startTestServer, type TestServer, userWithRole } from "../helpers/server.ts";

type RecordCheck = { status: string; message: string; records: string[] };
type EhloCheck = {
  accountId: number;
  accountName: string;
  name: string | null;
  source: string | null;
  check: RecordCheck;
};
type Check = {
  status: string;
  checkedAt: string;
  spf: RecordCheck;
  dkim: RecordCheck;
  dmarc: RecordCheck;
  bounce: RecordCheck;
  ehlo: EhloCheck[];
};
type Domain = {
  id: number;
  domain: string;
  dnsRecords: Array<{ name: string; type: string; value: string }>;
  check: Check | null;
};
type Mailing = { id: number; canSend: boolean; warnings: string[]; problems: Array<{ code: string }> };

const DOMAIN = "nyhetsbrev.example";
let dns: DnsServer;
let server: TestServer;
let admin: ApiClient;
let domain: Domain;

async function ok<T>(promise: Promise<{ status: number; body: unknown }>, status = 200): Promise<T> {
  const response = await promise;
  if (response.status !== status) throw new Error(`${response.status}: ${JSON.stringify(response.body)}`);
  return response.body as T;
}

beforeAll(async () => {
  dns = await startDnsServer({});
  server = await startTestServer({ config: { dnsServers: dns.address, dnsTimeoutMs: 1000 } });
  admin = await signIn(server.url, server.adminEmail, server.adminPassword);
  domain = await ok<Domain>(admin.send("POST", "/api/sending-domains", { domain: DOMAIN }), 201);
  // Publish what utsend asked for, as an admin would in the DNS panel.
  for (const record of domain.dnsRecords) dns.zone[record.name] = { TXT: [record.value] };
  dns.zone[DOMAIN] = { TXT: ["v=spf1 a mx ~all"] };
  dns.zone[`bounces.${DOMAIN}`] = { MX: [{ exchange: `mx.${DOMAIN}` }] };
});
afterAll(async () => {
  await server?.close();
  await dns?.close();
});

describe("POST /api/sending-domains/:id/check", () => {
  it("lists a domain that was never checked without a result", async () => {
    const list = await ok<{ items: Domain[] }>(admin.get("/api/sending-domains"));
    expect(list.items.find((d) => d.id === domain.id)?.check).toBeNull();
  });

  it("checks the published records, answers with the domain and keeps the result for the list", async () => {
    const checked = await ok<Domain>(admin.send("POST", `/api/sending-domains/${domain.id}/check`));
    expect(checked.check).toMatchObject({
      // The DMARC record utsend suggests starts at p=none (report only): a warning, to tighten it later.
      status: "warn",
      spf: { status: "pass", message: expect.stringContaining("~all") },
      dkim: { status: "pass" },
      dmarc: { status: "warn", message: expect.stringContaining("p=none") },
      bounce: { status: "pass", message: `Bounces go to mx.${DOMAIN}` },
    });
    expect(dns.asked).toContain(domain.dnsRecords[0]!.name);
    const list = await ok<{ items: Domain[] }>(admin.get("/api/sending-domains"));
    expect(list.items.find((d) => d.id === domain.id)?.check).toEqual(checked.check);
  });

  it("warns on a mailing from a domain whose last check failed, without blocking it", async () => {
    const mailing = await ok<Mailing>(
      admin.send("POST", "/api/mailings", {
        name: "DNS",
        subject: "Hei",
        fromAddress: `post@${DOMAIN}`,
        content: '<p>Hei</p><a href="[[link.unsubscribe]]">Meld av</a>',
      }),
      201,
    );
    dns.zone[DOMAIN] = { TXT: ["v=spf1 mx -all", "v=spf1 include:_spf.other.example -all"] };
    const checked = await ok<Domain>(admin.send("POST", `/api/sending-domains/${domain.id}/check`));
    expect(checked.check?.status).toBe("fail");
    const warned = await ok<Mailing>(admin.get(`/api/mailings/${mailing.id}`));
    expect(warned.warnings).toContain(`The sending domain ${DOMAIN} failed its last DNS check: SPF`);
    expect(warned.problems.map((p) => p.code)).not.toContain("from-domain");

    dns.zone[DOMAIN] = { TXT: ["v=spf1 mx -all"] };
    await ok(admin.send("POST", `/api/sending-domains/${domain.id}/check`));
    expect((await ok<Mailing>(admin.get(`/api/mailings/${mailing.id}`))).warnings).toEqual([]);
  });

  it("checks each SMTP account's EHLO name: an address whose PTR names it back passes, another PTR warns", async () => {
    const account = await ok<{ id: number; effectiveEhloName: string }>(
      admin.send("POST", "/api/sending-accounts", {
        name: "Utgående relé",
        kind: "smtp",
        host: "smtp.relay.example",
        port: 587,
        ehloName: "Mail.Nyhetsbrev.example",
      }),
      201,
    );
    expect(account.effectiveEhloName).toBe("mail.nyhetsbrev.example");
    dns.zone["mail.nyhetsbrev.example"] = { A: ["192.0.2.77"] };
    dns.zone[reverseName("192.0.2.77")] = { PTR: ["mail.nyhetsbrev.example"] };
    const ehloOf = (d: Domain) => d.check?.ehlo.find((e) => e.accountId === account.id);

    const passed = await ok<Domain>(admin.send("POST", `/api/sending-domains/${domain.id}/check`));
    expect(ehloOf(passed)).toEqual({
      accountId: account.id,
      accountName: "Utgående relé",
      name: "mail.nyhetsbrev.example",
      source: "account",
      check: {
        status: "pass",
        message: "mail.nyhetsbrev.example resolves to 192.0.2.77, and 192.0.2.77 points back to it (PTR)",
        records: ["192.0.2.77 PTR mail.nyhetsbrev.example"],
      },
    });
    expect(dns.asked).toContain("77.2.0.192.in-addr.arpa");

    dns.zone[reverseName("192.0.2.77")] = { PTR: ["static-77.hosting.example"] };
    const warned = await ok<Domain>(admin.send("POST", `/api/sending-domains/${domain.id}/check`));
    const check = ehloOf(warned)!.check;
    expect(check.status).toBe("warn");
    expect(check.message).toContain("No address of mail.nyhetsbrev.example points back to it");
    expect(check.message).toContain("192.0.2.77 has PTR static-77.hosting.example");
    // Reported beside the domain: its own verdict does not follow the EHLO name.
    expect(warned.check?.status).toBe(passed.check?.status);
    const list = await ok<{ items: Domain[] }>(admin.get("/api/sending-domains"));
    expect(ehloOf(list.items.find((d) => d.id === domain.id)!)).toEqual(ehloOf(warned));
  });

  it("checks the relay's selector instead of utsend's key when the relay signs, and offers no key of its own", async () => {
    const relayKey = generateKeyPairSync("rsa", { modulusLength: 1024 })
      .publicKey.export({ type: "spki", format: "der" })
      .toString("base64");
    const missingSelector = await admin.send("PUT", `/api/sending-domains/${domain.id}/dkim`, {
      dkimSigner: "relay",
    });
    expect(missingSelector.status).toBe(400);
    expect(JSON.stringify(missingSelector.body)).toContain("relayDkimSelector");
    const relayed = await ok<Domain & { dkimSigner: string; advice: string[] }>(
      admin.send("PUT", `/api/sending-domains/${domain.id}/dkim`, {
        dkimSigner: "relay",
        relayDkimSelector: "k1",
      }),
    );
    expect(relayed.dkimSigner).toBe("relay");
    // The last check judged utsend's key, so it is gone; the records offered no longer include utsend's key.
    expect(relayed.check).toBeNull();
    expect(relayed.dnsRecords.map((r) => r.name)).not.toContain(domain.dnsRecords[0]!.name);
    expect(relayed.advice.join(" ")).toContain(`k1._domainkey.${DOMAIN}`);

    const unpublished = await ok<Domain>(admin.send("POST", `/api/sending-domains/${domain.id}/check`));
    expect(dns.asked).toContain(`k1._domainkey.${DOMAIN}`);
    expect(unpublished.check?.dkim).toMatchObject({
      status: "fail",
      message: expect.stringContaining("k1._domainkey"),
    });

    dns.zone[`k1._domainkey.${DOMAIN}`] = { TXT: [`v=DKIM1; k=rsa; p=${relayKey}`] };
    const published = await ok<Domain>(admin.send("POST", `/api/sending-domains/${domain.id}/check`));
    expect(published.check?.dkim.status).toBe("pass");

    const back = await ok<Domain & { dkimSigner: string; relayDkimSelector: string | null }>(
      admin.send("PUT", `/api/sending-domains/${domain.id}/dkim`, { dkimSigner: "utsend" }),
    );
    expect(back).toMatchObject({ dkimSigner: "utsend", relayDkimSelector: null });
    expect(back.dnsRecords[0]).toEqual(domain.dnsRecords[0]);
    const audit = await ok<{ items: Array<{ action: string; detail: Record<string, unknown> }> }>(
      admin.get("/api/audit?action=sending-domain.changed"),
    );
    expect(audit.items.map((e) => e.detail.dkimSigner)).toEqual(["utsend", "relay"]);
  });

  it("is for admins only", async () => {
    const marketer = await userWithRole(server, admin, "marketer");
    const refused = await marketer.send("POST", `/api/sending-domains/${domain.id}/check`);
    expect(refused.status).toBe(403);
  });

  it("answers unknown with the error, not a server error, when DNS cannot be reached", async () => {
    await dns.close();
    const response = await admin.send("POST", `/api/sending-domains/${domain.id}/check`);
    expect(response.status).toBe(200);
    const check = (response.body as Domain).check!;
    expect(check.status).toBe("unknown");
    expect(check.spf.message).toMatch(/^DNS did not answer: E[A-Z]+/);
  });
});
