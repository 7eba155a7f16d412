// "Reload and resend" and "resend to selected" (SPEC §8): the sources are read again into a scratch list with every
// SPEC §4 rule applied, the mailing's own rows take the new status and address (only for recipients who have not
// received it), newcomers are added, and those who may get it now receive a new attempt.
import type { Db } from "../db/connect.ts";
import { resolveRecipients, storeRecipientCounts } from "../mailings/recipients.ts";
import { isoNow } from "../shared/clock.ts";
import { notFound } from "../shared/errors.ts";
import { type ResendResult, requireSent, resendAsNewAttempt } from "./resend.ts";

type SkipReason = ResendResult["skipped"][number]["reason"] | "left-sources";
export type ReloadResult = { added: number; created: number; skipped: Partial<Record<SkipReason, number>> };

type Row = {
  id: number;
  position: number | string;
  person_id: number | null;
  company_id: number | null;
  email: string | null;
  email_lower: string | null;
  name: string | null;
  source_id: number | null;
  status: "eligible" | "blocked";
  block_reason: string | null;
};

const keyOf = (r: Row) =>
  r.person_id !== null
    ? `p${r.person_id}`
    : r.company_id !== null
      ? `c${r.company_id}`
      : `e${r.email_lower ?? ""}`;

export async function reloadAndResend(
  db: Db,
  mailingId: number,
  options: { onlyRecipientIds?: number[] } = {},
): Promise<ReloadResult> {
  const mailing = await db.selectFrom("mailings").selectAll().where("id", "=", mailingId).executeTakeFirst();
  if (!mailing) throw notFound("mailing", mailingId);
  requireSent(mailingId, mailing.status);
  const now = isoNow();
  // A scratch mailing holds the fresh list: the real rows carry the deliveries and must stay.
  const scratch = await db
    .insertInto("mailings")
    .values({
      name: `${mailing.name} (reload ${now})`,
      type: mailing.type,
      status: "cancelled",
      from_mode: "fixed",
      content_format: "html",
      track_links: "none",
      track_opens: 0,
      selection_id: mailing.selection_id,
      project_id: mailing.project_id,
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
  const candidates: number[] = [];
  let added = 0;
  let leftSources = 0;
  try {
    await resolveRecipients(db, mailingId, { writeTo: scratch.id });
    const columns = [
      "id",
      "position",
      "person_id",
      "company_id",
      "email",
      "email_lower",
      "name",
      "source_id",
      "status",
      "block_reason",
    ] as const;
    const [fresh, current, settled] = await Promise.all([
      db.selectFrom("mailing_recipients").select(columns).where("mailing_id", "=", scratch.id).execute(),
      db.selectFrom("mailing_recipients").select(columns).where("mailing_id", "=", mailingId).execute(),
      // Who got it, may have got it, or is about to: their rows are history and stay as they are.
      db
        .selectFrom("deliveries")
        .select("recipient_id")
        .distinct()
        .where("mailing_id", "=", mailingId)
        .where("status", "in", ["sent", "complained", "unknown", "pending", "claimed", "sending"])
        .execute(),
    ]);
    const done = new Set(settled.map((d) => d.recipient_id));
    const freshByKey = new Map((fresh as Row[]).map((r) => [keyOf(r), r]));
    const only = options.onlyRecipientIds ? new Set(options.onlyRecipientIds) : null;
    await db.transaction().execute(async (trx) => {
      const seen = new Set<string>();
      for (const row of current as Row[]) {
        const key = keyOf(row);
        seen.add(key);
        if (only && !only.has(row.id)) continue;
        // Chosen rows that already got it go on to the resend, which skips them and says why.
        if (done.has(row.id)) {
          if (only) candidates.push(row.id);
          continue;
        }
        const now = freshByKey.get(key);
        if (!now) {
          if (only) leftSources++;
          continue;
        }
        await trx
          .updateTable("mailing_recipients")
          .set({
            email: now.email,
            email_lower: now.email_lower,
            name: now.name,
            status: now.status,
            block_reason: now.block_reason as never,
          })
          .where("id", "=", row.id)
          .execute();
        if (now.status === "eligible") candidates.push(row.id);
      }
      if (only) return;
      for (const row of fresh as Row[]) {
        if (seen.has(keyOf(row))) continue;
        const inserted = await trx
          .insertInto("mailing_recipients")
          .values({
            mailing_id: mailingId,
            position: row.position as number,
            person_id: row.person_id,
            company_id: row.company_id,
            email: row.email,
            email_lower: row.email_lower,
            name: row.name,
            source_id: row.source_id,
            status: row.status,
            block_reason: row.block_reason as never,
            created_at: now,
          })
          .returning("id")
          .executeTakeFirstOrThrow();
        added++;
        if (row.status === "eligible") candidates.push(inserted.id);
      }
    });
    await storeRecipientCounts(db, mailingId);
  } finally {
    await db.deleteFrom("mailings").where("id", "=", scratch.id).execute();
  }
  const result = await resendAsNewAttempt(db, mailingId, candidates);
  const skipped: ReloadResult["skipped"] = leftSources ? { "left-sources": leftSources } : {};
  for (const s of result.skipped) skipped[s.reason] = (skipped[s.reason] ?? 0) + 1;
  return { added, created: result.created.length, skipped };
}
