import { randomUuid } from "../internal/random";
import { ErrorIds, MicroError, serviceUnavailable, timeout, toMicroError } from "../errors";
import { CodecSet } from "../codec/codecs";
import { serviceClient, type Contract, type ServiceClient } from "./service-client";
import { encodeRequest } from "./encode";
import type { CallContext } from "../metadata/call-context";
import { clampDelay } from "../internal/timers";
import { injectTraceHeaders } from "../metadata/propagation";
import { childSpan, formatTraceparent, newTraceparent } from "../metadata/trace";
import { Headers } from "../transport/headers";
import type { Node } from "../registry/registry";
import type { Message } from "../transport/transport";
import { compose } from "../wrappers/chain";
import type { AttemptFn, AttemptRequest, CallFn, CallOptions, Client, ClientRequest, PublishFn, PublishOptions, ResolvedCallOptions } from "./client";
import { advertisesIdempotent, listedForRetry } from "./retry";
import { resolveRpcClientOptions, type RpcClientOptions } from "./options";
import { abortError, CallState } from "./call-state";
import { ConnectionPool } from "./pool";
import { publishWithin } from "./publish";
import { RpcClientStream, type ClientStream } from "./stream";
import type { ClientConnection } from "./connection";

let sequence = 0;
const NO_OPTIONS: CallOptions = Object.freeze({});
const NO_METADATA: Record<string, string> = Object.freeze({}) as Record<string, string>;

/** Where an attempt request carries its call's cancellation state past the attempt wrappers. */
const kState = Symbol("tsmicro.callState");
type StatefulAttempt = AttemptRequest & { [kState]?: CallState };

function expire(state: CallState, req: ClientRequest, ms: number): void {
  state.cancel(timeout(`call to ${req.service}.${req.endpoint} timed out after ${ms}ms`));
}

/**
 * The default client: selector → pool → transport → codec, with a deadline on every call and
 * retries only where they are safe. Pipeline: call wrappers → deadline and retry stage →
 * attempt wrappers (once per attempt, with the node) → transport.
 */
export class RpcClient implements Client {
  readonly name = "rpc";
  private readonly options: RpcClientOptions;
  private readonly codecs: CodecSet;
  private readonly pool: ConnectionPool;
  private readonly invoke: CallFn;
  /** The attempt chain; undefined without attempt wrappers, so the plain path builds no attempt object. */
  private readonly attemptChain: AttemptFn | undefined;
  private readonly publishChain: PublishFn;

  constructor(options: Partial<RpcClientOptions> & Pick<RpcClientOptions, "selector" | "transport">) {
    this.options = resolveRpcClientOptions(options);
    const o = this.options;
    this.codecs = new CodecSet(o.codecs);
    this.pool = new ConnectionPool(o.transport, o.dialTimeoutMs, o.transports);
    const base: CallFn = (req, opts) => this.callWithRetries(req, opts);
    this.invoke = compose(o.wrappers, base, o.instantiate);
    const attemptOnce: AttemptFn = (req, opts) => this.attemptOnce(req as StatefulAttempt, opts);
    this.attemptChain = o.attemptWrappers.length > 0 ? compose(o.attemptWrappers, attemptOnce, o.instantiate) : undefined;
    this.publishChain = compose(o.publishWrappers, (req, opts) => this.send(req.topic, req.payload, opts), o.instantiate);
  }

  call<T = unknown>(service: string, endpoint: string, request: unknown, options: CallOptions = NO_OPTIONS): Promise<T> {
    const o = this.options;
    const ctx = options.context;
    // Built field by field (no spreads): this runs on every call.
    const resolved: ResolvedCallOptions = {
      timeoutMs: Math.min(options.timeoutMs ?? o.timeoutMs, ctx?.deadline === undefined ? Infinity : Math.max(0, ctx.deadline - Date.now())),
      retries: options.retries ?? o.retries,
      retry: options.retry ?? o.retry,
      retryOn: options.retryOn,
      backoff: options.backoff ?? o.backoff,
      contentType: options.contentType ?? o.contentType,
      metadata: mergeMetadata(ctx, options.metadata),
      select: options.select,
      address: options.address,
      context: ctx,
      signal: options.signal,
      schema: options.schema,
    };
    return this.invoke({ service, endpoint, body: request }, resolved) as Promise<T>;
  }

