// A form's submissions and counters: storing a submission (before anything else happens to it), the daily views,
// every refusal by reason, the rate-limit counts every process agrees on (they are rows, not memory), statistics,
// and the list and detail the UI shows.
import { sql } from "kysely";
import type { Db } from "../db/connect.ts";
import type { FormSubmissionStatus } from "../db/schema.ts";
import { isoNow } from "../shared/clock.ts";
import type { RefusalReason } from "./abuse.ts";
import { truncateIp } from "./abuse.ts";
import { emailOf, nameOf } from "./answers.ts";
import type { FormAnswers, FormField } from "./definition.ts";

const USER_AGENT_MAX = 500;

export async function storeSubmission(
  db: Db,
  input: {
    formId: number;
    version: number;
    fields: FormField[];
    answers: FormAnswers;
    ip: string | null;
    userAgent: string | null;
    prefillPersonId?: number | null;
  },
): Promise<number> {
  const row = await db
    .insertInto("form_submissions")
    .values({
      form_id: input.formId,
      version: input.version,
      answers: JSON.stringify(input.answers),
      email_lower: emailOf(input.fields, input.answers),
      ip: input.ip ? truncateIp(input.ip) : null,
      user_agent: input.userAgent ? input.userAgent.slice(0, USER_AGENT_MAX) : null,
      submitted_at: isoNow(),
      status: "submitted",
      reject_reason: null,
      person_id: null,
      company_id: null,
      prefill_person_id: input.prefillPersonId ?? null,
      confirm_sent_at: null,
      confirm_expires_at: null,
      confirmed_at: null,
      processed_at: null,
      processed_by: null,
    })
    .returning("id")
    .executeTakeFirstOrThrow();
  return row.id;
}

const today = () => isoNow().slice(0, 10);

/** One view of the hosted page today; one statement, so concurrent views all count. */
export async function countView(db: Db, formId: number): Promise<void> {
  await db
    .insertInto("form_daily")
    .values({ form_id: formId, day: today(), views: 1 })
    .onConflict((oc) => oc.columns(["form_id", "day"]).doUpdateSet({ views: sql`form_daily.views + 1` }))
    .execute();
}

/** A refused submission counted by day and reason: never a silent drop (SPEC §9). */
export async function countRefusal(db: Db, formId: number, reason: RefusalReason): Promise<void> {
  await db
    .insertInto("form_rejections")
    .values({ form_id: formId, day: today(), reason, count: 1 })
    .onConflict((oc) =>
      oc.columns(["form_id", "day", "reason"]).doUpdateSet({ count: sql`form_rejections.count + 1` }),
    )
    .execute();
}

/**
 * Marks a proof-of-work solution used (by its challenge's signature); false when it already was: a replay. One
 * insert decides, so of two posts of the same solution at once exactly one gets true. Rows of expired challenges are
 * cleared on the way: such a challenge is refused before it gets here.
 */
export async function spendPowSolution(db: Db, signature: string, expiresAt: string): Promise<boolean> {
  await db.deleteFrom("form_pow_solutions").where("expires_at", "<", isoNow()).execute();
  const row = await db
    .insertInto("form_pow_solutions")
    .values({ signature, expires_at: expiresAt })
    .onConflict((oc) => oc.column("signature").doNothing())
    .returning("signature")
    .executeTakeFirst();
  return row !== undefined;
}

/** Submissions to the form since `windowMs` ago from this (truncated) IP, or this address. */
export async function recentSubmissions(
  db: Db,
  formId: number,
  by: { ip: string } | { emailLower: string },
  windowMs: number,
): Promise<number> {
  const since = new Date(Date.now() - windowMs).toISOString();
  let query = db
    .selectFrom("form_submissions")
    .select((eb) => eb.fn.countAll<number>().as("n"))
    .where("form_id", "=", formId)
    .where("submitted_at", ">", since);
  query =
    "ip" in by
      ? query.where("ip", "=", truncateIp(by.ip) ?? by.ip)
      : query.where("email_lower", "=", by.emailLower);
  return Number((await query.executeTakeFirstOrThrow()).n);
}

export type FormStatistics = {
  views: number;
  submissions: number;
  confirmed: number;
  processed: number;
  rejected: number;
  expired: number;
  awaitingConfirmation: number;
  awaitingManual: number;
  conversion: number | null;
  days: Array<{ day: string; views: number; submissions: number; processed: number }>;
  refusals: Array<{ reason: string; count: number }>;
};

