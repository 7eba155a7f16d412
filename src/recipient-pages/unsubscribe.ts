// Unsubscribing from a message's link or its one-click header: removes the subscription to the mailing's type, or
// withdraws e-marketing consent when the type is "any". It takes effect whenever the person is subscribed now (also
// after they subscribed again since the message was sent); the statistics' event is written once per delivery.

import type { Db } from "../db/connect.ts";
import { blockAddress, blockCauseOf } from "../deliveries/blocks.ts";
import { appendEvent } from "../deliveries/events.ts";
import type { Keyring } from "../deliveries/tokens.ts";
import { recordConsent, setSubscription } from "../persons/consent.ts";
import { isoNow } from "../shared/clock.ts";
import { type PageRecipient, recipientOfToken } from "./recipient-of-token.ts";

export type UnsubscribeTarget = PageRecipient & {
  /** The person (or the address, for someone not in the CRM) is unsubscribed now: nothing is left to do. */
  alreadyDone: boolean;
};

/** What a token's link would unsubscribe from, or null for a malformed, forged or unknown token. */
export async function unsubscribeTarget(
  db: Db,
  keys: Keyring,
  token: string,
): Promise<UnsubscribeTarget | null> {
  const recipient = await recipientOfToken(db, keys, token);
  if (!recipient) return null;
  return { ...recipient, alreadyDone: await isUnsubscribedNow(db, recipient) };
}

async function isUnsubscribedNow(
  db: Db,
  target: Pick<UnsubscribeTarget, "personId" | "email" | "subscriptionTypeId">,
): Promise<boolean> {
  if (target.personId === null) {
    return (await blockCauseOf(db, target.email.toLowerCase())) === "unsubscribed";
  }
  if (target.subscriptionTypeId !== null) {
    const subscription = await db
      .selectFrom("person_subscriptions")
      .select("status")
      .where("person_id", "=", target.personId)
      .where("type_id", "=", target.subscriptionTypeId)
      .executeTakeFirst();
    return subscription?.status === "unsubscribed";
  }
  const consent = await db
    .selectFrom("person_consents as c")
    .innerJoin("consent_purposes as cp", "cp.id", "c.purpose_id")
    .select("c.legal_basis")
    .where("c.person_id", "=", target.personId)
    .where("cp.key", "=", "e-marketing")
    .executeTakeFirst();
  return consent?.legal_basis === "withdrawn";
}

/** Performs the unsubscribe unless the person is unsubscribed already; counts it once per delivery. */
export async function unsubscribe(
  db: Db,
  target: UnsubscribeTarget,
  via: "page" | "one-click",
): Promise<void> {
  if (target.alreadyDone) return;
  const mailing = { subscription_type_id: target.subscriptionTypeId };
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
  const counted = await db
    .selectFrom("events")
    .select("id")
    .where("delivery_id", "=", target.deliveryId)
    .where("kind", "=", "unsubscribed")
    .executeTakeFirst();
  if (counted) return;
  await appendEvent(db, {
    mailing_id: target.mailingId,
    delivery_id: target.deliveryId,
    person_id: target.personId,
    kind: "unsubscribed",
    detail: via,
    flagged: 0,
    is_test: 0,
    created_at: isoNow(),
  });
}
