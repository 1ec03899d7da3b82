import type { HandlerDescriptor } from "../discovery/descriptors";
import type { LogRecord, LogRing } from "../logger/log-ring";
import type { Context } from "../metadata/context";
import type { ProcessStats, StatsResponse } from "./process-stats";
import type { SpanRecord, SpanRing } from "./span-ring";

/** What `Debug.Health` answers. */
export interface HealthResponse {
  status: "ok";
}

/** `Debug.Log`'s request: the newest `count` records written since `since` (seconds since the epoch), then new ones if `follow`. */
export interface LogRequest {
  count?: number;
  since?: number;
  follow?: boolean;
}

/** `Debug.Trace`'s request: the newest `count` spans, only of `traceId` when given. */
export interface TraceRequest {
  count?: number;
  traceId?: string;
}

/** `Debug.Trace`'s answer; `enabled` is false when tracing is off (then `spans` is empty). */
export interface TraceResponse {
  enabled: boolean;
  spans: SpanRecord[];
}

/** Where the debug endpoints read from; a missing source answers empty. */
export interface DebugSources {
  stats?: ProcessStats;
  /** Aborts when the server starts to stop: a following `Debug.Log` then ends instead of holding up the drain. */
  stopping?: AbortSignal;
  logs?: LogRing;
  spans?: SpanRing;
}

const internal = (endpoint: string, invoke: HandlerDescriptor["invoke"], stream?: HandlerDescriptor["stream"]): HandlerDescriptor => ({
  endpoint,
  invoke,
  validate: false,
  metadata: {},
  ...(stream ? { stream } : {}),
});

const positive = (v: unknown, fallback: number): number => (typeof v === "number" && Number.isFinite(v) && v > 0 ? Math.floor(v) : fallback);

/**
 * go-micro's debug service, served by every node and never advertised: `Debug.Health`,
 * `Debug.Stats`, `Debug.Log` (a server stream: recent records, then new ones with `follow`)
 * and `Debug.Trace`.
 */
export function debugHandlers(sources: DebugSources): HandlerDescriptor[] {
  return [
    internal("Debug.Health", async (): Promise<HealthResponse> => ({ status: "ok" })),
    internal("Debug.Stats", async (): Promise<StatsResponse | Record<string, never>> => sources.stats?.snapshot() ?? {}),
    internal("Debug.Log", (req, ctx) => Promise.resolve(logStream(sources.logs, (req ?? {}) as LogRequest, ctx, sources.stopping)), "server"),
    internal("Debug.Trace", async (req): Promise<TraceResponse> => {
      const r = (req ?? {}) as TraceRequest;
      const spans = sources.spans?.recent(positive(r.count, 100), typeof r.traceId === "string" ? r.traceId : undefined) ?? [];
      return { enabled: sources.spans !== undefined, spans };
    }),
  ];
}

async function* logStream(ring: LogRing | undefined, req: LogRequest, ctx: Context, stopping?: AbortSignal): AsyncGenerator<LogRecord> {
  if (!ring) return;
  const since = typeof req.since === "number" ? req.since * 1000 : 0;
  const pending: LogRecord[] = [];
  let wake: (() => void) | undefined;
  // Subscribed before the backlog is read, so no record falls between the two.
  const unfollow = req.follow ? ring.follow((r) => (pending.push(r), wake?.())) : undefined;
  const backlog = ring.recent(positive(req.count, 100), since);
  // The caller cancelling and the server stopping both end a follow (and wake it if it waits).
  const ended = (): boolean => ctx.signal.aborted || stopping?.aborted === true;
  const onEnd = (): void => wake?.();
  try {
    yield* backlog;
    if (!unfollow) return;
    ctx.signal.addEventListener("abort", onEnd);
    stopping?.addEventListener("abort", onEnd);
    while (!ended()) {
      if (pending.length === 0) await new Promise<void>((resolve) => (wake = resolve));
      while (pending.length > 0) yield pending.shift()!;
    }
  } finally {
    unfollow?.();
    ctx.signal.removeEventListener("abort", onEnd);
    stopping?.removeEventListener("abort", onEnd);
  }
}
