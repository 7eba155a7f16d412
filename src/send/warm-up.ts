// A sending domain's warm-up ramp (pacing-rules.ts has its arithmetic, domain-pacing.ts holds deliveries to it):
// switched on and set by an admin, shown with the domain.
import type { Db } from "../db/connect.ts";
import type { WarmUpInput, WarmUpView } from "../sending-domains/api-schemas.ts";
import { type FieldProblem, invalid, notFound } from "../shared/errors.ts";
import { utcDay, warmUpAllowance } from "./pacing-rules.ts";

/** What the admin is offered before setting a ramp: 500 the first day, half as many again each day, up to 100,000. */
export const WARM_UP_DEFAULTS = { startPerDay: 500, growth: 1.5, untilPerDay: 100_000 };

type WarmUpRow = {
  warmup_enabled: number;
  warmup_start_per_day: number | null;
  warmup_growth: number | null;
  warmup_until_per_day: number | null;
  warmup_started_on: string | null;
};

export function warmUpView(r: WarmUpRow, nowMs: number = Date.now()): WarmUpView {
  const ramp = {
    startPerDay: r.warmup_start_per_day ?? WARM_UP_DEFAULTS.startPerDay,
    growth: r.warmup_growth ?? WARM_UP_DEFAULTS.growth,
    untilPerDay: r.warmup_until_per_day ?? WARM_UP_DEFAULTS.untilPerDay,
  };
  const enabled = r.warmup_enabled === 1 && r.warmup_started_on !== null;
  return {
    enabled,
    ...ramp,
    startedOn: r.warmup_started_on,
    allowanceToday: enabled
      ? warmUpAllowance({ ...ramp, startedOn: r.warmup_started_on! }, utcDay(nowMs))
      : null,
  };
}

/** Switches the ramp on or off and sets it; switching it on (or `restart`) makes today its first day. */
export async function setDomainWarmUp(db: Db, id: number, input: WarmUpInput, nowMs: number = Date.now()) {
  const problems: FieldProblem[] = [];
  if (input.untilPerDay <= input.startPerDay)
    problems.push({
      field: "untilPerDay",
      message:
        "must be more than the first day's volume (startPerDay), or the ramp would be over before it began",
      kind: "conflicts-with",
      params: { values: "startPerDay" },
    });
  if (problems.length > 0) throw invalid(problems);
  const row = await db
    .selectFrom("sending_domains")
    .select(["warmup_enabled", "warmup_started_on"])
    .where("id", "=", id)
    .executeTakeFirst();
  if (!row) throw notFound("sending domain", id);
  const begins = input.enabled && (input.restart || row.warmup_enabled !== 1 || !row.warmup_started_on);
  await db
    .updateTable("sending_domains")
    .set({
      warmup_enabled: input.enabled ? 1 : 0,
      warmup_start_per_day: input.startPerDay,
      warmup_growth: input.growth,
      warmup_until_per_day: input.untilPerDay,
      warmup_started_on: begins ? utcDay(nowMs) : input.enabled ? row.warmup_started_on : null,
    })
    .where("id", "=", id)
    .execute();
}
