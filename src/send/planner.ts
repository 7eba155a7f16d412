// Starting a mailing: refresh the list when asked, check that nothing blocks it, then freeze one delivery per
// eligible recipient (attempt 1) in the same transaction that sets the mailing to sending.

import { type RawBuilder, sql } from "kysely";
import type { Db } from "../db/connect.ts";
import { refreshStatistics } from "../db/statistics.ts";
import { emailMessageIdSql } from "../deliveries/identity.ts";
import { resolveRecipients } from "../mailings/recipients.ts";
import { getMailing } from "../mailings/store.ts";
import { transition } from "../mailings/transition.ts";
import { isoNow } from "../shared/clock.ts";
import { AppError } from "../shared/errors.ts";

function formTaken(mailingId: number): AppError {
  return new AppError(
    "MAILING_NOT_READY",
    `mailing ${mailingId} cannot be started: another form-response mailing already answers its form`,
    {
      problems: [
        { step: "setup", code: "form-taken", field: "formId", message: "The form is already answered" },
      ],
    },
  );
}

export async function beginSending(db: Db, mailingId: number): Promise<{ deliveries: number }> {
  let mailing = await getMailing(db, mailingId);
  if (mailing.status !== "draft" && mailing.status !== "scheduled")
    throw new AppError(
      "MAILING_WRONG_STATUS",
      `mailing ${mailingId} is ${mailing.status}; only a draft or scheduled mailing can start`,
      {
        status: mailing.status,
      },
    );
  const form = mailing.type === "form";
  // A form response has no list to resolve: its recipients come one per processed submission (form-response.ts).
  if (!form && (mailing.options.refreshOnSend || mailing.recipientsResolvedAt === null)) {
    await resolveRecipients(db, mailingId);
    mailing = await getMailing(db, mailingId);
  }
  if (!mailing.canSend)
    throw new AppError(
      "MAILING_NOT_READY",
      `mailing ${mailingId} cannot be sent: ${mailing.problems.map((p) => p.message).join("; ")}`,
      { problems: mailing.problems },
    );
  const now = isoNow();
  // E-mail deliveries get their Message-ID from (mailing, recipient, attempt); an SMS goes to the E.164 number; a
  // letter to its address block, and is generated into the mailing's document rather than sent (documents/).
  const channelColumns =
    mailing.type === "sms"
      ? sql`'sms', r.mobile, r.mobile, 'pending', null`
      : mailing.type === "document"
        ? sql`'document', r.postal_address, r.postal_key, 'pending', null`
        : sql`'email', r.email, r.email_lower, 'pending', ${emailMessageIdSql(1, mailing.fromAddress!.split("@")[1]!.toLowerCase())}`;
  return db.transaction().execute(async (trx) => {
    const started = await transition(trx, mailingId, "send", { now, also: { started_at: now } }).catch(
      (error: unknown) => {
        // The unique index of one live form response per form: another was started at the same moment.
        if (form) throw formTaken(mailingId);
        throw error;
      },
    );
    if (started.length === 0)
      throw new AppError("MAILING_WRONG_STATUS", `mailing ${mailingId} was started by someone else`, {});
    // Started, a form response is live: it answers the form's submissions as they are processed, and sends nothing now.
    if (form) return { deliveries: 0 };
    const inserted = await deliveriesInsert(mailingId, channelColumns, now).execute(trx);
    if (mailing.type === "document") {
      // A run stopped by a cancel is not resumed: this Send makes the document afresh.
      await trx
        .deleteFrom("document_files")
        .where("mailing_id", "=", mailingId)
        .where("status", "<>", "ready")
        .execute();
      await trx
        .insertInto("document_files")
        .values({
          mailing_id: mailingId,
          status: "generating",
          letters: Number(inserted.numAffectedRows ?? 0),
          created_at: now,
        })
        .execute();
    }
    // The claims that follow are planned on the deliveries just written.
    await refreshStatistics(trx, ["deliveries"]);
    return { deliveries: Number(inserted.numAffectedRows ?? 0) };
  });
}

/**
 * One delivery (attempt 1) per eligible recipient that has none yet. `not in` over the mailing's deliveries, read
 * once (PostgreSQL hashes it), not `not exists` per recipient: on a deliveries table whose statistics say empty (a
 * first mailing) PostgreSQL ran that as a nested loop over the rows this very statement was inserting, 3.6 s at
 * 20,000 recipients and growing with the square.
 */
export function deliveriesInsert(mailingId: number, channelColumns: RawBuilder<unknown>, now: string) {
  return sql`
      insert into deliveries (mailing_id, recipient_id, attempt, person_id, channel, address, address_key, status,
        message_id, tries, next_try_at, created_at, updated_at)
      select r.mailing_id, r.id, 1, r.person_id, ${channelColumns}, 0, ${now}, ${now}, ${now}
      from mailing_recipients r
      where r.mailing_id = ${mailingId} and r.status = 'eligible'
        and r.id not in (select d.recipient_id from deliveries d where d.mailing_id = ${mailingId})`;
}
