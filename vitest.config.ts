import { defineConfig } from "vitest/config";

// Two cores: files run in parallel forks; PostgreSQL tests each create their own schema.
export default defineConfig({
  test: {
    include: ["src/**/*.test.ts", "test/**/*.test.ts", "web/src/**/*.test.ts"],
    pool: "forks",
    maxWorkers: 2,
    testTimeout: 30_000,
    hookTimeout: 60_000,
    // Browser tests poll the page; on two loaded cores a render can take more than the default second.
    expect: { poll: { timeout: 15_000, interval: 100 } },
  },
});
