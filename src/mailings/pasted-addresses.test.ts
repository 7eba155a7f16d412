import { describe, expect, it } from "vitest";
import { sourceRequestProblem } from "./pasted-addresses.ts";

const consented = { kind: "addresses" as const, consentConfirmed: true };

describe("a new recipient source", () => {
  it("of a selection, project or person needs the id it points at", () => {
    for (const kind of ["selection", "project", "person"] as const) {
      expect(sourceRequestProblem({ kind })).toEqual({
        field: "refId",
        message: `a ${kind} source needs refId`,
        kind: "required",
      });
      expect(sourceRequestProblem({ kind, refId: 7 })).toBeNull();
    }
  });

  it("of pasted addresses needs at least one", () => {
    expect(sourceRequestProblem({ ...consented })?.field).toBe("addresses");
    expect(sourceRequestProblem({ ...consented, addresses: [] })?.field).toBe("addresses");
  });

  it("of pasted addresses needs the consent confirmed, whatever refId says", () => {
    const addresses = [{ email: "kari@example.no" }];
    expect(sourceRequestProblem({ kind: "addresses", addresses })?.field).toBe("consentConfirmed");
    expect(sourceRequestProblem({ kind: "addresses", addresses, consentConfirmed: false })?.field).toBe(
      "consentConfirmed",
    );
    expect(sourceRequestProblem({ kind: "addresses", addresses, refId: 3 })?.field).toBe("consentConfirmed");
  });

  it("names the first address that is not valid, by its place in the list", () => {
    const problem = sourceRequestProblem({
      ...consented,
      addresses: [{ email: "kari@example.no" }, { email: "ola(at)example.no" }, { email: "nope" }],
    });
    expect(problem).toEqual({
      field: "addresses[1].email",
      message: '"ola(at)example.no" is not a valid e-mail address',
      kind: "format",
      params: { format: "email" },
    });
  });

  it("reads an address without the spaces around it", () => {
    expect(
      sourceRequestProblem({ ...consented, addresses: [{ email: "  kari@example.no ", name: "Kari" }] }),
    ).toBeNull();
  });
});
