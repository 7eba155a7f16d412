// Admin settings kept in the database (shared by every process), read and typed here only.
import type { Db } from "../db/connect.ts";

export type Settings = {
  consentFilter: boolean;
  /** Soft bounces in a row that block an address (SPEC §8); 5 unless set to a positive whole number. */
  bounceThreshold: number;
  /** Days the IP address and device class of opens and clicks are kept (SPEC §11); 90 unless set. */
  retentionTrackingDays: number;
  /** Days the raw bytes of returned mail (bounces, complaints) are kept; 30 unless set. */
  retentionReturnedMailDays: number;
  /** Days audit-log entries are kept (two years unless set); the database refuses fewer than AUDIT_MIN_DAYS. */
  retentionAuditDays: number;
  /** Hours a web form's double opt-in link stays valid (SPEC §9); 48 unless set. */
  formConfirmHours: number;
  /**
   * The mapped form fields (forms/definition.ts MAPPED_FIELDS, `custom:<id>`) a form submission may overwrite when the
   * CRM already has a value; every other field is only filled when empty. None unless set.
   */
  formOverwritableFields: string[];
};

export const DEFAULT_BOUNCE_THRESHOLD = 5;
export const DEFAULT_RETENTION_TRACKING_DAYS = 90;
export const DEFAULT_RETENTION_RETURNED_MAIL_DAYS = 30;
/** The same floor and default the audit log's delete trigger holds (migration 0020-audit-retention). */
export const AUDIT_MIN_DAYS = 180;
export const DEFAULT_RETENTION_AUDIT_DAYS = 730;
export const DEFAULT_FORM_CONFIRM_HOURS = 48;

/** A JSON list of strings; anything else is the empty list. */
const stringList = (value: string | undefined): string[] => {
  try {
    const parsed: unknown = JSON.parse(value ?? "[]");
    return Array.isArray(parsed) ? parsed.filter((v): v is string => typeof v === "string") : [];
  } catch {
    return [];
  }
};

const positive = (value: string | undefined, fallback: number) => {
  const n = Number(value);
  return Number.isInteger(n) && n > 0 ? n : fallback;
};

export async function readSettings(db: Db): Promise<Settings> {
  const rows = await db.selectFrom("settings").select(["key", "value"]).execute();
  const map = new Map(rows.map((r) => [r.key, r.value]));
  const threshold = Number(map.get("bounceThreshold"));
  return {
    consentFilter: map.get("consentFilter") !== "false",
    bounceThreshold: Number.isInteger(threshold) && threshold > 0 ? threshold : DEFAULT_BOUNCE_THRESHOLD,
    retentionTrackingDays: positive(map.get("retentionTrackingDays"), DEFAULT_RETENTION_TRACKING_DAYS),
    retentionReturnedMailDays: positive(
      map.get("retentionReturnedMailDays"),
      DEFAULT_RETENTION_RETURNED_MAIL_DAYS,
    ),
    retentionAuditDays: Math.max(
      AUDIT_MIN_DAYS,
      positive(map.get("retentionAuditDays"), DEFAULT_RETENTION_AUDIT_DAYS),
    ),
    formConfirmHours: positive(map.get("formConfirmHours"), DEFAULT_FORM_CONFIRM_HOURS),
    formOverwritableFields: stringList(map.get("formOverwritableFields")),
  };
}

export async function writeSettings(db: Db, changes: Partial<Settings>): Promise<Settings> {
  for (const [key, value] of Object.entries(changes)) {
    if (value === undefined) continue;
    const text = Array.isArray(value) ? JSON.stringify(value) : String(value);
    await db
      .insertInto("settings")
      .values({ key, value: text })
      .onConflict((oc) => oc.column("key").doUpdateSet({ value: text }))
      .execute();
  }
  return readSettings(db);
}
