// Merge values for a batch of recipients, read in a few queries per batch (never one query per message).
import type { Db } from "../db/connect.ts";
import { formContextsOf } from "./form-response.ts";
import { bestName, fullName, type MergeContext, salutation } from "./merge-fields.ts";
import { importedFields } from "./recipient-rows.ts";

/** A recipient, with the address its delivery goes to when that is not the recipient row's own. */
export type RecipientRef = { recipientId: number; email?: string; mobile?: string };
export type RecipientValues = Omit<MergeContext, "mailing" | "link"> & { ourContactEmail: string | null };

type UserRow = { id: number; name: string; email: string };

export async function loadRecipientValues(
  db: Db,
  refs: RecipientRef[],
): Promise<Map<number, RecipientValues>> {
  const result = new Map<number, RecipientValues>();
  if (refs.length === 0) return result;
  const recipients = await db
    .selectFrom("mailing_recipients")
    .select(["id", "person_id", "company_id", "name", "email", "source_id", "email_lower", "mobile"])
    .where(
      "id",
      "in",
      refs.map((r) => r.recipientId),
    )
    .execute();
  const personIds = [...new Set(recipients.flatMap((r) => (r.person_id ? [r.person_id] : [])))];
  const persons = personIds.length
    ? await db.selectFrom("persons").selectAll().where("id", "in", personIds).execute()
    : [];
  const companyIds = [
    ...new Set([
      ...persons.flatMap((p) => (p.company_id ? [p.company_id] : [])),
      ...recipients.flatMap((r) => (r.company_id ? [r.company_id] : [])),
    ]),
  ];
  const companies = companyIds.length
    ? await db.selectFrom("companies").selectAll().where("id", "in", companyIds).execute()
    : [];
  const userIds = [
    ...new Set([
      ...persons.flatMap((p) => (p.our_contact_id ? [p.our_contact_id] : [])),
      ...companies.flatMap((c) => (c.our_contact_id ? [c.our_contact_id] : [])),
    ]),
  ];
  const users: UserRow[] = userIds.length
    ? await db.selectFrom("users").select(["id", "name", "email"]).where("id", "in", userIds).execute()
    : [];
  const custom = personIds.length
    ? await db
        .selectFrom("person_custom_values as v")
        .innerJoin("custom_fields as f", "f.id", "v.field_id")
        .select(["v.person_id", "f.key", "v.value"])
        .where("v.person_id", "in", personIds)
        .execute()
    : [];
  const personById = new Map(persons.map((p) => [p.id, p]));
  const companyById = new Map(companies.map((c) => [c.id, c]));
  const userById = new Map(users.map((u) => [u.id, u]));
  const contact = (id: number | null) => {
    const u = id ? userById.get(id) : undefined;
    return u ? { name: u.name, email: u.email, phone: null } : null;
  };
  const refById = new Map(refs.map((r) => [r.recipientId, r]));
  // People imported from a file without a CRM record: the file's other mapped values fill their merge fields.
  const imported = await importedFields(
    db,
    recipients.filter((r) => r.person_id === null),
  );
  // Form response: the answers of the submission each row answers.
  const forms = await formContextsOf(
    db,
    recipients.map((r) => r.id),
  );

  for (const r of recipients) {
    const p = r.person_id ? personById.get(r.person_id) : undefined;
    const c = companyById.get(p?.company_id ?? r.company_id ?? -1);
    const ref = refById.get(r.id);
    const email = ref?.email ?? r.email;
    const file = p ? undefined : imported.get(r.id);
    const parts = p
      ? { firstname: p.first_name, middlename: p.middle_name, lastname: p.last_name, email }
      : {
          firstname: file?.fields.firstname ?? null,
          middlename: file?.fields.middlename ?? null,
          lastname: file?.fields.lastname ?? null,
          name: r.name,
          email,
        };
    const customer: MergeContext["customer"] = {
      id: p ? String(p.id) : null,
      name: fullName(parts),
      firstname: p?.first_name ?? null,
      middlename: p?.middle_name ?? null,
      lastname: p?.last_name ?? null,
      bestName: bestName(parts),
      salutation: salutation(parts),
      title: p?.title ?? null,
      mrmrs: p?.mrmrs ?? null,
      email,
      cellphone: p?.mobile ?? null,
      phone: p?.phone ?? null,
      language: p?.language ?? null,
    };
    for (const v of custom) if (v.person_id === p?.id) customer[v.key] = v.value;
    if (file) {
      // Built-in names (name, email, bestName …) keep the values worked out above; the file adds the rest.
      for (const [key, value] of Object.entries(file.fields))
        if (key !== "company" && (customer[key] ?? null) === null) customer[key] = value;
      customer.cellphone = file.mobile;
    }
    if (ref?.mobile) customer.cellphone = ref.mobile;
    const ourContact = contact(p?.our_contact_id ?? c?.our_contact_id ?? null);
    result.set(r.id, {
      customer,
      company: c
        ? {
            id: String(c.id),
            name: c.name,
            department: c.department,
            address:
              [c.street, [c.postcode, c.city].filter(Boolean).join(" ")].filter(Boolean).join(", ") || null,
            domain: c.domain,
            phone: c.phone,
            ourContact: contact(c.our_contact_id),
          }
        : file?.fields.company
          ? {
              id: null,
              name: file.fields.company,
              department: null,
              address: null,
              domain: null,
              phone: null,
              ourContact: null,
            }
          : null,
      ourContact,
      ourContactEmail: ourContact?.email ?? null,
      ...(forms.has(r.id) ? { form: forms.get(r.id)! } : {}),
    });
  }
  return result;
}
