// SPEC §5: merge fields that are empty for some recipients are a warning in preview, with the count and who. One
// walk over the eligible list for every mailing type; each type says which templates it merges and how.
import type { Db } from "../db/connect.ts";
import { type CompiledTemplate, emptyVariables, type MergeContext } from "./merge-fields.ts";
import { loadRecipientValues, type RecipientValues } from "./merge-values.ts";

export type EmptyVariableReport = {
  checked: number;
  items: Array<{
    variable: string;
    count: number;
    recipients: Array<{ id: number; name: string | null; email: string | null }>;
  }>;
};

/** The row's own channel data a context may need beside its merge values: a letter's address block and its key. */
export type RecipientRowFacts = { postalAddress: string | null; postalKey: string | null };

/** Walks the mailing's eligible recipients a thousand at a time, merging `templates` with each one's context. */
export async function emptyVariableReport(
  db: Db,
  mailingId: number,
  templates: readonly (CompiledTemplate | string)[],
  contextOf: (values: RecipientValues, row: RecipientRowFacts) => MergeContext,
): Promise<EmptyVariableReport> {
  const byVariable = new Map<string, EmptyVariableReport["items"][number]>();
  let checked = 0;
  let after = -1;
  for (;;) {
    const rows = await db
      .selectFrom("mailing_recipients")
      .select(["id", "email", "name", "postal_address", "postal_key"])
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
      rows.map((r) => ({ recipientId: r.id, ...(r.email ? { email: r.email } : {}) })),
    );
    for (const row of rows) {
      const context = contextOf(values.get(row.id)!, {
        postalAddress: row.postal_address,
        postalKey: row.postal_key,
      });
      for (const variable of new Set(templates.flatMap((t) => emptyVariables(t, context)))) {
        const entry = byVariable.get(variable) ?? { variable, count: 0, recipients: [] };
        entry.count++;
        if (entry.recipients.length < 100)
          entry.recipients.push({ id: row.id, name: row.name, email: row.email });
        byVariable.set(variable, entry);
      }
      checked++;
    }
  }
  return { checked, items: [...byVariable.values()] };
}
