// SMS delivery reports (SPEC §12): a provider's word, after accepting a message, that it reached the phone or did
// not. Reports are stored first and applied by a guarded update, so applying is idempotent and order-tolerant: a
// report that comes before the submit response is recorded waits in `sms_reports` and is applied when the ledger
// records the provider's ids (ledger.ts), a repeated one changes nothing, and a failure wins over a delivery.
import type { Db } from "../db/connect.ts";
import { appendEvents } from "../deliveries/events.ts";
import { isoNow } from "../shared/clock.ts";
import type { DeliveryReport } from "./channels/sms/types.ts";

/** Stores a report and applies it if its message is known; returns whether a delivery changed. */
export async function recordDeliveryReport(
  db: Db,
  accountId: number,
  report: DeliveryReport,
): Promise<boolean> {
  await db
    .insertInto("sms_reports")
    .values({
      account_id: accountId,
      provider_message_id: report.providerMessageId,
      status: report.status,
      code: report.code,
      reported_at: report.at,
      received_at: isoNow(),
    })
    .execute();
  return (await applyStoredReports(db, accountId, [report.providerMessageId])) > 0;
}

/** Applies the stored reports of these provider ids to their deliveries; returns how many deliveries changed. */
export async function applyStoredReports(db: Db, accountId: number, providerIds: string[]): Promise<number> {
  let changed = 0;
  for (let i = 0; i < providerIds.length; i += 500) {
    const chunk = providerIds.slice(i, i + 500);
    const reports = await db
      .selectFrom("sms_reports as r")
      .innerJoin("sms_provider_ids as p", (j) =>
        j
          .onRef("p.account_id", "=", "r.account_id")
          .onRef("p.provider_message_id", "=", "r.provider_message_id"),
      )
      .select(["p.delivery_id", "r.status", "r.code", "r.reported_at"])
      .where("r.account_id", "=", accountId)
      .where("r.provider_message_id", "in", chunk)
      .orderBy("r.id")
      .execute();
    // One verdict per delivery: any part that failed makes the message failed.
    const verdicts = new Map<number, { status: "delivered" | "failed"; code: string | null; at: string }>();
    for (const r of reports) {
      const earlier = verdicts.get(r.delivery_id);
      if (!earlier || (earlier.status === "delivered" && r.status === "failed"))
        verdicts.set(r.delivery_id, { status: r.status, code: r.code, at: r.reported_at });
    }
    for (const [deliveryId, verdict] of verdicts) changed += await applyVerdict(db, deliveryId, verdict);
  }
  return changed;
}

async function applyVerdict(
  db: Db,
  deliveryId: number,
  verdict: { status: "delivered" | "failed"; code: string | null; at: string },
): Promise<number> {
  const now = isoNow();
  const from = verdict.status === "failed" ? ["sent", "delivered"] : ["sent"];
  const updated = await db
    .updateTable("deliveries")
    .set({
      status: verdict.status,
      provider_code: verdict.code,
      reported_at: verdict.at,
      ...(verdict.status === "failed"
        ? { last_reply: `delivery report: ${verdict.code ?? "failed"}`, bounce_kind: null }
        : {}),
      updated_at: now,
    })
    .where("id", "=", deliveryId)
    .where("status", "in", from as ("sent" | "delivered")[])
    .returning(["id", "mailing_id", "person_id"])
    .execute();
  await appendEvents(
    db,
    updated.map((d) => ({
      mailing_id: d.mailing_id,
      delivery_id: d.id,
      person_id: d.person_id,
      kind: verdict.status,
      detail: verdict.code,
      flagged: 0,
      is_test: 0,
      created_at: verdict.at,
    })),
  );
  return updated.length;
}
