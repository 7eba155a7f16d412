import { existsSync, mkdtempSync, readdirSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { freshDatabase, type TestDb, testDialects } from "../../test/helpers/dialects.ts";
import { aDocumentMailingOf, documentRows } from "../../test/helpers/document-mailings.ts";
import { beginSending } from "../send/planner.ts";
import { documentsDir, generateNextDocument } from "./generate.ts";

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
});
