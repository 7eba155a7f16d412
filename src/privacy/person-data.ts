// Everything utsend holds about one person (SPEC §11, GDPR art. 15), gathered as one document of a stable shape:
// the export reads it, and erasure erases what it names. The shape is documented in docs/privacy.md; a field is only
// ever added to it.
import type { Db } from "../db/connect.ts";
import { AppError, notFound } from "../shared/errors.ts";

export const EXPORT_FORMAT = "utsend-person-export";
export const EXPORT_VERSION = 1;

export type PersonExport = {
  format: typeof EXPORT_FORMAT;
  version: typeof EXPORT_VERSION;
  exportedAt: string;
  person: {
    id: number;
    fullName: string;
    firstName: string | null;
    middleName: string | null;
    lastName: string | null;
    title: string | null;
    mrmrs: string | null;
    mobile: string | null;
    phone: string | null;
    language: string | null;
    /** The person's own postal address (letters of document mailings go here, else to the company). */
    postalAddress: {
      street: string | null;
      postcode: string | null;
      city: string | null;
      country: string | null;
    };
    company: { id: number; name: string } | null;
    ourContact: { name: string; email: string } | null;
    formerEmployee: boolean;
    createdAt: string;
    updatedAt: string;
  };
  emails: Array<{ address: string; primary: boolean; addedAt: string }>;
  interests: string[];
  customFields: Array<{ key: string; label: string; value: string }>;
  consents: Array<{
    purpose: string;
    purposeName: string;
    legalBasis: string;
    source: string;
    updatedAt: string;
  }>;
  subscriptions: Array<{ typeId: number; type: string; status: string; updatedAt: string }>;
  /** Every consent and subscription change, oldest first. */
  consentHistory: Array<{
    at: string;
    purpose: string | null;
    subscriptionType: string | null;
    change: string;
    source: string;
    comment: string | null;
    by: string | null;
  }>;
  /** Static selections and projects the person is a member of (dynamic selections are criteria, not data kept). */
  selections: Array<{ id: number; name: string; addedAt: string }>;
  projects: Array<{ id: number; name: string; status: string; addedAt: string }>;
  /** Every message made for the person (or one of their addresses), oldest first, each with what happened to it. */
  deliveries: Array<{
    id: number;
    mailing: { id: number; name: string; type: string; subject: string | null };
    channel: string;
    address: string;
    attempt: number;
    status: string;
    sentAt: string | null;
    bounceKind: string | null;
    reply: string | null;
    events: Array<{
      kind: string;
      at: string;
      link: string | null;
      detail: string | null;
      ip: string | null;
      userAgentClass: string | null;
    }>;
  }>;
  /** Rows of mailings' recipient lists that hold the person or an address of theirs. */
  recipientRows: Array<{
    mailing: { id: number; name: string };
    name: string | null;
    email: string | null;
    mobile: string | null;
    status: string;
    blockReason: string | null;
  }>;
  /**
   * Imports that created or changed the person: person imports as their consent attestation (source kind `import`),
   * and rows of mailings' recipient imports that hold an address of theirs, with the file's other fields.
   */
  imports: {
    personImports: Array<{ at: string; attestation: string | null; legalBasis: string }>;
    recipientImportRows: Array<{
      importId: number;
      mailing: { id: number; name: string };
      fileName: string | null;
      sheetRow: number;
      importedAt: string;
      email: string;
      name: string | null;
      mobile: string | null;
      fields: Record<string, string> | null;
    }>;
  };
  /** Text messages received from the person's mobile number (replies and STOP). */
  smsReceived: Array<{ at: string; text: string; kind: string }>;
};

/** The person a CLI argument names: an id, or an e-mail address only one person has. */
export async function personIdOf(db: Db, idOrEmail: string): Promise<number> {
  const given = idOrEmail.trim();
  if (/^\d+$/.test(given)) return Number(given);
  const owners = await db
    .selectFrom("person_emails")
    .select("person_id")
    .distinct()
    .where("address_lower", "=", given.toLowerCase())
    .execute();
  if (owners.length === 0) throw notFound("person with the address", given);
  if (owners.length > 1)
    throw new AppError(
      "CONFLICT",
      `${owners.length} persons have the address ${given}; give the id instead`,
      {
        field: "person",
        personIds: owners.map((o) => o.person_id),
      },
    );
  return owners[0]!.person_id;
}

