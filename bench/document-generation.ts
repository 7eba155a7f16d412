// The full generation job as a producer for bench/documents.ts: `generateNextDocument` over a SQLite database with a
// sending document mailing of N recipients with addresses (the sample letter's letterhead and body, merged per
// recipient). The database is made once per count in the parent and copied before the clock starts; what is timed
// is the job: reading the letters a page at a time, merge values, compose, render, page ranges, sync, rename, mark.
// The same job in the generator's thread, as the workers run it, is bench/document-thread.ts.
import { existsSync } from "node:fs";
import { copyFile, mkdtemp, readdir, rename, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { type DbHandle, openDatabase } from "../src/db/connect.ts";
import { migrateToLatest } from "../src/db/migrate.ts";
import { documentsDir, generateNextDocument } from "../src/documents/generate.ts";
import { beginSending } from "../src/send/planner.ts";
import { writeLetterhead } from "../src/settings/letterhead.ts";
import { aDocumentMailingOf } from "../test/helpers/document-mailings.ts";
import { generationTemplateFile as templateFile } from "./document-thread.ts";
import type { LetterProducer } from "./documents.ts";
import { BODY, LETTERHEAD } from "./letter-sample.ts";

/** In the parent: a database whose one document mailing of `count` letters waits to be generated. */
export async function prepareGenerationDatabase(count: number): Promise<string> {
  const file = templateFile(count, process.pid);
  if (existsSync(file)) return file;
  const handle = await openDatabase({ databaseUrl: `sqlite:${file}`, dataDir: tmpdir() });
  await migrateToLatest(handle);
  await writeLetterhead(handle.db, {
    companyName: LETTERHEAD.companyName,
    addressLines: LETTERHEAD.addressLines,
    orgNumber: LETTERHEAD.orgNumber,
    phone: LETTERHEAD.phone,
    web: LETTERHEAD.web,
    logoBase64: LETTERHEAD.logo!.toString("base64"),
  });
  const { mailingId } = await aDocumentMailingOf(handle.db, count, {
    heading: "Vårsalg på kurs hos Fjordlys",
    content: BODY("[[customer.firstname]]"),
  });
  await beginSending(handle.db, mailingId);
  await handle.close();
  return file;
}

let work: { dir: string; handle: DbHandle } | null = null;

/** In the child, before the clock: a copy of the parent's database, opened. */
export async function copyGenerationDatabase(count: number): Promise<void> {
  const dir = await mkdtemp(join(tmpdir(), "utsend-bench-generation-"));
  await copyFile(templateFile(count, process.ppid), join(dir, "utsend.db"));
  work = {
    dir,
    handle: await openDatabase({ databaseUrl: `sqlite:${join(dir, "utsend.db")}`, dataDir: dir }),
  };
}

export const generateLetters: LetterProducer = async (count, file) => {
  if (!work) throw new Error("copyGenerationDatabase runs first");
  const { dir, handle } = work;
  await generateNextDocument({ db: handle.db, dataDir: dir, owner: "bench", leaseMs: 600_000 });
  const row = await handle.db
    .selectFrom("document_files")
    .select(["status", "letters_done", "file_name", "error"])
    .executeTakeFirstOrThrow();
  if (row.status !== "ready" || row.letters_done !== count || !row.file_name)
    throw new Error(
      `generation ended ${row.status} with ${row.letters_done} of ${count} letters: ${row.error}`,
    );
  await rename(join(documentsDir(dir), row.file_name), file);
  if ((await readdir(documentsDir(dir))).length > 0) throw new Error("generation left files behind");
  await handle.close();
  await rm(dir, { recursive: true, force: true });
};

/** Removes the databases `prepareGenerationDatabase` made. */
export async function removeGenerationDatabases(counts: number[]): Promise<void> {
  for (const count of counts) await rm(templateFile(count, process.pid), { force: true });
}
