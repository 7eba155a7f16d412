// The sending-domain check against a real DNS server on 127.0.0.1 that answers from a zone each test writes.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { aPerson } from "../../test/helpers/builders.ts";
import { freshDatabase, type TestDb, testDialects } from "../../test/helpers/dialects.ts";
import {
  type DnsServer,
  reverseName,
  startDnsServer,
  startSilentDnsServer,
  type Zone,
} from "../../test/helpers/dns-server.ts";
import { aReadyMailing, aSendingSetup } from "../../test/helpers/mailings.ts";
import { getMailing } from "../mailings/store.ts";
import { createAccount, ehloAccountsToCheck, listDomains } from "../send/accounts.ts";
import { ehloNameFor, isLoopbackHost } from "../send/channels/email/smtp-settings.ts";
import { loadConfig } from "../shared/config.ts";
import { dkimDnsRecord, generateDkimKeyPair } from "./dkim-keys.ts";
import {
  checkDomainDns,
  checkSendingDomain,
  type DnsSettings,
  dnsSettings,
  type EhloToCheck,
  lastCheck,
} from "./dns-check.ts";

const keys = generateDkimKeyPair();
const domain = {
  domain: "fjordlys.example",
  dkimSelector: "utsend1",
  dkimPublicKeyPem: keys.publicKeyPem,
  bounceDomain: "bounces.fjordlys.example",
};
const dkim = dkimDnsRecord(domain.dkimSelector, domain.domain, domain.dkimPublicKeyPem);

/** Everything published as it should be; each test changes one thing. */
function goodZone(): Zone {
  return {
    "fjordlys.example": {
      TXT: ["v=spf1 include:_spf.mailhost.example -all", "google-site-verification=abc"],
    },
    [dkim.name]: { TXT: [dkim.value] },
    "_dmarc.fjordlys.example": { TXT: ["v=DMARC1; p=quarantine; rua=mailto:dmarc@fjordlys.example"] },
    "bounces.fjordlys.example": { MX: [{ exchange: "bounce.utsend.example" }] },
  };
}

const PUBLIC_URL = "https://utsend.fjordlys.example";
let server: DnsServer;
let settings: DnsSettings;

beforeAll(async () => {
  server = await startDnsServer(goodZone());
  settings = { servers: [server.address], timeoutMs: 2000 };
});
afterAll(async () => server.close());

async function checkWith(change: (zone: Zone) => void) {
  for (const key of Object.keys(server.zone)) delete server.zone[key];
  Object.assign(server.zone, goodZone());
  change(server.zone);
  return checkDomainDns(domain, settings);
}

describe("checking a sending domain in DNS", () => {
  it("passes a domain that publishes one SPF record, our DKIM key and an enforcing DMARC policy", async () => {
    const check = await checkWith(() => {});
    expect(check).toMatchObject({
      status: "pass",
      spf: { status: "pass", records: ["v=spf1 include:_spf.mailhost.example -all"] },
      dkim: { status: "pass", records: [dkim.value] },
      dmarc: { status: "pass", message: "DMARC policy p=quarantine" },
      bounce: { status: "pass", message: "Bounces go to bounce.utsend.example" },
    });
    // The DKIM value is longer than one DNS string: it arrived in pieces and was joined.
    expect(dkim.value.length).toBeGreaterThan(255);
  });

  it("fails a domain without an SPF record", async () => {
    const check = await checkWith((zone) => {
      zone["fjordlys.example"] = { TXT: ["google-site-verification=abc"] };
    });
    expect(check.status).toBe("fail");
    expect(check.spf).toMatchObject({ status: "fail", message: expect.stringContaining("no SPF record") });
    expect(check.dkim.status).toBe("pass");
  });

  it("fails a domain with two SPF records", async () => {
    const check = await checkWith((zone) => {
      zone["fjordlys.example"] = { TXT: ["v=spf1 mx -all", "v=spf1 include:_spf.mailhost.example ~all"] };
    });
    expect(check.spf).toMatchObject({ status: "fail", message: expect.stringContaining("2 SPF records") });
    expect(check.spf.records).toHaveLength(2);
  });

  it("fails DKIM when the published key is not the one utsend signs with", async () => {
    const other = generateDkimKeyPair();
    const check = await checkWith((zone) => {
      zone[dkim.name] = { TXT: [dkimDnsRecord("utsend1", domain.domain, other.publicKeyPem).value] };
    });
    expect(check.status).toBe("fail");
    expect(check.dkim).toMatchObject({
      status: "fail",
      message: expect.stringContaining("not the one utsend"),
    });
  });

  it("fails DKIM when no record is published at the selector", async () => {
    const check = await checkWith((zone) => {
      delete zone[dkim.name];
    });
    expect(check.dkim).toMatchObject({ status: "fail", message: expect.stringContaining("No DKIM record") });
  });

  it("warns on a DMARC policy of p=none without failing the domain", async () => {
    const check = await checkWith((zone) => {
      zone["_dmarc.fjordlys.example"] = { TXT: ["v=DMARC1; p=none"] };
    });
    expect(check.status).toBe("warn");
    expect(check.dmarc).toMatchObject({ status: "warn", message: expect.stringContaining("p=none") });
  });

  it("reports a bounce domain without MX by the address mail falls back to", async () => {
    const check = await checkWith((zone) => {
      zone["bounces.fjordlys.example"] = { A: ["192.0.2.25"] };
    });
    expect(check.bounce.message).toContain("192.0.2.25");
    expect(check.status).toBe("pass");
  });

  it("reports unknown with the error, not a failure, when the DNS server does not answer", async () => {
    const silent = await startSilentDnsServer();
    try {
      const check = await checkDomainDns(domain, { servers: [silent.address], timeoutMs: 300 });
      expect(check.status).toBe("unknown");
      for (const part of [check.spf, check.dkim, check.dmarc, check.bounce])
        expect(part).toMatchObject({ status: "unknown", message: expect.stringContaining("ETIMEOUT") });
    } finally {
      await silent.close();
    }
  });

  it("reports unknown, not an exception, for a server address the resolver refuses", async () => {
    const check = await checkDomainDns(domain, { servers: ["300.1.1.1"], timeoutMs: 300 });
    expect(check.status).toBe("unknown");
    expect(check.spf.message).toContain("UTSEND_DNS_SERVERS");
  });
});

