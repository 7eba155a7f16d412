// The generation job as the workers run it, for bench/documents.ts: `generateNextDocument` in the generator's thread
// (src/documents/generator-thread.ts) with its heap limits, over a copy of the database bench/document-generation.ts
// prepared. This module loads only the database connection and the thread's starter, so the process around the
// thread holds no generation code of its own (the thread loads it).
import { copyFile, mkdtemp, rename, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { type DbHandle, openDatabase } from "../src/db/connect.ts";
import { startDocumentThread } from "../src/documents/generator-thread.ts";
import type { LetterProducer } from "./documents.ts";

/** The process's RSS and the generator thread's heap when `letters` letters were written. */
export type MemorySample = {
  letters: number;
  rssMb: number;
  threadHeapUsedMb: number;
  threadHeapTotalMb: number;
};

/** The database the parent prepares once per count (bench/document-generation.ts) and each case copies. */
export const generationTemplateFile = (count: number, owner: number) =>
  join(tmpdir(), `utsend-bench-generation-${owner}-${count}.db`);

let work: { dir: string; handle: DbHandle } | null = null;
let thread: ReturnType<typeof startDocumentThread> | null = null;

/**
 * Before the clock: a copy of the parent's database, and the generator's thread started and ready (its code loaded,
 * its connection open), as a worker has it from its start. The mailing is held paused meanwhile, so the thread finds
 * nothing to do until the clock runs.
 */
export async function startGeneratorThread(count: number): Promise<void> {
  const dir = await mkdtemp(join(tmpdir(), "utsend-bench-generation-"));
  const file = join(dir, "utsend.db");
  await copyFile(generationTemplateFile(count, process.ppid), file);
  const handle = await openDatabase({ databaseUrl: `sqlite:${file}`, dataDir: dir });
  work = { dir, handle };
  await handle.db.updateTable("mailings").set({ status: "paused" }).execute();
  thread = startDocumentThread(
    {
      database: { databaseUrl: `sqlite:${file}`, dataDir: dir },
      dataDir: dir,
      owner: "bench",
      leaseMs: 600_000,
      idleMs: 5,
    },
    () => {},
  );
  await thread.ready;
}

/** Timed from the mailing's release to the ready file. */
export const generateLettersInThread: LetterProducer = async (count, file) => {
  if (!work || !thread) throw new Error("startGeneratorThread runs first");
  const { dir, handle } = work;
  await handle.db.updateTable("mailings").set({ status: "sending" }).execute();
  let row: { status: string; letters_done: number; file_name: string | null; error: string | null };
  const samples: MemorySample[] = [];
  const every = Number(process.env.BENCH_MEMORY_EVERY ?? 0);
  for (;;) {
    row = await handle.db
      .selectFrom("document_files")
      .select(["status", "letters_done", "file_name", "error"])
      .executeTakeFirstOrThrow();
    if (every > 0 && row.letters_done >= (samples.at(-1)?.letters ?? 0) + every) {
      const heap = await thread.heap();
      samples.push({
        letters: row.letters_done,
        rssMb: process.memoryUsage.rss() / 1048576,
        threadHeapUsedMb: heap.used_heap_size / 1048576,
        threadHeapTotalMb: heap.total_heap_size / 1048576,
      });
    }
    if (row.status === "ready" || row.error) break;
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
  await thread.stop();
  // On stderr, one JSON line, for bench/document-memory.ts; the case's result stays the last line of stdout.
  if (every > 0) console.error(JSON.stringify({ samples }));
  if (row.status !== "ready" || row.letters_done !== count || !row.file_name)
    throw new Error(
      `generation ended ${row.status} with ${row.letters_done} of ${count} letters: ${row.error}`,
    );
  // DATA_DIR/documents (documentsDir in src/documents/generate.ts, which this module does not load).
  await rename(join(dir, "documents", row.file_name), file);
  await handle.close();
  await rm(dir, { recursive: true, force: true });
};
