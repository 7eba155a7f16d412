// A document mailing's merge fields that are empty for some recipients (SPEC §5: a warning in preview, with the count
// and who), over every eligible recipient: the Setup texts and the composed body. A Word template's own fields are
// checked when it is uploaded (unknown ones); their emptiness shows in the preview of each letter.
import type { Db } from "../db/connect.ts";
import { emptyVariables, type MergeContext } from "../mailings/merge-fields.ts";
import { loadRecipientValues } from "../mailings/merge-values.ts";
import { prepareDocument } from "./compose.ts";
import { documentSetup } from "./generate.ts";

export async function documentEmptyVariableReport(db: Db, mailingId: number) {
  const prepared = prepareDocument((await documentSetup(db, mailingId)).setup);
  const templates = [prepared.heading, prepared.attentionText, prepared.ourRef, prepared.body].filter(
    (t) => t !== null,
  );
  const byVariable = new Map<
    string,
    { count: number; recipients: Array<{ id: number; name: string | null; email: string | null }> }
  >();
  let checked = 0;
  let after = -1;
  for (;;) {
    const rows = await db
      .selectFrom("mailing_recipients")
      .select(["id", "email", "name"])
      .where("mailing_id", "=", mailingId)
      .where("status", "=", "eligible")
      .where("id", ">", after)
      .orderBy("id")
      .limit(1000)
      .execute();
    if (rows.length === 0) break;
    after = rows.at(-1)!.id;
    const values = await loadRecipientValues(
      db,
      rows.map((r) => ({ recipientId: r.id })),
    );
    for (const row of rows) {
      const context: MergeContext = {
        ...values.get(row.id)!,
        mailing: { name: prepared.setup.name, subject: null },
        link: { unsubscribe: null, subscriptions: null, viewOnline: null },
      };
      for (const variable of new Set(templates.flatMap((t) => emptyVariables(t, context)))) {
        const entry = byVariable.get(variable) ?? { count: 0, recipients: [] };
        entry.count++;
        if (entry.recipients.length < 100)
          entry.recipients.push({ id: row.id, name: row.name, email: row.email });
        byVariable.set(variable, entry);
      }
      checked++;
    }
  }
  return {
    checked,
    items: [...byVariable.entries()].map(([variable, e]) => ({
      variable,
      count: e.count,
      recipients: e.recipients,
    })),
  };
}
