// Unsubscribing from a message's link or its one-click header: removes the subscription to the mailing's type, or
// withdraws e-marketing consent when the type is "any"; written to the consent history and as an event, once.

import { recordConsent, setSubscription } from "../contacts/consent.ts";
import type { Db } from "../db/connect.ts";
import { blockAddress } from "../send/ledger.ts";
import { type Keyring, verifyDeliveryToken } from "../send/tokens.ts";
import { isoNow } from "../shared/clock.ts";

export type UnsubscribeTarget = {
  deliveryId: number;
  mailingId: number;
  personId: number | null;
  email: string;
  language: "nb" | "en";
  typeName: string | null;
  alreadyDone: boolean;
};

/** What a token's link would unsubscribe from, or null for a malformed, forged or unknown token. */
export async function unsubscribeTarget(
  db: Db,
  keys: Keyring,
  token: string,
): Promise<UnsubscribeTarget | null> {
  const deliveryId = verifyDeliveryToken(keys, "unsubscribe", token);
  if (deliveryId === null) return null;
  const row = await db
    .selectFrom("deliveries as d")
    .innerJoin("mailings as m", "m.id", "d.mailing_id")
    .leftJoin("persons as p", "p.id", "d.person_id")
    .leftJoin("subscription_types as t", "t.id", "m.subscription_type_id")
    .select(["d.id", "d.mailing_id", "d.person_id", "d.email", "p.language", "t.name as type_name"])
    .where("d.id", "=", deliveryId)
    .executeTakeFirst();
  if (!row) return null;
  const done = await db
    .selectFrom("events")
    .select("id")
    .where("delivery_id", "=", deliveryId)
    .where("kind", "=", "unsubscribed")
    .executeTakeFirst();
  return {
    deliveryId,
    mailingId: row.mailing_id,
    personId: row.person_id,
    email: row.email,
    language: row.language === "en" ? "en" : "nb",
    typeName: row.type_name,
    alreadyDone: Boolean(done),
  };
}

/** Performs the unsubscribe; a second call for the same delivery changes nothing. */
export async function unsubscribe(
  db: Db,
  target: UnsubscribeTarget,
  via: "page" | "one-click",
): Promise<void> {
  if (target.alreadyDone) return;
  const mailing = await db
    .selectFrom("mailings")
    .select("subscription_type_id")
    .where("id", "=", target.mailingId)
    .executeTakeFirstOrThrow();
  const comment = `mailing ${target.mailingId} (${via === "one-click" ? "one-click from the mail client" : "unsubscribe page"})`;
  if (target.personId !== null) {
    if (mailing.subscription_type_id !== null)
      await setSubscription(db, target.personId, {
        typeId: mailing.subscription_type_id,
        status: "unsubscribed",
        source: "unsubscribe-link",
        comment,
      });
    else
      await recordConsent(db, target.personId, {
        purpose: "e-marketing",
        legalBasis: "withdrawn",
        source: "unsubscribe-link",
        comment,
      });
  } else {
    // Someone imported without a CRM record: remembered by address, so later mailings skip it.
    await blockAddress(db, target.email.toLowerCase(), "unsubscribed", comment, isoNow());
  }
  await db
    .insertInto("events")
    .values({
      mailing_id: target.mailingId,
      delivery_id: target.deliveryId,
      person_id: target.personId,
      kind: "unsubscribed",
      detail: via,
      flagged: 0,
      is_test: 0,
      created_at: isoNow(),
    })
    .execute();
}