/** The person's addresses as the rest of the database keys them: lower-case e-mail addresses and E.164 mobile. */
export async function personKeys(db: Db, personId: number) {
  const person = await db.selectFrom("persons").selectAll().where("id", "=", personId).executeTakeFirst();
  if (!person) throw notFound("person", personId);
  const emails = await db
    .selectFrom("person_emails")
    .selectAll()
    .where("person_id", "=", personId)
    .orderBy("is_primary", "desc")
    .orderBy("id")
    .execute();
  return { person, emails, emailKeys: emails.map((e) => e.address_lower), mobile: person.mobile };
}

/**
 * The person's deliveries: made for them, or to one of their addresses without a person (an imported recipient
 * row, say). Another person who shares an address keeps their own deliveries.
 */
export function deliveriesOf(db: Db, personId: number, keys: { emailKeys: string[]; mobile: string | null }) {
  const addressKeys = [...keys.emailKeys, ...(keys.mobile ? [keys.mobile] : [])];
  return db
    .selectFrom("deliveries")
    .where((eb) =>
      addressKeys.length > 0
        ? eb.or([
            eb("person_id", "=", personId),
            eb.and([eb("address_key", "in", addressKeys), eb("person_id", "is", null)]),
          ])
        : eb("person_id", "=", personId),
    );
}

/** The export without its deliveries, which `deliveryPages` reads a page at a time. */
export type PersonExportHead = Omit<PersonExport, "deliveries">;
type ExportedDelivery = PersonExport["deliveries"][number];
type Keys = Awaited<ReturnType<typeof personKeys>>;

/**
 * The person's deliveries with their events, oldest first, a page at a time: a long history is never held whole
 * (and no statement binds more ids than the databases allow).
 */
async function* deliveryPages(db: Db, personId: number, keys: Keys, pageSize: number) {
  let after = 0;
  for (;;) {
    const deliveries = await deliveriesOf(db, personId, keys)
      .innerJoin("mailings as m", "m.id", "deliveries.mailing_id")
      .select([
        "deliveries.id",
        "deliveries.channel",
        "deliveries.address",
        "deliveries.attempt",
        "deliveries.status",
        "deliveries.sent_at",
        "deliveries.bounce_kind",
        "deliveries.last_reply",
        "m.id as mailing_id",
        "m.name as mailing_name",
        "m.type as mailing_type",
        "m.subject",
      ])
      .where("deliveries.id", ">", after)
      .orderBy("deliveries.id")
      .limit(pageSize)
      .execute();
    if (deliveries.length === 0) return;
    after = deliveries[deliveries.length - 1]!.id;
    const events = await db
      .selectFrom("events as e")
      .leftJoin("tracked_links as l", "l.id", "e.link_id")
      .select(["e.delivery_id", "e.kind", "e.created_at", "l.url", "e.detail", "e.ip", "e.ua_class"])
      .where(
        "e.delivery_id",
        "in",
        deliveries.map((d) => d.id),
      )
      .where("e.is_test", "=", 0)
      .orderBy("e.id")
      .execute();
    const page: ExportedDelivery[] = deliveries.map((d) => ({
      id: d.id,
      mailing: { id: d.mailing_id, name: d.mailing_name, type: d.mailing_type, subject: d.subject },
      channel: d.channel,
      address: d.address,
      attempt: d.attempt,
      status: d.status,
      sentAt: d.sent_at,
      bounceKind: d.bounce_kind,
      reply: d.last_reply,
      events: events
        .filter((e) => e.delivery_id === d.id)
        .map((e) => ({
          kind: e.kind,
          at: e.created_at,
          link: e.url,
          detail: e.detail,
          ip: e.ip,
          userAgentClass: e.ua_class,
        })),
    }));
    yield page;
    if (deliveries.length < pageSize) return;
  }
}

/** The export's head and a reader of its deliveries (see `exportPerson` and `exportPersonJson`). */
export async function exportParts(db: Db, personId: number, now = new Date(), pageSize = 500) {
  const keys = await personKeys(db, personId);
  return {
    head: await exportHead(db, personId, keys, now),
    deliveries: () => deliveryPages(db, personId, keys, pageSize),
  };
}

