/** One finished span kept for `Debug.Trace`. */
export interface SpanRecord {
  traceId: string;
  spanId: string;
  /** Empty for a root span. */
  parentSpanId: string;
  name: string;
  /** "server", "client", "producer", "consumer" or "internal". */
  kind: string;
  /** ms since the epoch. */
  started: number;
  durationMs: number;
  /** "ok", "error" or "unset". */
  status: string;
  attributes: Record<string, string | number | boolean>;
}

/** Default number of spans a service keeps for `Debug.Trace`. */
export const SPAN_RING_CAPACITY = 500;

/** The most recent finished spans of a process, bounded; filled by the tracing setup. */
export class SpanRing {
  private readonly spans: SpanRecord[] = [];

  constructor(readonly capacity = SPAN_RING_CAPACITY) {}

  push(span: SpanRecord): void {
    this.spans.push(span);
    if (this.spans.length > this.capacity) this.spans.splice(0, this.spans.length - this.capacity);
  }

  /** Up to `count` newest spans, oldest first; only those of `traceId` when given. */
  recent(count = this.capacity, traceId?: string): SpanRecord[] {
    const matching = traceId ? this.spans.filter((s) => s.traceId === traceId) : this.spans;
    return matching.slice(Math.max(0, matching.length - count));
  }
}
