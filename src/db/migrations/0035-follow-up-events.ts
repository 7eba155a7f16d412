// The follow-up list's *unsubscribed* and *complained* rows start from their events: a mailing's events of one kind,
// not test ones, by delivery. The (mailing_id, kind, created_at) index finds them but then reads each event row at
// random among millions for its delivery and is_test; this index holds both, so the rows are never read.
import type { Kysely } from "kysely";

// biome-ignore lint/suspicious/noExplicitAny: migrations build tables before the typed schema exists.
type AnyDb = Kysely<any>;

export async function up(db: AnyDb): Promise<void> {
  await db.schema
    .createIndex("events_mailing_kind_delivery")
    .on("events")
    .columns(["mailing_id", "kind", "is_test", "delivery_id"])
    .execute();
}
