import { describe, expect, it } from "vitest";
import {
  keyringFromSecret,
  signDeliveryToken,
  signLinkToken,
  verifyDeliveryToken,
  verifyLinkToken,
} from "./tokens.ts";

const keys = keyringFromSecret("a-test-secret-of-enough-length");

describe("delivery tokens", () => {
  it("round-trips a delivery id and is the same every time for the same delivery", () => {
    const token = signDeliveryToken(keys, "verp", 123_456);
    expect(token).toBe(signDeliveryToken(keys, "verp", 123_456));
    expect(token).toMatch(/^[a-z0-9._-]+$/i);
    expect(verifyDeliveryToken(keys, "verp", token)).toBe(123_456);
  });

  it("refuses a token for another delivery, another purpose, a truncated one and one from another key", () => {
    const token = signDeliveryToken(keys, "verp", 42);
    const [body, tag] = token.split(".");
    expect(verifyDeliveryToken(keys, "verp", `${body!.slice(0, -1)}z.${tag}`)).toBeNull();
    expect(verifyDeliveryToken(keys, "unsubscribe", token)).toBeNull();
    expect(verifyDeliveryToken(keys, "verp", token.slice(0, -1))).toBeNull();
    expect(verifyDeliveryToken(keyringFromSecret("another-secret"), "verp", token)).toBeNull();
    expect(verifyDeliveryToken(keys, "verp", "")).toBeNull();
  });

  it("keeps accepting tokens of an older key after rotation", () => {
    const old = signDeliveryToken(keys, "unsubscribe", 7);
    const rotated = { current: "b", keys: { a: "a-test-secret-of-enough-length", b: "newer-secret" } };
    expect(verifyDeliveryToken(rotated, "unsubscribe", old)).toBe(7);
    expect(signDeliveryToken(rotated, "unsubscribe", 7)).toMatch(/^b/);
  });
});

describe("click tokens", () => {
  it("name the delivery and the link, and refuse any change to either", () => {
    const token = signLinkToken(keys, 98_765, 321);
    expect(verifyLinkToken(keys, token)).toEqual({ deliveryId: 98_765, linkId: 321 });
    const [body, tag] = token.split(".");
    const otherLink = `${body!.replace(/-[0-9a-z]+$/, `-${(322).toString(36)}`)}.${tag}`;
    expect(verifyLinkToken(keys, otherLink)).toBeNull();
    expect(verifyLinkToken(keys, token.slice(0, -2))).toBeNull();
    expect(verifyLinkToken(keyringFromSecret("another-secret"), token)).toBeNull();
    // A delivery token is not a click token, even for the same numbers.
    expect(verifyLinkToken(keys, signDeliveryToken(keys, "open", 98_765))).toBeNull();
  });
});