  stream<Req = unknown, Res = unknown>(service: string, endpoint: string, options: CallOptions = NO_OPTIONS): ClientStream<Req, Res> {
    const ctx = options.context;
    const contentType = options.contentType ?? this.options.contentType;
    const remaining = ctx?.deadline === undefined ? Infinity : Math.max(0, ctx.deadline - Date.now());
    return new RpcClientStream<Req, Res>(service, endpoint, {
      connect: () => this.connectTo(service, options),
      header: () => this.baseHeaders(mergeMetadata(ctx, options.metadata), ctx),
      codec: this.codecs.get(contentType),
      contentType,
      schema: options.schema,
      timeoutMs: clampDelay(Math.min(options.timeoutMs ?? this.options.timeoutMs, remaining)),
      signal: options.signal ?? ctx?.signal,
    });
  }

  /** A connection to one node of `service` (or to `options.address`), for a stream. */
  private async connectTo(service: string, options: CallOptions): Promise<ClientConnection> {
    const node: Node = options.address
      ? { id: options.address, address: options.address, metadata: {} }
      : (await this.options.selector.select(service, options.select))();
    const pooled = this.pool.get(node);
    return pooled instanceof Promise ? await pooled : pooled;
  }


  service<S>(target: string | Contract<S>, options?: CallOptions): ServiceClient<S> {
    const registry = this.options.registry;
    const endpoints = registry ? async (name: string) => (await registry.getService(name)).flatMap((r) => r.endpoints) : undefined;
    return serviceClient<S>(this, target, { callOptions: options, endpoints });
  }

  publish(topic: string, payload: unknown, options: PublishOptions = {}): Promise<void> {
    return this.publishChain({ topic, payload }, options);
  }

  /** The innermost publish stage: encode and hand to the broker (a plain function: one promise less per event). */
  private send(topic: string, payload: unknown, options: PublishOptions): Promise<void> {
    try {
      return this.encodeAndPublish(topic, payload, options);
    } catch (err) {
      return Promise.reject(err as Error);
    }
  }

  private encodeAndPublish(topic: string, payload: unknown, options: PublishOptions): Promise<void> {
    const broker = this.options.broker;
    if (!broker) throw serviceUnavailable("this client has no broker to publish with");
    const contentType = options.contentType ?? this.options.contentType;
    const id = randomUuid();
    const header = this.baseHeaders(mergeMetadata(options.context, options.metadata), options.context);
    if (options.headers !== undefined) Object.assign(header, options.headers);
    header[Headers.topic] = topic;
    header[Headers.id] = id;
    header[Headers.contentType] = contentType;
    const body = this.codecs.get(contentType).marshal(payload, { type: "event", id, endpoint: topic });
    const deadline = options.context?.deadline;
    const timeoutMs = Math.min(options.timeoutMs ?? this.options.timeoutMs, deadline === undefined ? Infinity : deadline - Date.now());
    return publishWithin(broker, topic, { header, body }, { key: options.key, timeoutMs }, timeoutMs);
  }

  /** Pooled connections open now (one per node and transport), for metrics. */
  get pooledConnections(): number {
    return this.pool.size;
  }

  async close(): Promise<void> {
    await this.pool.close();
  }

  private async callWithRetries(req: ClientRequest, opts: ResolvedCallOptions): Promise<unknown> {
    // Infinity or 2^31 ms and more would make setTimeout fire at once: they mean a long budget.
    const budgetMs = clampDelay(opts.timeoutMs);
    const deadline = Date.now() + budgetMs;
    const state = new CallState();
    const timer = setTimeout(expire, budgetMs, state, req, budgetMs);
    const outer = opts.signal ?? opts.context?.signal;
    const onOuterAbort = outer ? (): void => state.cancel(abortError(outer, `call to ${req.service}.${req.endpoint}`)) : undefined;
    if (onOuterAbort) {
      if (outer!.aborted) onOuterAbort();
      else outer!.addEventListener("abort", onOuterAbort, { once: true });
    }
    try {
      const selected = opts.address ? fixedNode(opts.address) : this.options.selector.select(req.service, opts.select);
      // The deadline bounds every wait of the call: the registry lookup, the dial, the reply.
      const next = typeof selected === "function" ? selected : await state.bound(selected);
      let tried: Set<string> | undefined;
      for (let attempt = 0; ; attempt++) {
        if (attempt > 0) await delay(opts.backoff(attempt), state);
        const node = next(tried);
        try {
          let result: unknown;
          if (this.attemptChain) {
            const a: StatefulAttempt = { service: req.service, endpoint: req.endpoint, body: req.body, node, attempt: attempt + 1, deadline, [kState]: state };
            result = await this.attemptChain(a, opts);
          } else {
            // The plain path, inlined rather than calling attemptOnce: one async frame less per call.
            const id = String(++sequence);
            const message = this.request(req, opts, id, deadline);
            const pooled = this.pool.get(node);
            const conn = pooled instanceof Promise ? await state.bound(pooled) : pooled;
            const reply = await conn.request(message, state);
            result = this.decode(reply, opts, id, req.endpoint, node);
          }
          if (!opts.address) this.options.selector.mark(req.service, node);
          return result;
        } catch (err) {
          const error = state.error ?? toMicroError(err, String(err));
          if (!opts.address) this.options.selector.mark(req.service, node, error);
          if (state.error || attempt >= opts.retries || !this.retryable(error, attempt + 1, req, node, opts)) throw error;
          (tried ??= new Set()).add(node.id);
          this.options.logger?.debug("retrying call", { service: req.service, endpoint: req.endpoint, node: node.id, error: String(error) });
        }
      }
    } finally {
      clearTimeout(timer);
      if (onOuterAbort) outer!.removeEventListener("abort", onOuterAbort);
    }
  }

