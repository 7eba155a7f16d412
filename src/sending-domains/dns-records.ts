// What a sending domain's published SPF, DKIM and DMARC records say, judged from the TXT strings DNS returned. Pure:
// the lookups live in dns-check.ts, so every rule here is tested with plain strings.
import { createPublicKey } from "node:crypto";

/** pass: as it should be; warn: works but weak; fail: receivers will reject or junk; unknown: DNS did not answer. */
export type CheckStatus = "pass" | "warn" | "fail" | "unknown";
export type RecordCheck = { status: CheckStatus; message: string; records: string[] };

/**
 * A lookup's answer: the records (each TXT record's strings already joined), none (the name or type does not
 * exist, which is an answer), or an error (DNS could not be asked, which is not).
 */
export type Lookup = { records: string[] } | { error: string };

function unknown(lookup: { error: string }): RecordCheck {
  return { status: "unknown", message: `DNS did not answer: ${lookup.error}`, records: [] };
}

/** Tag-value lists (DKIM, DMARC): `k=v; k=v`; names are case-insensitive, values keep their case. */
export function tags(record: string): Map<string, string> {
  const out = new Map<string, string>();
  for (const part of record.split(";")) {
    const at = part.indexOf("=");
    if (at < 0) continue;
    const name = part.slice(0, at).trim().toLowerCase();
    if (name && !out.has(name)) out.set(name, part.slice(at + 1).trim());
  }
  return out;
}

// "v=spf1" must be the whole first term: "v=spf10" is not SPF (RFC 7208 §4.5).
const SPF = /^v=spf1(\s|$)/i;

export function judgeSpf(domain: string, lookup: Lookup): RecordCheck {
  if ("error" in lookup) return unknown(lookup);
  const records = lookup.records.filter((r) => SPF.test(r.trim()));
  if (records.length === 0)
    return { status: "fail", message: `${domain} has no SPF record (TXT "v=spf1 …")`, records };
  if (records.length > 1)
    return {
      status: "fail",
      message: `${domain} has ${records.length} SPF records; receivers treat that as an error (RFC 7208 permerror): merge them into one`,
      records,
    };
  const terms = records[0]!.trim().split(/\s+/).slice(1);
  const all = terms.find((t) => /^[-~?+]?all$/i.test(t));
  if (all === undefined) {
    if (terms.some((t) => /^redirect=/i.test(t)))
      return { status: "pass", message: "One SPF record; its policy comes from the redirect", records };
    return {
      status: "warn",
      message:
        'The SPF record does not end in "-all" or "~all": it does not say that other servers may not send',
      records,
    };
  }
  const qualifier = all.length === 3 ? "+" : all[0];
  switch (qualifier) {
    case "-":
      return { status: "pass", message: 'One SPF record, ending in "-all" (others are refused)', records };
    case "~":
      return {
        status: "pass",
        message: 'One SPF record, ending in "~all" (others are soft-failed)',
        records,
      };
    case "?":
      return {
        status: "warn",
        message: 'The SPF record ends in "?all": it says nothing about other servers',
        records,
      };
    default:
      return {
        status: "fail",
        message: 'The SPF record ends in "+all": it lets any server in the world send as the domain',
        records,
      };
  }
}

/** The base64 key without the whitespace DNS panels and zone files put into long values. */
function compactKey(value: string): string {
  return value.replace(/\s+/g, "");
}

export function judgeDkim(name: string, expectedKey: string, lookup: Lookup): RecordCheck {
  if ("error" in lookup) return unknown(lookup);
  const records = lookup.records.filter((r) => {
    const v = tags(r).get("v");
    return v === undefined || v === "DKIM1";
  });
  if (records.length === 0)
    return { status: "fail", message: `No DKIM record at ${name}: publish the record shown`, records };
  const keys = records.map((r) => compactKey(tags(r).get("p") ?? ""));
  if (keys.includes(compactKey(expectedKey)))
    return { status: "pass", message: `The DKIM key at ${name} is the one utsend signs with`, records };
  if (keys.every((k) => k === ""))
    return { status: "fail", message: `The DKIM key at ${name} is revoked (empty p=)`, records };
  return {
    status: "fail",
    message: `The DKIM key at ${name} is not the one utsend signs with: receivers will reject the signature`,
    records,
  };
}

