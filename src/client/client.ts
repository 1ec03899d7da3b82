import type { CallContext } from "../metadata/call-context";
import type { Metadata } from "../metadata/metadata";
import type { SelectOptions } from "../selector/selector";
import type { ClientStream } from "./stream";

/** The function a call goes through; wrappers wrap it. */
export type CallFn = (request: ClientRequest, options: ResolvedCallOptions) => Promise<unknown>;

/** Middleware around every call: `next => (req, opts) => next(req, opts)`. */
export type CallWrapper = (next: CallFn) => CallFn;

/** What a call is about. */
export interface ClientRequest {
  service: string;
  endpoint: string;
  body: unknown;
}

/** Decides whether a failed attempt is retried. `attempt` counts from 1. */
export type RetryPolicy = (error: Error, attempt: number, request: ClientRequest) => boolean;

/** Delay before retry `attempt` (counting from 1), in ms. */
export type Backoff = (attempt: number) => number;

/** Per-call options; unset fields fall back to the client's options. */
export interface CallOptions {
  /** The whole call's budget in ms (default 5000); capped by the context's remaining deadline. */
  timeoutMs?: number;
  /** Extra attempts after the first (default 1). */
  retries?: number;
  retry?: RetryPolicy;
  backoff?: Backoff;
  /** Codec for the request (default application/json). */
  contentType?: string;
  /** Extra metadata sent as headers. */
  metadata?: Metadata;
  select?: SelectOptions;
  /** Call this `host:port` directly, skipping discovery. */
  address?: string;
  /** The context to propagate (a handler's ctx); `ctx.call` sets it. */
  context?: CallContext;
  /** Aborts the call. */
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
  /** Publishes `payload` on `topic` through the broker. */
  publish(topic: string, payload: unknown, options?: PublishOptions): Promise<void>;
  /** Closes pooled connections; idempotent. */
  close(): Promise<void>;
}
