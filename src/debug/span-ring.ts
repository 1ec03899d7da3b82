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
  // A circular buffer: once full, a push overwrites the oldest entry instead of shifting 500.
  // An entry may be a function making its record: the tracing processor defers that work to
  // the rare read (`Debug.Trace`) rather than paying it for every span.
  private readonly entries: Array<SpanRecord | (() => SpanRecord)> = [];
  private oldest = 0;

  constructor(readonly capacity = SPAN_RING_CAPACITY) {}

  push(span: SpanRecord): void {
    this.add(span);
  }

  /** Keeps a span whose record `make` builds only if it is read. */
  pushLazy(make: () => SpanRecord): void {
    this.add(make);
  }

  /** Up to `count` newest spans, oldest first; only those of `traceId` when given. */
  recent(count = this.capacity, traceId?: string): SpanRecord[] {
    const e = this.entries;
    const ordered: SpanRecord[] = [];
    for (let i = 0; i < e.length; i++) {
      const at = (this.oldest + i) % e.length;
      const entry = e[at]!;
      const record = typeof entry === "function" ? (e[at] = entry()) : entry;
      if (!traceId || record.traceId === traceId) ordered.push(record);
    }
    return ordered.slice(Math.max(0, ordered.length - count));
  }

  private add(entry: SpanRecord | (() => SpanRecord)): void {
    if (this.capacity <= 0) return;
    if (this.entries.length < this.capacity) {
      this.entries.push(entry);
      return;
    }
    this.entries[this.oldest] = entry;
    this.oldest = (this.oldest + 1) % this.capacity;
  }
}
