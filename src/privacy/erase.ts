// Erasing a person (SPEC §11, GDPR art. 17) in one transaction: their personal data goes, while their deliveries and
// events stay behind an anonymous placeholder, so every statistic reads the same before and after. What goes and
// what stays is listed in README.md; `erasurePlan` counts it for the confirm dialog.
import { type SelectQueryBuilder, sql } from "kysely";
import type { Db } from "../db/connect.ts";
import { deliveriesOf, personKeys } from "./person-data.ts";
import { suppressAddresses } from "./suppression.ts";

/** What an erasure removes or anonymises, counted: shown before the admin confirms, recorded in the audit entry. */
export type ErasurePlan = {
  personId: number;
  emails: number;
  interests: number;
  customFields: number;
  consents: number;
  consentHistory: number;
  subscriptions: number;
  selections: number;
  projects: number;
  deliveries: number;
  events: number;
  recipientRows: number;
  recipientImportRows: number;
  smsReceived: number;
};

/** The placeholder an erased delivery is addressed to: unique, undeliverable (RFC 6761 `.invalid`), and no one's. */
export const placeholderAddress = (deliveryId: number) => `erased-${deliveryId}@invalid`;

// biome-ignore lint/complexity/noBannedTypes: a builder that has selected nothing yet has the output type {}.
async function count<DB, TB extends keyof DB>(query: SelectQueryBuilder<DB, TB, {}>): Promise<number> {
  const row = await query.select(sql<number | string>`count(*)`.as("n")).executeTakeFirstOrThrow();
  return Number((row as { n: number | string }).n);
}

export async function erasurePlan(db: Db, personId: number): Promise<ErasurePlan> {
  const keys = await personKeys(db, personId);
  const deliveryIds = (await deliveriesOf(db, personId, keys).select("id").execute()).map((d) => d.id);
  return {
    personId,
    emails: keys.emails.length,
    interests: await count(db.selectFrom("person_interests").where("person_id", "=", personId)),
    customFields: await count(db.selectFrom("person_custom_values").where("person_id", "=", personId)),
    consents: await count(db.selectFrom("person_consents").where("person_id", "=", personId)),
    consentHistory: await count(db.selectFrom("consent_history").where("person_id", "=", personId)),
    subscriptions: await count(db.selectFrom("person_subscriptions").where("person_id", "=", personId)),
    selections: await count(db.selectFrom("selection_members").where("person_id", "=", personId)),
    projects: await count(db.selectFrom("project_members").where("person_id", "=", personId)),
    deliveries: deliveryIds.length,
    events:
      deliveryIds.length === 0
        ? 0
        : await count(db.selectFrom("events").where("delivery_id", "in", deliveryIds)),
    recipientRows: await count(
      db
        .selectFrom("mailing_recipients")
        .where((eb) =>
          eb.or([
            eb("person_id", "=", personId),
            ...(keys.emailKeys.length > 0
              ? [eb.and([eb("email_lower", "in", keys.emailKeys), eb("person_id", "is", null)])]
              : []),
            ...(keys.mobile ? [eb.and([eb("mobile", "=", keys.mobile), eb("person_id", "is", null)])] : []),
          ]),
        ),
    ),
    recipientImportRows:
      keys.emailKeys.length === 0
        ? 0
        : await count(db.selectFrom("recipient_import_rows").where("email_lower", "in", keys.emailKeys)),
    smsReceived: await count(
      db
        .selectFrom("sms_inbound")
        .where((eb) =>
          eb.or([
            eb("person_id", "=", personId),
            ...(keys.mobile ? [eb("from_number", "=", keys.mobile)] : []),
          ]),
        ),
    ),
  };
}

/**
 * Erases the person; returns what was erased (counted before). Everything happens in one transaction: a failure
 * leaves the person as they were. The addresses go onto the suppression list in the same transaction.
 */