describe("checking the SMTP accounts' EHLO names in DNS", () => {
  const account = (host: string, ehloName: string | null, accountId = 1): EhloToCheck => ({
    accountId,
    accountName: `Konto ${accountId}`,
    host,
    loopback: isLoopbackHost(host),
    ehlo: ehloNameFor({ host, ehloName }, PUBLIC_URL),
  });

  it("passes a name whose address has a PTR back to it, asking A, AAAA and PTR of the same server", async () => {
    const check = await checkDomainDns(domain, settings, []);
    expect(check.ehlo).toEqual([]);
    server.zone["mail.fjordlys.example"] = { A: ["192.0.2.40"], AAAA: ["2001:db8::40"] };
    server.zone[reverseName("192.0.2.40")] = { PTR: ["vps40.hosting.example"] };
    server.zone[reverseName("2001:db8::40")] = { PTR: ["mail.fjordlys.example"] };
    const checked = await checkDomainDns(domain, settings, [
      account("smtp.hosting.example", "mail.fjordlys.example"),
    ]);
    expect(checked.ehlo).toEqual([
      {
        accountId: 1,
        accountName: "Konto 1",
        name: "mail.fjordlys.example",
        source: "account",
        check: expect.objectContaining({ status: "pass" }),
      },
    ]);
    expect(server.asked).toContain(
      "0.4.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.8.b.d.0.1.0.0.2.ip6.arpa",
    );
    // The EHLO names are reported beside the domain, not judged with it.
    expect(checked.status).toBe(check.status);
  });

  it("warns about the public URL's host when it has no address, and names a PTR that points elsewhere", async () => {
    delete server.zone["utsend.fjordlys.example"];
    server.zone["mail.fjordlys.example"] = { A: ["192.0.2.40"] };
    server.zone[reverseName("192.0.2.40")] = { PTR: ["vps40.hosting.example"] };
    const check = await checkDomainDns(domain, settings, [
      account("smtp.hosting.example", null, 1),
      account("smtp.hosting.example", "mail.fjordlys.example", 2),
    ]);
    expect(check.ehlo.map((e) => [e.name, e.source, e.check.status])).toEqual([
      ["utsend.fjordlys.example", "public-url", "warn"],
      ["mail.fjordlys.example", "account", "warn"],
    ]);
    expect(check.ehlo[0]!.check.message).toContain("no A or AAAA record");
    expect(check.ehlo[1]!.check.message).toContain("192.0.2.40 has PTR vps40.hosting.example");
  });

  it("fails an account without a name it may give, and looks nothing up for a loopback relay", async () => {
    const asked = server.asked.length;
    const noName = {
      accountId: 3,
      accountName: "Relay",
      host: "smtp.hosting.example",
      loopback: false,
      ehlo: ehloNameFor({ host: "smtp.hosting.example", ehloName: null }, "http://10.0.0.5:3000"),
    };
    const check = await checkDomainDns(domain, settings, [noName, account("127.0.0.1", null, 4)]);
    expect(check.ehlo[0]).toMatchObject({
      name: null,
      check: { status: "fail", message: expect.stringContaining("no EHLO name") },
    });
    expect(check.ehlo[1]).toMatchObject({ name: "utsend.fjordlys.example", check: { status: "pass" } });
    expect(server.asked.slice(asked)).not.toContain("utsend.fjordlys.example");
  });

  it("is unknown when DNS does not answer", async () => {
    const silent = await startSilentDnsServer();
    try {
      const check = await checkDomainDns(domain, { servers: [silent.address], timeoutMs: 300 }, [
        account("smtp.hosting.example", "mail.fjordlys.example"),
      ]);
      expect(check.ehlo[0]!.check).toMatchObject({
        status: "unknown",
        message: expect.stringContaining("ETIMEOUT"),
      });
    } finally {
      await silent.close();
    }
  });

  it("reads a result kept before EHLO names were checked as having none", () => {
    const old = JSON.stringify({ spf: {}, dkim: {}, dmarc: {}, bounce: {} });
    const check = lastCheck({
      dns_status: "pass",
      dns_result: old,
      dns_checked_at: "2026-01-01T00:00:00.000Z",
    });
    expect(check?.ehlo).toEqual([]);
  });
});

