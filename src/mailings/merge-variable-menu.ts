// The editor's insert menu: the merge variables every mailing knows, and this installation's custom fields.
import type { Db } from "../db/connect.ts";
import type { MergeVariables } from "./api-schemas.ts";
import { formFields } from "./form-response.ts";
import { MERGE_VARIABLES } from "./merge-fields.ts";

/**
 * With a form (a form response's), its fields for `[[form.<key>]]` too. The links group offers
 * `[[link.form.<slug>]]` for every published form (read here, not through forms/, which mailings/ may not import).
 */
export async function mergeVariableMenu(db: Db, formId?: number): Promise<MergeVariables> {
  const published = await db
    .selectFrom("forms")
    .select(["slug", "name"])
    .where("status", "=", "published")
    .orderBy("name")
    .orderBy("id")
    .execute();
  return {
    // Copies: the catalogue is read-only, and a response is an ordinary object.
    groups: MERGE_VARIABLES.map((group) => ({
      ...group,
      types: [...group.types],
      variables: [
        ...group.variables.map(({ types, ...variable }) => ({
          ...variable,
          ...(types ? { types: [...types] } : {}),
        })),
        ...(group.group === "link"
          ? published.map((f) => ({
              path: `link.form.${f.slug}`,
              nb: `Skjema med utfylte felt: ${f.name}`,
              en: `Form, pre-filled: ${f.name}`,
            }))
          : []),
      ],
    })),
    customFields: await db.selectFrom("custom_fields").select(["key", "label"]).orderBy("key").execute(),
    formFields: formId === undefined ? [] : await formFields(db, formId),
  };
}
