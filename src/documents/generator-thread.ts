// The document generator in a worker thread of its own, so its heap has limits of its own: pdfkit allocates fast, and
// in the send worker's heap V8 let the process grow to 550 MB at 25,000 letters while 36 MB were live. A small young
// generation (what --max-semi-space-size=8 gives) keeps the thread's share near the live size without slowing the
// send loop beside it. The thread opens its own database connection; the lease rules are the same as in-process.
import { isMainThread, parentPort, Worker, workerData } from "node:worker_threads";
import { sql } from "kysely";
import type { DbOptions } from "../db/connect.ts";

type ThreadData = {
  database: DbOptions;
  dataDir: string;
  owner: string;
  leaseMs: number;
  /** How long the thread waits between looks for work when there is none (500 ms unless told). */
  idleMs?: number;
};
type FromThread = { log: string } | { ready: true } | { stopped: string | null };

/** Measured at 25,000 letters (docs/documents.md): young generation 24 MB ≈ semi-spaces of 8 MB. */
export const GENERATOR_HEAP = { maxYoungGenerationSizeMb: 12, maxOldGenerationSizeMb: 384 };

export function startDocumentThread(
  data: ThreadData,
  log: (line: string) => void,
): {
  ready: Promise<void>;
  stop(): Promise<void>;
  /** The thread's own heap (V8's statistics), for the memory benchmark. */
  heap(): Promise<{ used_heap_size: number; total_heap_size: number }>;
} {
  const thread = new Worker(new URL(import.meta.url), { workerData: data, resourceLimits: GENERATOR_HEAP });
  let markReady = () => {};
  const ready = new Promise<void>((resolve) => {
    markReady = resolve;
  });
  const stopped = new Promise<void>((resolve) => {
    thread.on("message", (message: FromThread) => {
      if ("log" in message) log(message.log);
      else if ("ready" in message) markReady();
      else {
        if (message.stopped) log(`document generator stopped: ${message.stopped}`);
        resolve();
      }
    });
    thread.on("error", (error) => {
      log(`document generator stopped: ${error.message}`);
      resolve();
    });
    thread.on("exit", () => resolve());
  });
  // A thread that stops before it is ready is no longer starting either.
  void stopped.then(markReady);
  return {
    /** Resolves once the thread has loaded its code and opened its database connection. */
    ready,
    heap: () => thread.getHeapStatistics(),
    async stop() {
      thread.postMessage("stop");
      await stopped;
      await thread.terminate();
    },
  };
}

async function runInThread(data: ThreadData): Promise<void> {
  const port = parentPort!;
  // Loaded here, in the thread only: the process that starts the thread never runs the generator itself.
  const [{ openDatabase }, { runDocumentGenerator }] = await Promise.all([
    import("../db/connect.ts"),
    import("./generate.ts"),
  ]);
  const handle = await openDatabase(data.database);
  // better-sqlite3 builds SQLite with a 16 MB page cache per connection. The generator reads each row once, in order,
  // so the cache only grew the thread by the database's size up to 16 MB (memory rising with the letters up to
  // 15,000 or so); the file's pages stay in the OS's cache anyway.
  if (handle.dialect === "sqlite") await sql`PRAGMA cache_size = -2048`.execute(handle.db);
  const controller = new AbortController();
  port.on("message", (message) => {
    if (message === "stop") controller.abort();
  });
  let failure: string | null = null;
  port.postMessage({ ready: true } satisfies FromThread);
  try {
    await runDocumentGenerator(
      {
        db: handle.db,
        dataDir: data.dataDir,
        owner: data.owner,
        leaseMs: data.leaseMs,
        log: (line) => port.postMessage({ log: line } satisfies FromThread),
      },
      controller.signal,
      data.idleMs,
    );
  } catch (error) {
    failure = (error as Error).message;
  } finally {
    await handle.close();
    port.postMessage({ stopped: failure } satisfies FromThread);
  }
}

if (!isMainThread && (workerData as { owner?: string } | null)?.owner)
  await runInThread(workerData as ThreadData);
