// The criteria editor's pure rules for a form-behaviour criterion: the period's kind, switching it, when the draft
// is complete, and what is sent (empty date inputs are open ends).
import { describe, expect, it } from "vitest";
import type { FormCriterion } from "../../api/types.ts";
import {
  blankCriterion,
  cleanCriteria,
  formPeriodKind,
  isComplete,
  isFormPeriodValid,
  withFormPeriod,
} from "./criteria.ts";

const base: FormCriterion = { type: "form", status: "submitted", formId: 3 };

describe("form criterion in the editor", () => {
  it("starts as 'submitted any form at any time', complete", () => {
    const blank = blankCriterion("form") as FormCriterion;
    expect(blank).toEqual({ type: "form", status: "submitted" });
    expect(formPeriodKind(blank)).toBe("ever");
    expect(isComplete({ match: "all", criteria: [blank] })).toBe(true);
  });

  it("switches the period's kind and drops the other kind's values", () => {
    const days = withFormPeriod({ ...base, from: "2026-01-01", to: "2026-02-01" }, "lastDays");
    expect(days).toEqual({ ...base, lastDays: 30 });
    expect(formPeriodKind(days)).toBe("lastDays");
    const between = withFormPeriod(days, "between");
    expect(between).toEqual({ ...base, from: "" });
    expect(formPeriodKind(between)).toBe("between");
    expect(withFormPeriod(between, "ever")).toEqual(base);
  });

  it("is incomplete until the period is one the server takes", () => {
    expect(isFormPeriodValid({ ...base, lastDays: 0 })).toBe(false);
    expect(isFormPeriodValid({ ...base, lastDays: 7 })).toBe(true);
    expect(isFormPeriodValid({ ...base, from: "" })).toBe(false);
    expect(isFormPeriodValid({ ...base, from: "", to: "2026-03-31" })).toBe(true);
    expect(isFormPeriodValid({ ...base, from: "2026-04-01", to: "2026-03-31" })).toBe(false);
    expect(isFormPeriodValid({ ...base, from: "2026-03-01", to: "2026-03-31" })).toBe(true);
  });

  it("sends an empty date input as an open end", () => {
    expect(
      cleanCriteria({ match: "all", criteria: [{ ...base, from: "", to: "2026-03-31" }] }).criteria,
    ).toEqual([{ ...base, to: "2026-03-31" }]);
  });
});
