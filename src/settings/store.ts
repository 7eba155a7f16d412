// Admin settings kept in the database (shared by every process), read and typed here only.
import type { Db } from "../db/connect.ts";

export type Settings = {
  consentFilter: boolean;
  /** Soft bounces in a row that block an address (SPEC §8); 5 unless set to a positive whole number. */
  bounceThreshold: number;
};

export const DEFAULT_BOUNCE_THRESHOLD = 5;

export async function readSettings(db: Db): Promise<Settings> {
  const rows = await db.selectFrom("settings").select(["key", "value"]).execute();
  const map = new Map(rows.map((r) => [r.key, r.value]));
  const threshold = Number(map.get("bounceThreshold"));
  return {
    consentFilter: map.get("consentFilter") !== "false",
    bounceThreshold: Number.isInteger(threshold) && threshold > 0 ? threshold : DEFAULT_BOUNCE_THRESHOLD,
  };
}

export async function writeSettings(db: Db, changes: Partial<Settings>): Promise<Settings> {
  for (const [key, value] of Object.entries(changes)) {
    if (value === undefined) continue;
    await db
      .insertInto("settings")
      .values({ key, value: String(value) })
      .onConflict((oc) => oc.column("key").doUpdateSet({ value: String(value) }))
      .execute();
  }
  return readSettings(db);
}
