// Builds the web UI (vite build → dist/web) when dist/web/index.html is missing or older than any source
// under web/ or vite.config.ts; `npm start` and the browser test run it so a fresh clone serves a current UI.
import { spawnSync } from "node:child_process";
import { mkdirSync, readdirSync, rmSync, statSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";

const root = resolve(dirname(fileURLToPath(import.meta.url)), "..");
const builtIndex = join(root, "dist", "web", "index.html");
// Test files and `npm start` may ask at the same moment; one builds while the others wait, then find it current.
const lockDir = join(root, "dist", ".web-build.lock");
const LOCK_WAIT_MS = 180_000;
const STALE_LOCK_MS = 300_000;

function mtime(path: string): number | null {
  try {
    return statSync(path).mtimeMs;
  } catch {
    return null;
  }
}

function newestUnder(dir: string): number {
  let newest = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    if (entry.name === "node_modules" || entry.name.startsWith(".")) continue;
    const path = join(dir, entry.name);
    newest = Math.max(newest, entry.isDirectory() ? newestUnder(path) : statSync(path).mtimeMs);
  }
  return newest;
}

/** Why the UI needs building, or null when dist/web is current. */
export function webBuildReason(): string | null {
  const built = mtime(builtIndex);
  if (built === null) return "dist/web/index.html is missing";
  const sources = Math.max(newestUnder(join(root, "web")), mtime(join(root, "vite.config.ts")) ?? 0);
  return sources > built ? "web/ changed since the last build" : null;
}

function sleep(ms: number): void {
  Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);
}

function withBuildLock<T>(work: () => T): T {
  mkdirSync(dirname(lockDir), { recursive: true });
  const deadline = Date.now() + LOCK_WAIT_MS;
  for (;;) {
    try {
      mkdirSync(lockDir);
      break;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== "EEXIST") throw error;
      if (Date.now() - (mtime(lockDir) ?? Date.now()) > STALE_LOCK_MS)
        rmSync(lockDir, { recursive: true, force: true });
      else if (Date.now() > deadline) throw new Error(`another web build holds ${lockDir}; gave up waiting`);
      else sleep(200);
    }
  }
  try {
    return work();
  } finally {
    rmSync(lockDir, { recursive: true, force: true });
  }
}

/** Runs `vite build` when needed; returns true when it built. Throws when the build fails. */
export function ensureWebBuild(log: (line: string) => void = console.log): boolean {
  if (webBuildReason() === null) return false;
  return withBuildLock(() => {
    const reason = webBuildReason();
    if (reason === null) return false;
    log(`Building the web UI (${reason}) …`);
    const vite = join(root, "node_modules", "vite", "bin", "vite.js");
    const result = spawnSync(process.execPath, [vite, "build", "--logLevel", "warn"], {
      cwd: root,
      stdio: ["ignore", "ignore", "inherit"],
    });
    if (result.status !== 0) throw new Error(`vite build failed (exit ${result.status ?? result.signal})`);
    log("Web UI built into dist/web.");
    return true;
  });
}

if (import.meta.main) {
  try {
    ensureWebBuild();
  } catch (error) {
    console.error(error instanceof Error ? error.message : error);
    process.exit(1);
  }
}
