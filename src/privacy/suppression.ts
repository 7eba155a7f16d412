// The suppression list (SPEC §11): a keyed hash of every e-mail address that was erased, withdrew all marketing or
// complained. The one writer of `suppressions`; imports and consent grants ask it before bringing an address back.
import { createHmac } from "node:crypto";
import { type SqlBool, sql } from "kysely";
import type { Executor } from "../db/bulk-sql.ts";
import type { Database } from "../db/schema.ts";
import { isoNow } from "../shared/clock.ts";
import { randomToken } from "../shared/ids.ts";

export type SuppressionReason = Database["suppressions"]["reason"];

const KEY_SETTING = "suppressionKey";

/**
 * The list's own HMAC key, made once and kept in `settings` beside the generated instance secret. Not the token
 * keyring: rotating UTSEND_SECRET must not silently empty the list (see README.md).
 */
export async function suppressionKey(db: Executor): Promise<string> {
  const stored = await db
    .selectFrom("settings")
    .select("value")
    .where("key", "=", KEY_SETTING)
    .executeTakeFirst();
  if (stored) return stored.value;
  await db
    .insertInto("settings")
    .values({ key: KEY_SETTING, value: randomToken(32) })
    .onConflict((oc) => oc.column("key").doNothing())
    .execute();
  const row = await db
    .selectFrom("settings")
    .select("value")
    .where("key", "=", KEY_SETTING)
    .executeTakeFirstOrThrow();
  return row.value;
}

/** The address as the list keeps it: trimmed, lower-case, HMAC-SHA256 in hex. */
export function addressHash(key: string, address: string): string {
  return createHmac("sha256", key).update(address.trim().toLowerCase()).digest("hex");
}

/** An e-mail address, or a mobile number in E.164 (an erased person's, whose SMS opt-out must outlive them too). */
const isAddressKey = (address: string) => address.includes("@") || /^\+\d{6,15}$/.test(address.trim());

const rank = (reason: SuppressionReason) => ({ unsubscribed: 1, complained: 2, erased: 3 })[reason];
const rankSql = (column: string) =>
  sql.raw(`case ${column} when 'erased' then 3 when 'complained' then 2 else 1 end`);

/**
 * Puts the addresses on the list (anything not an address key is ignored). An entry keeps its strongest reason
 * (erased, then complained, then unsubscribed): the withdrawal recorded for a re-created person does not turn an
 * erasure into an unsubscribe.
 */
export async function suppressAddresses(
  db: Executor,
  addresses: string[],
  reason: SuppressionReason,
): Promise<void> {
  const emails = [...new Set(addresses.filter(isAddressKey).map((a) => a.trim().toLowerCase()))];
  if (emails.length === 0) return;
  const key = await suppressionKey(db);
  const now = isoNow();
  for (const email of emails)
    await db
      .insertInto("suppressions")
      .values({ address_hash: addressHash(key, email), reason, created_at: now, updated_at: now })
      .onConflict((oc) =>
        oc
          .column("address_hash")
          .doUpdateSet({ reason, updated_at: now })
          .where(sql<SqlBool>`${sql.lit(rank(reason))} > ${rankSql("suppressions.reason")}`),
      )
      .execute();
}

/** The list's hash of each address that can be on it, with the addresses (as given) that have it. */
export function hashesOf(key: string, addresses: Iterable<string>): Map<string, string[]> {
  const byHash = new Map<string, string[]>();
  for (const address of new Set(addresses)) {
    if (!isAddressKey(address)) continue;
    const hash = addressHash(key, address);
    byHash.set(hash, [...(byHash.get(hash) ?? []), address]);
  }
  return byHash;
}

/**
 * Which of these addresses (as given) are on the list; read in chunks the databases' parameter limits allow
 * (`chunk`, 500 unless said). `key`: the list's key when the caller has it already (a batch import asks once).
 */
export async function suppressedAmong(
  db: Executor,
  addresses: Iterable<string>,
  options: { key?: string; chunk?: number } = {},
): Promise<Set<string>> {
  const given = [...new Set(addresses)].filter(isAddressKey);
  if (given.length === 0) return new Set();
  const byHash = hashesOf(options.key ?? (await suppressionKey(db)), given);
  const hashes = [...byHash.keys()];
  const found = new Set<string>();
  const chunk = options.chunk ?? 500;
  for (let i = 0; i < hashes.length; i += chunk) {
    const rows = await db
      .selectFrom("suppressions")
      .select("address_hash")
      .where("address_hash", "in", hashes.slice(i, i + chunk))
      .execute();
    for (const row of rows) for (const address of byHash.get(row.address_hash) ?? []) found.add(address);
  }
  return found;
}

export type SuppressionEntry = { reason: SuppressionReason; createdAt: string; updatedAt: string };

/** The address's entry, or null when it is not on the list. */
export async function checkAddress(db: Executor, address: string): Promise<SuppressionEntry | null> {
  if (!isAddressKey(address)) return null;
  const row = await db
    .selectFrom("suppressions")
    .select(["reason", "created_at", "updated_at"])
    .where("address_hash", "=", addressHash(await suppressionKey(db), address))
    .executeTakeFirst();
  return row ? { reason: row.reason, createdAt: row.created_at, updatedAt: row.updated_at } : null;
}

/** How many addresses are on the list, by reason. */
export async function countSuppressions(db: Executor) {
  const rows = await db
    .selectFrom("suppressions")
    .select(["reason", (eb) => eb.fn.countAll<number | string>().as("n")])
    .groupBy("reason")
    .execute();
  const byReason: Record<SuppressionReason, number> = { erased: 0, unsubscribed: 0, complained: 0 };
  for (const row of rows) byReason[row.reason] = Number(row.n);
  return { total: Object.values(byReason).reduce((a, b) => a + b, 0), byReason };
}

/**
 * Takes the address off the list (an admin's audited decision); the entry it removed with its hash (what the audit
 * log names it by), or null if there was none.
 */
export async function clearSuppression(
  db: Executor,
  address: string,
): Promise<(SuppressionEntry & { hash: string }) | null> {
  const entry = await checkAddress(db, address);
  if (!entry) return null;
  const hash = addressHash(await suppressionKey(db), address);
  await db.deleteFrom("suppressions").where("address_hash", "=", hash).execute();
  return { ...entry, hash };
}
