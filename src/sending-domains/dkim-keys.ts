// A sending domain's DKIM key pair and the DNS TXT record that publishes its public half (RFC 6376 §3.6.1).
import { createPublicKey, generateKeyPairSync } from "node:crypto";
import { domainToASCII } from "node:url";
import { type FieldProblem, invalid } from "../shared/errors.ts";

const DNS_NAME = /^(?!-)[a-z0-9-]{1,63}(?<!-)(?:\.(?!-)[a-z0-9-]{1,63}(?<!-))*\.?$/i;

export type DkimDnsRecord = { name: string; type: "TXT"; value: string };

/** RSA 2048: the size RFC 8301 recommends and every receiver accepts (a 4096-bit key's record is too long for some DNS panels). */
export function generateDkimKeyPair(): { privateKeyPem: string; publicKeyPem: string } {
  const { privateKey, publicKey } = generateKeyPairSync("rsa", {
    modulusLength: 2048,
    publicKeyEncoding: { type: "spki", format: "pem" },
    privateKeyEncoding: { type: "pkcs8", format: "pem" },
  });
  return { privateKeyPem: privateKey, publicKeyPem: publicKey };
}

/**
 * The record to publish. `p=` is the DER SubjectPublicKeyInfo in base64, re-encoded from the PEM rather than cut
 * out of it, so a PKCS#1 "RSA PUBLIC KEY" PEM gives the same, valid record. The value is over 255 characters:
 * DNS panels split it into strings themselves; zone files need it quoted in chunks.
 */
export function dkimDnsRecord(selector: string, domain: string, publicKeyPem: string): DkimDnsRecord {
  const problems: FieldProblem[] = [];
  if (!DNS_NAME.test(selector))
    problems.push({
      field: "selector",
      message: "must be DNS labels (a-z, 0-9, -)",
      kind: "allowed-characters",
      params: { characters: "a–z 0–9 -" },
    });
  const asciiDomain = domainToASCII(domain.trim());
  if (!DNS_NAME.test(asciiDomain))
    problems.push({ field: "domain", message: "must be a domain name", kind: "not-a-domain" });
  if (problems.length) throw invalid(problems);
  const p = createPublicKey(publicKeyPem).export({ type: "spki", format: "der" }).toString("base64");
  const name = `${selector}._domainkey.${asciiDomain}`.toLowerCase().replace(/\.$/, "");
  return { name, type: "TXT", value: `v=DKIM1; k=rsa; p=${p}` };
}
