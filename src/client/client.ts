import type { MethodSchema } from "../codec/schema";
import type { CallContext } from "../metadata/call-context";
import type { Metadata } from "../metadata/metadata";
import type { Node } from "../registry/registry";
import type { SelectOptions } from "../selector/selector";
import type { WrapperLike } from "../wrappers/chain";
import type { ClientStream } from "./stream";
import type { Contract, ServiceClient } from "./service-client";

/** The function a call goes through; wrappers wrap it. */
export type CallFn = (request: ClientRequest, options: ResolvedCallOptions) => Promise<unknown>;

/** Middleware around every call, retries and deadline included: `next => (req, opts) => next(req, opts)`. */
export type CallWrapper = (next: CallFn) => CallFn;

/** A call wrapper as a function, an object with `wrap(next)`, or an injectable class with `wrap(next)`. */
export type CallWrapperLike = WrapperLike<CallFn>;

/** One attempt of a call, as attempt wrappers see it: the request plus the node it goes to. */
export interface AttemptRequest extends ClientRequest {
  /** The node this attempt is sent to. */
  node: Node;
  /** 1 for the first attempt, 2 for the first retry, … */
  attempt: number;
  /** When the whole call's budget runs out (ms since the epoch). */
  deadline: number;
}

/** The function each attempt goes through; attempt wrappers wrap it. */
export type AttemptFn = (request: AttemptRequest, options: ResolvedCallOptions) => Promise<unknown>;

/** Middleware around every attempt (so once per retry too): `next => (req, opts) => next(req, opts)`. */
export type AttemptWrapper = (next: AttemptFn) => AttemptFn;

/** An attempt wrapper as a function, an object with `wrap(next)`, or an injectable class with `wrap(next)`. */
export type AttemptWrapperLike = WrapperLike<AttemptFn>;

/** What a publish is about. */
export interface PublishRequest {
  topic: string;
  payload: unknown;
}

/** The function a publish goes through; publish wrappers wrap it. */
export type PublishFn = (request: PublishRequest, options: PublishOptions) => Promise<void>;

/** Middleware around every `client.publish`: `next => (req, opts) => next(req, opts)`. */
export type PublishWrapper = (next: PublishFn) => PublishFn;

/** A publish wrapper as a function, an object with `wrap(next)`, or an injectable class with `wrap(next)`. */
export type PublishWrapperLike = WrapperLike<PublishFn>;

/** What a call is about. */
export interface ClientRequest {
  service: string;
  endpoint: string;
  body: unknown;
}

/** What the retry decision knows about the failed attempt. */
export interface RetryInfo {
  /** The node the attempt went to. */
  node: Node;
  /** The node advertises the endpoint as idempotent (`@Handler({ idempotent: true })`). */
  idempotent: boolean;
}

/** Decides whether a failed attempt is retried. `attempt` counts from 1. */
export type RetryPolicy = (error: Error, attempt: number, request: ClientRequest, info?: RetryInfo) => boolean;

/** Delay before retry `attempt` (counting from 1), in ms. */
export type Backoff = (attempt: number) => number;

/** Per-call options; unset fields fall back to the client's options. */
export interface CallOptions {
  /** The whole call's budget in ms (default 5000); capped by the context's remaining deadline. */
  timeoutMs?: number;
  /** Extra attempts after the first (default 1). */
  retries?: number;
  /** Which errors are retried; default {@link retryOnConnectionError}: only provably undelivered ones (or lost ones of idempotent endpoints). */
  retry?: RetryPolicy;
  /**
   * Error ids or codes retried in addition to what `retry` allows, for a caller that knows the
   * handler may safely run twice: `{ retries: 2, retryOn: ["tsmicro.connection_lost", 408] }`.
   */
  retryOn?: readonly (string | number)[];
  backoff?: Backoff;
  /** Codec for the request (default application/json). */
  contentType?: string;
  /**
   * The `.proto` method of the endpoint (generated clients pass it): needed to send
   * `application/protobuf` or `application/proto-rpc`, and makes JSON follow proto3's mapping.
   */
  schema?: MethodSchema;
  /** Extra metadata sent as headers. */
  metadata?: Metadata;
  select?: SelectOptions;
  /** Call this `host:port` directly, skipping discovery. */
  address?: string;
  /** The context to propagate (a handler's ctx); `ctx.call` sets it. */
  context?: CallContext;
  /** Aborts the call: it fails at once with 499 `tsmicro.cancelled` (or the signal's MicroError reason) and the server's `ctx.signal` aborts. */
  signal?: AbortSignal;
}

/** CallOptions with every default applied. */
export interface ResolvedCallOptions extends CallOptions {
  timeoutMs: number;
  retries: number;
  retry: RetryPolicy;
  backoff: Backoff;
  contentType: string;
  metadata: Metadata;
}

/** Per-publish options. */
export interface PublishOptions {
  contentType?: string;
  metadata?: Metadata;
  /** Extra message headers, sent as given (after the metadata, before the protocol headers). */
  headers?: Record<string, string>;
  /** Partition/ordering key, passed to brokers that have one (RabbitMQ routing suffix, Redis stream field). */
  key?: string;
  /** How long the broker may take to accept the event, in ms; default the client's `timeoutMs`, capped by the context's deadline. */
  timeoutMs?: number;
  /** The context to propagate (a handler's ctx); `ctx.publish` sets it. */
  context?: CallContext;
}

/** Calls services and publishes events. */
export interface Client {
  readonly name: string;
  /** Calls `endpoint` on `service` and resolves with the decoded response. */
  call<T = unknown>(service: string, endpoint: string, request: unknown, options?: CallOptions): Promise<T>;
  /**
   * Opens a stream to `endpoint` on `service` (a handler declared with `stream`); the
   * options' budget and signal bound the whole stream. Selection and dialing start at once;
   * their failure surfaces on the stream's first `send` or read.
   */
  stream<Req = unknown, Res = unknown>(service: string, endpoint: string, options?: CallOptions): ClientStream<Req, Res>;
  /**
   * A typed client of service class `S`: `client.service<Greeter>("greeter").hello({ name })`.
   * With a name, the endpoints the service advertises say which endpoint serves which method;
   * with a contract (`contractOf(Greeter)`, `defineContract`), the contract does.
   */
  service<S>(target: string | Contract<S>, options?: CallOptions): ServiceClient<S>;
  /** Publishes `payload` on `topic` through the broker. */
  publish(topic: string, payload: unknown, options?: PublishOptions): Promise<void>;
  /** Closes pooled connections; idempotent. */
  close(): Promise<void>;
}
