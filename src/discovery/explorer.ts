import {
  getHandlerMetas,
  getReturnType,
  getServiceMeta,
  getSubscribeMetas,
  getWrapperMeta,
  type Constructor,
  type ServiceMeta,
  type StreamKind,
  type SubscriberOptions,
} from "../decorators/metadata-keys";
import type { MethodSchema } from "../codec/schema";
import type { Context } from "../metadata/context";
import type { ProtoLookup } from "../proto/proto-registry";
import type { HandlerDescriptor, SubscriberDescriptor } from "./descriptors";
import { invokeSafely } from "./invoke";
import { classOrUndefined, payloadTypeOf } from "./payload-type";
import { streamKindOf, streamMetadata } from "./stream-kind";

/** What one decorated instance offers. */
export interface Explored {
  service?: ServiceMeta;
  handlers: HandlerDescriptor[];
  subscribers: SubscriberDescriptor[];
}

/** What the explorer may consult besides decorators. */
export interface ExploreOptions {
  /** The module's `.proto` types (its `ProtoTypes` provider): handlers matching an rpc method get its schema. */
  protos?: ProtoLookup;
  /**
   * `.proto` types will exist but are not built yet (a `ProtoTypes` factory): skip the checks
   * that need them; the service repeats them once they are. Default false.
   */
  lenient?: boolean;
}

type Method = (this: object, payload: unknown, ctx: Context) => unknown;

/**
 * Walks a decorated instance's class once and turns its methods into descriptors. Throws,
 * naming the method, when a handler or subscriber takes a payload whose class is unknown.
 */
export function explore(instance: object, options: ExploreOptions = {}): Explored {
  const cls = instance.constructor as Constructor;
  const service = getServiceMeta(cls);
  const proto = Object.getPrototypeOf(instance) as Record<string, unknown>;
  const handlers = getHandlerMetas(cls).map((meta): HandlerDescriptor => {
    const fn = methodOf(proto, meta.method, cls);
    const endpoint = meta.name ?? defaultEndpointName(cls.name, meta.method);
    const o = meta.options;
    const schema = options.lenient && !options.protos ? undefined : protoSchemaOf(endpoint, o.proto, options.protos, service?.name);
    const fromProto = schema !== undefined || options.lenient === true;
    const request = payloadTypeOf(cls, meta.method, fn, { kind: "request", label: endpoint, decorator: "@Handler", explicit: o.request, validate: o.validate, proto: fromProto });
    const stream = streamKindOf(cls, meta.method, fn, o.stream ?? protoStreamKind(schema));
    const call = (req: unknown, ctx: Context): unknown => fn.call(instance, req, ctx);
    return {
      endpoint,
      // Not async: an extra promise per call for nothing. invokeSafely turns a synchronous throw into a rejection.
      invoke: (req, ctx) => invokeSafely(call, req, ctx),
      requestType: request.type,
      responseType: o.response ?? classOrUndefined(getReturnType(proto, meta.method)),
      validate: request.validate,
      forbidNonWhitelisted: o.forbidNonWhitelisted,
      // `method` lets a typed client (`client.service<Greeter>("greeter")`) find a method's endpoint from the registry.
      metadata: withIdempotent({ ...o.metadata, ...streamMetadata(stream), method: meta.method }, o.idempotent),
      wrappers: wrappersOf("handler", cls, meta.method),
      stream,
      schema,
    };
  });
  const subscribers = getSubscribeMetas(cls).map((meta): SubscriberDescriptor => {
    const fn = methodOf(proto, meta.method, cls);
    const o = meta.options;
    const label = `subscriber of "${meta.topic}"`;
    const event = payloadTypeOf(cls, meta.method, fn, { kind: "event", label, decorator: "@Subscribe", explicit: o.event, validate: o.validate });
    const call = (ev: unknown, ctx: Context): unknown => fn.call(instance, ev, ctx);
    return {
      topic: meta.topic,
      queue: o.queue,
      delivery: deliveryOf(o),
      // As with handlers, not async; what a subscriber returns is ignored.
      invoke: (ev, ctx) => invokeSafely(call, ev, ctx) as Promise<void>,
      eventType: event.type,
      validate: event.validate,
      forbidNonWhitelisted: o.forbidNonWhitelisted,
      wrappers: wrappersOf("subscriber", cls, meta.method),
    };
  });
  return { service, handlers, subscribers };
}

/** `<Class>.<Method>` with the method capitalised: `Greeter.hello` → `Greeter.Hello`. */
export function defaultEndpointName(className: string, method: string): string {
  return `${className}.${method.charAt(0).toUpperCase()}${method.slice(1)}`;
}

/** The `.proto` method a handler serves: the one its options name, else the one its endpoint matches. */
function protoSchemaOf(endpoint: string, option: string | MethodSchema | undefined, protos: ProtoLookup | undefined, service: string | undefined): MethodSchema | undefined {
  if (typeof option === "object") return option;
  if (option === undefined) return protos?.forEndpoint(endpoint, service);
  if (!protos) throw new TypeError(`${endpoint}: @Handler({ proto: "${option}" }) names a .proto type but the module has no ProtoTypes provider`);
  try {
    return protos.resolve(option);
  } catch (err) {
    throw new TypeError(`${endpoint}: ${(err as Error).message}`);
  }
}

/** The stream kind a `.proto` method declares, for handlers that do not say. */
function protoStreamKind(schema: MethodSchema | undefined): StreamKind | undefined {
  if (!schema) return undefined;
  if (schema.requestStream) return schema.responseStream ? "bidi" : "client";
  return schema.responseStream ? "server" : undefined;
}

/** Class-level then method-level wrappers; undefined when there are none (the server then shares one chain). */
function wrappersOf(kind: "handler" | "subscriber", cls: Constructor, method: string): readonly unknown[] | undefined {
  const all = [...getWrapperMeta(kind, cls), ...getWrapperMeta(kind, cls, method)];
  return all.length > 0 ? all : undefined;
}

function methodOf(proto: Record<string, unknown>, name: string, cls: Constructor): Method {
  const fn = proto[name];
  if (typeof fn !== "function") throw new TypeError(`${cls.name}.${name} is decorated but is not a method`);
  return fn as Method;
}

/** The endpoint metadata, with `idempotent: "true"` added when the handler says so. */
function withIdempotent(metadata: Record<string, string>, idempotent: boolean | undefined): Record<string, string> {
  return idempotent ? { ...metadata, idempotent: "true" } : metadata;
}

/** The delivery options `@Subscribe` set, undefined when it set none (the broker's defaults). */
function deliveryOf(o: SubscriberOptions): SubscriberDescriptor["delivery"] {
  const { delivery, maxAttempts, backoff, deadLetter } = o;
  if (delivery === undefined && maxAttempts === undefined && backoff === undefined && deadLetter === undefined) return undefined;
  return { delivery, maxAttempts, backoff, deadLetter };
}
