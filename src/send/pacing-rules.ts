// The rules of per-recipient-domain pacing and warm-up, pure: which rule a recipient's domain falls under, the token
// bucket a domain's rate is kept by, the slow-down after a 4xx and the recovery after successes (AIMD), and a
// sending domain's daily warm-up allowance. The I/O around them is domain-pacing.ts.
import type { FieldProblem } from "../shared/errors.ts";

/**
 * One rule: the domains it covers share one bucket (a provider's family of domains ends on the same mail servers),
 * a rate in messages per second and a bound on the messages one worker process has in flight to them. Null: no
 * limit of its own (the sending account's rate still holds).
 */
export type DomainRule = {
  name: string;
  /** Exact domains ("gmail.com") or a name under any country or generic suffix ("hotmail.*"). */
  domains: string[];
  ratePerSecond: number | null;
  maxInFlight: number | null;
};
export type DomainPacing = {
  rules: DomainRule[];
  /** Every domain no rule covers, each with a bucket of its own. */
  otherDomains: { ratePerSecond: number | null; maxInFlight: number | null };
};

/**
 * Starting points, not published limits: no provider publishes a rate per sender. They answer 421/4.7.x when they
 * want less (Microsoft 4.7.650/4.7.500, Yahoo TSS04, Google 4.7.28), which the slow-down below follows. Families are
 * domains known to share their provider's mail servers (MX): Google's, Microsoft's consumer domains, Yahoo's (AOL's
 * MX is Yahoo's since 2017) and Apple's iCloud. The bound in flight is below Postfix's default_destination_
 * concurrency_limit (20), which the big providers take from every sender.
 */
export const BUILT_IN_PACING: DomainPacing = {
  rules: [
    { name: "Google", domains: ["gmail.com", "googlemail.com"], ratePerSecond: 20, maxInFlight: 10 },
    {
      name: "Microsoft",
      domains: ["outlook.com", "hotmail.*", "live.*", "msn.com"],
      ratePerSecond: 10,
      maxInFlight: 5,
    },
    { name: "Yahoo", domains: ["yahoo.*", "ymail.com", "aol.com"], ratePerSecond: 5, maxInFlight: 5 },
    { name: "Apple", domains: ["icloud.com", "me.com", "mac.com"], ratePerSecond: 10, maxInFlight: 5 },
  ],
  otherDomains: { ratePerSecond: null, maxInFlight: null },
};

/** The part of an address after its last "@", lower-cased; null for an address without one (an SMS number). */
export function recipientDomain(address: string): string | null {
  const at = address.lastIndexOf("@");
  return at < 0 ? null : address.slice(at + 1).toLowerCase();
}

// "name.*" stands for a country or generic suffix, behind at most one short label: hotmail.no, hotmail.co.uk,
// yahoo.com.br; not live.example.org, which is another company's.
const SUFFIX = /^[a-z]{2,6}$|^[a-z]{2,3}\.[a-z]{2}$/;

export function patternCovers(pattern: string, domain: string): boolean {
  if (!pattern.endsWith(".*")) return pattern === domain;
  const name = pattern.slice(0, -1);
  return domain.startsWith(name) && SUFFIX.test(domain.slice(name.length));
}

export type PaceKey = { key: string; ratePerSecond: number | null; maxInFlight: number | null };

/** The bucket a recipient domain is paced by: its rule's (shared by the family), or one of its own. */
export function paceKeyOf(pacing: DomainPacing, domain: string): PaceKey {
  const rule = pacing.rules.find((r) => r.domains.some((p) => patternCovers(p, domain)));
  if (rule)
    return {
      key: `rule:${rule.name.toLowerCase()}`,
      ratePerSecond: rule.ratePerSecond,
      maxInFlight: rule.maxInFlight,
    };
  return { key: `domain:${domain}`, ...pacing.otherDomains };
}

/** A domain's bucket as kept in the database (times in ms since the epoch). */
export type Bucket = {
  tokens: number;
  updatedMs: number;
  /** After a 4xx: the lowered rate; null when the rule's rate applies. */
  slowedRate: number | null;
  slowedMs: number | null;
  /** The slot after the last one given to a held delivery: the next held one goes no earlier. */
  heldUntilMs: number;
};

/** A domain never paced before: last touched at the epoch, so its bucket is full at whatever rate applies. */
export const freshBucket = (): Bucket => ({
  tokens: 0,
  updatedMs: 0,
  slowedRate: null,
  slowedMs: null,
  heldUntilMs: 0,
});

/** The rate that holds now: the slowed one after a 4xx, else the rule's; null is no limit. */
export const effectiveRate = (bucket: Bucket, ratePerSecond: number | null): number | null =>
  bucket.slowedRate ?? ratePerSecond;

/** A second's worth, at least one: a provider sees messages over connections, not a smooth stream. */
export const domainBucketSize = (rate: number) => Math.max(1, rate);

export type Admission = {
  admitted: number;
  /** When each held message may be tried, in order: spaced at the rate, after those held before. */
  holdUntilMs: number[];
  bucket: Bucket;
};