/** Whether a record's p= holds a key a receiver can verify with: an RSA key (DER SubjectPublicKeyInfo) or, with
 * k=ed25519, 32 raw bytes (RFC 8463). */
function usableDkimKey(record: string): boolean {
  const t = tags(record);
  const p = compactKey(t.get("p") ?? "");
  if (!p || !/^[A-Za-z0-9+/]+={0,2}$/.test(p)) return false;
  const der = Buffer.from(p, "base64");
  if ((t.get("k") ?? "rsa").toLowerCase() === "ed25519") return der.length === 32;
  try {
    const key = createPublicKey({ key: der, format: "der", type: "spki" });
    return key.asymmetricKeyType === "rsa";
  } catch {
    return false;
  }
}

/** With the relay signing, utsend cannot know the key; it checks that the relay's selector publishes a usable one. */
export function judgeRelayDkim(name: string, lookup: Lookup): RecordCheck {
  if ("error" in lookup) return unknown(lookup);
  const records = lookup.records.filter((r) => {
    const v = tags(r).get("v");
    return v === undefined || v === "DKIM1";
  });
  if (records.length === 0)
    return {
      status: "fail",
      message: `No DKIM record at ${name}: publish the record your relay gives you`,
      records: lookup.records,
    };
  if (records.some(usableDkimKey))
    return {
      status: "pass",
      message: `${name} publishes a DKIM key for the relay to sign with (utsend cannot see which key the relay uses: send a test and look at the Authentication-Results)`,
      records,
    };
  if (records.every((r) => compactKey(tags(r).get("p") ?? "") === ""))
    return { status: "fail", message: `The DKIM key at ${name} is revoked (empty p=)`, records };
  return { status: "fail", message: `The DKIM record at ${name} holds no key a receiver can use`, records };
}

const DMARC = /^v\s*=\s*DMARC1\s*(;|$)/;

/**
 * `lookups` are the answers for `_dmarc.<domain>`, then for each parent domain: a receiver that finds no record at
 * the domain uses the organizational domain's, with its `sp=` policy for subdomains (RFC 7489 §6.6.3).
 */
export function judgeDmarc(domain: string, lookups: Array<{ name: string; lookup: Lookup }>): RecordCheck {
  for (const [index, { name, lookup }] of lookups.entries()) {
    if ("error" in lookup) return unknown(lookup);
    const records = lookup.records.filter((r) => DMARC.test(r.trim()));
    if (records.length === 0) continue;
    if (records.length > 1)
      return {
        status: "fail",
        message: `${name} has ${records.length} DMARC records; receivers then ignore DMARC: keep one`,
        records,
      };
    const record = tags(records[0]!);
    const inherited = index > 0;
    const policy = ((inherited ? record.get("sp") : undefined) ?? record.get("p"))?.toLowerCase();
    const where = inherited ? ` (from ${name})` : "";
    switch (policy) {
      case "reject":
      case "quarantine":
        return { status: "pass", message: `DMARC policy p=${policy}${where}`, records };
      case "none":
        return {
          status: "warn",
          message: `DMARC policy p=none${where}: receivers only report, they do not act on failing mail`,
          records,
        };
      default:
        return {
          status: "fail",
          message: `The DMARC record${where} has no valid policy (p=none, quarantine or reject)`,
          records,
        };
    }
  }
  return {
    status: "fail",
    message: `No DMARC record at _dmarc.${domain}: large mailbox providers require one from bulk senders`,
    records: [],
  };
}

/** Where bounces to the VERP return path go: the MX hosts, or the address a domain without MX falls back to. */
export function judgeBounceDomain(bounceDomain: string, mx: Lookup, addresses: Lookup): RecordCheck {
  if ("error" in mx) return unknown(mx);
  if (mx.records.length > 0)
    return { status: "pass", message: `Bounces go to ${mx.records.join(", ")}`, records: mx.records };
  if ("error" in addresses) return unknown(addresses);
  if (addresses.records.length > 0)
    return {
      status: "pass",
      message: `${bounceDomain} has no MX record; bounces go to its address ${addresses.records.join(", ")}`,
      records: addresses.records,
    };
  return {
    status: "warn",
    message: `${bounceDomain} has no MX or A record: bounces cannot reach utsend`,
    records: [],
  };
}

