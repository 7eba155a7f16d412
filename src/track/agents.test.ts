import { describe, expect, it } from "vitest";
import { classifyAgent, flagClick, flagOpen, truncateIp } from "./agents.ts";

const CHROME =
  "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/130 Safari/537.36";
const IPHONE =
  "Mozilla/5.0 (iPhone; CPU iPhone OS 17_0 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Mobile/15E148";

describe("agents and flags", () => {
  it("tells readers, webmail proxies, privacy proxies and scanners apart", () => {
    expect(classifyAgent(CHROME, "203.0.113.9")).toBe("desktop");
    expect(classifyAgent(IPHONE, "203.0.113.9")).toBe("mobile");
    expect(
      classifyAgent(
        "Mozilla/5.0 (Windows NT 5.1; rv:11.0) Gecko Firefox/11.0 (via ggpht.com GoogleImageProxy)",
        undefined,
      ),
    ).toBe("webmail-proxy");
    expect(classifyAgent("Mozilla/5.0", "17.58.0.1")).toBe("privacy-proxy");
    expect(classifyAgent(CHROME, "17.58.0.1")).toBe("privacy-proxy");
    expect(classifyAgent("python-requests/2.31", undefined)).toBe("scanner");
    expect(classifyAgent("Mozilla/5.0 (compatible; Barracuda Sentinel)", undefined)).toBe("scanner");
    expect(classifyAgent("Mozilla/5.0 (X11; Linux x86_64) HeadlessChrome/120", undefined)).toBe("scanner");
    expect(classifyAgent(undefined, undefined)).toBe("unknown");
  });

  it("flags clicks by scanners, seconds after sending, or in a burst over many links", () => {
    const now = new Date("2026-11-23T12:00:00Z");
    const base = { agent: "desktop" as const, now, otherLinksClickedInBurst: 0, linksInMailing: 5 };
    expect(flagClick({ ...base, sentAt: "2026-11-23T11:00:00Z" })).toBeNull();
    expect(flagClick({ ...base, sentAt: "2026-11-23T11:59:55Z" })).toBe("too-soon");
    expect(flagClick({ ...base, sentAt: null, agent: "scanner" })).toBe("scanner");
    expect(flagClick({ ...base, sentAt: null, otherLinksClickedInBurst: 1 })).toBeNull();
    expect(flagClick({ ...base, sentAt: null, otherLinksClickedInBurst: 2 })).toBe("burst");
    // All links of a two-link mailing within the window is a burst too; one link alone never is.
    expect(flagClick({ ...base, sentAt: null, otherLinksClickedInBurst: 1, linksInMailing: 2 })).toBe(
      "burst",
    );
    expect(flagClick({ ...base, sentAt: null, otherLinksClickedInBurst: 0, linksInMailing: 2 })).toBeNull();
    expect(flagClick({ ...base, sentAt: null, otherLinksClickedInBurst: 0, linksInMailing: 1 })).toBeNull();
    expect(flagClick({ ...base, sentAt: null, otherLinksClickedInBurst: 1, linksInMailing: 3 })).toBeNull();
    expect(flagOpen("privacy-proxy")).toBe("privacy-proxy");
    expect(flagOpen("webmail-proxy")).toBeNull();
  });

  it("keeps a network, not an address", () => {
    expect(truncateIp("203.0.113.77")).toBe("203.0.113.0");
    expect(truncateIp("::ffff:198.51.100.4")).toBe("198.51.100.0");
    expect(truncateIp("2001:db8:abcd:12:1:2:3:4")).toBe("2001:db8:abcd::");
    expect(truncateIp(undefined)).toBeNull();
  });
});