/** Takes up to `want` tokens; the rest are held to distinct slots so they come back at the rate, not at once. */
export function admit(bucket: Bucket, ratePerSecond: number | null, want: number, nowMs: number): Admission {
  const rate = effectiveRate(bucket, ratePerSecond);
  if (rate === null) return { admitted: want, holdUntilMs: [], bucket };
  const capacity = domainBucketSize(rate);
  const elapsed = Math.max(0, nowMs - bucket.updatedMs);
  const tokens = Math.min(capacity, bucket.tokens + (elapsed * rate) / 1000);
  const admitted = Math.min(want, Math.floor(tokens));
  const left = tokens - admitted;
  const interval = 1000 / rate;
  const firstToken = nowMs + Math.ceil(((1 - left) * 1000) / rate);
  const start = Math.max(firstToken, bucket.heldUntilMs);
  const holdUntilMs = Array.from({ length: want - admitted }, (_, i) => Math.round(start + i * interval));
  const heldUntilMs = holdUntilMs.length > 0 ? start + holdUntilMs.length * interval : bucket.heldUntilMs;
  return { admitted, holdUntilMs, bucket: { ...bucket, tokens: left, updatedMs: nowMs, heldUntilMs } };
}

/** How a domain slows down after a 4xx and comes back (AIMD, kept in the database for every worker). */
export const SLOW_DOWN = {
  /** Never slower than one message in ten seconds: a domain that never recovers still gets its retries. */
  floorPerSecond: 0.1,
  /** A domain with no rate of its own is slowed from this rate on its first 4xx. */
  startPerSecond: 20,
  /** 4xx replies within this time of a halving count as the same signal (a group sent at once gets them all). */
  quietMs: 1000,
  /** Successes to climb from nothing back to the rule's rate. */
  recoverySuccesses: 50,
};

/** After a 4xx from the domain: half the rate (not below the floor), unless it was halved a moment ago. */
export function slowedDown(bucket: Bucket, ratePerSecond: number | null, nowMs: number): Bucket | null {
  if (bucket.slowedMs !== null && nowMs - bucket.slowedMs < SLOW_DOWN.quietMs) return null;
  const from = effectiveRate(bucket, ratePerSecond) ?? SLOW_DOWN.startPerSecond;
  const slowedRate = Math.max(SLOW_DOWN.floorPerSecond, from / 2);
  return {
    ...bucket,
    slowedRate,
    slowedMs: nowMs,
    tokens: Math.min(bucket.tokens, domainBucketSize(slowedRate)),
  };
}

/** After `accepted` successes: a step up for each, back to the rule's rate (then no longer slowed). */
export function spedUp(bucket: Bucket, ratePerSecond: number | null, accepted: number): Bucket | null {
  if (bucket.slowedRate === null || accepted === 0) return null;
  const ceiling = ratePerSecond ?? SLOW_DOWN.startPerSecond;
  const raised = bucket.slowedRate + (accepted * ceiling) / SLOW_DOWN.recoverySuccesses;
  return { ...bucket, slowedRate: raised >= ceiling ? null : raised };
}

/** A sending domain's warm-up ramp: `startPerDay` on its first UTC day, times `growth` each day after. */
export type WarmUp = { startPerDay: number; growth: number; untilPerDay: number; startedOn: string };

/** The UTC day of a moment, as YYYY-MM-DD. */
export const utcDay = (ms: number) => new Date(ms).toISOString().slice(0, 10);

/** The next UTC midnight after a moment: when a held-back day's deliveries may go. */
export const nextUtcMidnight = (ms: number) => (Math.floor(ms / 86_400_000) + 1) * 86_400_000;

/** How many messages the day allows; null once the ramp has reached `untilPerDay` (no daily limit any more). */
export function warmUpAllowance(warmUp: WarmUp, day: string): number | null {
  const days = Math.max(0, Math.round((Date.parse(day) - Date.parse(warmUp.startedOn)) / 86_400_000));
  const allowance = Math.floor(warmUp.startPerDay * warmUp.growth ** days);
  return allowance >= warmUp.untilPerDay ? null : allowance;
}

const DOMAIN_PATTERN = /^(?=.{1,253}$)([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\.)+([a-z]{2,63}|\*)$/;

/** The admin's pacing settings, checked before they are kept: each problem names the rule and field. */
export function pacingProblems(pacing: DomainPacing): FieldProblem[] {
  const problems: FieldProblem[] = [];
  const seenNames = new Map<string, number>();
  const seenDomains = new Map<string, number>();
  pacing.rules.forEach((rule, i) => {
    const at = `domainPacing.rules.${i}`;
    const name = rule.name.trim().toLowerCase();
    if (name === "")
      problems.push({ field: `${at}.name`, message: "give the rule a name", kind: "needs-value" });
    else if (seenNames.has(name))
      problems.push({
        field: `${at}.name`,
        message: `rule ${seenNames.get(name)! + 1} has the same name`,
        kind: "conflicts-with",
        params: { given: rule.name },
      });
    else seenNames.set(name, i);
    if (rule.domains.length === 0)
      problems.push({ field: `${at}.domains`, message: "name at least one domain", kind: "needs-value" });
    for (const domain of rule.domains) {
      if (!DOMAIN_PATTERN.test(domain))
        problems.push({
          field: `${at}.domains`,
          message: `"${domain}" is not a lower-case domain name or a name followed by .*`,
          kind: "not-a-domain",
          params: { given: domain },
        });
      else if (seenDomains.has(domain))
        problems.push({
          field: `${at}.domains`,
          message: `"${domain}" is in rule ${seenDomains.get(domain)! + 1} already`,
          kind: "conflicts-with",
          params: { given: domain },
        });
      else seenDomains.set(domain, i);
    }
  });
  return problems;
}
