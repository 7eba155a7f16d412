// A document mailing's merge fields that are empty for some recipients (SPEC §5): the Setup texts, and the composed
// body or the Word template's body, each recipient's letter context (`document.*` included) as generating merges it.
import type { Db } from "../db/connect.ts";
import { emptyVariableReport } from "../mailings/empty-variables.ts";
import { compileTemplate } from "../mailings/merge-fields.ts";
import { addressedToCompany } from "../mailings/postal-address.ts";
import { letterContext, prepareDocument } from "./compose.ts";
import { templateSource } from "./docx-template.ts";
import { documentSetup } from "./generate.ts";

export async function documentEmptyVariableReport(db: Db, mailingId: number) {
  const doc = await documentSetup(db, mailingId);
  const prepared = prepareDocument(doc.setup);
  const templates = [prepared.heading, prepared.attentionText, prepared.ourRef, prepared.body].filter(
    (t) => t !== null,
  );
  // A Word template is merged as one Liquid template of its body's XML (docx-template.ts): the same one is walked.
  if (doc.source === "word" && doc.template)
    templates.push(compileTemplate(templateSource(doc.template), "html", { field: "template" }));
  const now = new Date();
  return emptyVariableReport(db, mailingId, templates, (values, row) =>
    letterContext(
      prepared,
      {
        addressLines: (row.postalAddress ?? "").split("\n"),
        toCompany: addressedToCompany(row.postalKey ?? ""),
        values,
      },
      now,
    ),
  );
}
