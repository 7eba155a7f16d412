// Sending a mailing again to some of its recipients: each gets a new delivery attempt with its own identity, to the
// address the recipient has now; earlier attempts keep their history (SPEC §7, §8 "Resend").

import type { Db } from "../db/connect.ts";
import type { DeliveryStatus, MailingStatus } from "../db/schema.ts";
import { blockedAmong } from "../deliveries/blocks.ts";
import { emailMessageId, messageIdDomain } from "../deliveries/identity.ts";
import { transition } from "../mailings/transition.ts";
import { isoNow } from "../shared/clock.ts";
import { AppError, notFound } from "../shared/errors.ts";

/** Why a recipient got no new attempt. */
export type ResendSkipReason =
  /** Not a recipient of this mailing. */
  | "not-a-recipient"
  /** Left out when the list was resolved (no consent, unsubscribed, duplicate …): a resend does not overrule that. */
  | "not-eligible"
  /** An attempt was accepted by the server (sent, or complained about later) or is unsure (unknown). */
  | "received"
  /** An attempt is still pending or on its way: a second one would send twice. */
  | "in-flight"
  /** The person has no e-mail address any more. */
  | "no-email"
  /** SMS: the person has no mobile number any more. */
  | "no-mobile"
  /** The person is marked as a former employee. */
  | "former-employee"
  /** The current address is blocked (bounced, complained). */
  | "blocked";

export type ResendResult = {
  created: Array<{ recipientId: number; deliveryId: number; email: string; attempt: number }>;
  skipped: Array<{ recipientId: number; reason: ResendSkipReason }>;
};

export type ResendOptions = {
  /**
   * Send again even though an attempt is `unknown` (a crash left it unsure whether the server accepted it). Only a
   * person who has looked at that delivery decides this (the "send again" action on unknown deliveries).
   */
  despiteUnknown?: boolean;
  now?: string;
};

const RECEIVED: DeliveryStatus[] = ["sent", "delivered", "complained"];
const IN_FLIGHT: DeliveryStatus[] = ["pending", "claimed", "sending"];

/**
 * Creates a new delivery attempt (attempt = last + 1, status pending, Message-ID
 * `m<mailing>.r<recipient>.a<attempt>@<domain>` as the planner makes it) for each of `recipientIds` that has not
 * received the mailing. The address is the recipient's current one: for a CRM person it is re-read (the address the
 * recipient had if the person still has it, else the person's primary address) and written back to the recipient
 * row first, so the list shows where the message went. Recipients whose address is blocked, who were not eligible,
 * or who have an attempt in flight are skipped with the reason. A finished mailing opens again (→ sending) so the
 * worker sends the new attempts; a paused one stays paused. Draft, scheduled and cancelled mailings refuse.
 * Everything happens in one transaction: either all the attempts are created or none.
 */
/** Only a mailing that has started sending can be sent again: a draft or scheduled one is sent, not resent. */
export function requireSent(mailingId: number, status: MailingStatus): void {
  if (!["sending", "paused", "finished"].includes(status))
    throw new AppError(
      "MAILING_WRONG_STATUS",
      `mailing ${mailingId} is ${status}; only a mailing that has been sent can be sent again`,
      { status, action: "resend" },
    );
}

