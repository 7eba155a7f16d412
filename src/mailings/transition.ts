// The only writer of a mailing's status: one guarded UPDATE per action, allowed only from the statuses lifecycle.ts
// gives that action, so two processes (a person pausing, a worker finishing) can never both win.
import type { Expression, ExpressionBuilder, SqlBool } from "kysely";
import type { Db } from "../db/connect.ts";
import type { Database } from "../db/schema.ts";
import { isoNow } from "../shared/clock.ts";
import { allowedFrom, type MailingAction, statusAfter } from "./lifecycle.ts";

export type TransitionOptions = {
  now?: string;
  /** Columns that change with the status (scheduled time, started or finished at). */
  also?: Partial<Pick<Database["mailings"], "scheduled_at" | "time_zone" | "started_at" | "finished_at">>;
  /** A further condition, e.g. "nothing left in flight" for finish. */
  onlyIf?: (eb: ExpressionBuilder<Database, "mailings">) => Expression<SqlBool>;
};

/**
 * Performs `action` on the mailing (or on every mailing its guard allows, with "any"); returns the ids that
 * changed. An empty result means the status did not allow it (or `onlyIf` did not hold): the caller decides
 * whether that is an error.
 */
export async function transition(
  db: Db,
  target: number | "any",
  action: MailingAction,
  options: TransitionOptions = {},
): Promise<number[]> {
  const now = options.now ?? isoNow();
  let update = db
    .updateTable("mailings")
    .set({ status: statusAfter(action), updated_at: now, ...options.also })
    .where("status", "in", allowedFrom(action));
  if (target !== "any") update = update.where("id", "=", target);
  if (options.onlyIf) update = update.where(options.onlyIf);
  const rows = await update.returning("id").execute();
  return rows.map((r) => r.id);
}
