// When an address is blocked (SPEC §7–§8), in one place: the causes, blocking, the run of soft bounces and its
// threshold, and the questions every other module asks ("which of these are blocked?"). The send ledger, bounce
// handling, the recipients' pages, resends and recipient lists all go through here, so it lives below all of them.
import { sql } from "kysely";
import type { Db } from "../db/connect.ts";
import { suppressAddresses } from "../privacy/suppression.ts";

/** Why an address is blocked, as stored in `address_blocks.reason`. */
export const BLOCK_CAUSES = ["hard-bounce", "soft-bounces", "complained", "unsubscribed"] as const;
export type BlockCause = (typeof BLOCK_CAUSES)[number];

const DETAIL_MAX = 2000;

/**
 * Blocks the address (lower-case e-mail or E.164) for `cause`; a later cause replaces an earlier one. An unsubscribed
 * or complained e-mail address also goes on the suppression list, which outlives the block when the person is erased.
 */
export async function blockAddress(
  db: Db,
  addressKey: string,
  cause: BlockCause,
  detail: string,
  now: string,
): Promise<void> {
  const kept = detail.slice(0, DETAIL_MAX);
  await db
    .insertInto("address_blocks")
    .values({
      address_lower: addressKey,
      blocked: 1,
      reason: cause,
      detail: kept,
      soft_count: 0,
      updated_at: now,
    })
    .onConflict((oc) =>
      oc.column("address_lower").doUpdateSet({ blocked: 1, reason: cause, detail: kept, updated_at: now }),
    )
    .execute();
  if (cause === "unsubscribed" || cause === "complained") await suppressAddresses(db, [addressKey], cause);
}

/** +1 on the address's run of soft bounces; blocks it when the run reaches `threshold` (settings.bounceThreshold). */
export async function countSoftBounce(
  db: Db,
  addressKey: string,
  detail: string,
  threshold: number,
  now: string,
): Promise<void> {
  await db
    .insertInto("address_blocks")
    .values({
      address_lower: addressKey,
      blocked: 0,
      reason: null,
      detail: null,
      soft_count: 1,
      updated_at: now,
    })
    .onConflict((oc) =>
      oc
        .column("address_lower")
        .doUpdateSet({ soft_count: sql`address_blocks.soft_count + 1`, updated_at: now }),
    )
    .execute();
  await db
    .updateTable("address_blocks")
    .set({ blocked: 1, reason: "soft-bounces", detail: detail.slice(0, DETAIL_MAX), updated_at: now })
    .where("address_lower", "=", addressKey)
    .where("blocked", "=", 0)
    .where("soft_count", ">=", threshold)
    .execute();
}

/** The addresses may be mailed again; their run of soft bounces starts over. Returns how many were known. */
export async function clearBlocks(db: Db, addressKeys: string[]): Promise<number> {
  if (addressKeys.length === 0) return 0;
  const result = await db
    .deleteFrom("address_blocks")
    .where("address_lower", "in", addressKeys)
    .executeTakeFirst();
  return Number(result.numDeletedRows);
}

/** An address_blocks row whose run of soft bounces a delivery that arrived ends: not blocked, with a run to end. */
export const openSoftBounceRun = sql<boolean>`blocked = 0 and soft_count > 0`;

/** A delivery that arrived ends the address's run of soft bounces (SPEC §7). */
export async function endSoftBounceRuns(db: Db, addressKeys: string[], now: string): Promise<void> {
  if (addressKeys.length === 0) return;
  await db
    .updateTable("address_blocks")
    .set({ soft_count: 0, updated_at: now })
    .where("address_lower", "in", addressKeys)
    .where(openSoftBounceRun)
    .execute();
}

/** The blocked addresses (for `cause`, or any), as a subquery: `… where email_lower in (${blockedAddresses()})`. */
export function blockedAddresses(cause?: BlockCause) {
  return cause === undefined
    ? sql`select address_lower from address_blocks where blocked = 1`
    : sql`select address_lower from address_blocks where blocked = 1 and reason = ${cause}`;
}

/** Which of these addresses are blocked, read in chunks the databases' parameter limits allow. */
export async function blockedAmong(db: Db, addressKeys: Iterable<string>): Promise<Set<string>> {
  const keys = [...new Set(addressKeys)];
  const blocked = new Set<string>();
  for (let i = 0; i < keys.length; i += 500) {
    const rows = await db
      .selectFrom("address_blocks")
      .select("address_lower")
      .where("blocked", "=", 1)
      .where("address_lower", "in", keys.slice(i, i + 500))
      .execute();
    for (const r of rows) blocked.add(r.address_lower);
  }
  return blocked;
}

/** Why the address is blocked, or null when it is not. */
export async function blockCauseOf(db: Db, addressKey: string): Promise<BlockCause | "other" | null> {
  const row = await db
    .selectFrom("address_blocks")
    .select("reason")
    .where("address_lower", "=", addressKey)
    .where("blocked", "=", 1)
    .executeTakeFirst();
  if (!row) return null;
  return BLOCK_CAUSES.find((c) => c === row.reason) ?? "other";
}
