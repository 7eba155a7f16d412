// A document mailing's merge fields that are empty for some recipients (SPEC §5): the Setup texts and the composed
// body. A Word template's own fields are checked when it is uploaded (unknown ones); their emptiness shows in the
// preview of each letter.
import type { Db } from "../db/connect.ts";
import { emptyVariableReport } from "../mailings/empty-variables.ts";
import { prepareDocument } from "./compose.ts";
import { documentSetup } from "./generate.ts";

export async function documentEmptyVariableReport(db: Db, mailingId: number) {
  const prepared = prepareDocument((await documentSetup(db, mailingId)).setup);
  const templates = [prepared.heading, prepared.attentionText, prepared.ourRef, prepared.body].filter(
    (t) => t !== null,
  );
  return emptyVariableReport(db, mailingId, templates, (values) => ({
    ...values,
    mailing: { name: prepared.setup.name, subject: null },
    link: { unsubscribe: null, subscriptions: null, viewOnline: null },
  }));
}