/** The whole export in memory (the HTML page, tests). */
export async function exportPerson(db: Db, personId: number, now = new Date()): Promise<PersonExport> {
  const { head, deliveries } = await exportParts(db, personId, now);
  const all: ExportedDelivery[] = [];
  for await (const page of deliveries()) all.push(...page);
  return { ...head, deliveries: all };
}

/** The export as pretty-printed JSON text, streamed: the head first, then the deliveries page by page. */
export async function* exportPersonJson(
  parts: Awaited<ReturnType<typeof exportParts>>,
): AsyncGenerator<string> {
  const head = JSON.stringify(parts.head, null, 2);
  yield `${head.slice(0, -2)},\n  "deliveries": [`;
  let first = true;
  for await (const page of parts.deliveries())
    for (const delivery of page) {
      yield `${first ? "" : ","}\n    ${JSON.stringify(delivery, null, 2).replace(/\n/g, "\n    ")}`;
      first = false;
    }
  yield `${first ? "" : "\n  "}]\n}\n`;
}

async function exportHead(db: Db, personId: number, keys: Keys, now: Date): Promise<PersonExportHead> {
  const { person, emails, emailKeys } = keys;
  const [company, contact, interests, custom, consents, subscriptions, history, selections, projects] =
    await Promise.all([
      person.company_id === null
        ? null
        : db
            .selectFrom("companies")
            .select(["id", "name"])
            .where("id", "=", person.company_id)
            .executeTakeFirst(),
      person.our_contact_id === null
        ? null
        : db
            .selectFrom("users")
            .select(["name", "email"])
            .where("id", "=", person.our_contact_id)
            .executeTakeFirst(),
      db
        .selectFrom("person_interests as pi")
        .innerJoin("interests as i", "i.id", "pi.interest_id")
        .select("i.name")
        .where("pi.person_id", "=", personId)
        .orderBy("i.name")
        .execute(),
      db
        .selectFrom("person_custom_values as v")
        .innerJoin("custom_fields as f", "f.id", "v.field_id")
        .select(["f.key", "f.label", "v.value"])
        .where("v.person_id", "=", personId)
        .orderBy("f.key")
        .execute(),
      db
        .selectFrom("person_consents as pc")
        .innerJoin("consent_purposes as cp", "cp.id", "pc.purpose_id")
        .select(["cp.key", "cp.name", "pc.legal_basis", "pc.source", "pc.updated_at"])
        .where("pc.person_id", "=", personId)
        .orderBy("cp.id")
        .execute(),
      db
        .selectFrom("person_subscriptions as ps")
        .innerJoin("subscription_types as st", "st.id", "ps.type_id")
        .select(["st.id", "st.name", "ps.status", "ps.updated_at"])
        .where("ps.person_id", "=", personId)
        .orderBy("st.id")
        .execute(),
      db
        .selectFrom("consent_history as h")
        .leftJoin("consent_purposes as cp", "cp.id", "h.purpose_id")
        .leftJoin("subscription_types as st", "st.id", "h.subscription_type_id")
        .leftJoin("users as u", "u.id", "h.user_id")
        .select([
          "h.created_at",
          "cp.key as purpose",
          "st.name as type_name",
          "h.change",
          "h.source",
          "h.comment",
          "u.name as user_name",
        ])
        .where("h.person_id", "=", personId)
        .orderBy("h.id")
        .execute(),
      db
        .selectFrom("selection_members as m")
        .innerJoin("selections as s", "s.id", "m.selection_id")
        .select(["s.id", "s.name", "m.added_at"])
        .where("m.person_id", "=", personId)
        .orderBy("s.id")
        .execute(),
      db
        .selectFrom("project_members as m")
        .innerJoin("projects as p", "p.id", "m.project_id")
        .select(["p.id", "p.name", "p.status", "m.added_at"])
        .where("m.person_id", "=", personId)
        .orderBy("p.id")
        .execute(),
    ]);

  let recipientRows = db
    .selectFrom("mailing_recipients as r")
    .innerJoin("mailings as m", "m.id", "r.mailing_id")
    .select([
      "m.id as mailing_id",
      "m.name as mailing_name",
      "r.name",
      "r.email",
      "r.mobile",
      "r.status",
      "r.block_reason",
    ]);
  recipientRows = recipientRows.where((eb) =>
    eb.or([
      eb("r.person_id", "=", personId),
      // Rows without a person (imported or pasted addresses); another person sharing the address keeps theirs.
      ...(emailKeys.length > 0
        ? [eb.and([eb("r.email_lower", "in", emailKeys), eb("r.person_id", "is", null)])]
        : []),
      ...(keys.mobile ? [eb.and([eb("r.mobile", "=", keys.mobile), eb("r.person_id", "is", null)])] : []),
    ]),
  );
  const recipients = await recipientRows.orderBy("r.mailing_id").orderBy("r.id").execute();
  const importRows =
    emailKeys.length === 0
      ? []
      : await db
          .selectFrom("recipient_import_rows as r")
          .innerJoin("recipient_imports as i", "i.id", "r.import_id")
          .innerJoin("mailings as m", "m.id", "i.mailing_id")
          .select([
            "i.id",
            "m.id as mailing_id",
            "m.name as mailing_name",
            "i.file_name",
            "i.created_at",
            "r.sheet_row",
            "r.email",
            "r.name",
            "r.mobile",
            "r.fields",
          ])
          .where("r.email_lower", "in", emailKeys)
          .orderBy("r.id")
          .execute();
  const sms = await db
    .selectFrom("sms_inbound")
    .select(["received_at", "text", "kind"])
    .where((eb) =>
      eb.or([eb("person_id", "=", personId), ...(keys.mobile ? [eb("from_number", "=", keys.mobile)] : [])]),
    )
    .orderBy("id")
    .execute();

  return {
    format: EXPORT_FORMAT,
    version: EXPORT_VERSION,
    exportedAt: now.toISOString(),
    person: {
      id: person.id,
      // persons/ imports privacy/ (the suppression list), so the name is joined here rather than imported.
      fullName: [person.first_name, person.middle_name, person.last_name].filter((p) => p?.trim()).join(" "),
      firstName: person.first_name,
      middleName: person.middle_name,
      lastName: person.last_name,
      title: person.title,
      mrmrs: person.mrmrs,
      mobile: person.mobile,
      phone: person.phone,
      language: person.language,
      postalAddress: {
        street: person.street,
        postcode: person.postcode,
        city: person.city,
        country: person.country,
      },
      company: company ? { id: company.id, name: company.name } : null,
      ourContact: contact ? { name: contact.name, email: contact.email } : null,
      formerEmployee: person.former_employee === 1,
      createdAt: person.created_at,
      updatedAt: person.updated_at,
    },
    emails: emails.map((e) => ({ address: e.address, primary: e.is_primary === 1, addedAt: e.created_at })),
    interests: interests.map((i) => i.name),
    customFields: custom.map((c) => ({ key: c.key, label: c.label, value: c.value })),
    consents: consents.map((c) => ({
      purpose: c.key,
      purposeName: c.name,
      legalBasis: c.legal_basis,
      source: c.source,
      updatedAt: c.updated_at,
    })),
    subscriptions: subscriptions.map((s) => ({
      typeId: s.id,
      type: s.name,
      status: s.status,
      updatedAt: s.updated_at,
    })),
    consentHistory: history.map((h) => ({
      at: h.created_at,
      purpose: h.purpose,
      subscriptionType: h.type_name,
      change: h.change,
      source: h.source,
      comment: h.comment,
      by: h.user_name,
    })),
    selections: selections.map((s) => ({ id: s.id, name: s.name, addedAt: s.added_at })),
    projects: projects.map((p) => ({ id: p.id, name: p.name, status: p.status, addedAt: p.added_at })),
    recipientRows: recipients.map((r) => ({
      mailing: { id: r.mailing_id, name: r.mailing_name },
      name: r.name,
      email: r.email,
      mobile: r.mobile,
      status: r.status,
      blockReason: r.block_reason,
    })),
    imports: {
      personImports: history
        .filter((h) => h.source === "import")
        .map((h) => ({ at: h.created_at, attestation: h.comment, legalBasis: h.change })),
      recipientImportRows: importRows.map((r) => ({
        importId: r.id,
        mailing: { id: r.mailing_id, name: r.mailing_name },
        fileName: r.file_name,
        sheetRow: r.sheet_row,
        importedAt: r.created_at,
        email: r.email,
        name: r.name,
        mobile: r.mobile,
        fields: r.fields ? (JSON.parse(r.fields) as Record<string, string>) : null,
      })),
    },
    smsReceived: sms.map((s) => ({ at: s.received_at, text: s.text, kind: s.kind })),
  };
}
