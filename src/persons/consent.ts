// Consent per purpose and subscriptions per type: the current state plus an append-only history of every change.
import type { Db } from "../db/connect.ts";
import { suppressAddresses, suppressedAmong } from "../privacy/suppression.ts";
import { isoNow } from "../shared/clock.ts";
import { AppError, missingReference, notFound } from "../shared/errors.ts";
import type { ConsentSource, LegalBasis, SubscriptionStatus } from "./person-rules.ts";

export type ConsentChange = {
  purpose: string;
  legalBasis: LegalBasis;
  source: ConsentSource;
  comment?: string | null;
  userId?: number | null;
  /**
   * The person gave consent anew after an address of theirs went on the suppression list; `comment` says where.
   * Needed for any e-marketing grant to a suppressed address, except through the person's own form.
   */
  newConsent?: boolean;
  /** A consent given on a web form: the words of the check-box the person ticked, and the form (SPEC §9). */
  consentText?: string | null;
  formId?: number | null;
};

/** Sources through which the person acts for themselves; only they may undo an unsubscribe. */
const PERSON_OWN_SOURCES: ConsentSource[] = ["form", "unsubscribe-link"];

export async function recordConsent(db: Db, personId: number, change: ConsentChange): Promise<void> {
  const person = await db.selectFrom("persons").select("id").where("id", "=", personId).executeTakeFirst();
  if (!person) throw notFound("person", personId);
  const purpose = await db
    .selectFrom("consent_purposes")
    .select("id")
    .where("key", "=", change.purpose)
    .executeTakeFirst();
  if (!purpose)
    throw new AppError("REFERENCE_NOT_FOUND", `purpose: no consent purpose "${change.purpose}"`, {
      field: "purpose",
    });
  const addresses = (
    await db.selectFrom("person_emails").select("address_lower").where("person_id", "=", personId).execute()
  ).map((e) => e.address_lower);
  const marketing = change.purpose === "e-marketing";
  if (marketing && change.legalBasis !== "withdrawn" && !PERSON_OWN_SOURCES.includes(change.source)) {
    const suppressed = await suppressedAmong(db, addresses);
    if (suppressed.size > 0 && !(change.newConsent && change.comment?.trim()))
      throw new AppError(
        "CONSENT_SUPPRESSED",
        "legalBasis: an address of this person is on the suppression list; record new consent (newConsent: true) and say where it came from (comment)",
        { field: "newConsent", addresses: [...suppressed] },
      );
  }
  const now = isoNow();
  await db.transaction().execute(async (trx) => {
    // Withdrawing all marketing is what puts the person's addresses on the suppression list.
    if (marketing && change.legalBasis === "withdrawn")
      await suppressAddresses(trx, addresses, "unsubscribed");
    await trx
      .insertInto("person_consents")
      .values({
        person_id: personId,
        purpose_id: purpose.id,
        legal_basis: change.legalBasis,
        source: change.source,
        updated_at: now,
      })
      .onConflict((oc) =>
        oc
          .columns(["person_id", "purpose_id"])
          .doUpdateSet({ legal_basis: change.legalBasis, source: change.source, updated_at: now }),
      )
      .execute();
    await trx
      .insertInto("consent_history")
      .values({
        person_id: personId,
        purpose_id: purpose.id,
        subscription_type_id: null,
        change: change.legalBasis,
        source: change.source,
        comment: change.comment ?? null,
        user_id: change.userId ?? null,
        created_at: now,
        consent_text: change.consentText ?? null,
        form_id: change.formId ?? null,
      })
      .execute();
  });
}

export type SubscriptionChange = {
  typeId: number;
  status: SubscriptionStatus;
  source: ConsentSource;
  comment?: string | null;
  userId?: number | null;
  /** A subscription ticked on a web form: the form (SPEC §9). */
  formId?: number | null;
};

export async function setSubscription(db: Db, personId: number, change: SubscriptionChange): Promise<void> {
  const person = await db.selectFrom("persons").select("id").where("id", "=", personId).executeTakeFirst();
  if (!person) throw notFound("person", personId);
  const type = await db
    .selectFrom("subscription_types")
    .select("id")
    .where("id", "=", change.typeId)
    .executeTakeFirst();
  if (!type) throw missingReference("typeId", "subscription type", change.typeId);
  const current = await db
    .selectFrom("person_subscriptions")
    .select("status")
    .where("person_id", "=", personId)
    .where("type_id", "=", change.typeId)
    .executeTakeFirst();
  if (
    current?.status === "unsubscribed" &&
    change.status !== "unsubscribed" &&
    !PERSON_OWN_SOURCES.includes(change.source)
  )
    throw new AppError(
      "UNSUBSCRIBE_REMEMBERED",
      "status: the person unsubscribed from this type; only the person can subscribe again",
      { field: "status" },
    );
  const now = isoNow();
  await db.transaction().execute(async (trx) => {
    await trx
      .insertInto("person_subscriptions")
      .values({ person_id: personId, type_id: change.typeId, status: change.status, updated_at: now })
      .onConflict((oc) =>
        oc.columns(["person_id", "type_id"]).doUpdateSet({ status: change.status, updated_at: now }),
      )
      .execute();
    await trx
      .insertInto("consent_history")
      .values({
        person_id: personId,
        purpose_id: null,
        subscription_type_id: change.typeId,
        change: change.status,
        source: change.source,
        comment: change.comment ?? null,
        user_id: change.userId ?? null,
        created_at: now,
        form_id: change.formId ?? null,
      })
      .execute();
  });
}

export async function consentHistory(db: Db, personId: number) {
  const rows = await db
    .selectFrom("consent_history as h")
    .leftJoin("consent_purposes as cp", "cp.id", "h.purpose_id")
    .leftJoin("subscription_types as st", "st.id", "h.subscription_type_id")
    .leftJoin("users as u", "u.id", "h.user_id")
    .select([
      "h.id",
      "cp.key as purpose",
      "st.name as subscription_type",
      "h.change",
      "h.source",
      "h.comment",
      "h.consent_text",
      "h.form_id",
      "u.name as user_name",
      "h.created_at",
    ])
    .where("h.person_id", "=", personId)
    .orderBy("h.id", "desc")
    .execute();
  return rows.map((r) => ({
    id: r.id,
    purpose: r.purpose,
    subscriptionType: r.subscription_type,
    change: r.change,
    source: r.source,
    comment: r.comment,
    consentText: r.consent_text,
    formId: r.form_id,
    userName: r.user_name,
    createdAt: r.created_at,
  }));
}
