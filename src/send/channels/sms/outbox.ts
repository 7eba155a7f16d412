// The local SMS outbox: the SMS transport of a laptop (`npm start`) and of tests. Messages are stored and shown in the
// Outbox beside e-mail; the outbox stands for the phone, so each message it accepts is at once reported delivered —
// through the same stored-report path a provider's early receipt takes.
import type { Db } from "../../../db/connect.ts";
import { isoNow } from "../../../shared/clock.ts";
import type { Transport } from "../../channel.ts";
import type { SendOutcome } from "../../outcomes.ts";
import type { SmsEvents, SmsMessage } from "./types.ts";

export function smsOutboxTransport(db: Db, events: SmsEvents): Transport<SmsMessage> {
  return {
    async send(batch) {
      const outcomes: SendOutcome[] = [];
      for (const message of batch) {
        const now = isoNow();
        const row = await db
          .insertInto("outbox_messages")
          .values({
            mailing_id: message.mailingId,
            delivery_id: message.deliveryId,
            is_test: message.isTest ? 1 : 0,
            envelope_from: message.from,
            to_address: message.to,
            subject: message.text.split("\n")[0]!.slice(0, 120),
            raw: message.text,
            channel: "sms",
            created_at: now,
          })
          .returning("id")
          .executeTakeFirstOrThrow();
        const providerId = `outbox-${row.id}`;
        if (!message.isTest)
          await events.report({ providerMessageId: providerId, status: "delivered", code: null, at: now });
        outcomes.push({
          kind: "accepted",
          reply: `stored in the local SMS outbox (${message.parts} part${message.parts === 1 ? "" : "s"})`,
          providerIds: [providerId],
        });
      }
      return outcomes;
    },
    close: async () => {},
  };
}
