import { createPublicKey } from "node:crypto";
import { describe, expect, it } from "vitest";
import type { AppError } from "../shared/errors.ts";
import { dkimDnsRecord, generateDkimKeyPair } from "./dkim-keys.ts";

describe("generateDkimKeyPair", () => {
  it("makes a 2048-bit RSA key pair in PEM", () => {
    const { privateKeyPem, publicKeyPem } = generateDkimKeyPair();
    expect(privateKeyPem).toMatch(/^-----BEGIN PRIVATE KEY-----\n/);
    expect(publicKeyPem).toMatch(/^-----BEGIN PUBLIC KEY-----\n/);
    const key = createPublicKey(publicKeyPem);
    expect(key.asymmetricKeyType).toBe("rsa");
    expect(key.asymmetricKeyDetails?.modulusLength).toBe(2048);
    expect(createPublicKey(privateKeyPem).export({ type: "spki", format: "pem" })).toBe(publicKeyPem);
  });

  it("makes a new pair every time", () => {
    expect(generateDkimKeyPair().privateKeyPem).not.toBe(generateDkimKeyPair().privateKeyPem);
  });
});

describe("dkimDnsRecord", () => {
  const { publicKeyPem } = generateDkimKeyPair();

  it("names the TXT record selector._domainkey.domain and publishes the public key in p=", () => {
    const record = dkimDnsRecord("utsend1", "Lag.Example.no", publicKeyPem);
    expect(record.name).toBe("utsend1._domainkey.lag.example.no");
    expect(record.type).toBe("TXT");
    const m = /^v=DKIM1; k=rsa; p=([A-Za-z0-9+/]+={0,2})$/.exec(record.value);
    expect(m).not.toBeNull();
    const published = createPublicKey({
      key: Buffer.from(m?.[1] ?? "", "base64"),
      format: "der",
      type: "spki",
    });
    expect(published.export({ type: "spki", format: "pem" })).toBe(publicKeyPem);
  });

  it("gives the same record for the key in PKCS#1 form", () => {
    const pkcs1 = createPublicKey(publicKeyPem).export({ type: "pkcs1", format: "pem" }).toString();
    expect(pkcs1).toMatch(/BEGIN RSA PUBLIC KEY/);
    expect(dkimDnsRecord("s1", "example.no", pkcs1)).toEqual(dkimDnsRecord("s1", "example.no", publicKeyPem));
  });

  it("writes a domain with Norwegian letters in its DNS (punycode) form", () => {
    expect(dkimDnsRecord("s1", "blåbær.no", publicKeyPem).name).toBe("s1._domainkey.xn--blbr-roah.no");
  });

  it("refuses a selector or domain that is not a DNS name", () => {
    for (const [selector, domain, field] of [
      ["utsend 1", "example.no", "selector"],
      ["s1;p=x", "example.no", "selector"],
      ["s1", "exa mple.no", "domain"],
      ["s1", "", "domain"],
    ] as const) {
      let err: AppError | undefined;
      try {
        dkimDnsRecord(selector, domain, publicKeyPem);
      } catch (e) {
        err = e as AppError;
      }
      expect(err?.code).toBe("VALIDATION_FAILED");
      expect(err?.details.fields).toEqual([expect.objectContaining({ field })]);
    }
  });
});
