import { describe, expect, it } from "vitest";
import {
  admit,
  BUILT_IN_PACING,
  type Bucket,
  freshBucket,
  nextUtcMidnight,
  paceKeyOf,
  pacingProblems,
  patternCovers,
  recipientDomain,
  SLOW_DOWN,
  slowedDown,
  spedUp,
  warmUpAllowance,
} from "./pacing-rules.ts";

const T0 = Date.parse("2026-12-07T10:00:00.000Z");
const bucket = (over: Partial<Bucket> = {}): Bucket => ({ ...freshBucket(), ...over });

describe("which rule a recipient's domain falls under", () => {
  it("takes the part after the last @, lower-cased, and nothing from an SMS number", () => {
    expect(recipientDomain("Kari.Nordmann@GMAIL.com")).toBe("gmail.com");
    expect(recipientDomain("+4791234567")).toBeNull();
  });

  it("puts a provider's family of domains in one bucket and every other domain in its own", () => {
    expect(paceKeyOf(BUILT_IN_PACING, "gmail.com").key).toBe("rule:google");
    expect(paceKeyOf(BUILT_IN_PACING, "googlemail.com").key).toBe("rule:google");
    expect(paceKeyOf(BUILT_IN_PACING, "hotmail.no")).toMatchObject({
      key: "rule:microsoft",
      ratePerSecond: 10,
    });
    expect(paceKeyOf(BUILT_IN_PACING, "aol.com").key).toBe("rule:yahoo");
    expect(paceKeyOf(BUILT_IN_PACING, "firma.no")).toEqual({
      key: "domain:firma.no",
      ratePerSecond: null,
      maxInFlight: null,
    });
  });

  it("reads name.* as the name under a country or generic suffix, not under another company's domain", () => {
    expect(patternCovers("hotmail.*", "hotmail.co.uk")).toBe(true);
    expect(patternCovers("yahoo.*", "yahoo.com.br")).toBe(true);
    expect(patternCovers("live.*", "live.no")).toBe(true);
    expect(patternCovers("live.*", "live.example.org")).toBe(false);
    expect(patternCovers("live.*", "olive.no")).toBe(false);
    expect(patternCovers("gmail.com", "gmail.com.evil.example")).toBe(false);
  });
});

describe("a domain's token bucket", () => {
  it("sends what the bucket holds and gives the rest slots spaced at the rate, after those held before", () => {
    // 20/s: the bucket holds a second's worth once full.
    const full = bucket({ tokens: 20 });
    const first = admit(full, 20, 25, T0);
    expect(first.admitted).toBe(20);
    expect(first.holdUntilMs.map((ms) => ms - T0)).toEqual([50, 100, 150, 200, 250]);
    // A second group at the same moment queues behind the first's held ones instead of on top of them.
    const second = admit(first.bucket, 20, 2, T0);
    expect(second.admitted).toBe(0);
    expect(second.holdUntilMs.map((ms) => ms - T0)).toEqual([300, 350]);
  });

  it("starts full: a domain never paced before gets a second's worth at once", () => {
    expect(admit(freshBucket(), 20, 30, T0).admitted).toBe(20);
  });

  it("refills at the rate with time, never beyond a second's worth", () => {
    const empty = bucket({ tokens: 0, updatedMs: T0 });
    expect(admit(empty, 20, 5, T0 + 100).admitted).toBe(2);
    expect(admit(empty, 20, 100, T0 + 60_000).admitted).toBe(20);
  });

  it("lets everything through when the domain has no rate and is not slowed", () => {
    const result = admit(bucket(), null, 500, T0);
    expect(result).toMatchObject({ admitted: 500, holdUntilMs: [] });
  });
});

