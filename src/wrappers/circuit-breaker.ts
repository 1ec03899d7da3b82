import CircuitBreaker from "opossum";
import type { AttemptFn, AttemptRequest, ResolvedCallOptions } from "../client/client";
import { ErrorIds, MicroError, serviceUnavailable } from "../errors";
import type { Interceptor } from "./chain";
import { DEFAULT_CIRCUIT_BREAKER_OPTIONS, type CircuitBreakerOptions } from "./options";

type Thunk = () => Promise<unknown>;

/** 5xx errors, connection errors and timeouts count against a node; 4xx answers do not. */
function defaultIsFailure(error: unknown): boolean {
  if (!MicroError.is(error)) return true;
  return error.code >= 500 || error.code === 408;
}

/**
 * A client attempt wrapper with one circuit breaker (opossum) per node: a node whose attempts
 * keep failing is ejected for `resetTimeoutMs`. Attempts to it then fail at once with 503
 * `tsmicro.circuit_open`, which is provably undelivered, so the call is retried on another node
 * and the selector avoids the node. Give it as an attempt wrapper; `close()` stops its timers.
 */
export class NodeCircuitBreaker implements Interceptor<AttemptFn> {
  private readonly options: CircuitBreakerOptions;
  private readonly breakers = new Map<string, CircuitBreaker<[Thunk], unknown>>();

  constructor(options: Partial<CircuitBreakerOptions> = {}) {
    this.options = { ...DEFAULT_CIRCUIT_BREAKER_OPTIONS, isFailure: defaultIsFailure, ...options };
  }

  wrap(next: AttemptFn): AttemptFn {
    return (req: AttemptRequest, opts: ResolvedCallOptions) => {
      const breaker = this.breakerFor(req.node.id);
      return breaker.fire(() => next(req, opts)).catch((err: unknown) => {
        if ((err as { code?: unknown } | null)?.code === "EOPENBREAKER") {
          throw serviceUnavailable(`circuit open for node ${req.node.id} (${req.node.address}) after repeated failures`, ErrorIds.circuitOpen);
        }
        throw err;
      });
    };
  }

  /** Whether the node's circuit is open now (for health pages and tests). */
  isOpen(nodeId: string): boolean {
    return this.breakers.get(nodeId)?.opened ?? false;
  }

  /** Stops every breaker's timers; idempotent. */
  close(): void {
    for (const b of this.breakers.values()) b.shutdown();
    this.breakers.clear();
  }

  private breakerFor(nodeId: string): CircuitBreaker<[Thunk], unknown> {
    let b = this.breakers.get(nodeId);
    if (b) {
      // Most recently used last, so the first entry is the one to forget.
      this.breakers.delete(nodeId);
      this.breakers.set(nodeId, b);
      return b;
    }
    const o = this.options;
    b = new CircuitBreaker<[Thunk], unknown>((thunk) => thunk(), {
      timeout: false, // the call's own deadline bounds each attempt
      errorThresholdPercentage: o.errorThresholdPercentage,
      volumeThreshold: o.volumeThreshold,
      resetTimeout: o.resetTimeoutMs,
      rollingCountTimeout: o.rollingWindowMs,
      errorFilter: (err: unknown) => !o.isFailure(err),
    });
    this.breakers.set(nodeId, b);
    if (this.breakers.size > o.maxNodes) {
      const [oldest, old] = this.breakers.entries().next().value as [string, CircuitBreaker<[Thunk], unknown>];
      old.shutdown();
      this.breakers.delete(oldest);
    }
    return b;
  }
}

/** A {@link NodeCircuitBreaker} with these options. */
export function circuitBreaker(options: Partial<CircuitBreakerOptions> = {}): NodeCircuitBreaker {
  return new NodeCircuitBreaker(options);
}
