import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";

describe("runtime", () => {
  it("runs the suite on Node 24 or newer, as package.json's engines require", () => {
    const major = Number(process.versions.node.split(".")[0]);
    expect(major).toBeGreaterThanOrEqual(24);
    const pkg = JSON.parse(readFileSync("package.json", "utf8")) as {
      engines: { node: string };
      devDependencies: Record<string, string>;
    };
    expect(pkg.engines.node).toBe(">=24");
    expect(pkg.devDependencies.node).toMatch(/^\^24/);
  });
});
