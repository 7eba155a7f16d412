// Pre-fill from a signed [[link.form.<slug>]] link (SPEC §9): the token names a person for this form only; the
// hosted page fills the fields marked pre-fillable from their CRM values. An e-mail in the query never identifies
// anyone. Processing links the submission to the token's person only when the submitted e-mail is theirs
// (processing.ts matchingPerson, through form_submissions.prefill_person_id).
import { personOfFormLinkToken, formLinkToken as signFormLink } from "../deliveries/form-link.ts";
import type { Keyring } from "../deliveries/tokens.ts";
import type { FormDefinition } from "./definition.ts";
import type { FormDeps } from "./deps.ts";

/** The token a `[[link.form.<slug>]]` link carries for this person (deliveries/form-link.ts makes the whole URL). */
export function formLinkToken(keys: Keyring, personId: number, slug: string): string {
  return signFormLink(keys, personId, slug);
}

/**
 * The person the token names for the form with this slug, and their CRM values for the published version's fields
 * marked pre-fillable (field key → value; empty values left out). Null when the token is missing, forged, for
 * another form, or its person no longer exists.
 */
export async function prefillFor(
  deps: FormDeps,
  slug: string,
  token: string | null | undefined,
): Promise<{ personId: number; values: Record<string, string> } | null> {
  if (!token) return null;
  const personId = personOfFormLinkToken(deps.send.keys, slug, token);
  if (personId === null) return null;
  const form = await deps.db
    .selectFrom("forms")
    .select(["id", "definition", "published_version"])
    .where("slug", "=", slug)
    .executeTakeFirst();
  if (!form) return null;
  const person = await deps.db
    .selectFrom("persons as p")
    .leftJoin("companies as c", "c.id", "p.company_id")
    .select([
      "p.first_name",
      "p.last_name",
      "p.mobile",
      "p.title",
      "p.street",
      "p.postcode",
      "p.city",
      "p.country",
      "c.name as company_name",
    ])
    .where("p.id", "=", personId)
    .executeTakeFirst();
  if (!person) return null;
  const version = await deps.db
    .selectFrom("form_versions")
    .select("definition")
    .where("form_id", "=", form.id)
    .where("version", "=", form.published_version)
    .executeTakeFirst();
  const definition = JSON.parse(version?.definition ?? form.definition) as FormDefinition;
  const email = await deps.db
    .selectFrom("person_emails")
    .select("address")
    .where("person_id", "=", personId)
    .orderBy("is_primary", "desc")
    .orderBy("id")
    .executeTakeFirst();
  const custom = new Map(
    (
      await deps.db
        .selectFrom("person_custom_values")
        .select(["field_id", "value"])
        .where("person_id", "=", personId)
        .execute()
    ).map((r) => [`custom:${r.field_id}`, r.value]),
  );
  const crm: Record<string, string | null | undefined> = { ...person, email: email?.address };
  const values: Record<string, string> = {};
  for (const field of definition.fields ?? []) {
    if (field.kind !== "mapped" || !field.prefill) continue;
    const value = field.maps.startsWith("custom:") ? custom.get(field.maps) : crm[field.maps];
    if (value) values[field.key] = value;
  }
  return { personId, values };
}
