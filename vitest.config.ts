import { defineConfig } from "vitest/config";

// Two cores: files run in parallel forks; PostgreSQL tests each create their own schema.
export default defineConfig({
  test: {
    include: ["src/**/*.test.ts", "test/**/*.test.ts"],
    pool: "forks",
    maxWorkers: 2,
    testTimeout: 30_000,
    hookTimeout: 60_000,
  },
});