describe("UTSEND_DNS_SERVERS", () => {
  it("takes addresses with and without a port, and refuses host names", () => {
    const config = loadConfig({
      UTSEND_DNS_SERVERS: "10.0.0.2:5353, 1.1.1.1,[2001:db8::1]:53",
      UTSEND_DNS_TIMEOUT_MS: "800",
    });
    expect(dnsSettings(config)).toEqual({
      servers: ["10.0.0.2:5353", "1.1.1.1", "[2001:db8::1]:53"],
      timeoutMs: 800,
    });
    expect(dnsSettings(loadConfig({})).servers).toEqual([]);
    expect(() => loadConfig({ UTSEND_DNS_SERVERS: "dns.example.no" })).toThrow(/UTSEND_DNS_SERVERS/);
  });
});

for (const dialect of await testDialects()) {
  describe(`the last check of a registered domain (${dialect})`, () => {
    let db: TestDb;
    beforeAll(async () => {
      db = await freshDatabase(dialect);
    });
    afterAll(async () => db?.dispose());

    async function publish(registered: { domain: string; dkimSelector: string }, spf: string | null) {
      const row = await db.db
        .selectFrom("sending_domains")
        .select("dkim_public_key")
        .where("domain", "=", registered.domain)
        .executeTakeFirstOrThrow();
      const record = dkimDnsRecord(registered.dkimSelector, registered.domain, row.dkim_public_key);
      server.zone[registered.domain] = { TXT: spf ? [spf] : [] };
      server.zone[record.name] = { TXT: [record.value] };
      server.zone[`_dmarc.${registered.domain}`] = { TXT: ["v=DMARC1; p=reject"] };
    }

    it("keeps the result with its time, and the domain list shows it", async () => {
      const setup = await aSendingSetup(db.db);
      expect(setup.domain.check).toBeNull();
      await publish(setup.domain, "v=spf1 -all");
      const smtp = await createAccount(
        db.db,
        {
          name: "Relé",
          kind: "smtp",
          host: "smtp.hosting.example",
          port: 587,
          ehloName: "mx9.fjordlys.example",
        },
        PUBLIC_URL,
      );
      server.zone["mx9.fjordlys.example"] = { A: ["192.0.2.9"] };
      server.zone[reverseName("192.0.2.9")] = { PTR: ["mx9.fjordlys.example."] };
      const check = await checkSendingDomain(
        db.db,
        setup.domain.id,
        settings,
        await ehloAccountsToCheck(db.db, PUBLIC_URL),
      );
      expect(check.status).toBe("pass");
      expect(check.ehlo).toContainEqual({
        accountId: smtp.id,
        accountName: "Relé",
        name: "mx9.fjordlys.example",
        source: "account",
        check: expect.objectContaining({ status: "pass" }),
      });
      const listed = (await listDomains(db.db)).find((d) => d.id === setup.domain.id);
      expect(listed?.check).toEqual(check);
    });

    it("warns, without blocking, on a mailing whose from-domain failed its last check", async () => {
      const setup = await aSendingSetup(db.db);
      const person = await aPerson(db.db, { email: `dns-${dialect}@example.no` });
      const mailing = await aReadyMailing(db.db, setup, [person.id]);
      expect((await getMailing(db.db, mailing.id)).warnings).toEqual([]);

      await publish(setup.domain, null);
      expect(
        (
          await checkSendingDomain(
            db.db,
            setup.domain.id,
            settings,
            await ehloAccountsToCheck(db.db, PUBLIC_URL),
          )
        ).status,
      ).toBe("fail");
      const warned = await getMailing(db.db, mailing.id);
      expect(warned.warnings).toEqual([
        `The sending domain ${setup.domain.domain} failed its last DNS check: SPF`,
      ]);
      expect(warned.canSend).toBe(true);

      await publish(setup.domain, "v=spf1 ~all");
      await checkSendingDomain(
        db.db,
        setup.domain.id,
        settings,
        await ehloAccountsToCheck(db.db, PUBLIC_URL),
      );
      expect((await getMailing(db.db, mailing.id)).warnings).toEqual([]);
    });
  });
}
