// Whether one person would receive a mailing, and if not why, before they are added as a source: the single-person
// picker says so at once. The answer comes from the one eligibility rule (resolveRecipients), run on a scratch
// mailing that holds only this person, so the picker can never disagree with the list it adds the person to.
import { isLeftOut, type StoredBlockReason } from "../db/block-reasons.ts";
import type { Db } from "../db/connect.ts";
import { isoNow } from "../shared/clock.ts";
import { notFound } from "../shared/errors.ts";
import { addSource, resolveRecipients } from "./recipients.ts";

export type PersonCheck = {
  personId: number;
  /** Left out: the person has no address for this channel (no e-mail, no mobile, no postal address). */
  status: "eligible" | "blocked" | "left-out";
  reason: StoredBlockReason | null;
  /** The person is on the mailing's list already (the answer is then that row's). */
  alreadyListed: boolean;
};

export async function checkPerson(db: Db, mailingId: number, personId: number): Promise<PersonCheck> {
  const mailing = await db.selectFrom("mailings").selectAll().where("id", "=", mailingId).executeTakeFirst();
  if (!mailing) throw notFound("mailing", mailingId);
  const listed = await db
    .selectFrom("mailing_recipients")
    .select(["status", "block_reason"])
    .where("mailing_id", "=", mailingId)
    .where("person_id", "=", personId)
    .orderBy("position")
    .orderBy("id")
    .executeTakeFirst();
  if (listed) return answer(personId, listed.status, listed.block_reason as StoredBlockReason | null, true);

  const now = isoNow();
  // Cancelled from birth: no list, worker or count treats it as a mailing of its own.
  const scratch = await db
    .insertInto("mailings")
    .values({
      name: `${mailing.name} (person check ${now})`,
      type: mailing.type,
      status: "cancelled",
      from_mode: "fixed",
      content_format: "html",
      track_links: "none",
      track_opens: 0,
      selection_id: null,
      project_id: null,
      subscription_type_id: mailing.subscription_type_id,
      opt_override_consent: mailing.opt_override_consent,
      opt_one_per_address: mailing.opt_one_per_address,
      opt_refresh_on_send: mailing.opt_refresh_on_send,
      opt_include_companies: mailing.opt_include_companies,
      opt_prefer_company: mailing.opt_prefer_company,
      created_at: now,
      updated_at: now,
    })
    .returning("id")
    .executeTakeFirstOrThrow();
  try {
    await addSource(db, scratch.id, { kind: "person", refId: personId });
    await resolveRecipients(db, scratch.id);
    const row = await db
      .selectFrom("mailing_recipients")
      .select(["status", "block_reason"])
      .where("mailing_id", "=", scratch.id)
      .where("person_id", "=", personId)
      .orderBy("position")
      .executeTakeFirstOrThrow();
    return answer(personId, row.status, row.block_reason as StoredBlockReason | null, false);
  } finally {
    await db.deleteFrom("mailings").where("id", "=", scratch.id).execute();
  }
}

function answer(
  personId: number,
  status: string,
  reason: StoredBlockReason | null,
  alreadyListed: boolean,
): PersonCheck {
  if (status === "eligible") return { personId, status: "eligible", reason: null, alreadyListed };
  return { personId, status: isLeftOut(reason) ? "left-out" : "blocked", reason, alreadyListed };
}