export async function erasePerson(db: Db, personId: number): Promise<ErasurePlan> {
  return db.transaction().execute(async (trx) => {
    const tdb = trx as unknown as Db;
    const plan = await erasurePlan(tdb, personId);
    const keys = await personKeys(tdb, personId);
    const { emailKeys, mobile } = keys;
    const addressKeys = [...emailKeys, ...(mobile ? [mobile] : [])];
    const deliveries = await deliveriesOf(tdb, personId, keys).select("id").execute();

    for (let i = 0; i < deliveries.length; i += 500) {
      const chunk = deliveries.slice(i, i + 500);
      const ids = chunk.map((d) => d.id);
      // Each delivery keeps its mailing, recipient row, status, times and counts; only who it was for goes. The
      // status is not touched, so the rollups kept by triggers stay as they are.
      for (const d of chunk)
        await trx
          .updateTable("deliveries")
          .set({ address: placeholderAddress(d.id), address_key: placeholderAddress(d.id), person_id: null })
          .where("id", "=", d.id)
          .execute();
      await trx.updateTable("deliveries").set({ last_reply: null }).where("id", "in", ids).execute();
      await trx
        .updateTable("events")
        .set({ ip: null, detail: null, person_id: null })
        .where("delivery_id", "in", ids)
        .execute();
      await trx
        .updateTable("link_clickers")
        .set({ person_id: null })
        .where("delivery_id", "in", ids)
        .execute();
      await trx
        .updateTable("outbox_messages")
        .set({ to_address: "erased@invalid", subject: "", raw: "" })
        .where("delivery_id", "in", ids)
        .execute();
      await trx
        .updateTable("inbound_messages")
        .set({ raw: new Uint8Array(), detail: null })
        .where("delivery_id", "in", ids)
        .execute();
    }
    await trx
      .updateTable("events")
      .set({ ip: null, detail: null, person_id: null })
      .where("person_id", "=", personId)
      .execute();
    await trx
      .updateTable("link_clickers")
      .set({ person_id: null })
      .where("person_id", "=", personId)
      .execute();

    // Recipient rows stay (they carry the list's counts and the deliveries point at them), without who they were.
    await trx
      .updateTable("mailing_recipients")
      .set({
        person_id: null,
        name: null,
        email: null,
        email_lower: null,
        mobile: null,
        postal_address: null,
        postal_key: null,
        postcode: null,
      })
      .where((eb) =>
        eb.or([
          eb("person_id", "=", personId),
          ...(emailKeys.length > 0
            ? [eb.and([eb("email_lower", "in", emailKeys), eb("person_id", "is", null)])]
            : []),
          ...(mobile ? [eb.and([eb("mobile", "=", mobile), eb("person_id", "is", null)])] : []),
        ]),
      )
      .execute();
    if (emailKeys.length > 0) {
      // A recipient import's row needs an address (the column is required): the placeholder, as a delivery's.
      await trx
        .updateTable("recipient_import_rows")
        .set({
          email: sql`'erased-import-row-' || ${sql.ref("id")} || '@invalid'`,
          email_lower: sql`'erased-import-row-' || ${sql.ref("id")} || '@invalid'`,
          name: null,
          mobile: null,
          fields: null,
        })
        .where("email_lower", "in", emailKeys)
        .execute();
    }
    await scrubPastedAddresses(tdb, emailKeys);
    await trx
      .deleteFrom("mailing_sources")
      .where("kind", "=", "person")
      .where("ref_id", "=", personId)
      .execute();
    await trx
      .updateTable("sms_inbound")
      .set({ from_number: "erased", text: "", person_id: null })
      .where((eb) =>
        eb.or([eb("person_id", "=", personId), ...(mobile ? [eb("from_number", "=", mobile)] : [])]),
      )
      .execute();
    // The blocks keep addresses in clear text; the suppression list (hashed) takes over what they remembered. An
    // address another person also has keeps its block: it protects them too.
    const shared = new Set(
      emailKeys.length === 0
        ? []
        : (
            await trx
              .selectFrom("person_emails")
              .select("address_lower")
              .where("address_lower", "in", emailKeys)
              .where("person_id", "<>", personId)
              .execute()
          ).map((e) => e.address_lower),
    );
    const unblocked = addressKeys.filter((a) => !shared.has(a));
    if (unblocked.length > 0)
      await trx.deleteFrom("address_blocks").where("address_lower", "in", unblocked).execute();
    await suppressAddresses(trx, addressKeys, "erased");
    // The person row last: addresses, interests, custom values, consents, subscriptions, consent history and
    // memberships go with it (foreign keys with ON DELETE CASCADE).
    await trx.deleteFrom("persons").where("id", "=", personId).execute();
    return plan;
  });
}

/** Pasted addresses are kept as JSON on the mailing's source; the erased person's entries are taken out. */
async function scrubPastedAddresses(db: Db, emailKeys: string[]): Promise<void> {
  if (emailKeys.length === 0) return;
  const wanted = new Set(emailKeys);
  const sources = await db
    .selectFrom("mailing_sources")
    .select(["id", "addresses"])
    .where("kind", "=", "addresses")
    .execute();
  for (const source of sources) {
    if (!source.addresses) continue;
    const list = JSON.parse(source.addresses) as Array<{ email: string; name?: string | null }>;
    const kept = list.filter((a) => !wanted.has(a.email.trim().toLowerCase()));
    if (kept.length === list.length) continue;
    await db
      .updateTable("mailing_sources")
      .set({ addresses: JSON.stringify(kept) })
      .where("id", "=", source.id)
      .execute();
  }
}
