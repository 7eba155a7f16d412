// A document mailing of 25,000 letters on PostgreSQL with two `utsend worker` processes: the list resolves on fresh
// statistics, one worker holds the generation's lease the whole way (the other never takes over), progress shows while
// it writes, the PDF has every letter, and the worker's memory stays bounded (pdfkit keeps no pages).
import type { ChildProcess } from "node:child_process";
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { documentsDir } from "../../src/documents/generate.ts";
import { beginSending } from "../../src/send/planner.ts";
import { freshDatabase, type TestDb, testDialects } from "../helpers/dialects.ts";
import {
  aDocumentMailingOf,
  documentRows,
  letterPages,
  tilingProblems,
} from "../helpers/document-mailings.ts";
import { startWorkerProcess } from "../helpers/mailings.ts";
import { pageText, pdfPageCount, pdfWords } from "../helpers/pdf-text.ts";
import { popplerAvailable } from "../helpers/requirements.ts";

const LETTERS = 25_000;
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** The process's peak resident set so far (VmHWM), in MB; 0 once it is gone. */
function peakRssMb(pid: number): number {
  try {
    const kb = /^VmHWM:\s+(\d+) kB/m.exec(readFileSync(`/proc/${pid}/status`, "utf8"));
    return kb ? Number(kb[1]) / 1024 : 0;
  } catch {
    return 0;
  }
}

const dialects = (await testDialects()).filter((d) => d === "postgres");
const poppler = popplerAvailable();

describe.skipIf(!poppler).each(dialects)(
  "a document of 25,000 letters with two worker processes on %s",
  () => {
    let t: TestDb;
    let dataDir: string;
    const workers: ChildProcess[] = [];
    beforeAll(async () => {
      t = await freshDatabase("postgres");
      dataDir = mkdtempSync(join(tmpdir(), "utsend-document-scale-"));
    });
    afterAll(async () => {
      for (const w of workers) if (w.exitCode === null && w.signalCode === null) w.kill("SIGKILL");
      await t?.dispose();
      rmSync(dataDir, { recursive: true, force: true });
    });

    it("is generated once, by one worker, with every letter on its own pages and the worker's memory bounded", {
      timeout: 420_000,
    }, async () => {
      const { mailingId, resolveMs } = await aDocumentMailingOf(t.db, LETTERS);
      const eligible = await t.db
        .selectFrom("mailing_recipients")
        .select((eb) => eb.fn.countAll<number>().as("n"))
        .where("mailing_id", "=", mailingId)
        .where("status", "=", "eligible")
        .executeTakeFirstOrThrow();
      expect(Number(eligible.n)).toBe(LETTERS);
      const sentAt = performance.now();
      expect((await beginSending(t.db, mailingId)).deliveries).toBe(LETTERS);

      workers.push(
        startWorkerProcess(t, { UTSEND_DATA_DIR: dataDir }),
        startWorkerProcess(t, { UTSEND_DATA_DIR: dataDir }),
      );
      let firstProgressMs: number | null = null;
      let progressSeen = 0;
      let peaks: number[] = [0, 0];
      for (let waited = 0; waited < 360_000; waited += 250) {
        const [row] = await documentRows(t.db, mailingId);
        peaks = workers.map((w, i) => Math.max(peaks[i]!, peakRssMb(w.pid!)));
        if (row!.status === "ready") break;
        if (row!.letters_done > 0) {
          firstProgressMs ??= performance.now() - sentAt;
          progressSeen = Math.max(progressSeen, row!.letters_done);
        }
        await sleep(250);
      }
      const generatedMs = performance.now() - sentAt;
      // VmHWM is the peak of the process's life: read it once more before the workers stop.
      peaks = workers.map((w, i) => Math.max(peaks[i]!, peakRssMb(w.pid!)));
      for (const w of workers) w.kill("SIGTERM");

      const rows = await documentRows(t.db, mailingId);
      const ready = rows[0]!;
      console.log(
        `25,000 letters: recipients resolved in ${(resolveMs / 1000).toFixed(1)} s; first progress ${((firstProgressMs ?? 0) / 1000).toFixed(1)} s ` +
          `after Send; ready after ${(generatedMs / 1000).toFixed(1)} s (${(LETTERS / (generatedMs / 1000)).toFixed(0)} letters/s); ` +
          `${((ready.bytes ?? 0) / 1048576).toFixed(0)} MB, ${ready.pages} pages; worker peak RSS ${peaks.map((p) => p.toFixed(0)).join(" and ")} MB`,
      );
      expect(rows).toHaveLength(1);
      expect(ready).toMatchObject({ status: "ready", letters_done: LETTERS, runs: 1 });
      // Progress was visible while the letters were written, not only at the end.
      expect(progressSeen).toBeGreaterThan(0);
      expect(progressSeen).toBeLessThan(LETTERS);

      const dir = documentsDir(dataDir);
      const file = join(dir, ready.file_name!);
      expect(readdirSync(dir)).toEqual([ready.file_name]);
      expect(statSync(file).size).toBe(ready.bytes);
      const pages = await pdfPageCount(file);
      expect(pages).toBe(ready.pages);
      expect(pages).toBeGreaterThanOrEqual(LETTERS);
      const letters = await letterPages(t.db, mailingId);
      expect(tilingProblems(letters, pages)).toEqual([]);
      for (const i of [0, 9_999, 12_345, LETTERS - 1]) {
        const letter = letters[i]!;
        const [page] = await pdfWords(file, { first: letter.firstPage, last: letter.firstPage });
        expect(pageText(page!)).toContain(`Hei ${letter.firstName}, vi har et tilbud til deg.`);
      }
      // Last, so that what the document holds is checked even while memory is over its bound. The generator runs in a
      // thread with a heap of its own (documents/generator-thread.ts): what generating 25,000 letters adds to a worker
      // is its peak less the idle worker's (both load the same code); before the thread it was 300 MB and more, in
      // the thread 115-130 MB, and 62 MB since the thread loads only what composed letters need and the writer keeps
      // no written page (peaks 275 and 213 MB, docs/documents.md): the bounds leave about twice that and a fifth.
      const [generating, idle] = [Math.max(...peaks), Math.min(...peaks)];
      expect(generating - idle).toBeLessThan(120);
      expect(generating).toBeLessThan(340);
    });
  },
);
