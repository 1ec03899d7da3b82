import {
  getHandlerMetas,
  getParamTypes,
  getReturnType,
  getServiceMeta,
  getSubscribeMetas,
  type Constructor,
  type ServiceMeta,
} from "../decorators/metadata-keys";
import type { Context } from "../metadata/context";
import type { HandlerDescriptor, SubscriberDescriptor } from "./descriptors";

/** What one decorated instance offers. */
export interface Explored {
  service?: ServiceMeta;
  handlers: HandlerDescriptor[];
  subscribers: SubscriberDescriptor[];
}

type Method = (this: object, payload: unknown, ctx: Context) => unknown;

/** Walks a decorated instance's class once and turns its methods into descriptors. */
export function explore(instance: object): Explored {
  const cls = instance.constructor as Constructor;
  const proto = Object.getPrototypeOf(instance) as Record<string, unknown>;
  const handlers = getHandlerMetas(cls).map((meta): HandlerDescriptor => {
    const fn = methodOf(proto, meta.method, cls);
    const requestType = meta.options.request ?? classOrUndefined(getParamTypes(proto, meta.method)[0]);
    const responseType = meta.options.response ?? classOrUndefined(getReturnType(proto, meta.method));
    return {
      endpoint: meta.name ?? defaultEndpointName(cls.name, meta.method),
      // Not async: an extra promise per call for nothing. Callers run it inside their own async code.
      invoke: (request, ctx) => Promise.resolve(fn.call(instance, request, ctx)),
      requestType,
      responseType,
      validate: meta.options.validate ?? requestType !== undefined,
      metadata: meta.options.metadata ?? {},
    };
  });
  const subscribers = getSubscribeMetas(cls).map((meta): SubscriberDescriptor => {
    const fn = methodOf(proto, meta.method, cls);
    const eventType = classOrUndefined(getParamTypes(proto, meta.method)[0]);
    return {
      topic: meta.topic,
      queue: meta.queue,
      invoke: async (event, ctx) => void (await fn.call(instance, event, ctx)),
      eventType,
      validate: eventType !== undefined,
    };
  });
  return { service: getServiceMeta(cls), handlers, subscribers };
}

/** `<Class>.<Method>` with the method capitalised: `Greeter.hello` → `Greeter.Hello`. */
export function defaultEndpointName(className: string, method: string): string {
  return `${className}.${method.charAt(0).toUpperCase()}${method.slice(1)}`;
}

function methodOf(proto: Record<string, unknown>, name: string, cls: Constructor): Method {
  const fn = proto[name];
  if (typeof fn !== "function") throw new TypeError(`${cls.name}.${name} is decorated but is not a method`);
  return fn as Method;
}

const BUILTINS = new Set<unknown>([Object, String, Number, Boolean, Array, Promise, Function, Symbol, BigInt, Date, Map, Set]);

/** A user-defined class, or undefined for built-ins and erased types. */
function classOrUndefined(t: unknown): Constructor | undefined {
  return typeof t === "function" && !BUILTINS.has(t) ? (t as Constructor) : undefined;
}
