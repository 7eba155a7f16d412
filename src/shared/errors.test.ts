// Every field problem the server reports carries a kind the web UI can say in its own language: `invalid()` and
// `validationFailed()` take only problems with a kind (the compiler checks), and no code builds VALIDATION_FAILED
// around them.
import { readdirSync, readFileSync } from "node:fs";
import { join, relative } from "node:path";
import { describe, expect, it } from "vitest";
import { invalid, validationFailed } from "./errors.ts";

const SRC = join(import.meta.dirname, "..");

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return sourceFiles(path);
    return entry.name.endsWith(".ts") && !entry.name.endsWith(".test.ts") ? [path] : [];
  });
}

describe("field problems", () => {
  it("keep the kind and params each rule gave, and no longer stamp a default", () => {
    const error = invalid([
      { field: "customFields.fodt", message: '"31.12" is not a date (YYYY-MM-DD)', kind: "not-a-date" },
      {
        field: "password",
        message: "must be at least 10 characters",
        kind: "minLength",
        params: { limit: 10 },
      },
    ]);
    expect(error.code).toBe("VALIDATION_FAILED");
    expect(error.details.fields).toEqual([
      { field: "customFields.fodt", message: '"31.12" is not a date (YYYY-MM-DD)', kind: "not-a-date" },
      {
        field: "password",
        message: "must be at least 10 characters",
        kind: "minLength",
        params: { limit: 10 },
      },
    ]);
  });

  it("cannot be made without a kind (the typecheck fails if this stops being an error)", () => {
    // @ts-expect-error: a rule that sends no kind leaves the UI only the English sentence
    const error = invalid([{ field: "name", message: "is wrong" }]);
    expect(error.code).toBe("VALIDATION_FAILED");
  });

  it("keep the other details a validation error carries beside its fields", () => {
    const error = validationFailed(
      "Invalid template in content: line 2, column 4: x",
      [{ field: "content", message: "x", kind: "template-syntax", params: { line: 2, column: 4 } }],
      { line: 2, column: 4 },
    );
    expect(error.details).toEqual({
      line: 2,
      column: 4,
      fields: [{ field: "content", message: "x", kind: "template-syntax", params: { line: 2, column: 4 } }],
    });
  });

  it("are built only by invalid() and validationFailed(), never as a bare VALIDATION_FAILED", () => {
    const bare = /new AppError\(\s*"VALIDATION_FAILED"|code: "VALIDATION_FAILED"/;
    const allowed = new Set(["shared/errors.ts", "http/errors.ts"]);
    const offenders = sourceFiles(SRC)
      .map((path) => relative(SRC, path))
      .filter((path) => !allowed.has(path) && bare.test(readFileSync(join(SRC, path), "utf8")));
    expect(offenders).toEqual([]);
  });
});
