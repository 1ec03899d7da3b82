import {
  getHandlerMetas,
  getReturnType,
  getServiceMeta,
  getSubscribeMetas,
  getWrapperMeta,
  type Constructor,
  type ServiceMeta,
  type SubscriberOptions,
} from "../decorators/metadata-keys";
import type { Context } from "../metadata/context";
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

type Method = (this: object, payload: unknown, ctx: Context) => unknown;

/**
 * Walks a decorated instance's class once and turns its methods into descriptors. Throws,
 * naming the method, when a handler or subscriber takes a payload whose class is unknown.
 */
export function explore(instance: object): Explored {
  const cls = instance.constructor as Constructor;
  const proto = Object.getPrototypeOf(instance) as Record<string, unknown>;
  const handlers = getHandlerMetas(cls).map((meta): HandlerDescriptor => {
    const fn = methodOf(proto, meta.method, cls);
    const endpoint = meta.name ?? defaultEndpointName(cls.name, meta.method);
    const o = meta.options;
    const request = payloadTypeOf(cls, meta.method, fn, { kind: "request", label: endpoint, decorator: "@Handler", explicit: o.request, validate: o.validate });
    const stream = streamKindOf(cls, meta.method, fn, o.stream);
    const call = (req: unknown, ctx: Context): unknown => fn.call(instance, req, ctx);
    return {
      endpoint,
      // Not async: an extra promise per call for nothing. invokeSafely turns a synchronous throw into a rejection.
      invoke: (req, ctx) => invokeSafely(call, req, ctx),
      requestType: request.type,
      responseType: o.response ?? classOrUndefined(getReturnType(proto, meta.method)),
      validate: request.validate,
      forbidNonWhitelisted: o.forbidNonWhitelisted,
      metadata: withIdempotent(stream ? { ...o.metadata, ...streamMetadata(stream) } : (o.metadata ?? {}), o.idempotent),
      wrappers: wrappersOf("handler", cls, meta.method),
      stream,
    };
  });
  const subscribers = getSubscribeMetas(cls).map((meta): SubscriberDescriptor => {
    const fn = methodOf(proto, meta.method, cls);
    const o = meta.options;
    const label = `subscriber of "${meta.topic}"`;
    const event = payloadTypeOf(cls, meta.method, fn, { kind: "event", label, decorator: "@Subscribe", explicit: o.event, validate: o.validate });
    return {
      topic: meta.topic,
      queue: o.queue,
      delivery: deliveryOf(o),
      invoke: async (ev, ctx) => void (await fn.call(instance, ev, ctx)),
      eventType: event.type,
      validate: event.validate,
      forbidNonWhitelisted: o.forbidNonWhitelisted,
      wrappers: wrappersOf("subscriber", cls, meta.method),
    };
  });
  return { service: getServiceMeta(cls), handlers, subscribers };
}

/** `<Class>.<Method>` with the method capitalised: `Greeter.hello` → `Greeter.Hello`. */
export function defaultEndpointName(className: string, method: string): string {
  return `${className}.${method.charAt(0).toUpperCase()}${method.slice(1)}`;
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
