import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import PizZip from "pizzip";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { freshDatabase, type TestDb, testDialects } from "../../test/helpers/dialects.ts";
import { aDocumentMailingOf, documentRows } from "../../test/helpers/document-mailings.ts";
import { mailingProgress } from "../mailings/actions.ts";
import { beginSending } from "../send/planner.ts";
import { starterTemplate } from "./docx-template.ts";
import { conversionTimeoutMs, documentsDir, generateNextDocument } from "./generate.ts";
import { uploadTemplate } from "./store.ts";

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe("LibreOffice's time for a merged Word document", () => {
  it("grows by 40 ms a letter above two minutes", () => {
    expect(conversionTimeoutMs(1)).toBe(120_000);
    expect(conversionTimeoutMs(3_000)).toBe(120_000);
    expect(conversionTimeoutMs(10_000)).toBe(400_000);
  });
});

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

  it("gives the letters written so far as the mailing's progress, which the UI and the CLI show", async () => {
    const { mailingId } = await aDocumentMailingOf(t.db, 4);
    const { deliveries } = await beginSending(t.db, mailingId);
    expect(await mailingProgress(t.db, mailingId)).toMatchObject({
      status: "sending",
      total: deliveries,
      sent: 0,
      pending: deliveries,
    });
    // The generator records how many letters it has written as it renews its lease (every page of letters).
    await t.db
      .updateTable("document_files")
      .set({ letters_done: 3 })
      .where("mailing_id", "=", mailingId)
      .execute();
    expect(await mailingProgress(t.db, mailingId)).toMatchObject({ sent: 3, pending: deliveries - 3 });
    expect(await generateNextDocument({ db: t.db, dataDir, owner: "p", leaseMs: 60_000 })).toBe(true);
    expect(await mailingProgress(t.db, mailingId)).toMatchObject({
      status: "finished",
      total: deliveries,
      sent: deliveries,
      pending: 0,
    });
  });

  it("keeps the letters whose address was shortened to fit the window as the document's warnings", async () => {
    const { mailingId } = await aDocumentMailingOf(t.db, 2);
    const street = "Kong Christian Frederiks plass 5, oppgang B, tredje etasje, ved siden av kafeen";
    // Sending reads the list again from the people, so the long street goes on a person whose letter goes home.
    const home = await t.db
      .selectFrom("mailing_recipients")
      .select("person_id")
      .where("mailing_id", "=", mailingId)
      .where("status", "=", "eligible")
      .where("postal_key", "like", "own|%")
      .orderBy("position")
      .executeTakeFirstOrThrow();
    await t.db.updateTable("persons").set({ street }).where("id", "=", home.person_id!).execute();
    await beginSending(t.db, mailingId);
    expect(await generateNextDocument({ db: t.db, dataDir, owner: "w", leaseMs: 60_000 })).toBe(true);
    const { warnings } = await t.db
      .selectFrom("document_files")
      .select("warnings")
      .where("mailing_id", "=", mailingId)
      .executeTakeFirstOrThrow();
    const delivery = await t.db
      .selectFrom("deliveries")
      .select("id")
      .where("mailing_id", "=", mailingId)
      .where("person_id", "=", home.person_id)
      .executeTakeFirstOrThrow();
    expect(JSON.parse(warnings!)).toEqual([
      {
        deliveryId: delivery.id,
        warnings: [expect.objectContaining({ kind: "address-line-shortened", line: 1, original: street })],
      },
    ]);
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
    // Why it is a DOCX, for the mailing's page to say.
    const { note } = await t.db
      .selectFrom("document_files")
      .select("note")
      .where("id", "=", row!.id)
      .executeTakeFirstOrThrow();
    expect(note).toMatch(/^LibreOffice is not installed on the server that generated the document/);
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
