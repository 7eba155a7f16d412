// `utsend mailings send` and `utsend mailings document` for a document mailing, as a user runs them: a real process
// over a real database, on both databases. Send generates the letters (the progress counts letters), the document is
// saved with -o, and asking for a document that was never generated says so.
import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { addSource, resolveRecipients } from "../../src/mailings/recipients.ts";
import { createMailing } from "../../src/mailings/store.ts";
import { aPerson } from "../helpers/builders.ts";
import { freshDatabase, type TestDb, testDialects } from "../helpers/dialects.ts";
import { pageText, pdfWords } from "../helpers/pdf-text.ts";
import { popplerAvailable } from "../helpers/requirements.ts";

const poppler = popplerAvailable();

describe.skipIf(!poppler).each(await testDialects())(
  "utsend mailings send for documents on %s",
  (dialect) => {
    let t: TestDb;
    let dataDir: string;
    const env = () => ({
      ...process.env,
      UTSEND_DATABASE_URL: t.url,
      UTSEND_DATABASE_SCHEMA: t.dialect === "postgres" ? t.schema : "public",
      UTSEND_DATA_DIR: dataDir,
      UTSEND_SECRET: "cli-documents-test-secret",
      UTSEND_LOG_LEVEL: "silent",
      UTSEND_SPAMASSASSIN: "off",
    });
    const utsend = (...args: string[]) =>
      spawnSync(process.execPath, ["bin/utsend.js", ...args], { encoding: "utf8", env: env() });

    beforeAll(async () => {
      t = await freshDatabase(dialect);
      dataDir = mkdtempSync(join(tmpdir(), "utsend-cli-documents-"));
    }, 60_000);
    afterAll(async () => {
      await t?.dispose();
      rmSync(dataDir, { recursive: true, force: true });
    });

    it("generates the letters with Send and saves the document with -o", { timeout: 120_000 }, async () => {
      const people = [
        { firstName: "Åse", lastName: "Ødegård", street: "Fjordveien 2", postcode: "5003", city: "Bergen" },
        {
          firstName: "Bjørn",
          lastName: "Ærlig",
          street: "Åsgårdveien 7",
          postcode: "3179",
          city: "Åsgårdstrand",
        },
        { firstName: "Uten", lastName: "Adresse" },
      ];
      const mailing = await createMailing(
        t.db,
        { name: "Julebrev", type: "document", content: "<p>God jul, [[customer.firstname]]!</p>" },
        null,
      );
      for (const p of people)
        await addSource(t.db, mailing.id, { kind: "person", refId: (await aPerson(t.db, p)).id });
      await resolveRecipients(t.db, mailing.id);

      const missing = utsend("mailings", "document", String(mailing.id), "-o", join(dataDir, "none.pdf"));
      expect(missing.status).not.toBe(0);
      expect(missing.stderr).toMatch(/NOT_FOUND/);

      const sent = utsend("mailings", "send", String(mailing.id), "--json");
      expect(sent.status, sent.stderr).toBe(0);
      const progress = JSON.parse(sent.stdout.trim().split("\n").pop()!) as Record<string, unknown>;
      expect(progress).toMatchObject({ status: "finished", total: 2, sent: 2, failed: 0, unknown: 0 });

      const human = utsend("mailings", "document", String(mailing.id), "-o", join(dataDir, "brev.pdf"));
      expect(human.status, human.stderr).toBe(0);
      expect(human.stdout).toMatch(/wrote .*brev\.pdf \(pdf, \d+ bytes\)/);
      expect(readFileSync(join(dataDir, "brev.pdf")).subarray(0, 5).toString()).toBe("%PDF-");
      const pages = await pdfWords(join(dataDir, "brev.pdf"));
      // In list order (the default): the order the people were added.
      expect(pages.map(pageText).map((text) => /God jul, (\S+)!/.exec(text)?.[1])).toEqual(["Åse", "Bjørn"]);

      const audited = await t.db
        .selectFrom("audit_log")
        .select(["action", "actor_label"])
        .where("action", "=", "export.document")
        .execute();
      expect(audited).toHaveLength(1);
    });
  },
);
