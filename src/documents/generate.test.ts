import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import PizZip from "pizzip";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { freshDatabase, type TestDb, testDialects } from "../../test/helpers/dialects.ts";
import { aDocumentMailingOf, documentRows } from "../../test/helpers/document-mailings.ts";
import { beginSending } from "../send/planner.ts";
import { starterTemplate } from "./docx-template.ts";
import { documentsDir, generateNextDocument } from "./generate.ts";
import { uploadTemplate } from "./store.ts";

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe.each(await testDialects())("document generation (%s)", (dialect) => {
  let t: TestDb;
  let dataDir: string;
  beforeAll(async () => {
    t = await freshDatabase(dialect);
    dataDir = mkdtempSync(join(tmpdir(), "utsend-generate-"));
  });
  afterAll(async () => {
    await t.dispose();
    rmSync(dataDir, { recursive: true, force: true });
  });

  it("lets a run whose lease was taken over stop quietly, so the worker that took it finishes the mailing", async () => {
    const { mailingId } = await aDocumentMailingOf(t.db, 300);
    await beginSending(t.db, mailingId);
    const deps = (owner: string, leaseMs: number) => ({ db: t.db, dataDir, owner, leaseMs });
    // A's lease runs out at once: it writes on, unaware, until B takes the document over and clears A's part file.
    const a = generateNextDocument(deps("a", 1));
    const dir = documentsDir(dataDir);
    for (let waited = 0; waited < 10_000; waited += 5) {
      if (existsSync(dir) && readdirSync(dir).some((f) => f.endsWith("-run1.part"))) break;
      await sleep(5);
    }
    await sleep(10);
    const b = generateNextDocument(deps("b", 60_000));
    expect(await Promise.all([a, b])).toEqual([true, true]);

    const mailing = await t.db
      .selectFrom("mailings")
      .select("status")
      .where("id", "=", mailingId)
      .executeTakeFirstOrThrow();
    expect(mailing.status).toBe("finished");
    const [row] = await documentRows(t.db, mailingId);
    expect(row).toMatchObject({ status: "ready", runs: 2, letters_done: 300 });
    expect(readdirSync(dir)).toEqual([row!.file_name]);
  });

  it("without LibreOffice, gives a duplex Word mailing a DOCX whose every letter starts on an odd page", async () => {
    const { mailingId } = await aDocumentMailingOf(t.db, 3);
    await t.db
      .updateTable("mailings")
      .set({ doc_source: "word", doc_odd_pages: 1 })
      .where("id", "=", mailingId)
      .execute();
    await uploadTemplate(t.db, mailingId, "brev.docx", await starterTemplate("nb"));
    await beginSending(t.db, mailingId);
    const path = process.env.PATH;
    process.env.PATH = dataDir; // no soffice here
    try {
      expect(await generateNextDocument({ db: t.db, dataDir, owner: "c", leaseMs: 60_000 })).toBe(true);
    } finally {
      process.env.PATH = path;
    }
    const [row] = await documentRows(t.db, mailingId);
    expect(row).toMatchObject({ status: "ready" });
    expect(row!.file_name).toMatch(/\.docx$/);
    const xml = new PizZip(readFileSync(join(documentsDir(dataDir), row!.file_name!)))
      .file("word/document.xml")!
      .asText();
    // The helper's selection holds every person in the database, so count the letters rather than assume them.
    const letters = row!.letters_done;
    expect(letters).toBeGreaterThanOrEqual(3);
    expect(xml.match(/<w:sectPr>/g)).toHaveLength(letters);
    expect(xml.match(/<w:type w:val="oddPage"\/>/g)).toHaveLength(letters);
    expect(xml).not.toContain("UtsendLetter");
  });
});
