// Statistics rollups: counters and hourly buckets bumped in the transaction that stores the event, so reading a
// mailing's figures never scans its events. Rows are sharded by delivery so parallel clicks rarely share a row.
import { type Kysely, sql, type Transaction } from "kysely";
import type { Database } from "../db/schema.ts";

type Executor = Kysely<Database> | Transaction<Database>;

export const SHARDS = 8;
export type CounterName =
  | "opened_total"
  | "opened_unique"
  | "opened_flagged"
  | "clicked_total"
  | "clicked_unique"
  | "clicked_flagged";

export const shardOf = (deliveryId: number) => deliveryId % SHARDS;

export async function bumpCounter(
  db: Executor,
  mailingId: number,
  name: CounterName,
  shard: number,
  by = 1,
): Promise<void> {
  await db
    .insertInto("mailing_counters")
    .values({ mailing_id: mailingId, name, shard, value: by })
    .onConflict((oc) =>
      oc.columns(["mailing_id", "name", "shard"]).doUpdateSet({ value: sql`mailing_counters.value + ${by}` }),
    )
    .execute();
}

export const hourOf = (iso: string) => iso.slice(0, 13);

export async function bumpHour(
  db: Executor,
  mailingId: number,
  kind: "opened" | "clicked",
  at: string,
  shard: number,
): Promise<void> {
  await db
    .insertInto("mailing_hourly")
    .values({ mailing_id: mailingId, hour: hourOf(at), kind, shard, value: 1 })
    .onConflict((oc) =>
      oc
        .columns(["mailing_id", "hour", "kind", "shard"])
        .doUpdateSet({ value: sql`mailing_hourly.value + 1` }),
    )
    .execute();
}

/** The counters of a mailing, summed over shards. */
export async function readCounters(db: Executor, mailingId: number): Promise<Record<CounterName, number>> {
  const rows = await db
    .selectFrom("mailing_counters")
    .select(["name", (eb) => eb.fn.sum<number | string>("value").as("total")])
    .where("mailing_id", "=", mailingId)
    .groupBy("name")
    .execute();
  const out: Record<CounterName, number> = {
    opened_total: 0,
    opened_unique: 0,
    opened_flagged: 0,
    clicked_total: 0,
    clicked_unique: 0,
    clicked_flagged: 0,
  };
  for (const row of rows) out[row.name as CounterName] = Number(row.total);
  return out;
}
