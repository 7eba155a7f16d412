import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { errorsMarkdown, readmeWithConfigTable } from "../scripts/generated-docs.ts";
import { configEntries } from "../src/shared/config.ts";
import { errorCatalogue } from "../src/shared/errors.ts";

describe("docs generated from code", () => {
  it("README's configuration table matches the config schema (run npm run docs:generate)", () => {
    const readme = readFileSync("README.md", "utf8");
    expect(readme).toBe(readmeWithConfigTable(readme));
    for (const entry of Object.values(configEntries)) expect(readme).toContain(`\`${entry.env}\``);
  });

  it("docs/errors.md lists every error code (run npm run docs:generate)", () => {
    const doc = readFileSync("docs/errors.md", "utf8");
    expect(doc).toBe(errorsMarkdown());
    for (const code of Object.keys(errorCatalogue)) expect(doc).toContain(`\`${code}\``);
  });
});