export async function formStatistics(db: Db, formId: number): Promise<FormStatistics> {
  const [statuses, confirmed, daily, submittedDays, processedDays, refusals] = await Promise.all([
    db
      .selectFrom("form_submissions")
      .select(["status", (eb) => eb.fn.countAll<number>().as("n")])
      .where("form_id", "=", formId)
      .groupBy("status")
      .execute(),
    db
      .selectFrom("form_submissions")
      .select((eb) => eb.fn.countAll<number>().as("n"))
      .where("form_id", "=", formId)
      .where("confirmed_at", "is not", null)
      .executeTakeFirstOrThrow(),
    db.selectFrom("form_daily").select(["day", "views"]).where("form_id", "=", formId).execute(),
    db
      .selectFrom("form_submissions")
      .select([sql<string>`substr(submitted_at, 1, 10)`.as("day"), (eb) => eb.fn.countAll<number>().as("n")])
      .where("form_id", "=", formId)
      .groupBy(sql`substr(submitted_at, 1, 10)`)
      .execute(),
    db
      .selectFrom("form_submissions")
      .select([sql<string>`substr(processed_at, 1, 10)`.as("day"), (eb) => eb.fn.countAll<number>().as("n")])
      .where("form_id", "=", formId)
      .where("status", "=", "processed")
      .where("processed_at", "is not", null)
      .groupBy(sql`substr(processed_at, 1, 10)`)
      .execute(),
    db
      .selectFrom("form_rejections")
      .select(["reason", (eb) => eb.fn.sum<number>("count").as("n")])
      .where("form_id", "=", formId)
      .groupBy("reason")
      .orderBy("reason")
      .execute(),
  ]);
  const byStatus = (status: FormSubmissionStatus) =>
    Number(statuses.find((s) => s.status === status)?.n ?? 0);
  const submissions = statuses.reduce((sum, s) => sum + Number(s.n), 0);
  const views = daily.reduce((sum, d) => sum + Number(d.views), 0);
  const days = new Map<string, { day: string; views: number; submissions: number; processed: number }>();
  const dayOf = (day: string) => {
    const entry = days.get(day) ?? { day, views: 0, submissions: 0, processed: 0 };
    days.set(day, entry);
    return entry;
  };
  for (const d of daily) dayOf(d.day).views += Number(d.views);
  for (const d of submittedDays) dayOf(d.day).submissions += Number(d.n);
  for (const d of processedDays) dayOf(d.day).processed += Number(d.n);
  return {
    views,
    submissions,
    confirmed: Number(confirmed.n),
    processed: byStatus("processed"),
    rejected: byStatus("rejected"),
    expired: byStatus("expired"),
    awaitingConfirmation: byStatus("awaiting-confirmation"),
    awaitingManual: byStatus("submitted"),
    conversion: views > 0 ? submissions / views : null,
    days: [...days.values()].sort((a, b) => a.day.localeCompare(b.day)),
    refusals: refusals.map((r) => ({ reason: r.reason, count: Number(r.n) })),
  };
}

/** Every published version's fields, read once per list. */
export async function versionFields(db: Db, formId: number): Promise<Map<number, FormField[]>> {
  const rows = await db
    .selectFrom("form_versions")
    .select(["version", "definition"])
    .where("form_id", "=", formId)
    .execute();
  return new Map(rows.map((r) => [r.version, (JSON.parse(r.definition) as { fields: FormField[] }).fields]));
}

export type SubmissionFilter = {
  status?: FormSubmissionStatus | undefined;
  from?: string | undefined;
  to?: string | undefined;
  q?: string | undefined;
};

/** Submissions newest first; `after` is the last id of the previous page (keyset paging). */
export async function listSubmissions(
  db: Db,
  formId: number,
  filter: SubmissionFilter,
  page: { after?: number | undefined; limit: number },
) {
  let query = db.selectFrom("form_submissions").where("form_id", "=", formId);
  if (filter.status) query = query.where("status", "=", filter.status);
  if (filter.from) query = query.where("submitted_at", ">=", filter.from);
  // A bare date as `to` includes that whole day.
  if (filter.to)
    query = query.where(
      "submitted_at",
      "<",
      /^\d{4}-\d{2}-\d{2}$/.test(filter.to) ? `${filter.to}T99` : filter.to,
    );
  if (filter.q) {
    const like = `%${filter.q.toLowerCase().replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
    query = query.where((eb) =>
      eb.or([
        eb("email_lower", "like", sql<string>`${like} escape '\\'`),
        eb(sql`lower(answers)`, "like", sql<string>`${like} escape '\\'`),
      ]),
    );
  }
  const total = Number(
    (await query.select((eb) => eb.fn.countAll<number>().as("n")).executeTakeFirstOrThrow()).n,
  );
  let pageQuery = query.selectAll();
  if (page.after !== undefined) pageQuery = pageQuery.where("id", "<", page.after);
  const rows = await pageQuery.orderBy("id", "desc").limit(page.limit).execute();
  const fields = await versionFields(db, formId);
  return {
    submissions: rows.map((row) => {
      const answers = JSON.parse(row.answers) as FormAnswers;
      const versionFieldsOf = fields.get(row.version) ?? [];
      const emailField = versionFieldsOf.find((f) => f.kind === "mapped" && f.maps === "email");
      const email = emailField ? answers[emailField.key] : undefined;
      return {
        id: row.id,
        version: row.version,
        status: row.status,
        email: typeof email === "string" && email ? email : row.email_lower,
        name: nameOf(versionFieldsOf, answers),
        submittedAt: row.submitted_at,
        processedAt: row.processed_at,
        personId: row.person_id,
        rejectReason: row.reject_reason,
      };
    }),
    total,
    nextAfter: rows.length === page.limit ? rows[rows.length - 1]!.id : null,
  };
}
