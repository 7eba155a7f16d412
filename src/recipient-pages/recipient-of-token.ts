// Who a recipient's page is for: the delivery a link's token names, with its mailing's subscription type and the
// recipient's language. One token per delivery serves all the message's own links (unsubscribe, subscriptions,
// view online).
import type { Db } from "../db/connect.ts";
import { type Keyring, verifyDeliveryToken } from "../deliveries/tokens.ts";

export type PageRecipient = {
  deliveryId: number;
  mailingId: number;
  personId: number | null;
  email: string;
  language: "nb" | "en";
  subscriptionTypeId: number | null;
  typeName: string | null;
};

/** The recipient a token names, or null for a malformed, forged or unknown token. Reads only. */
export async function recipientOfToken(db: Db, keys: Keyring, token: string): Promise<PageRecipient | null> {
  const deliveryId = verifyDeliveryToken(keys, "unsubscribe", token);
  if (deliveryId === null) return null;
  const row = await db
    .selectFrom("deliveries as d")
    .innerJoin("mailings as m", "m.id", "d.mailing_id")
    .leftJoin("persons as p", "p.id", "d.person_id")
    .leftJoin("subscription_types as t", "t.id", "m.subscription_type_id")
    .select([
      "d.mailing_id",
      "d.person_id",
      "d.address",
      "p.language",
      "t.name as type_name",
      "m.subscription_type_id",
    ])
    .where("d.id", "=", deliveryId)
    .executeTakeFirst();
  if (!row) return null;
  return {
    deliveryId,
    mailingId: row.mailing_id,
    personId: row.person_id,
    email: row.address,
    language: row.language === "en" ? "en" : "nb",
    subscriptionTypeId: row.subscription_type_id,
    typeName: row.type_name,
  };
}
