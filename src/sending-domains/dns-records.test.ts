import { generateKeyPairSync } from "node:crypto";
import { describe, expect, it } from "vitest";
import {
  dmarcNames,
  failedCheckWarning,
  judgeBounceDomain,
  judgeDkim,
  judgeDmarc,
  judgeEhloName,
  judgeLoopbackRelayEhlo,
  judgeRelayDkim,
  judgeSpf,
  overallStatus,
  type RecordCheck,
} from "./dns-records.ts";

const txt = (...records: string[]) => ({ records });
const down = { error: "ETIMEOUT (queryTxt ETIMEOUT example.no)" };

describe("SPF", () => {
  it("passes one record ending in -all or ~all, and says which", () => {
    expect(judgeSpf("example.no", txt("v=spf1 mx -all", "other=1"))).toMatchObject({
      status: "pass",
      message: expect.stringContaining('"-all"'),
      records: ["v=spf1 mx -all"],
    });
    expect(judgeSpf("example.no", txt("v=spf1 include:_spf.example.net ~all")).message).toContain('"~all"');
  });

  it("passes a record whose policy comes from a redirect", () => {
    expect(judgeSpf("example.no", txt("v=spf1 redirect=_spf.example.net")).status).toBe("pass");
  });

  it("warns on ?all or a record without an all term, and fails +all", () => {
    expect(judgeSpf("example.no", txt("v=spf1 mx ?all")).status).toBe("warn");
    expect(judgeSpf("example.no", txt("v=spf1 mx")).status).toBe("warn");
    expect(judgeSpf("example.no", txt("v=spf1 +all")).status).toBe("fail");
    expect(judgeSpf("example.no", txt("v=spf1 all")).status).toBe("fail");
  });

  it("does not take v=spf10 or a record mentioning spf for an SPF record", () => {
    expect(judgeSpf("example.no", txt("v=spf10 -all", "note: v=spf1 -all")).status).toBe("fail");
  });

  it("is unknown when DNS did not answer", () => {
    expect(judgeSpf("example.no", down)).toMatchObject({
      status: "unknown",
      message: expect.stringContaining("ETIMEOUT"),
    });
  });
});

describe("DKIM", () => {
  const name = "s1._domainkey.example.no";

  it("matches the key ignoring the spaces a zone file or panel leaves in it", () => {
    expect(judgeDkim(name, "QUJDREVG", txt("v=DKIM1; k=rsa; p=QUJD REVG")).status).toBe("pass");
  });

  it("fails an empty p= as revoked", () => {
    expect(judgeDkim(name, "QUJDREVG", txt("v=DKIM1; p=")).message).toContain("revoked");
  });

  it("ignores records that are not DKIM1", () => {
    expect(judgeDkim(name, "QUJDREVG", txt("v=DKIM2; p=QUJDREVG")).status).toBe("fail");
  });
});

describe("DKIM signed by the relay", () => {
  const name = "k1._domainkey.example.no";
  const rsa = generateKeyPairSync("rsa", { modulusLength: 1024 })
    .publicKey.export({ type: "spki", format: "der" })
    .toString("base64");
  const ed25519 = generateKeyPairSync("ed25519")
    .publicKey.export({ type: "spki", format: "der" })
    .subarray(-32)
    .toString("base64");

  it("passes a record whose p= is an RSA key, split as panels split it", () => {
    const split = `${rsa.slice(0, 40)} ${rsa.slice(40)}`;
    const check = judgeRelayDkim(name, txt("v=spf1 -all", `v=DKIM1; k=rsa; p=${split}`));
    expect(check.status).toBe("pass");
    expect(check.records).toEqual([`v=DKIM1; k=rsa; p=${split}`]);
  });

  it("passes an Ed25519 key of 32 bytes and fails one of another length", () => {
    expect(judgeRelayDkim(name, txt(`v=DKIM1; k=ed25519; p=${ed25519}`)).status).toBe("pass");
    expect(judgeRelayDkim(name, txt(`v=DKIM1; k=ed25519; p=${rsa}`)).status).toBe("fail");
  });

  it("fails no record, a revoked key and a p= that is not a key", () => {
    expect(judgeRelayDkim(name, txt()).message).toContain(`No DKIM record at ${name}`);
    expect(judgeRelayDkim(name, txt("v=DKIM1; p=")).message).toContain("revoked");
    const garbage = judgeRelayDkim(name, txt("v=DKIM1; k=rsa; p=QUJDREVG"));
    expect(garbage).toMatchObject({
      status: "fail",
      message: expect.stringContaining("no key a receiver can use"),
    });
  });

  it("is unknown when DNS did not answer", () => {
    expect(judgeRelayDkim(name, down).status).toBe("unknown");
  });
});

describe("DMARC", () => {
  const at = (name: string, ...records: string[]) => ({ name, lookup: txt(...records) });

  it("passes quarantine and reject, warns on none", () => {
    expect(judgeDmarc("example.no", [at("_dmarc.example.no", "v=DMARC1; p=quarantine")]).status).toBe("pass");
    expect(
      judgeDmarc("example.no", [at("_dmarc.example.no", "v=DMARC1;p=none; rua=mailto:d@example.no")]),
    ).toMatchObject({
      status: "warn",
      message: expect.stringContaining("p=none"),
    });
  });

  it("uses the parent domain's subdomain policy when the subdomain has no record", () => {
    const check = judgeDmarc("news.example.no", [
      at("_dmarc.news.example.no"),
      at("_dmarc.example.no", "v=DMARC1; p=none; sp=reject"),
    ]);
    expect(check).toMatchObject({
      status: "pass",
      message: "DMARC policy p=reject (from _dmarc.example.no)",
    });
  });

  it("fails two records, a record without a valid policy, and no record", () => {
    expect(
      judgeDmarc("example.no", [at("_dmarc.example.no", "v=DMARC1; p=reject", "v=DMARC1; p=none")]).status,
    ).toBe("fail");
    expect(judgeDmarc("example.no", [at("_dmarc.example.no", "v=DMARC1; p=maybe")]).status).toBe("fail");
    expect(judgeDmarc("example.no", [at("_dmarc.example.no", "unrelated")]).status).toBe("fail");
  });

  it("asks the domain and its parents, never a bare top-level domain", () => {
    expect(dmarcNames("a.news.example.no")).toEqual([
      "_dmarc.a.news.example.no",
      "_dmarc.news.example.no",
      "_dmarc.example.no",
    ]);
  });
});

