import { ErrorIds, MicroError, NOT_DELIVERED_IDS } from "../errors";
import type { RetryPolicy } from "./client";

/**
 * The default retry policy: retry when the request provably never reached a handler
 * (connect failed, a draining or overloaded node, an open circuit). A request that was sent on
 * a connection that then died (`tsmicro.connection_lost`) or that the server timed out (408)
 * may have run, so it is retried only when the node advertises the endpoint as idempotent.
 * Never any other 4xx or 5xx.
 */
export const retryOnConnectionError: RetryPolicy = (error, _attempt, _request, info) =>
  MicroError.is(error) &&
  (NOT_DELIVERED_IDS.has(error.id) || (info?.idempotent === true && (error.id === ErrorIds.connectionLost || error.code === 408)));

/**
 * Retries only a 503 `tsmicro.draining`: the node refused the request before any handler saw
 * it, so another node may take it. For calls that must never run twice.
 */
export const retryOnDraining: RetryPolicy = (error) => MicroError.is(error) && error.id === ErrorIds.draining;

/** Never retries. */
export const retryNever: RetryPolicy = () => false;

/** True when `error`'s id or code is listed in a call's `retryOn`. */
export function listedForRetry(error: Error, retryOn: readonly (string | number)[] | undefined): boolean {
  return retryOn !== undefined && MicroError.is(error) && (retryOn.includes(error.id) || retryOn.includes(error.code));
}

/** True when `node` advertises `endpoint` as idempotent (node metadata `idempotent`, a comma list). */
export function advertisesIdempotent(metadata: Readonly<Record<string, string>>, endpoint: string): boolean {
  const list = metadata.idempotent;
  return list !== undefined && list.split(",").includes(endpoint);
}
