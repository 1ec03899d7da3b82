import type { DeliveryInfo } from "../broker/broker";
import type { CallOptions, Client, PublishOptions } from "../client/client";
import type { Logger } from "../logger/logger";
import type { CallContext } from "./call-context";
import { SilentLogger } from "../logger/silent";
import { metadataFromHeaders, type Metadata } from "./metadata";
import { childSpan, parseTraceparent, type TraceContext } from "./trace";

/** What a Context is built from; every field is optional. */
export interface ContextInit {
  /** Caller metadata to propagate onwards. */
  metadata?: Metadata;
  /**
   * The incoming message's headers: metadata and trace are then derived from them on first
   * use (most handlers never read them, so the server does not pay for them per request).
   */
  headers?: Readonly<Record<string, string>>;
  /** Absolute deadline, ms since the epoch. */
  deadline?: number;
  /** Aborts when the deadline passes (or whatever the creator ties it to); a function makes it lazily. */
  signal?: AbortSignal | (() => AbortSignal);
  /** The calling service (`Micro-From-Service`), if it said. */
  caller?: string;
  /** The service this context runs in (sent onwards as `Micro-From-Service`). */
  service?: string;
  /** The endpoint or topic being handled. */
  endpoint?: string;
  /** The trace this work belongs to. */
  trace?: TraceContext;
  logger?: Logger;
  /** The client used by `call` and `publish`. */
  client?: Client;
  /** For an event: its attempt, id and redelivery flag. */
  delivery?: DeliveryInfo;
}

const NEVER = new AbortController().signal;
const EMPTY: Readonly<Record<string, string>> = Object.freeze({});

/**
 * The per-request context a handler receives: metadata, deadline, abort signal, caller, trace
 * and logger. `ctx.call(...)` calls onwards with all of it propagated.
 */
export class Context implements CallContext {
  readonly deadline: number | undefined;
  readonly caller: string | undefined;
  readonly service: string | undefined;
  readonly endpoint: string | undefined;
  private readonly baseLogger: Logger;
  private scopedLogger: Logger | undefined;
  /** For an event handler: which delivery of the event this is (attempt, id, redelivered), so it can be idempotent. */
  readonly delivery: DeliveryInfo | undefined;
  private readonly client: Client | undefined;
  private signalSource: AbortSignal | (() => AbortSignal);
  private readonly headers: Readonly<Record<string, string>> | undefined;
  private md: Readonly<Metadata> | undefined;
  private traceContext: TraceContext | undefined | null; // null: not derived yet

  constructor(init: ContextInit = {}) {
    this.headers = init.headers;
    this.md = init.metadata ?? (init.headers ? undefined : EMPTY);
    this.traceContext = init.trace ?? (init.headers ? null : undefined);
    this.deadline = init.deadline;
    this.signalSource = init.signal ?? NEVER;
    this.caller = init.caller;
    this.service = init.service;
    this.endpoint = init.endpoint;
    this.baseLogger = init.logger ?? new SilentLogger();
    this.client = init.client;
    this.delivery = init.delivery;
  }

  /**
   * The logger of this request: its lines carry the endpoint (or topic), the caller, and the
   * trace and span ids. Made on first use, so requests that never log do not pay for it.
   */
  get logger(): Logger {
    if (this.scopedLogger === undefined) {
      const trace = this.trace;
      const fields = this.endpoint === undefined ? undefined : { endpoint: this.endpoint, caller: this.caller, trace_id: trace?.traceId, span_id: trace?.spanId };
      this.scopedLogger = fields === undefined ? this.baseLogger : this.baseLogger.child(fields);
    }
    return this.scopedLogger;
  }

  /** Caller metadata (every header that is not part of the protocol). */
  get metadata(): Readonly<Metadata> {
    return (this.md ??= metadataFromHeaders(this.headers ?? EMPTY));
  }

  /** This request's span: a child of the caller's `traceparent`, or a new trace. */
  get trace(): TraceContext | undefined {
    if (this.traceContext === null) {
      const h = this.headers!;
      this.traceContext = childSpan(parseTraceparent(h["Traceparent"] ?? h["traceparent"]));
    }
    return this.traceContext;
  }

  /** Aborts when the caller's deadline passes (408) or the caller cancels the call (499 `tsmicro.cancelled`). */
  get signal(): AbortSignal {
    const s = this.signalSource;
    return typeof s === "function" ? (this.signalSource = s()) : s;
  }

  /** An empty context with no deadline. */
  static background(init: ContextInit = {}): Context {
    return new Context(init);
  }

  /** Milliseconds left before the deadline; Infinity without one. */
  remainingMs(): number {
    return this.deadline === undefined ? Infinity : Math.max(0, this.deadline - Date.now());
  }

  /** Calls another service, propagating metadata, the remaining deadline, the signal and the trace. */
  call<T = unknown>(service: string, endpoint: string, request: unknown, options: CallOptions = {}): Promise<T> {
    return this.requireClient().call<T>(service, endpoint, request, { ...options, context: this });
  }

  /** Publishes an event, propagating metadata and trace. */
  publish(topic: string, payload: unknown, options: PublishOptions = {}): Promise<void> {
    return this.requireClient().publish(topic, payload, { ...options, context: this });
  }

  /** A copy of this context with some fields replaced. */
  with(init: ContextInit): Context {
    // The tracing wrapper copies every request's context: what the copy does not replace stays
    // lazy (metadata parsed, signal made only when read), and reads the same values as this one.
    const copy = new Context({
      headers: this.headers,
      metadata: this.md ?? (init.headers === undefined ? undefined : this.metadata),
      deadline: this.deadline,
      signal: typeof this.signalSource === "function" ? () => this.signal : this.signalSource,
      caller: this.caller,
      service: this.service,
      endpoint: this.endpoint,
      logger: this.baseLogger,
      client: this.client,
      delivery: this.delivery,
      ...init,
    });
    copy.traceContext = "trace" in init ? init.trace : this.trace;
    return copy;
  }

  private requireClient(): Client {
    if (!this.client) throw new Error("this Context has no client; build it with one to call onwards");
    return this.client;
  }
}
