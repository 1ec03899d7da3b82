import type { HandlerDescriptor, SubscriberDescriptor } from "../discovery/descriptors";
import type { Context } from "../metadata/context";
import type { ServiceRecord } from "../registry/registry";
import type { WrapperLike } from "../wrappers/chain";

/** A request as handler wrappers see it. */
export interface ServerRequest {
  service: string;
  endpoint: string;
  /** The routed handler (wrappers may read its metadata). */
  handler: HandlerDescriptor;
  header: Readonly<Record<string, string>>;
  /**
   * The decoded body, not yet validated: validation is the innermost stage, so wrappers
   * (guards) run before it and the handler receives the validated instance.
   */
  body: unknown;
}

/** The function a request goes through; wrappers wrap it. */
export type HandlerFn = (request: ServerRequest, ctx: Context) => Promise<unknown>;

/** Middleware around every handler: `next => (req, ctx) => next(req, ctx)`. */
export type HandlerWrapper = (next: HandlerFn) => HandlerFn;

/** A handler wrapper as a function, an object with `wrap(next)`, or an injectable class with `wrap(next)`. */
export type HandlerWrapperLike = WrapperLike<HandlerFn>;

/** An event as subscriber wrappers see it. */
export interface ServerEvent {
  service: string;
  topic: string;
  /** The subscriber the event goes to. */
  subscriber: SubscriberDescriptor;
  header: Readonly<Record<string, string>>;
  /** The decoded event, not yet validated (validation is the innermost stage). */
  body: unknown;
}

/** The function an event goes through; subscriber wrappers wrap it. */
export type SubscriberFn = (event: ServerEvent, ctx: Context) => Promise<void>;

/** Middleware around every subscriber: `next => (ev, ctx) => next(ev, ctx)`. */
export type SubscriberWrapper = (next: SubscriberFn) => SubscriberFn;

/** A subscriber wrapper as a function, an object with `wrap(next)`, or an injectable class with `wrap(next)`. */
export type SubscriberWrapperLike = WrapperLike<SubscriberFn>;

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
