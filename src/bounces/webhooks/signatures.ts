// Checks shared by the provider webhooks: constant-time secret comparison, and the replay window with a memory
// of signatures already used (per process: a replay to another process within the window is caught only by the
// idempotent outcome rules, which count a delivery once anyway).
import { createHash, timingSafeEqual } from "node:crypto";
import { AppError } from "../../shared/errors.ts";

/** Equal strings, compared in constant time whatever their lengths. */
export function sameSecret(given: string, expected: string): boolean {
  const a = createHash("sha256").update(given).digest();
  const b = createHash("sha256").update(expected).digest();
  return timingSafeEqual(a, b);
}

/** How far a signed timestamp may be from now, either way (providers retry with fresh signatures). */
export const REPLAY_WINDOW_SECONDS = 10 * 60;

export function checkFreshness(timestamp: string | null, nowMs: number, field: string): number {
  const seconds = timestamp && /^\d{1,12}$/.test(timestamp) ? Number(timestamp) : Number.NaN;
  if (!Number.isFinite(seconds))
    throw new AppError("WEBHOOK_SIGNATURE_INVALID", `${field}: missing or not a Unix time`, { field });
  if (Math.abs(nowMs / 1000 - seconds) > REPLAY_WINDOW_SECONDS)
    throw new AppError(
      "WEBHOOK_REPLAYED",
      `${field}: the signature is more than ${REPLAY_WINDOW_SECONDS / 60} minutes from now`,
      { field },
    );
  return seconds;
}

/** Signatures seen within the replay window; a second use is refused. */
export class ReplayGuard {
  readonly #seen = new Map<string, number>();
  readonly #max: number;

  constructor(max = 50_000) {
    this.#max = max;
  }

  check(key: string, field: string): void {
    if (this.#seen.has(key))
      throw new AppError("WEBHOOK_REPLAYED", `${field}: this signature was used before`, { field });
  }

  /** Remembered only once the payload is stored, so a provider's retry after our failure is not refused. */
  remember(key: string, timestampSeconds: number, nowMs: number): void {
    const oldest = nowMs / 1000 - REPLAY_WINDOW_SECONDS;
    if (this.#seen.size >= this.#max)
      for (const [k, t] of this.#seen) if (t < oldest || this.#seen.size >= this.#max) this.#seen.delete(k);
    this.#seen.set(key, timestampSeconds);
  }
}
