// SMS replies (SPEC §12): every inbound message is kept with the mailing it answers (the last SMS mailing sent to
// that number), and one whose first word is STOPP, STOP or AVMELD unsubscribes the number's person from that
// mailing's subscription type, recorded in the consent history with source "sms-reply". Someone imported without a
// CRM record has no subscription to change, so the number itself is blocked as unsubscribed.
import type { Db } from "../../../db/connect.ts";
import { blockAddress } from "../../../deliveries/blocks.ts";
import { setSubscription } from "../../../persons/consent.ts";
import { isoNow } from "../../../shared/clock.ts";
import { isOptOutReply } from "../../../sms/opt-out.ts";
import { toE164 } from "../../../sms/phone.ts";
import type { InboundSms } from "./types.ts";

/** A provider may hand over the same message twice (an SMPP retransmission): the same text within this is one. */
const DUPLICATE_WINDOW_MS = 10 * 60_000;

export type StoredInbound = {
  id: number;
  kind: "opt-out" | "reply";
  mailingId: number | null;
  personId: number | null;
};

export async function recordInboundSms(
  db: Db,
  accountId: number,
  message: InboundSms,
): Promise<StoredInbound> {
  const from = toE164(message.from) ?? message.from;
  const kind = isOptOutReply(message.text) ? "opt-out" : "reply";
  const since = new Date(new Date(message.at).getTime() - DUPLICATE_WINDOW_MS).toISOString();
  const earlier = await db
    .selectFrom("sms_inbound")
    .select(["id", "kind", "mailing_id", "person_id"])
    .where("from_number", "=", from)
    .where("to_number", "=", message.to)
    .where("text", "=", message.text)
    .where("received_at", ">=", since)
    .executeTakeFirst();
  if (earlier)
    return { id: earlier.id, kind: earlier.kind, mailingId: earlier.mailing_id, personId: earlier.person_id };

  const answered = await db
    .selectFrom("deliveries as d")
    .innerJoin("mailings as m", "m.id", "d.mailing_id")
    .select(["d.mailing_id", "d.person_id", "m.subscription_type_id"])
    .where("d.channel", "=", "sms")
    .where("d.address", "=", from)
    .where("d.sent_at", "is not", null)
    .orderBy("d.sent_at", "desc")
    .orderBy("d.id", "desc")
    .limit(1)
    .executeTakeFirst();
  const row = await db
    .insertInto("sms_inbound")
    .values({
      account_id: accountId,
      from_number: from,
      to_number: message.to,
      text: message.text.slice(0, 2000),
      kind,
      mailing_id: answered?.mailing_id ?? null,
      person_id: answered?.person_id ?? null,
      received_at: message.at,
    })
    .returning("id")
    .executeTakeFirstOrThrow();

  if (kind === "opt-out" && answered) {
    const comment = `SMS reply "${message.text.trim().slice(0, 100)}" from ${from}`;
    if (answered.person_id !== null && answered.subscription_type_id !== null) {
      const current = await db
        .selectFrom("person_subscriptions")
        .select("status")
        .where("person_id", "=", answered.person_id)
        .where("type_id", "=", answered.subscription_type_id)
        .executeTakeFirst();
      if (current?.status !== "unsubscribed")
        await setSubscription(db, answered.person_id, {
          typeId: answered.subscription_type_id,
          status: "unsubscribed",
          source: "sms-reply",
          comment,
        });
    } else if (answered.person_id === null) {
      await blockAddress(db, from, "unsubscribed", comment, isoNow());
    }
  }
  return { id: row.id, kind, mailingId: answered?.mailing_id ?? null, personId: answered?.person_id ?? null };
}