describe("bounce domain and the verdict", () => {
  it("reports MX hosts, else the address bounces fall back to, else warns", () => {
    expect(judgeBounceDomain("b.example.no", txt("mx1.example.no"), txt()).message).toContain(
      "mx1.example.no",
    );
    expect(judgeBounceDomain("b.example.no", txt(), txt("192.0.2.1")).message).toContain("192.0.2.1");
    expect(judgeBounceDomain("b.example.no", txt(), txt()).status).toBe("warn");
  });

  it("fails on any failure, is unknown before it warns, and passes only when all pass", () => {
    const c = (status: RecordCheck["status"]): RecordCheck => ({ status, message: "", records: [] });
    expect(overallStatus([c("pass"), c("unknown"), c("fail")])).toBe("fail");
    expect(overallStatus([c("warn"), c("unknown")])).toBe("unknown");
    expect(overallStatus([c("pass"), c("warn")])).toBe("warn");
    expect(overallStatus([c("pass"), c("pass")])).toBe("pass");
  });

  it("warns a mailing only about a failed check, naming the failing records", () => {
    const result = JSON.stringify({
      spf: { status: "fail" },
      dkim: { status: "pass" },
      dmarc: { status: "fail" },
    });
    expect(failedCheckWarning("example.no", "fail", result)).toBe(
      "The sending domain example.no failed its last DNS check: SPF, DMARC",
    );
    expect(failedCheckWarning("example.no", "warn", result)).toBeNull();
    expect(failedCheckWarning("example.no", null, null)).toBeNull();
  });
});

describe("EHLO name (forward-confirmed reverse DNS)", () => {
  const NAME = "mail.example.no";
  const ptr = (address: string, ...names: string[]) => ({ address, lookup: txt(...names) });

  it("passes when the name resolves and one of its addresses points back to it, in any case and with a dot", () => {
    const check = judgeEhloName(NAME, txt("192.0.2.10", "2001:db8::10"), [
      ptr("192.0.2.10", "host-10.provider.example"),
      ptr("2001:db8::10", "Mail.Example.NO."),
    ]);
    expect(check).toMatchObject({
      status: "pass",
      message: `${NAME} resolves to 192.0.2.10, 2001:db8::10, and 2001:db8::10 points back to it (PTR)`,
      records: ["192.0.2.10 PTR host-10.provider.example", "2001:db8::10 PTR Mail.Example.NO."],
    });
  });

  it("warns when the name has no A or AAAA record, and passes once it has one with its PTR", () => {
    const missing = judgeEhloName(NAME, txt(), []);
    expect(missing).toMatchObject({
      status: "warn",
      message: expect.stringContaining("no A or AAAA record"),
    });
    expect(judgeEhloName(NAME, txt("192.0.2.10"), [ptr("192.0.2.10", NAME)]).status).toBe("pass");
  });

  it("warns when no address points back, naming each address, its PTR, and who sets a PTR", () => {
    const check = judgeEhloName(NAME, txt("192.0.2.10", "192.0.2.11"), [
      ptr("192.0.2.10", "vps-123.hosting.example"),
      ptr("192.0.2.11"),
    ]);
    expect(check.status).toBe("warn");
    expect(check.message).toContain("192.0.2.10 has PTR vps-123.hosting.example");
    expect(check.message).toContain("192.0.2.11 has no PTR record");
    expect(check.message).toContain("usually the hosting provider");
    expect(check.message).toContain(`ask them for a PTR to ${NAME}`);
    // A name that merely contains the EHLO name is not a match.
    expect(judgeEhloName(NAME, txt("192.0.2.10"), [ptr("192.0.2.10", `x${NAME}`)]).status).toBe("warn");
  });

  it("is unknown when DNS did not answer the forward lookup, or a PTR lookup that might have matched", () => {
    expect(judgeEhloName(NAME, down, [])).toMatchObject({
      status: "unknown",
      message: expect.stringContaining("ETIMEOUT"),
    });
    const check = judgeEhloName(NAME, txt("192.0.2.10", "192.0.2.11"), [
      ptr("192.0.2.10", "other.example"),
      { address: "192.0.2.11", lookup: down },
    ]);
    expect(check.status).toBe("unknown");
    // One address that points back is enough, whatever the others' lookups did.
    const passed = judgeEhloName(NAME, txt("192.0.2.10", "192.0.2.11"), [
      ptr("192.0.2.10", NAME),
      { address: "192.0.2.11", lookup: down },
    ]);
    expect(passed.status).toBe("pass");
  });

  it("passes an account that greets a loopback relay, saying the relay's own name is what receivers see", () => {
    expect(judgeLoopbackRelayEhlo("localhost", "127.0.0.1")).toMatchObject({
      status: "pass",
      message: expect.stringContaining("receivers see the relay's own name"),
    });
  });
});