export async function resendAsNewAttempt(
  db: Db,
  mailingId: number,
  recipientIds: number[],
  options: ResendOptions = {},
): Promise<ResendResult> {
  const mailing = await db
    .selectFrom("mailings")
    .select(["id", "type", "status", "from_address"])
    .where("id", "=", mailingId)
    .executeTakeFirst();
  if (!mailing) throw notFound("mailing", mailingId);
  requireSent(mailingId, mailing.status);
  const now = options.now ?? isoNow();
  const ids = [...new Set(recipientIds)];
  const result: ResendResult = { created: [], skipped: [] };
  if (ids.length === 0) return result;

  await db.transaction().execute(async (trx) => {
    const t = trx as unknown as Db;
    const recipients = await chunked(ids, (chunk) =>
      t
        .selectFrom("mailing_recipients")
        .select(["id", "person_id", "email", "email_lower", "mobile", "status"])
        .where("mailing_id", "=", mailingId)
        .where("id", "in", chunk)
        .execute(),
    );
    const attempts = await chunked(ids, (chunk) =>
      t
        .selectFrom("deliveries")
        .select(["recipient_id", "attempt", "status", "message_id"])
        .where("mailing_id", "=", mailingId)
        .where("recipient_id", "in", chunk)
        .execute(),
    );
    const personIds = [...new Set(recipients.flatMap((r) => (r.person_id === null ? [] : [r.person_id])))];
    const [emails, persons] = await Promise.all([
      chunked(personIds, (chunk) =>
        t
          .selectFrom("person_emails")
          .select(["person_id", "address", "address_lower", "is_primary"])
          .where("person_id", "in", chunk)
          .execute(),
      ),
      chunked(personIds, (chunk) =>
        t
          .selectFrom("persons")
          .select(["id", "former_employee", "mobile"])
          .where("id", "in", chunk)
          .execute(),
      ),
    ]);
    const formerEmployees = new Set(persons.filter((p) => p.former_employee === 1).map((p) => p.id));
    const mobiles = new Map(persons.map((p) => [p.id, p.mobile]));
    const sms = mailing.type === "sms";
    const byId = new Map(recipients.map((r) => [r.id, r]));

    type Planned = { recipientId: number; personId: number | null; email: string; emailLower: string };
    const planned: Planned[] = [];
    for (const id of ids) {
      const r = byId.get(id);
      if (!r) {
        result.skipped.push({ recipientId: id, reason: "not-a-recipient" });
        continue;
      }
      if (r.status !== "eligible") {
        result.skipped.push({ recipientId: id, reason: "not-eligible" });
        continue;
      }
      const mine = attempts.filter((a) => a.recipient_id === id);
      const received = mine.some(
        (a) => RECEIVED.includes(a.status) || (a.status === "unknown" && !options.despiteUnknown),
      );
      if (received) {
        result.skipped.push({ recipientId: id, reason: "received" });
        continue;
      }
      if (mine.some((a) => IN_FLIGHT.includes(a.status))) {
        result.skipped.push({ recipientId: id, reason: "in-flight" });
        continue;
      }
      if (r.person_id !== null && formerEmployees.has(r.person_id)) {
        result.skipped.push({ recipientId: id, reason: "former-employee" });
        continue;
      }
      if (sms) {
        // The person's number now (stored in E.164), else the one the list had.
        const mobile = (r.person_id !== null ? mobiles.get(r.person_id) : null) ?? r.mobile;
        if (!mobile) result.skipped.push({ recipientId: id, reason: "no-mobile" });
        else planned.push({ recipientId: id, personId: r.person_id, email: mobile, emailLower: mobile });
        continue;
      }
      let address =
        r.email === null ? null : { address: r.email, lower: r.email_lower ?? r.email.toLowerCase() };
      if (r.person_id !== null) {
        const own = emails.filter((e) => e.person_id === r.person_id);
        const kept = own.find((e) => e.address_lower === r.email_lower);
        const primary = own.find((e) => e.is_primary === 1) ?? own[0];
        const current = kept ?? primary;
        address = current ? { address: current.address, lower: current.address_lower } : null;
      }
      if (!address || address.address === "") {
        result.skipped.push({ recipientId: id, reason: "no-email" });
        continue;
      }
      planned.push({
        recipientId: id,
        personId: r.person_id,
        email: address.address,
        emailLower: address.lower,
      });
    }

    const blocked = await blockedAmong(
      t,
      planned.map((p) => p.emailLower),
    );
    const fallbackDomain = mailing.from_address?.split("@")[1]?.toLowerCase();
    for (const p of planned) {
      if (blocked.has(p.emailLower)) {
        result.skipped.push({ recipientId: p.recipientId, reason: "blocked" });
        continue;
      }
      const mine = attempts.filter((a) => a.recipient_id === p.recipientId);
      const attempt = Math.max(0, ...mine.map((a) => a.attempt)) + 1;
      const domain = fallbackDomain ?? messageIdDomain(mine[0]?.message_id ?? null);
      if (!domain && !sms)
        throw new AppError("MAILING_NOT_READY", `mailing ${mailingId} has no sender address to send from`, {
          problems: [{ code: "fromAddress", message: "no sender address" }],
        });
      await t
        .updateTable("mailing_recipients")
        .set(sms ? { mobile: p.email } : { email: p.email, email_lower: p.emailLower })
        .where("id", "=", p.recipientId)
        .execute();
      const row = await t
        .insertInto("deliveries")
        .values({
          mailing_id: mailingId,
          recipient_id: p.recipientId,
          attempt,
          person_id: p.personId,
          channel: sms ? "sms" : "email",
          address: p.email,
          address_key: p.emailLower,
          status: "pending",
          message_id: sms
            ? null
            : emailMessageId({ mailingId, recipientId: p.recipientId, attempt }, domain!),
          tries: 0,
          next_try_at: now,
          created_at: now,
          updated_at: now,
        })
        .returning("id")
        .executeTakeFirstOrThrow();
      result.created.push({ recipientId: p.recipientId, deliveryId: row.id, email: p.email, attempt });
    }
    // The worker only sends for mailings that are sending; a finished one opens again for the new attempts.
    if (result.created.length > 0) await transition(t, mailingId, "reopen", { now });
  });
  return result;
}

/** `in (…)` lists stay well under SQLite's and PostgreSQL's parameter limits. */
async function chunked<T, R>(values: T[], run: (chunk: T[]) => Promise<R[]>): Promise<R[]> {
  const out: R[] = [];
  for (let i = 0; i < values.length; i += 500) out.push(...(await run(values.slice(i, i + 500))));
  return out;
}
