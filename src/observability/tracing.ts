import { context, propagation, ProxyTracerProvider, ROOT_CONTEXT, SpanKind, SpanStatusCode, trace, type Attributes, type Span, type SpanOptions, type TextMapGetter, type TextMapSetter, type Tracer } from "@opentelemetry/api";
import type { AttemptWrapper, PublishWrapper } from "../client/client";
import type { Context } from "../metadata/context";
import type { HandlerWrapper, SubscriberWrapper } from "../server/server";
import { Attr, failureOf, RPC_SYSTEM } from "./attributes";

/** `traceparent` → `Traceparent`: the capitalised form of each propagation key, made once per key. */
const capitalised = new Map<string, string>();

/** Reads propagation headers whatever their case (tcp keeps `Traceparent`, HTTP lower-cases it). */
const getter: TextMapGetter<Readonly<Record<string, string>>> = {
  keys: (carrier) => Object.keys(carrier),
  get: (carrier, key) => {
    const value = carrier[key];
    if (value !== undefined) return value;
    let upper = capitalised.get(key);
    // Propagators ask for a few fixed keys; a custom one asking for many is not kept.
    if (upper === undefined) {
      upper = key.charAt(0).toUpperCase() + key.slice(1);
      if (capitalised.size < 64) capitalised.set(key, upper);
    }
    return carrier[upper];
  },
};

/** Ends `span` with the outcome of `work`, passing the outcome on. */
function finish<T>(span: Span, work: Promise<T>, errorFromCode: number): Promise<T> {
  return work.then(
    (value) => {
      span.setAttribute(Attr.statusCode, 200);
      span.end();
      return value;
    },
    (err: unknown) => {
      const f = failureOf(err);
      span.setAttribute(Attr.statusCode, f.code);
      span.setAttribute(Attr.errorType, f.id || String(f.code));
      if (f.code >= errorFromCode) span.setStatus({ code: SpanStatusCode.ERROR, message: f.detail });
      span.end();
      throw err;
    },
  );
}

/** The wrappers that make every attempt, handler, publish and delivery a span. */
export interface TracingWrappers {
  attempt: AttemptWrapper;
  handler: HandlerWrapper;
  publish: PublishWrapper;
  subscriber: SubscriberWrapper;
}

/** A span's name and start options, the same on every call of one endpoint or topic. */
interface SpanShape {
  name: string;
  options: SpanOptions;
}

/**
 * The shape of a span, made on the first call of its endpoint (or topic) and kept: a per-call
 * span then builds no name string and no options. At most `MAX_SHAPES` are kept, as endpoint
 * and topic names come off the wire; past that, shapes are made per call as before.
 */
function shapes(make: (first: string, second: string) => SpanShape): (first: string, second: string) => SpanShape {
  const byFirst = new Map<string, Map<string, SpanShape>>();
  let count = 0;
  return (first, second) => {
    let bySecond = byFirst.get(first);
    const known = bySecond?.get(second);
    if (known !== undefined) return known;
    const shape = make(first, second);
    if (count >= MAX_SHAPES) return shape;
    if (bySecond === undefined) byFirst.set(first, (bySecond = new Map()));
    bySecond.set(second, shape);
    count++;
    return shape;
  };
}

/** How many span shapes one wrapper keeps. */
const MAX_SHAPES = 1024;

/**
 * Tracing as middleware on the four hook points, with the OpenTelemetry semantic conventions
 * for RPC and messaging. A server span continues the caller's `traceparent`; a client or
 * producer span is active while the message is built, so its context is what travels.
 * `broker` names `messaging.system`.
 */
