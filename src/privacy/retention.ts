// Retention (SPEC §11): the IP address and device class of opens and clicks go after N days (default 90), the raw
// bytes of returned mail after N days (default 30), audit-log entries after N days (default 730). A daily run, in batches; one process runs it however many run.
import { type SqlBool, sql } from "kysely";
import type { Db } from "../db/connect.ts";
import { readSettings } from "../settings/store.ts";

export type RetentionResult = { trackingCleared: number; returnedMailCleared: number; auditDeleted: number };

const DAY_MS = 86_400_000;
const BATCH = 1000;
const LAST_RUN = "retentionLastRun";

/** Clears what is due at `now`, a batch per statement so no transaction holds many rows; returns how many. */
export async function applyRetention(db: Db, now: Date): Promise<RetentionResult> {
  const { retentionTrackingDays, retentionReturnedMailDays, retentionAuditDays } = await readSettings(db);
  const trackingCutoff = new Date(now.getTime() - retentionTrackingDays * DAY_MS).toISOString();
  const mailCutoff = new Date(now.getTime() - retentionReturnedMailDays * DAY_MS).toISOString();
  const auditCutoff = new Date(now.getTime() - retentionAuditDays * DAY_MS).toISOString();
  const result: RetentionResult = { trackingCleared: 0, returnedMailCleared: 0, auditDeleted: 0 };
  for (;;) {
    const ids = (
      await db
        .selectFrom("events")
        .select("id")
        .where("created_at", "<", trackingCutoff)
        .where((eb) => eb.or([eb("ip", "is not", null), eb("ua_class", "is not", null)]))
        .limit(BATCH)
        .execute()
    ).map((r) => r.id);
    if (ids.length === 0) break;
    await db.updateTable("events").set({ ip: null, ua_class: null }).where("id", "in", ids).execute();
    result.trackingCleared += ids.length;
  }
  for (;;) {
    // Only mail that was dealt with: a message still waiting to be processed keeps its bytes.
    const ids = (
      await db
        .selectFrom("inbound_messages")
        .select("id")
        .where("received_at", "<", mailCutoff)
        .where("status", "<>", "received")
        .where(sql<SqlBool>`length(raw) > 0`)
        .limit(BATCH)
        .execute()
    ).map((r) => r.id);
    if (ids.length === 0) break;
    await db.updateTable("inbound_messages").set({ raw: new Uint8Array() }).where("id", "in", ids).execute();
    result.returnedMailCleared += ids.length;
  }
  for (;;) {
    // The database's own trigger refuses any entry younger than the same setting (and than 180 days).
    const ids = (
      await db.selectFrom("audit_log").select("id").where("at", "<", auditCutoff).limit(BATCH).execute()
    ).map((r) => r.id);
    if (ids.length === 0) break;
    await db.deleteFrom("audit_log").where("id", "in", ids).execute();
    result.auditDeleted += ids.length;
  }
  return result;
}

/**
 * Takes today's run: true for the one caller whose guarded write moved the last run from more than a day ago to
 * `now` (one statement, so two processes cannot both win).
 */
export async function claimRetentionRun(db: Db, now: Date): Promise<boolean> {
  const stamp = now.toISOString();
  await db
    .insertInto("settings")
    .values({ key: LAST_RUN, value: "" })
    .onConflict((oc) => oc.column("key").doNothing())
    .execute();
  const taken = await db
    .updateTable("settings")
    .set({ value: stamp })
    .where("key", "=", LAST_RUN)
    .where("value", "<", new Date(now.getTime() - DAY_MS + 60_000).toISOString())
    .executeTakeFirst();
  return Number(taken.numUpdatedRows) === 1;
}

/** When retention last ran and when it runs next (a day later, or at the next check when it never ran). */
export async function retentionSchedule(db: Db): Promise<{ lastRun: string | null; nextRun: string | null }> {
  const row = await db.selectFrom("settings").select("value").where("key", "=", LAST_RUN).executeTakeFirst();
  const lastRun = row?.value ? row.value : null;
  return { lastRun, nextRun: lastRun ? new Date(Date.parse(lastRun) + DAY_MS).toISOString() : null };
}

/** Checks hourly whether the day's run is due, and runs it; `log` gets the counts. */
export function startRetention(db: Db, log: (line: string) => void, checkMs = 3_600_000) {
  let running: Promise<void> = Promise.resolve();
  const check = () => {
    running = running
      .then(async () => {
        const now = new Date();
        if (!(await claimRetentionRun(db, now))) return;
        const done = await applyRetention(db, now);
        log(
          `retention: cleared IP and device of ${done.trackingCleared} events, raw bytes of ${done.returnedMailCleared} returned messages; deleted ${done.auditDeleted} audit-log entries`,
        );
      })
      .catch((error: unknown) => log(`retention failed: ${(error as Error).message}`));
  };
  check();
  const timer = setInterval(check, checkMs);
  timer.unref();
  return {
    stop: async () => {
      clearInterval(timer);
      await running;
    },
  };
}
