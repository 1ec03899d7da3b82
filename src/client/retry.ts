import { ErrorIds, MicroError, NOT_DELIVERED_IDS } from "../errors";
import type { RetryPolicy } from "./client";

/**
 * The default retry policy: retry when the request provably never reached a handler
 * (connection errors, a draining node, no node) or on a 408; never on other 4xx or any 5xx,
 * because the handler may have run.
 */
export const retryOnConnectionError: RetryPolicy = (error) =>
  MicroError.is(error) && (NOT_DELIVERED_IDS.has(error.id) || error.code === 408);

/**
 * Retries only a 503 `tsmicro.draining`: the node refused the request before any handler saw
 * it, so another node may take it. For calls that must never run twice.
 */
export const retryOnDraining: RetryPolicy = (error) => MicroError.is(error) && error.id === ErrorIds.draining;

/** Never retries. */
export const retryNever: RetryPolicy = () => false;
