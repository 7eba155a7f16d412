// `[[link.viewOnline]]`: the message as its recipient got it, rendered again from the stored mailing and recipient.
import type { Db } from "../db/connect.ts";
import { recipientLinks } from "../deliveries/identity.ts";
import { type Keyring, verifyDeliveryToken } from "../deliveries/tokens.ts";
import { loadRecipientValues } from "../mailings/merge-values.ts";
import { prepareMailing, renderDelivery } from "../send/channels/email/prepare.ts";

/** The HTML of the delivery a link names, or null for a malformed, forged or unknown token. */
export async function viewOnlineHtml(
  db: Db,
  keys: Keyring,
  publicUrl: string,
  token: string,
): Promise<string | null> {
  // The message's links share one token per delivery (unsubscribe, subscriptions, view online).
  const deliveryId = verifyDeliveryToken(keys, "unsubscribe", token);
  if (deliveryId === null) return null;
  const delivery = await db
    .selectFrom("deliveries")
    .select(["id", "mailing_id", "recipient_id", "address as email", "message_id"])
    .where("id", "=", deliveryId)
    .executeTakeFirst();
  if (!delivery) return null;
  const prepared = await prepareMailing(db, delivery.mailing_id);
  const values = await loadRecipientValues(db, [
    { recipientId: delivery.recipient_id, email: delivery.email },
  ]);
  const recipient = values.get(delivery.recipient_id);
  if (!recipient) return null;
  const { message } = renderDelivery(
    prepared,
    { id: delivery.id, email: delivery.email, messageId: delivery.message_id ?? "" },
    recipient,
    recipientLinks(publicUrl, keys, delivery.id),
    keys,
    { publicUrl },
  );
  return message.html;
}
