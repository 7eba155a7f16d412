import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type DnsServer, startDnsServer, startSilentDnsServer } from "../../test/helpers/dns-server.ts";
import { cachedMailDomainVerdicts, mailDomainVerdict, VERDICT_TTL_MS } from "./mail-domain.ts";

let dns: DnsServer;
beforeAll(async () => {
  dns = await startDnsServer({
    "mx.example": { MX: [{ exchange: "mail.mx.example" }] },
    "a-only.example": { A: ["192.0.2.10"] },
    "txt-only.example": { TXT: ["v=spf1 -all"] },
  });
});
afterAll(() => dns?.close());

const settings = () => ({ servers: [dns.address], timeoutMs: 1000 });

describe("the mail-domain check", () => {
  it("takes an MX record, else an A record, and refuses a domain with neither", async () => {
    expect(await mailDomainVerdict("mx.example", settings())).toBe("receives-mail");
    expect(await mailDomainVerdict("a-only.example", settings())).toBe("receives-mail");
    expect(await mailDomainVerdict("txt-only.example", settings())).toBe("no-mail");
  });

  it("remembers an answer for its time to live by domain in any case, then asks DNS again", async () => {
    let clock = 1_000_000;
    const verdict = cachedMailDomainVerdicts(settings, () => clock);
    const asked = () => dns.asked.filter((name) => name === "mx.example").length;
    const before = asked();
    expect(await verdict("mx.example")).toBe("receives-mail");
    expect(await verdict("MX.Example")).toBe("receives-mail");
    expect(asked()).toBe(before + 1);
    clock += VERDICT_TTL_MS - 1;
    expect(await verdict("mx.example")).toBe("receives-mail");
    expect(asked()).toBe(before + 1);
    clock += 1;
    dns.zone["mx.example"] = { TXT: ["moved"] };
    expect(await verdict("mx.example")).toBe("no-mail");
    dns.zone["mx.example"] = { MX: [{ exchange: "mail.mx.example" }] };
  });

  it("keeps no answer when DNS could not be asked: the next visitor asks again", async () => {
    const silent = await startSilentDnsServer();
    let servers = [silent.address];
    const verdict = cachedMailDomainVerdicts(() => ({ servers, timeoutMs: 200 }));
    expect(await verdict("mx.example")).toBe("unknown");
    servers = [dns.address];
    expect(await verdict("mx.example")).toBe("receives-mail");
    await silent.close();
  });
});
