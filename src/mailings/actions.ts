// What a marketer does to a mailing besides editing it: schedule, pause, resume, cancel, copy; delivery follow-up.

import { DateTime } from "luxon";
import type { Db } from "../db/connect.ts";
import type { MailingStatus } from "../db/schema.ts";
import { isoNow } from "../shared/clock.ts";
import { AppError, invalid, notFound } from "../shared/errors.ts";
import { setWarningDismissed } from "./accessibility.ts";
import { type MailingAction, nextStatus } from "./lifecycle.ts";
import { copyImport } from "./recipient-rows.ts";
import { getMailing, type MailingWithSteps, requireEditable } from "./store.ts";
import { transition } from "./transition.ts";

/** One guarded UPDATE per action: two people pressing at once cannot both move the mailing. */
export async function applyAction(
  db: Db,
  id: number,
  action: Exclude<MailingAction, "send" | "schedule" | "finish">,
) {
  const current = await db.selectFrom("mailings").select("status").where("id", "=", id).executeTakeFirst();
  if (!current) throw notFound("mailing", id);
  const to = nextStatus(current.status, action);
  if (!to) throw wrongStatus(id, current.status, action);
  const now = isoNow();
  await db.transaction().execute(async (trx) => {
    const changed = await transition(trx, id, action, {
      now,
      also: action === "unschedule" ? { scheduled_at: null, time_zone: null } : {},
    });
    if (changed.length === 0) throw wrongStatus(id, current.status, action);
    if (action === "cancel")
      await trx
        .updateTable("deliveries")
        .set({ status: "cancelled", updated_at: now })
        .where("mailing_id", "=", id)
        .where("status", "=", "pending")
        .execute();
  });
  return getMailing(db, id);
}

function wrongStatus(id: number, status: MailingStatus, action: string) {
  return new AppError("MAILING_WRONG_STATUS", `mailing ${id} is ${status}; it cannot ${action}`, {
    status,
    action,
  });
}

/** Schedules for a local date and time in a time zone; stored as UTC. */
export async function scheduleMailing(
  db: Db,
  id: number,
  input: { date: string; time: string; timeZone: string },
  clock: () => Date = () => new Date(),
): Promise<MailingWithSteps> {
  const mailing = await getMailing(db, id);
  const when = DateTime.fromISO(`${input.date}T${input.time}`, { zone: input.timeZone });
  if (!when.isValid) {
    const field = when.invalidReason === "unsupported zone" ? "timeZone" : "date";
    throw invalid([
      {
        field,
        message: `cannot read ${input.date} ${input.time} in ${input.timeZone}: ${when.invalidExplanation ?? when.invalidReason}`,
        kind: field === "timeZone" ? "not-a-time-zone" : "not-a-date",
      },
    ]);
  }
  if (when.toMillis() <= clock().getTime())
    throw invalid([{ field: "date", message: "the time has passed", kind: "in-the-past" }]);
  if (!mailing.canSend)
    throw new AppError(
      "MAILING_NOT_READY",
      `mailing ${id} cannot be scheduled: ${mailing.problems.map((p) => p.message).join("; ")}`,
      {
        problems: mailing.problems,
      },
    );
  const changed = await transition(db, id, "schedule", {
    also: { scheduled_at: when.toUTC().toISO()!, time_zone: input.timeZone },
  });
  if (changed.length === 0) throw wrongStatus(id, mailing.status, "schedule");
  return getMailing(db, id);
}

/** A new draft with the same setup and content ("start from an earlier mailing"). */
export async function copyMailing(db: Db, id: number, userId: number | null): Promise<number> {
  const m = await db.selectFrom("mailings").selectAll().where("id", "=", id).executeTakeFirst();
  if (!m) throw notFound("mailing", id);
  const now = isoNow();
  const { id: _id, ...rest } = m;
  const row = await db
    .insertInto("mailings")
    .values({
      ...rest,
      name: `${m.name} (kopi)`,
      status: "draft",
      template_origin: `mailing:${id}`,
      scheduled_at: null,
      time_zone: null,
      recipients_resolved_at: null,
      created_by: userId,
      created_at: now,
      updated_at: now,
      started_at: null,
      finished_at: null,
    })
    .returning("id")
    .executeTakeFirstOrThrow();
  const sources = await db.selectFrom("mailing_sources").selectAll().where("mailing_id", "=", id).execute();
  for (const { id: _sid, ...source } of sources) {
    // An imported file's rows belong to one mailing: the copy gets its own copy of them.
    const refId =
      source.kind === "import" && source.ref_id !== null
        ? await copyImport(db, source.ref_id, row.id)
        : source.ref_id;
    await db
      .insertInto("mailing_sources")
      .values({ ...source, ref_id: refId, mailing_id: row.id, created_at: now })
      .execute();
  }
  return row.id;
}

