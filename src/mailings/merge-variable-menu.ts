// The editor's insert menu: the merge variables every mailing knows, and this installation's custom fields.
import type { Db } from "../db/connect.ts";
import { MERGE_VARIABLES } from "./merge-fields.ts";

export async function mergeVariableMenu(db: Db) {
  return {
    groups: MERGE_VARIABLES,
    customFields: await db.selectFrom("custom_fields").select(["key", "label"]).orderBy("key").execute(),
  };
}
