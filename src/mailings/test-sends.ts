// A mailing's test sends and what came back for them: each test is kept as a test event (never counted), and a
// bounce of a test send is kept beside them (bounces/inbound.ts), so the marketer sees it on the test.
import type { Db } from "../db/connect.ts";
import { notFound } from "../shared/errors.ts";

/** How many of the latest test events are shown. */
const SHOWN = 100;

export async function listTestSends(db: Db, mailingId: number) {
  const mailing = await db.selectFrom("mailings").select("id").where("id", "=", mailingId).executeTakeFirst();
  if (!mailing) throw notFound("mailing", mailingId);
  const rows = await db
    .selectFrom("events")
    .select(["id", "kind", "detail", "created_at"])
    .where("mailing_id", "=", mailingId)
    .where("is_test", "=", 1)
    .where("kind", "in", ["sent", "failed", "bounced"])
    .orderBy("id", "desc")
    .limit(SHOWN)
    .execute();
  return {
    items: rows.map((r) => ({
      id: r.id,
      kind: r.kind as "sent" | "failed" | "bounced",
      detail: r.detail ?? "",
      at: r.created_at,
    })),
  };
}
