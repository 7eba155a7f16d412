// Document generation killed again and again: `utsend worker` processes (lease 2 s) die by SIGKILL while they write a
// mailing's 2,000 letters, then one finishes. A half-written file is never offered (checked all along, as the download
// route sees it), no part file is left behind, and the one ready PDF holds every letter once, on the pages its
// delivery names.
import type { ChildProcess } from "node:child_process";
import { existsSync, mkdtempSync, readdirSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { documentsDir } from "../../src/documents/generate.ts";
import { readyDocument } from "../../src/documents/store.ts";
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

const LETTERS = 2_000;
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

const dialects = await testDialects();
const poppler = popplerAvailable();

describe.skipIf(!poppler).each(dialects)("document generation killed mid-way on %s", (dialect) => {
  let t: TestDb;
  let dataDir: string;
  const workers: ChildProcess[] = [];
  beforeAll(async () => {
    t = await freshDatabase(dialect);
    dataDir = mkdtempSync(join(tmpdir(), "utsend-document-crash-"));
  });
  afterAll(async () => {
    for (const w of workers) if (w.exitCode === null && w.signalCode === null) w.kill("SIGKILL");
    await t?.dispose();
    rmSync(dataDir, { recursive: true, force: true });
  });

  const startWorker = () => {
    const w = startWorkerProcess(t, { UTSEND_LEASE_SECONDS: "2", UTSEND_DATA_DIR: dataDir });
    workers.push(w);
    return w;
  };
  const stopped = (w: ChildProcess) =>
    new Promise((resolve) =>
      w.exitCode !== null || w.signalCode !== null ? resolve(null) : w.once("exit", resolve),
    );
  const dir = () => documentsDir(dataDir);
  const partFiles = () => (existsSync(dir()) ? readdirSync(dir()).filter((f) => f.endsWith(".part")) : []);
  const partBytes = (name: string) => statSync(join(dir(), name), { throwIfNoEntry: false })?.size ?? 0;

  it("never offers a half-written file and ends with one PDF of every letter, once, on the pages its delivery names", {
    timeout: 240_000,
  }, async () => {
    const { mailingId } = await aDocumentMailingOf(t.db, LETTERS);
    expect((await beginSending(t.db, mailingId)).deliveries).toBe(LETTERS);

    // What the download route would offer, looked at every few milliseconds while workers live and die.
    const offeredBadly: string[] = [];
    let looks = 0;
    let watching = true;
    const watcher = (async () => {
      while (watching) {
        looks++;
        for (const row of await documentRows(t.db, mailingId)) {
          if (row.status !== "ready") continue;
          const size = row.file_name
            ? statSync(join(dir(), row.file_name), { throwIfNoEntry: false })?.size
            : undefined;
          if (size === undefined || row.bytes === null || size < row.bytes)
            offeredBadly.push(`${row.file_name}: ${size ?? "missing"} of ${row.bytes} bytes`);
        }
        const offered = await readyDocument(t.db, dataDir, mailingId).catch(() => null);
        if (offered) {
          const row = (await documentRows(t.db, mailingId)).find((r) => r.status === "ready");
          if (offered.bytes !== row?.bytes)
            offeredBadly.push(`offered ${offered.bytes} of ${row?.bytes} bytes`);
        }
        await sleep(15);
      }
    })();

    let kills = 0;
    let killsMidGeneration = 0;
    for (let round = 0; round < 6; round++) {
      const pair = [startWorker(), startWorker()];
      // Kill once a new run writes its part file (the killed run's part stays until a new run clears it).
      const runsBefore = (await documentRows(t.db, mailingId))[0]!.runs;
      for (let waited = 0; waited < 15_000; waited += 20) {
        const [now] = await documentRows(t.db, mailingId);
        if (now!.runs > runsBefore && partBytes(`document-${now!.id}-run${now!.runs}.part`) > 0) break;
        await sleep(20);
      }
      await sleep(Math.floor(Math.random() * 1500));
      const [row] = await documentRows(t.db, mailingId);
      if (row?.status === "generating") killsMidGeneration++;
      for (const w of pair) w.kill("SIGKILL");
      kills += 2;
      await Promise.all(pair.map(stopped));
      if (row?.status === "ready") break;
    }

    const last = startWorker();
    for (let waited = 0; waited < 120_000; waited += 100) {
      const rows = await documentRows(t.db, mailingId);
      if (rows.some((r) => r.status === "ready")) break;
      await sleep(100);
    }
    last.kill("SIGTERM");
    await stopped(last);
    watching = false;
    await watcher;

    expect(killsMidGeneration).toBeGreaterThanOrEqual(3);
    expect(looks).toBeGreaterThan(10);
    expect(offeredBadly).toEqual([]);
    const rows = await documentRows(t.db, mailingId);
    expect(rows).toHaveLength(1);
    const ready = rows[0]!;
    expect(ready).toMatchObject({ status: "ready", pages: LETTERS, letters_done: LETTERS });
    // Each killed run was started again from the first letter by a later worker.
    expect(ready.runs).toBeGreaterThan(killsMidGeneration);
    const file = join(dir(), ready.file_name!);
    expect(statSync(file).size).toBe(ready.bytes);
    expect(partFiles()).toEqual([]);
    expect(readdirSync(dir())).toEqual([ready.file_name]);
    expect(await pdfPageCount(file)).toBe(LETTERS);
    const letters = await letterPages(t.db, mailingId);
    expect(tilingProblems(letters, LETTERS)).toEqual([]);

    // A few letters read back: each page greets the person its delivery names.
    const sample = [0, 1, 777, 1_234, LETTERS - 1].map((i) => letters[i]!);
    for (const letter of sample) {
      const [page] = await pdfWords(file, { first: letter.firstPage, last: letter.firstPage });
      expect(pageText(page!)).toContain(`Hei ${letter.firstName}, vi har et tilbud til deg.`);
    }
    console.log(
      `${dialect}: ${kills} kills (${killsMidGeneration} mid-generation), ${ready.runs} runs, ${looks} looks at what was offered`,
    );
  });
});
