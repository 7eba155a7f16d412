// Owns when SMS may go out (SPEC §12: 08:00–21:00 in the sending account's time zone), so the send loop and
// the UI's "waits until …" agree, also on the days the clocks change.
import { DateTime, IANAZone } from "luxon";

export const DEFAULT_SMS_TIME_ZONE = "Europe/Oslo";
export type SendingWindow = { opens: string; closes: string };
export const DEFAULT_SENDING_WINDOW: SendingWindow = { opens: "08:00", closes: "21:00" };

export type SendingWindowState = { open: true } | { open: false; opensAt: Date };

const CLOCK = /^([01]\d|2[0-3]):([0-5]\d)$/;

function clock(value: string): { hour: number; minute: number } {
  const m = CLOCK.exec(value);
  if (!m) throw new Error(`"${value}" is not a time of day as HH:MM`);
  return { hour: Number(m[1]), minute: Number(m[2]) };
}

/**
 * Whether SMS may go out at `now`, and if not, when they may next. The window's times are wall-clock times in
 * `timeZone`: on a day the clocks change, 08:00 is still 08:00 local time, so it is a different UTC hour.
 */
export function sendingWindowState(
  now: Date,
  timeZone = DEFAULT_SMS_TIME_ZONE,
  window: SendingWindow = DEFAULT_SENDING_WINDOW,
): SendingWindowState {
  const problem = timeZoneProblem(timeZone);
  if (problem) throw new Error(problem);
  const local = DateTime.fromJSDate(now, { zone: timeZone });
  const opensToday = local.set({ ...clock(window.opens), second: 0, millisecond: 0 });
  const closesToday = local.set({ ...clock(window.closes), second: 0, millisecond: 0 });
  if (opensToday >= closesToday)
    throw new Error(`the window must open before it closes (${window.opens}–${window.closes})`);
  if (local >= opensToday && local < closesToday) return { open: true };
  // plus({days: 1}) moves by a calendar day and keeps the wall-clock time, whatever the day's length.
  const opensAt = local < opensToday ? opensToday : opensToday.plus({ days: 1 });
  return { open: false, opensAt: opensAt.toJSDate() };
}

/** What is wrong with a time zone name (it must be an IANA name such as "Europe/Oslo"), or null. */
export function timeZoneProblem(name: string): string | null {
  if (name.trim() === "") return "the time zone is empty";
  return IANAZone.isValidZone(name) ? null : `"${name}" is not a time zone name such as "Europe/Oslo"`;
}

/** What is wrong with a window, or null. */
export function sendingWindowProblem(window: SendingWindow): string | null {
  for (const value of [window.opens, window.closes]) {
    if (!CLOCK.test(value)) return `"${value}" is not a time of day as HH:MM`;
  }
  return window.opens < window.closes
    ? null
    : `the window must open before it closes (${window.opens}–${window.closes})`;
}
