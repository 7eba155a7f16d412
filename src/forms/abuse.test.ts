import { describe, expect, it } from "vitest";
import {
  honeypotName,
  IP_WINDOW_MS,
  ipLimit,
  judgeStamp,
  MIN_FILL_MS,
  STAMP_MAX_AGE_MS,
  signStamp,
  truncateIp,
} from "./abuse.ts";
import type { FormField } from "./definition.ts";

const keys = { current: "b", keys: { a: "old-secret", b: "new-secret" } };

describe("the fill-time stamp", () => {
  const at = Date.UTC(2026, 11, 6, 12);
  const stamp = signStamp(keys, 5, at);

  it("passes after the minimum fill time and is too fast before it", () => {
    expect(judgeStamp(keys, 5, stamp, at + MIN_FILL_MS)).toEqual({ ok: true });
    expect(judgeStamp(keys, 5, stamp, at + MIN_FILL_MS - 1)).toEqual({ ok: false, reason: "too-fast" });
  });

  it("is bad when missing, forged, for another form, from an unknown key or too old", () => {
    const later = at + 10_000;
    expect(judgeStamp(keys, 5, "", later)).toEqual({ ok: false, reason: "bad-stamp" });
    const forged = `${stamp.slice(0, -2)}${stamp.endsWith("AA") ? "BB" : "AA"}`;
    expect(judgeStamp(keys, 5, forged, later)).toEqual({ ok: false, reason: "bad-stamp" });
    expect(judgeStamp(keys, 6, stamp, later)).toEqual({ ok: false, reason: "bad-stamp" });
    expect(judgeStamp({ current: "a", keys: { a: "old-secret" } }, 5, stamp, later)).toEqual({
      ok: false,
      reason: "bad-stamp",
    });
    expect(judgeStamp(keys, 5, stamp, at + STAMP_MAX_AGE_MS + 1)).toEqual({ ok: false, reason: "bad-stamp" });
  });

  it("still verifies a stamp made with a key that was rotated out of current", () => {
    const old = signStamp({ current: "a", keys: { a: "old-secret" } }, 5, at);
    expect(judgeStamp(keys, 5, old, at + 5000)).toEqual({ ok: true });
  });
});

describe("stored IP addresses", () => {
  it("zero the last octet of IPv4 and the last 80 bits of IPv6", () => {
    expect(truncateIp("192.0.2.123")).toBe("192.0.2.0");
    expect(truncateIp("::ffff:192.0.2.123")).toBe("192.0.2.0");
    expect(truncateIp("2001:db8:85a3:8d3:1319:8a2e:370:7348")).toBe("2001:db8:85a3::");
    expect(truncateIp("2001:db8::1")).toBe("2001:db8:0::");
    expect(truncateIp("::1")).toBe("0:0:0::");
    expect(truncateIp("nonsense")).toBeNull();
  });
});

describe("the honeypot", () => {
  it("takes a name bots like that none of the form's fields has", () => {
    const label = { nb: "x", en: "x" };
    const field = (key: string): FormField => ({
      kind: "free",
      key,
      type: "text",
      label,
      required: false,
      prefill: false,
    });
    expect(honeypotName([field("name")])).toBe("website");
    expect(honeypotName([field("website"), field("homepage")])).toBe("url");
  });
});

describe("the per-IP limit", () => {
  it("takes its count from the setting over a 10-minute window, and none at all when it is 0", () => {
    expect(ipLimit(10)).toEqual({ count: 10, windowMs: IP_WINDOW_MS });
    expect(IP_WINDOW_MS).toBe(10 * 60 * 1000);
    expect(ipLimit(1)).toEqual({ count: 1, windowMs: IP_WINDOW_MS });
    expect(ipLimit(0)).toBeNull();
  });
});
