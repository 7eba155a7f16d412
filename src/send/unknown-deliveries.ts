// Deliveries left unknown by a stopped process (handed to the server, no answer heard) are resolved by a person:
// marked as sent, or sent again as a new attempt (SPEC §7). Never resent blindly.
import type { Db } from "../db/connect.ts";
import { appendEvent } from "../deliveries/events.ts";
import { isoNow } from "../shared/clock.ts";
import { AppError, conflict, notFound } from "../shared/errors.ts";
import { resendAsNewAttempt } from "./resend.ts";

async function unknownDelivery(db: Db, id: number) {
  const d = await db.selectFrom("deliveries").selectAll().where("id", "=", id).executeTakeFirst();
  if (!d) throw notFound("delivery", id);
  if (d.status !== "unknown")
    throw new AppError(
      "DELIVERY_WRONG_STATUS",
      `delivery ${id} is ${d.status}; only unknown deliveries are resolved by hand`,
      {
        status: d.status,
      },
    );
  return d;
}

/** A person decided the server did accept it. */
export async function markDeliverySent(db: Db, id: number) {
  const d = await unknownDelivery(db, id);
  const now = isoNow();
  await db.transaction().execute(async (trx) => {
    await trx
      .updateTable("deliveries")
      .set({ status: "sent", sent_at: now, updated_at: now })
      .where("id", "=", id)
      .where("status", "=", "unknown")
      .execute();
    await appendEvent(trx, {
      mailing_id: d.mailing_id,
      delivery_id: id,
      person_id: d.person_id,
      kind: "sent",
      detail: "marked as sent by a person",
      flagged: 0,
      is_test: 0,
      created_at: now,
    });
  });
}

/**
 * A person decided to send again: a new attempt with its own identity, to the recipient's current address; the
 * unsure one keeps its history. Refused (CONFLICT) when the address is now blocked or another attempt exists.
 */
export async function sendDeliveryAgain(db: Db, id: number): Promise<number> {
  const d = await unknownDelivery(db, id);
  const result = await resendAsNewAttempt(db, d.mailing_id, [d.recipient_id], { despiteUnknown: true });
  const created = result.created[0];
  if (created) return created.deliveryId;
  const reason = result.skipped[0]?.reason ?? "not-a-recipient";
  throw conflict("email", `delivery ${id} cannot be sent again: ${reason}`);
}
