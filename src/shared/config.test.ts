import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { loadConfig } from "./config.ts";
import { AppError } from "./errors.ts";

function problemsOf(run: () => unknown): string[] {
  try {
    run();
  } catch (error) {
    if (error instanceof AppError) return error.details.problems as string[];
    throw error;
  }
  throw new Error("expected the config to be refused");
}

describe("configuration", () => {
  it("gives the documented defaults with an empty environment", () => {
    const config = loadConfig({});
    expect(config).toMatchObject({
      host: "127.0.0.1",
      port: 8080,
      dataDir: "./data",
      databaseUrl: "",
      defaultCountry: "NO",
      demoData: true,
    });
  });

  it("refuses a named config file that does not exist", () => {
    const missing = join(mkdtempSync(join(tmpdir(), "cfg-")), "none.json");
    expect(problemsOf(() => loadConfig({ UTSEND_CONFIG_FILE: missing }))[0]).toMatch(/none\.json: ENOENT/);
  });

  it("reads UTSEND_* variables and converts numbers and booleans", () => {
    const config = loadConfig({
      UTSEND_PORT: "9090",
      UTSEND_DEMO_DATA: "false",
      UTSEND_DEFAULT_COUNTRY: "SE",
    });
    expect(config.port).toBe(9090);
    expect(config.demoData).toBe(false);
    expect(config.defaultCountry).toBe("SE");
    expect(config.host).toBe("127.0.0.1");
  });

  it("lists every problem at once, naming the variable", () => {
    const problems = problemsOf(() =>
      loadConfig({ UTSEND_PORT: "eighty", UTSEND_LOG_LEVEL: "loud", UTSEND_DATABASE_URL: "mysql://x" }),
    );
    expect(problems).toHaveLength(3);
    expect(problems[0]).toMatch(/^UTSEND_PORT \(port\): must be integer/);
    expect(problems.join("\n")).toMatch(/UTSEND_DATABASE_URL/);
    expect(problems.join("\n")).toMatch(/UTSEND_LOG_LEVEL \(logLevel\): must be one of fatal, error/);
  });

  it("reads a config file, lets the environment win, and refuses unknown keys in it", () => {
    const dir = mkdtempSync(join(tmpdir(), "cfg-"));
    const file = join(dir, "utsend.config.json");
    writeFileSync(file, JSON.stringify({ port: 7000, host: "0.0.0.0" }));
    const config = loadConfig({ UTSEND_CONFIG_FILE: file, UTSEND_PORT: "7001" });
    expect(config.port).toBe(7001);
    expect(config.host).toBe("0.0.0.0");
    writeFileSync(file, JSON.stringify({ prot: 7000 }));
    expect(problemsOf(() => loadConfig({ UTSEND_CONFIG_FILE: file }))).toEqual([
      `${file}: unknown key "prot"`,
    ]);
    writeFileSync(file, "{ not json");
    expect(problemsOf(() => loadConfig({ UTSEND_CONFIG_FILE: file }))[0]).toMatch(
      /utsend.config.json: .*JSON/,
    );
  });
});
