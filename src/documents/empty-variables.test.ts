import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { freshDatabase, type TestDb, testDialects } from "../../test/helpers/dialects.ts";
import { aDocumentMailingOf } from "../../test/helpers/document-mailings.ts";
import { docx, paragraph } from "../../test/helpers/docx.ts";
import { documentEmptyVariableReport } from "./empty-variables.ts";
import { uploadTemplate } from "./store.ts";

describe.each(await testDialects())("a document mailing's empty merge fields (%s)", (dialect) => {
  let t: TestDb;
  beforeAll(async () => {
    t = await freshDatabase(dialect);
  });
  afterAll(async () => t.dispose());

  const report = async (mailingId: number) => {
    const found = await documentEmptyVariableReport(t.db, mailingId);
    return {
      checked: found.checked,
      counts: Object.fromEntries(found.items.map((i) => [i.variable, i.count])),
    };
  };

  it("merges the composed letter as generating does: document.* has each letter's values", async () => {
    // Of the helper's letters, every tenth goes to the company's address (the attention line names the person); the
    // others go home, where "name, else this text" without a text leaves the attention empty.
    const { mailingId } = await aDocumentMailingOf(t.db, 3, {
      content:
        "<p>[[document.heading]] [[document.ourRef]] [[document.date]] [[document.attention]] [[customer.title]]</p><p>[[document.address]]</p>",
    });
    expect(await report(mailingId)).toEqual({
      checked: 3,
      counts: { "document.attention": 2, "customer.title": 3 },
    });
  });

  it("covers a Word template's own merge fields over the whole list", async () => {
    const { mailingId } = await aDocumentMailingOf(t.db, 3);
    await uploadTemplate(
      t.db,
      mailingId,
      "brev.docx",
      docx(
        [
          paragraph("[[document.address]]"),
          paragraph(
            "Dato: [[document.date]], ",
            "<w:r><w:t>[[customer.ti</w:t></w:r><w:r><w:t>tle]]</w:t></w:r>",
          ),
          paragraph("Hei [[customer.firstname]], [[customer.mrmrs | default: 'kunde']]"),
        ].join(""),
      ),
    );
    const found = await report(mailingId);
    // The helper's selection holds every person in the database: the first test's three too.
    expect(found.checked).toBe(6);
    expect(found.counts).toEqual({ "customer.title": 6 });
  });
});
