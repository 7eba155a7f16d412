// The editor's insert menu: the merge variables every mailing knows, and this installation's custom fields.
import type { Db } from "../db/connect.ts";
import type { MergeVariables } from "./api-schemas.ts";
import { MERGE_VARIABLES } from "./merge-fields.ts";

export async function mergeVariableMenu(db: Db): Promise<MergeVariables> {
  return {
    // Copies: the catalogue is read-only, and a response is an ordinary object.
    groups: MERGE_VARIABLES.map((group) => ({
      ...group,
      types: [...group.types],
      variables: group.variables.map(({ types, ...variable }) => ({
        ...variable,
        ...(types ? { types: [...types] } : {}),
      })),
    })),
    customFields: await db.selectFrom("custom_fields").select(["key", "label"]).orderBy("key").execute(),
  };
}