export async function mailingProgress(db: Db, id: number) {
  const mailing = await db
    .selectFrom("mailings")
    .select(["status", "started_at", "type"])
    .where("id", "=", id)
    .executeTakeFirst();
  if (!mailing) throw notFound("mailing", id);
  const rows = await db
    .selectFrom("deliveries")
    .select(["status", (eb) => eb.fn.countAll<number>().as("n")])
    .where("mailing_id", "=", id)
    .where("attempt", "=", 1)
    .groupBy("status")
    .execute();
  const count = (statuses: string[]) =>
    rows.filter((r) => statuses.includes(r.status)).reduce((a, r) => a + Number(r.n), 0);
  const total = rows.reduce((a, r) => a + Number(r.n), 0);
  // An SMS's delivery report moves it on from sent to delivered; it was sent all the same.
  let sent = count(["sent", "delivered", "bounced", "complained", "generated"]);
  if (mailing.type === "document") {
    // Letters turn *generated* together when the file is complete; until then the generator counts them.
    const file = await db
      .selectFrom("document_files")
      .select(["status", "letters_done"])
      .where("mailing_id", "=", id)
      .orderBy("id", "desc")
      .executeTakeFirst();
    if (file?.status === "generating") sent = Math.max(sent, file.letters_done);
  }
  const since = new Date(Date.now() - 60_000).toISOString();
  const recent = await db
    .selectFrom("deliveries")
    .select((eb) => eb.fn.countAll<number>().as("n"))
    .where("mailing_id", "=", id)
    .where("sent_at", ">=", since)
    .executeTakeFirstOrThrow();
  const ratePerSecond = Number(recent.n) / 60;
  const pending = Math.max(
    0,
    count(["pending", "claimed", "sending"]) - (mailing.type === "document" ? sent : 0),
  );
  return {
    status: mailing.status,
    total,
    sent,
    /** SMS: of those sent, how many the provider reported delivered; null for channels without reports. */
    delivered: mailing.type === "sms" ? count(["delivered"]) : null,
    failed: count(["failed"]),
    unknown: count(["unknown"]),
    pending,
    ratePerSecond: Math.round(ratePerSecond * 10) / 10,
    etaSeconds: ratePerSecond > 0 ? Math.ceil(pending / ratePerSecond) : null,
  };
}

export async function listDeliveries(
  db: Db,
  mailingId: number,
  filter: { status?: string | undefined },
  page: { limit: number; offset: number },
) {
  let base = db.selectFrom("deliveries").where("mailing_id", "=", mailingId);
  if (filter.status) base = base.where("status", "=", filter.status as never);
  const [count, rows] = await Promise.all([
    base.select((eb) => eb.fn.countAll<number>().as("n")).executeTakeFirstOrThrow(),
    base
      .select([
        "id",
        "recipient_id",
        "address as email",
        "attempt",
        "status",
        "last_reply",
        "sent_at",
        "bounce_kind",
        "first_page",
        "page_count",
      ])
      .orderBy("id")
      .limit(page.limit)
      .offset(page.offset)
      .execute(),
  ]);
  return {
    items: rows.map((r) => ({
      id: r.id,
      recipientId: r.recipient_id,
      email: r.email,
      attempt: r.attempt,
      status: r.status,
      bounceKind: r.bounce_kind,
      lastReply: r.last_reply,
      sentAt: r.sent_at,
      firstPage: r.first_page,
      pageCount: r.page_count,
    })),
    total: Number(count.n),
    limit: page.limit,
    offset: page.offset,
  };
}

/** Dismisses an accessibility warning for this mailing (or brings it back) while the mailing can still change. */
export async function dismissWarning(
  db: Db,
  id: number,
  input: { key: string; dismissed: boolean },
  userId: number | null,
): Promise<MailingWithSteps> {
  const mailing = await requireEditable(db, id);
  await setWarningDismissed(db, mailing, input.key, input.dismissed, userId);
  return getMailing(db, id);
}
