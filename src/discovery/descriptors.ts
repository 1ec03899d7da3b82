import type { SubscribeOptions } from "../broker/broker";
import type { Constructor, StreamKind } from "../decorators/metadata-keys";
import type { MethodSchema } from "../codec/schema";
import type { Context } from "../metadata/context";

/** A plain description of one RPC endpoint; the server routes these and never reads decorators. */
export interface HandlerDescriptor {
  /** `Greeter.Hello`. */
  endpoint: string;
  /** Runs the handler with a decoded (and, if enabled, validated) request. */
  invoke(request: unknown, ctx: Context): Promise<unknown>;
  /** The request class, used for validation and the advertised shape. */
  requestType?: Constructor;
  /** The response class, for the advertised shape. */
  responseType?: Constructor;
  /** Validate requests against `requestType`; true requires a `requestType`. */
  validate: boolean;
  /** Reject undeclared request properties instead of stripping them; undefined: the server's option. */
  forbidNonWhitelisted?: boolean;
  /** Advertised endpoint metadata (`idempotent: "true"` for `@Handler({ idempotent: true })`). */
  metadata: Record<string, string>;
  /**
   * This handler's own wrappers (`@UseWrappers` on its class, then its method), inside the
   * server's: `HandlerWrapperLike` values, typed opaquely here because server types import this file.
   */
  wrappers?: readonly unknown[];
  /**
   * Set for a streaming endpoint: "server" gets one request and returns an AsyncIterable,
   * "client" gets an AsyncIterable of requests and returns one response, "bidi" both.
   */
  stream?: StreamKind;
  /**
   * The `.proto` method this handler serves, when its types come from a `.proto`: requests and
   * responses are then encoded in protobuf or mapped to proto3 JSON by the codecs.
   */
  schema?: MethodSchema;
}

/** A plain description of one event subscriber. */
export interface SubscriberDescriptor {
  topic: string;
  /** Subscribers sharing a queue name split the events; otherwise each gets a copy. */
  queue?: string;
  /** Delivery guarantee, attempts, backoff and dead-letter topic, passed to `broker.subscribe`. */
  delivery?: Pick<SubscribeOptions, "delivery" | "maxAttempts" | "backoff" | "deadLetter">;
  invoke(event: unknown, ctx: Context): Promise<void>;
  /** The event class, used for validation. */
  eventType?: Constructor;
  /** Validate events against `eventType`; true requires an `eventType`. */
  validate: boolean;
  /** Reject undeclared event properties instead of stripping them; undefined: the server's option. */
  forbidNonWhitelisted?: boolean;
  /** This subscriber's own wrappers (`@UseSubscriberWrappers`): `SubscriberWrapperLike` values, typed opaquely as above. */
  wrappers?: readonly unknown[];
}
