import type { Context } from "@opentelemetry/api";
import type { ReadableSpan, Span, SpanProcessor } from "@opentelemetry/sdk-trace-base";
import type { SpanRecord, SpanRing } from "../../debug/span-ring";

const KINDS = ["internal", "server", "client", "producer", "consumer"];
const STATUS = ["unset", "ok", "error"];
const ms = ([s, ns]: [number, number]): number => s * 1000 + ns / 1e6;

/** Keeps every finished span in the service's ring, for `Debug.Trace` and `micro trace`. */
export class SpanRingProcessor implements SpanProcessor {
  constructor(private readonly ring: SpanRing) {}

  onStart(_span: Span, _parent: Context): void {}

  onEnd(span: ReadableSpan): void {
    // Made into a record only when `Debug.Trace` reads it: a span ends on every call, a read is rare.
    this.ring.pushLazy(() => recordOf(span));
  }

  async forceFlush(): Promise<void> {}
  async shutdown(): Promise<void> {}
}

/** The ring's record of a finished span. */
function recordOf(span: ReadableSpan): SpanRecord {
  const attributes: SpanRecord["attributes"] = {};
  for (const [k, v] of Object.entries(span.attributes)) {
    if (typeof v === "string" || typeof v === "number" || typeof v === "boolean") attributes[k] = v;
  }
  const sc = span.spanContext();
  return {
    traceId: sc.traceId,
    spanId: sc.spanId,
    parentSpanId: span.parentSpanContext?.spanId ?? "",
    name: span.name,
    kind: KINDS[span.kind] ?? "internal",
    started: Math.round(ms(span.startTime)),
    durationMs: Math.round(ms(span.duration) * 1000) / 1000,
    status: STATUS[span.status.code] ?? "unset",
    attributes,
  };
}
