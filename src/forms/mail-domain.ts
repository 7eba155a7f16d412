// Whether an e-mail address's domain can receive mail (SPEC §9, abuse): an MX record, or else an A/AAAA record (the
// implicit MX of RFC 5321 §5.1). DNS that cannot be asked (timeout, refused) answers "unknown", and the submission
// is accepted: a visitor is never turned away because our resolver is down. Answers are kept a few minutes per
// process, as a caching resolver would: most visitors write one of a handful of domains.
import { Resolver } from "node:dns/promises";
import type { DnsSettings } from "../sending-domains/dns-check.ts";

export type MailDomainVerdict = "receives-mail" | "no-mail" | "unknown";

// Answers that say the record is not there; anything else means DNS was not asked successfully.
const ABSENT = new Set(["ENODATA", "ENOTFOUND"]);

type Lookup = { found: boolean } | { failed: true };

async function ask(query: () => Promise<unknown[]>): Promise<Lookup> {
  try {
    return { found: (await query()).length > 0 };
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    return code && ABSENT.has(code) ? { found: false } : { failed: true };
  }
}

export async function mailDomainVerdict(domain: string, settings: DnsSettings): Promise<MailDomainVerdict> {
  const resolver = new Resolver({ timeout: settings.timeoutMs, tries: 1 });
  try {
    if (settings.servers.length > 0) resolver.setServers(settings.servers);
  } catch {
    return "unknown";
  }
  const mx = await ask(() => resolver.resolveMx(domain));
  if ("failed" in mx) return "unknown";
  if (mx.found) return "receives-mail";
  const [a, aaaa] = await Promise.all([
    ask(() => resolver.resolve4(domain)),
    ask(() => resolver.resolve6(domain)),
  ]);
  if (("found" in a && a.found) || ("found" in aaaa && aaaa.found)) return "receives-mail";
  if ("failed" in a && "failed" in aaaa) return "unknown";
  return "no-mail";
}

/** How long a process trusts a DNS answer; DNS itself is cached for minutes, so nothing is staler than that. */
export const VERDICT_TTL_MS = 5 * 60 * 1000;
const VERDICTS_KEPT = 1000;

/**
 * mailDomainVerdict with the answers of the last VERDICT_TTL_MS remembered by domain (at most VERDICTS_KEPT, the
 * oldest out first). "unknown" is not kept: the next visitor asks again. There is nothing to invalidate across
 * processes: the answers come from DNS, not from our database.
 */
export function cachedMailDomainVerdicts(
  settings: () => DnsSettings,
  now: () => number = Date.now,
): (domain: string) => Promise<MailDomainVerdict> {
  const kept = new Map<string, { verdict: MailDomainVerdict; until: number }>();
  return async (domain) => {
    const key = domain.toLowerCase();
    const hit = kept.get(key);
    if (hit && hit.until > now()) return hit.verdict;
    const verdict = await mailDomainVerdict(key, settings());
    if (verdict === "unknown") return verdict;
    kept.delete(key);
    kept.set(key, { verdict, until: now() + VERDICT_TTL_MS });
    if (kept.size > VERDICTS_KEPT) kept.delete(kept.keys().next().value!);
    return verdict;
  };
}
