// An SMS mailing's figures (SPEC §12): sent (accepted by the provider), delivered and failed (by delivery report),
// awaiting a report, the parts sent, opt-out replies, and per hour what was sent and reported. No opens or clicks.
import { sql } from "kysely";
import type { Db } from "../db/connect.ts";

export type SmsStatistics = {
  sent: number;
  delivered: number;
  failed: number;
  awaitingReport: number;
  parts: number;
  optOuts: number;
  timeline: { at: string; sent: number; delivered: number; failed: number }[];
};

export async function smsStatistics(db: Db, mailingId: number): Promise<SmsStatistics> {
  const [totals, sentHours, reportHours, optOuts] = await Promise.all([
    db
      .selectFrom("deliveries")
      .select([
        sql<string | number>`sum(case when sent_at is not null then 1 else 0 end)`.as("sent"),
        sql<string | number>`sum(case when status = 'delivered' then 1 else 0 end)`.as("delivered"),
        sql<string | number>`sum(case when status = 'failed' then 1 else 0 end)`.as("failed"),
        sql<string | number>`sum(case when status = 'sent' then 1 else 0 end)`.as("awaiting"),
        sql<string | number>`sum(case when sent_at is not null then coalesce(parts, 1) else 0 end)`.as(
          "parts",
        ),
      ])
      .where("mailing_id", "=", mailingId)
      .where("channel", "=", "sms")
      .executeTakeFirstOrThrow(),
    db
      .selectFrom("deliveries")
      .select([
        sql<string>`substr(sent_at, 1, 13)`.as("hour"),
        (eb) => eb.fn.countAll<number | string>().as("n"),
      ])
      .where("mailing_id", "=", mailingId)
      .where("channel", "=", "sms")
      .where("sent_at", "is not", null)
      .groupBy(sql`substr(sent_at, 1, 13)`)
      .execute(),
    db
      .selectFrom("deliveries")
      .select([
        sql<string>`substr(reported_at, 1, 13)`.as("hour"),
        "status",
        (eb) => eb.fn.countAll<number | string>().as("n"),
      ])
      .where("mailing_id", "=", mailingId)
      .where("channel", "=", "sms")
      .where("reported_at", "is not", null)
      .where("status", "in", ["delivered", "failed"])
      .groupBy([sql`substr(reported_at, 1, 13)`, "status"])
      .execute(),
    db
      .selectFrom("sms_inbound")
      .select((eb) => eb.fn.countAll<number | string>().as("n"))
      .where("mailing_id", "=", mailingId)
      .where("kind", "=", "opt-out")
      .executeTakeFirstOrThrow(),
  ]);
  const hours = new Map<string, { at: string; sent: number; delivered: number; failed: number }>();
  const hour = (h: string) => {
    let bucket = hours.get(h);
    if (!bucket) {
      bucket = { at: `${h}:00:00.000Z`, sent: 0, delivered: 0, failed: 0 };
      hours.set(h, bucket);
    }
    return bucket;
  };
  for (const row of sentHours) hour(row.hour).sent += Number(row.n);
  for (const row of reportHours) hour(row.hour)[row.status as "delivered" | "failed"] += Number(row.n);
  return {
    sent: Number(totals.sent ?? 0),
    delivered: Number(totals.delivered ?? 0),
    failed: Number(totals.failed ?? 0),
    awaitingReport: Number(totals.awaiting ?? 0),
    parts: Number(totals.parts ?? 0),
    optOuts: Number(optOuts.n),
    timeline: [...hours.values()].sort((a, b) => a.at.localeCompare(b.at)),
  };
}