  /**
   * The innermost attempt stage (used when attempt wrappers are configured). Not an async
   * function: with a pooled connection (the common case) it adds no async frame to the attempt.
   */
  private attemptOnce(a: StatefulAttempt, opts: ResolvedCallOptions): Promise<unknown> {
    try {
      const id = String(++sequence);
      const message = this.request(a, opts, id, a.deadline);
      const state = a[kState];
      const decode = (reply: Message): unknown => this.decode(reply, opts, id, a.endpoint, a.node);
      const pooled = this.pool.get(a.node);
      if (!(pooled instanceof Promise)) return pooled.request(message, state).then(decode);
      return (state?.bound(pooled) ?? pooled).then((conn) => conn.request(message, state)).then(decode);
    } catch (err) {
      // Thrown while building the request (an unencodable body): a rejection, as from an async function.
      return Promise.reject(err as Error);
    }
  }

  /** The call's policy, told whether the node advertises the endpoint idempotent, or the call's `retryOn`. */
  private retryable(error: Error, attempt: number, req: ClientRequest, node: Node, opts: ResolvedCallOptions): boolean {
    const info = { node, idempotent: advertisesIdempotent(node.metadata, req.endpoint) };
    return opts.retry(error, attempt, req, info) || listedForRetry(error, opts.retryOn);
  }

  /** The request message of one attempt. */
  private request(req: ClientRequest, opts: ResolvedCallOptions, id: string, deadline: number): Message {
    const header = this.baseHeaders(opts.metadata, opts.context);
    header[Headers.service] = req.service;
    header[Headers.endpoint] = req.endpoint;
    header[Headers.id] = id;
    header[Headers.contentType] = opts.contentType;
    header[Headers.timeout] = String(Math.max(1, deadline - Date.now()) * 1_000_000); // ns, as go-micro sends it
    return { header, body: encodeRequest(this.codecs.get(opts.contentType), req.body, { type: "request", id, endpoint: req.endpoint, schema: opts.schema?.request }) };
  }

  /** The decoded response, or the MicroError the reply carries. */
  private decode(reply: Message, opts: ResolvedCallOptions, id: string, endpoint: string, node: Node): unknown {
    const errorHeader = reply.header[Headers.error];
    if (errorHeader) throw MicroError.parse(errorHeader);
    const replyCodec = this.codecs.get(reply.header[Headers.contentType] ?? opts.contentType);
    try {
      return replyCodec.unmarshal(reply.body, { type: "response", id, endpoint, schema: opts.schema?.response });
    } catch (err) {
      throw new MicroError(ErrorIds.malformed, 500, `malformed response from ${node.address}: ${String(err)}`);
    }
  }

  private baseHeaders(metadata: Record<string, string>, context: CallContext | undefined): Record<string, string> {
    const header: Record<string, string> = metadata === NO_METADATA ? {} : { ...metadata };
    const from = context?.service ?? this.options.fromService;
    if (from) header[Headers.fromService] = from;
    // With tracing on, the active span's traceparent is sent; only without one is an id made here.
    if (!injectTraceHeaders(header)) header[Headers.traceparent] = context?.trace ? formatTraceparent(childSpan(context.trace)) : newTraceparent();
    return header;
  }
}

/** The context's metadata with per-call metadata over it; a shared empty record when there is none. */
function mergeMetadata(ctx: CallContext | undefined, extra: Record<string, string> | undefined): Record<string, string> {
  if (ctx) return { ...ctx.metadata, ...extra };
  return extra ?? NO_METADATA;
}

function fixedNode(address: string): (tried?: ReadonlySet<string>) => Node {
  const node: Node = { id: address, address, metadata: {} };
  return () => node;
}

function delay(ms: number, state: CallState): Promise<void> {
  if (ms <= 0) return Promise.resolve();
  return new Promise((resolve, reject) => {
    const t = setTimeout(() => (state.onCancel(undefined), resolve()), clampDelay(ms));
    state.onCancel(() => (clearTimeout(t), reject(state.error!)));
  });
}