describe("slowing down on 4xx and coming back (AIMD)", () => {
  it("halves the rate on a 4xx, down to a floor, and counts a burst of 4xx from one moment once", () => {
    const once = slowedDown(bucket(), 20, T0)!;
    expect(once.slowedRate).toBe(10);
    expect(slowedDown(once, 20, T0 + SLOW_DOWN.quietMs - 1)).toBeNull();
    let b = once;
    for (let i = 1; i <= 20; i++) b = slowedDown(b, 20, T0 + i * SLOW_DOWN.quietMs)!;
    expect(b.slowedRate).toBe(SLOW_DOWN.floorPerSecond);
  });

  it("slows a domain with no rate of its own from a starting rate", () => {
    expect(slowedDown(bucket(), null, T0)!.slowedRate).toBe(SLOW_DOWN.startPerSecond / 2);
  });

  it("raises the rate a step a success, and stops being slowed at the rule's rate", () => {
    const slowed = bucket({ slowedRate: 5 });
    expect(spedUp(slowed, 20, 10)!.slowedRate).toBeCloseTo(5 + (10 * 20) / SLOW_DOWN.recoverySuccesses);
    expect(spedUp(slowed, 20, SLOW_DOWN.recoverySuccesses)!.slowedRate).toBeNull();
    expect(spedUp(bucket(), 20, 10)).toBeNull();
  });

  it("paces a slowed domain at its lowered rate", () => {
    const slowed = slowedDown(bucket({ tokens: 0, updatedMs: T0 }), 20, T0)!;
    const result = admit(slowed, 20, 3, T0 + 100);
    expect(result.admitted).toBe(1); // 10/s for a tenth of a second
    expect(result.holdUntilMs.map((ms) => ms - T0)).toEqual([200, 300]);
  });
});

describe("a sending domain's warm-up", () => {
  const ramp = { startPerDay: 500, growth: 1.5, untilPerDay: 10_000, startedOn: "2026-12-07" };
  it("allows the start volume on the first UTC day and grows it each day until the ramp is over", () => {
    expect(warmUpAllowance(ramp, "2026-12-07")).toBe(500);
    expect(warmUpAllowance(ramp, "2026-12-08")).toBe(750);
    expect(warmUpAllowance(ramp, "2026-12-10")).toBe(1687);
    expect(warmUpAllowance(ramp, "2026-12-14")).toBe(8542);
    expect(warmUpAllowance(ramp, "2026-12-15")).toBeNull();
  });

  it("lets the held-back day's deliveries go at the next UTC midnight", () => {
    expect(new Date(nextUtcMidnight(T0)).toISOString()).toBe("2026-12-08T00:00:00.000Z");
  });
});

describe("the admin's pacing settings", () => {
  it("accepts the built-in ones", () => {
    expect(pacingProblems(BUILT_IN_PACING)).toEqual([]);
  });

  it("names the rule and field of each problem: a bad domain, a domain in two rules, a repeated name", () => {
    const problems = pacingProblems({
      rules: [
        { name: "Google", domains: ["gmail.com", "Gmail .com"], ratePerSecond: 10, maxInFlight: 5 },
        { name: "google", domains: ["gmail.com"], ratePerSecond: 10, maxInFlight: 5 },
        { name: "", domains: [], ratePerSecond: null, maxInFlight: null },
      ],
      otherDomains: { ratePerSecond: null, maxInFlight: null },
    });
    expect(problems).toEqual([
      expect.objectContaining({
        field: "domainPacing.rules.0.domains",
        kind: "not-a-domain",
        params: { given: "Gmail .com" },
      }),
      expect.objectContaining({ field: "domainPacing.rules.1.name", kind: "conflicts-with" }),
      expect.objectContaining({
        field: "domainPacing.rules.1.domains",
        kind: "conflicts-with",
        params: { given: "gmail.com" },
      }),
      expect.objectContaining({ field: "domainPacing.rules.2.name", kind: "needs-value" }),
      expect.objectContaining({ field: "domainPacing.rules.2.domains", kind: "needs-value" }),
    ]);
  });
});
