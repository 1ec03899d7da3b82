import type { HandlerDescriptor, SubscriberDescriptor } from "../discovery/descriptors";
import type { Context } from "../metadata/context";
import type { ServiceRecord } from "../registry/registry";

/** A request as handler wrappers see it. */
export interface ServerRequest {
  service: string;
  endpoint: string;
  /** The routed handler (wrappers may read its metadata). */
  handler: HandlerDescriptor;
  header: Readonly<Record<string, string>>;
  body: unknown;
}

/** The function a request goes through; wrappers wrap it. */
export type HandlerFn = (request: ServerRequest, ctx: Context) => Promise<unknown>;

/** Middleware around every handler: `next => (req, ctx) => next(req, ctx)`. */
export type HandlerWrapper = (next: HandlerFn) => HandlerFn;

/** Serves handlers and subscribers, and keeps the node registered while it runs. */
export interface Server {
  readonly name: string;
  /** Adds endpoints; call before `start`. */
  handle(descriptors: readonly HandlerDescriptor[]): void;
  /** Adds subscribers; call before `start`. */
  subscribe(descriptors: readonly SubscriberDescriptor[]): void;
  /** Listens, subscribes and registers. */
  start(): Promise<void>;
  /** Deregisters, stops accepting, drains in-flight work (bounded) and closes the listener; idempotent. */
  stop(): Promise<void>;
  /** The advertised `host:port` (after start). */
  readonly address: string;
  /** The record this server registers (after start). */
  record(): ServiceRecord;
}
