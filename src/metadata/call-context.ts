import type { Metadata } from "./metadata";
import type { TraceContext } from "./trace";

/**
 * What a client call takes from the context it is made in: data only, so the client does not
 * depend on `Context` (which calls through a client). A handler's `Context` is one.
 */
export interface CallContext {
  /** Metadata to propagate as headers. */
  readonly metadata: Readonly<Metadata>;
  /** Absolute deadline, ms since the epoch; the call's budget is capped by what is left. */
  readonly deadline: number | undefined;
  /** Aborts the call with the context. */
  readonly signal: AbortSignal;
  /** The service the call is made from (sent as `Micro-From-Service`). */
  readonly service: string | undefined;
  /** The trace the call continues. */
  readonly trace: TraceContext | undefined;
}
