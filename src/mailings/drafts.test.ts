import { describe, expect, it } from "vitest";
import type { Actor } from "../auth/rights.ts";
import { AppError } from "../shared/errors.ts";
import { checkConsentOverride } from "./drafts.ts";

const marketer: Actor = { userId: 2, role: "marketer", canOverrideConsent: false, canErase: false };
const granted: Actor = { ...marketer, canOverrideConsent: true };
const admin: Actor = { userId: 1, role: "admin", canOverrideConsent: false, canErase: false };

describe("overriding consent", () => {
  it("is refused to a marketer without the right, naming the right", () => {
    const attempt = () => checkConsentOverride(marketer, { options: { overrideConsent: true } });
    expect(attempt).toThrow(AppError);
    try {
      attempt();
    } catch (error) {
      expect((error as AppError).code).toBe("FORBIDDEN");
      expect((error as AppError).details).toEqual({ right: "overrideConsent" });
    }
  });

  it("is allowed to a marketer an admin granted it, and to an admin", () => {
    expect(() => checkConsentOverride(granted, { options: { overrideConsent: true } })).not.toThrow();
    expect(() => checkConsentOverride(admin, { options: { overrideConsent: true } })).not.toThrow();
  });

  it("needs no right to switch it off or to leave it alone", () => {
    expect(() => checkConsentOverride(marketer, { options: { overrideConsent: false } })).not.toThrow();
    expect(() => checkConsentOverride(marketer, { options: { onePerAddress: false } })).not.toThrow();
    expect(() => checkConsentOverride(marketer, { name: "Vår" })).not.toThrow();
  });
});