/** A host name as DNS gives it, for comparing: case-insensitive, a trailing dot ignored. */
function hostKey(name: string): string {
  return name.trim().toLowerCase().replace(/\.$/, "");
}

/**
 * Forward-confirmed reverse DNS for an SMTP account's EHLO name: `forward` is the name's A and AAAA addresses,
 * `reverse` each address's PTR answer. It passes when the name resolves and at least one of its addresses points
 * back to it: the address utsend's server sends from is not known here, so which one matters is the admin's call.
 */
export function judgeEhloName(
  name: string,
  forward: Lookup,
  reverse: Array<{ address: string; lookup: Lookup }>,
): RecordCheck {
  if ("error" in forward) return unknown(forward);
  if (forward.records.length === 0)
    return {
      status: "warn",
      message: `${name} has no A or AAAA record: give it one with the address utsend's mail leaves from, and that address a PTR record back to ${name}`,
      records: [],
    };
  const wanted = hostKey(name);
  const records = reverse.map(({ address, lookup }) =>
    "error" in lookup ? `${address} PTR ?` : `${address} PTR ${lookup.records.join(", ") || "(none)"}`,
  );
  const back = reverse.find(
    ({ lookup }) => !("error" in lookup) && lookup.records.some((r) => hostKey(r) === wanted),
  );
  if (back)
    return {
      status: "pass",
      message: `${name} resolves to ${forward.records.join(", ")}, and ${back.address} points back to it (PTR)`,
      records,
    };
  // A PTR that could not be asked might be the matching one: no verdict rather than a false warning.
  const failed = reverse.find(({ lookup }) => "error" in lookup);
  if (failed && "error" in failed.lookup) return { ...unknown(failed.lookup), records };
  const said = reverse
    .map(({ address, lookup }) => {
      const ptr = "error" in lookup ? [] : lookup.records;
      return ptr.length > 0 ? `${address} has PTR ${ptr.join(", ")}` : `${address} has no PTR record`;
    })
    .join("; ");
  return {
    status: "warn",
    message: `No address of ${name} points back to it: ${said}. Receivers check that the sending address's PTR names the EHLO name; a PTR is set by whoever owns the address (usually the hosting provider), not in your own DNS zone: ask them for a PTR to ${name}`,
    records,
  };
}

/**
 * An account that greets a relay on this machine: receivers never see utsend's EHLO name, only the relay's, so
 * there is nothing of utsend's to look up. A pass, with where the advice now applies.
 */
export function judgeLoopbackRelayEhlo(name: string, relayHost: string): RecordCheck {
  return {
    status: "pass",
    message: `${name} is only given to the local relay at ${relayHost}; receivers see the relay's own name, which needs the A/AAAA and PTR records`,
    records: [],
  };
}

/**
 * The domain's verdict from SPF, DKIM and DMARC (the bounce domain and the EHLO names are reported, not judged): any fail fails; DNS
 * that did not answer is unknown rather than a pass.
 */
export function overallStatus(checks: RecordCheck[]): CheckStatus {
  const statuses = new Set(checks.map((c) => c.status));
  for (const status of ["fail", "unknown", "warn"] as const) if (statuses.has(status)) return status;
  return "pass";
}

/** `_dmarc` names to ask, most specific first, stopping above the last two labels (an approximation of the
 * organizational domain without a public-suffix list: a `co.uk` name is asked about and simply has no record). */
export function dmarcNames(domain: string): string[] {
  const labels = domain.split(".");
  const names: string[] = [];
  for (let i = 0; i <= labels.length - 2; i++) names.push(`_dmarc.${labels.slice(i).join(".")}`);
  return names;
}

/** A mailing's warning when its from-domain's last check failed (null otherwise), naming the failing records. */
export function failedCheckWarning(
  domain: string,
  status: CheckStatus | null,
  result: string | null,
): string | null {
  if (status !== "fail") return null;
  const records = result ? (JSON.parse(result) as Record<string, RecordCheck>) : {};
  const failing = (["spf", "dkim", "dmarc"] as const)
    .filter((k) => records[k]?.status === "fail")
    .map((k) => k.toUpperCase());
  return `The sending domain ${domain} failed its last DNS check: ${failing.join(", ") || "see the sending settings"}`;
}
