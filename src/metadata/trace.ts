import { randomHex, randomTraceparent } from "../internal/random";

/** A W3C trace context (`traceparent: 00-<trace>-<span>-<flags>`). */
export interface TraceContext {
  traceId: string;
  spanId: string;
  flags: string;
}

const TRACEPARENT = /^00-([0-9a-f]{32})-([0-9a-f]{16})-([0-9a-f]{2})$/;

/** Parses a `traceparent` header; undefined when absent or malformed. */
export function parseTraceparent(value: string | undefined): TraceContext | undefined {
  const m = value ? TRACEPARENT.exec(value.trim()) : null;
  return m ? { traceId: m[1]!, spanId: m[2]!, flags: m[3]! } : undefined;
}

/** A new span under `parent`, or a new trace when there is no parent. */
export function childSpan(parent: TraceContext | undefined): TraceContext {
  return {
    traceId: parent?.traceId ?? randomHex(16),
    spanId: randomHex(8),
    flags: parent?.flags ?? "01",
  };
}

/** Formats a trace context as a `traceparent` header. */
export function formatTraceparent(t: TraceContext): string {
  return `00-${t.traceId}-${t.spanId}-${t.flags}`;
}

/** A `traceparent` header starting a new trace, made in one step (the client's hot path). */
export function newTraceparent(): string {
  return randomTraceparent();
}