export function tracingWrappers(tracer: Tracer, broker: string): TracingWrappers {
  const rpcAttributes = (service: string, endpoint: string): Attributes => ({ [Attr.rpcSystem]: RPC_SYSTEM, [Attr.rpcService]: service, [Attr.rpcMethod]: endpoint });
  const serving = shapes((service, endpoint) => ({ name: `${service}/${endpoint}`, options: { kind: SpanKind.SERVER, attributes: rpcAttributes(service, endpoint) } }));
  // The client's attributes differ per attempt (node, attempt number): only its name is kept.
  const calling = shapes((service, endpoint) => ({ name: `${service}/${endpoint}`, options: {} }));
  const publishing = shapes((_, topic) => ({
    name: `publish ${topic}`,
    options: { kind: SpanKind.PRODUCER, attributes: { [Attr.messagingSystem]: broker, [Attr.messagingDestination]: topic, [Attr.messagingOperation]: "publish" } },
  }));
  const processing = shapes((_, topic) => ({ name: `process ${topic}`, options: {} }));
  return {
    attempt: (next) => (req, opts) => {
      const parent = context.active();
      const span = tracer.startSpan(
        calling(req.service, req.endpoint).name,
        {
          kind: SpanKind.CLIENT,
          attributes: { [Attr.rpcSystem]: RPC_SYSTEM, [Attr.rpcService]: req.service, [Attr.rpcMethod]: req.endpoint, [Attr.serverAddress]: req.node.address, [Attr.attempt]: req.attempt },
        },
        parent,
      );
      return finish(span, context.with(trace.setSpan(parent, span), next, undefined, req, opts), 0);
    },
    handler: (next) => (req, ctx) => {
      const parent = propagation.extract(ROOT_CONTEXT, req.header, getter);
      const shape = serving(req.service, req.endpoint);
      const span = tracer.startSpan(shape.name, shape.options, parent);
      // A 4xx is the caller's mistake, not the server's failure (as for HTTP servers).
      return finish(span, context.with(trace.setSpan(parent, span), next, undefined, req, adopt(ctx, span)), 500);
    },
    publish: (next) => (req, opts) => {
      const shape = publishing("", req.topic);
      const parent = context.active();
      const span = tracer.startSpan(shape.name, shape.options, parent);
      return finish(span, context.with(trace.setSpan(parent, span), next, undefined, req, opts), 0);
    },
    subscriber: (next) => (ev, ctx) => {
      const parent = propagation.extract(ROOT_CONTEXT, ev.header, getter);
      const span = tracer.startSpan(
        processing("", ev.topic).name,
        {
          kind: SpanKind.CONSUMER,
          attributes: { [Attr.messagingSystem]: broker, [Attr.messagingDestination]: ev.topic, [Attr.messagingOperation]: "process", [Attr.messagingMessageId]: ev.header["Micro-Id"] ?? "" },
        },
        parent,
      );
      return finish(span, context.with(trace.setSpan(parent, span), next, undefined, ev, adopt(ctx, span)), 0);
    },
  };
}

/** The handler's context with the span's ids as `ctx.trace`, so its log lines name the span the collector has. */
function adopt(ctx: Context, span: Span): Context {
  const sc = span.spanContext();
  return ctx.with({ trace: { traceId: sc.traceId, spanId: sc.spanId, flags: sc.traceFlags.toString(16).padStart(2, "0") } });
}

/** Writes the active context's propagation headers (the installed propagators decide which); true when one was `traceparent`. */
export function injectActiveContext(header: Record<string, string>): boolean {
  wroteTraceparent = false;
  propagation.inject(context.active(), header, setter);
  return wroteTraceparent;
}

/** Set by `setter` while `injectActiveContext` runs (synchronously): whether a `traceparent` was written. */
let wroteTraceparent = false;

/** Writes `traceparent` as tsmicro's headers spell it, other keys as the propagator names them. */
const setter: TextMapSetter<Record<string, string>> = {
  set: (carrier, key, value) => {
    if (key === "traceparent") {
      carrier.Traceparent = value;
      wroteTraceparent = true;
    } else carrier[key] = value;
  },
};

/**
 * True when an OpenTelemetry SDK is installed (tsmicro's own or the application's): without
 * one, tracing wrappers would only cost time. The API's proxy delegates to a no-op until then.
 */
export function tracerInstalled(): boolean {
  const provider = trace.getTracerProvider();
  return provider instanceof ProxyTracerProvider && provider.getDelegate() !== NOOP_DELEGATE;
}

const NOOP_DELEGATE = new ProxyTracerProvider().getDelegate();
