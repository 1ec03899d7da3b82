import type { Backoff } from "./client";

/**
 * Exponential backoff: the first retry goes at once (it usually goes to another node), later
 * ones wait 10 ms, 100 ms, … capped at `capMs`.
 */
export const exponentialBackoff =
  (capMs = 1000): Backoff =>
  (attempt) =>
    attempt <= 1 ? 0 : Math.min(10 ** (attempt - 1), capMs);
