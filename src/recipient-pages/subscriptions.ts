// The manage-subscriptions page behind `[[link.subscriptions]]`: what a person is subscribed to, and saving their
// choices to the consent history. Removing the mailing's own type (or all marketing) counts as an unsubscribe, once.

import type { Db } from "../db/connect.ts";
import { blockAddress, blockCauseOf } from "../deliveries/blocks.ts";
import { appendEvent } from "../deliveries/events.ts";
import type { Keyring } from "../deliveries/tokens.ts";
import { recordConsent, setSubscription } from "../persons/consent.ts";
import { isoNow } from "../shared/clock.ts";
import { recipientOfToken } from "./recipient-of-token.ts";

export type SubscriptionChoice = {
  id: number;
  name: string;
  description: string | null;
  subscribed: boolean;
};

export type SubscriptionsTarget = {
  deliveryId: number;
  mailingId: number;
  mailingTypeId: number | null;
  /** Null for a recipient imported without a CRM record: only the all-marketing choice applies. */
  personId: number | null;
  email: string;
  language: "nb" | "en";
  types: SubscriptionChoice[];
  /** E-marketing consent withdrawn, or (for an import-only recipient) the address blocked. */
  allMarketingWithdrawn: boolean;
};

/** What the person chose on the page; only types the page showed can change. */
export type SubmittedChoices = { shownTypeIds: number[]; checkedTypeIds: number[]; allMarketing: boolean };

/** The page's form fields: `shown` lists the type ids on the page, `type-<id>` is sent for each ticked box. */
export function choicesFromForm(form: Record<string, unknown>): SubmittedChoices {
  const shownTypeIds = String(form.shown ?? "")
    .split(",")
    .map((s) => Number(s))
    .filter((n) => Number.isSafeInteger(n) && n > 0);
  return {
    shownTypeIds,
    checkedTypeIds: shownTypeIds.filter((id) => form[`type-${id}`] !== undefined),
    allMarketing: form["all-marketing"] !== undefined,
  };
}

/** The page for a token, or null for a malformed, forged or unknown one. Reads only. */
export async function subscriptionsTarget(
  db: Db,
  keys: Keyring,
  token: string,
): Promise<SubscriptionsTarget | null> {
  const row = await recipientOfToken(db, keys, token);
  if (!row) return null;
  const base = {
    deliveryId: row.deliveryId,
    mailingId: row.mailingId,
    mailingTypeId: row.subscriptionTypeId,
    email: row.email,
    language: row.language,
  };
  if (row.personId === null) {
    const blocked = (await blockCauseOf(db, row.email.toLowerCase())) !== null;
    return { ...base, personId: null, types: [], allMarketingWithdrawn: blocked };
  }
  const personId = row.personId;
  const [types, marketing] = await Promise.all([
    db
      .selectFrom("subscription_types as t")
      .leftJoin("person_subscriptions as ps", (join) =>
        join.onRef("ps.type_id", "=", "t.id").on("ps.person_id", "=", personId),
      )
      .select(["t.id", "t.name", "t.description", "ps.status"])
      .orderBy("t.id")
      .execute(),
    db
      .selectFrom("person_consents as pc")
      .innerJoin("consent_purposes as cp", "cp.id", "pc.purpose_id")
      .select("pc.legal_basis")
      .where("pc.person_id", "=", personId)
      .where("cp.key", "=", "e-marketing")
      .executeTakeFirst(),
  ]);
  return {
    ...base,
    personId,
    types: types.map((t) => ({
      id: t.id,
      name: t.name,
      description: t.description,
      subscribed: t.status === "subscribed",
    })),
    allMarketingWithdrawn: marketing?.legal_basis === "withdrawn",
  };
}

export type SavedChoices = { subscribed: number[]; unsubscribed: number[]; withdrewAllMarketing: boolean };

/** Saves what changed, and only that; the page's GET never gets here. */
export async function saveSubscriptionChoices(
  db: Db,
  target: SubscriptionsTarget,
  choices: SubmittedChoices,
): Promise<SavedChoices> {
  const comment = `manage-subscriptions page, mailing ${target.mailingId}`;
  const saved: SavedChoices = { subscribed: [], unsubscribed: [], withdrewAllMarketing: false };
  const withdraw = choices.allMarketing && !target.allMarketingWithdrawn;
  if (target.personId === null) {
    if (withdraw) {
      // No CRM record to hold consent: remembered by address, so later mailings skip it.
      await blockAddress(db, target.email.toLowerCase(), "unsubscribed", comment, isoNow());
      saved.withdrewAllMarketing = true;
    }
  } else {
    const shown = new Set(choices.shownTypeIds);
    // Leaving all marketing also leaves every type: a subscription alone lets a typed mailing through.
    const checked = new Set(choices.allMarketing ? [] : choices.checkedTypeIds);
    for (const type of target.types) {
      const decided = shown.has(type.id) || choices.allMarketing;
      if (!decided || checked.has(type.id) === type.subscribed) continue;
      const status = checked.has(type.id) ? "subscribed" : "unsubscribed";
      // "unsubscribe-link" is the source for the person acting through the message's links; it is also what lets
      // them undo their own earlier unsubscribe.
      await setSubscription(db, target.personId, {
        typeId: type.id,
        status,
        source: "unsubscribe-link",
        comment,
      });
      saved[status].push(type.id);
    }
    if (withdraw) {
      await recordConsent(db, target.personId, {
        purpose: "e-marketing",
        legalBasis: "withdrawn",
        source: "unsubscribe-link",
        comment,
      });
      saved.withdrewAllMarketing = true;
    }
  }
  const leftMailingType = target.mailingTypeId !== null && saved.unsubscribed.includes(target.mailingTypeId);
  if (saved.withdrewAllMarketing || leftMailingType) await recordUnsubscribeEvent(db, target);
  return saved;
}

/** Statistics count one unsubscribe per delivery, whichever page (or the one-click POST) did it first. */
async function recordUnsubscribeEvent(db: Db, target: SubscriptionsTarget): Promise<void> {
  const done = await db
    .selectFrom("events")
    .select("id")
    .where("delivery_id", "=", target.deliveryId)
    .where("kind", "=", "unsubscribed")
    .executeTakeFirst();
  if (done) return;
  await appendEvent(db, {
    mailing_id: target.mailingId,
    delivery_id: target.deliveryId,
    person_id: target.personId,
    kind: "unsubscribed",
    detail: "subscriptions-page",
    flagged: 0,
    is_test: 0,
    created_at: isoNow(),
  });
}
