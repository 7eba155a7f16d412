// Time as the application sets it: UTC ISO-8601 strings, identical on SQLite and PostgreSQL and sortable as text.
export type Clock = { now(): Date };

export const systemClock: Clock = { now: () => new Date() };

export function isoNow(clock: Clock = systemClock): string {
  return clock.now().toISOString();
}
