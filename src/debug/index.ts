export { debugHandlers, type DebugSources, type HealthResponse, type LogRequest, type TraceRequest, type TraceResponse } from "./handlers";
export { ProcessStats, RequestCounters, type StatsResponse } from "./process-stats";
export { SpanRing, SPAN_RING_CAPACITY, type SpanRecord } from "./span-ring";
