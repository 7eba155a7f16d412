// Admin settings kept in the database (shared by every process): the consent filter for now.
import type { Db } from "../db/connect.ts";

export type Settings = { consentFilter: boolean };

export async function readSettings(db: Db): Promise<Settings> {
  const rows = await db.selectFrom("settings").select(["key", "value"]).execute();
  const map = new Map(rows.map((r) => [r.key, r.value]));
  return { consentFilter: map.get("consentFilter") !== "false" };
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
