/** The longest delay `setTimeout` honours, in ms; longer (or non-finite) delays fire after 1 ms instead. */
export const MAX_DELAY_MS = 2 ** 31 - 1;

/**
 * `ms` as a delay `setTimeout` can hold: a finite integer in [0, MAX_DELAY_MS]. Infinity, NaN and
 * anything too large become MAX_DELAY_MS (about 24.8 days: a long budget, never an instant expiry).
 */
export function clampDelay(ms: number): number {
  if (!(ms > 0)) return Number.isNaN(ms) ? MAX_DELAY_MS : 0;
  return ms >= MAX_DELAY_MS ? MAX_DELAY_MS : Math.ceil(ms);
}
