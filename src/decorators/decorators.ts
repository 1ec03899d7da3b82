import { inject, injectable } from "inversify";
import type { HandlerWrapperLike, SubscriberWrapperLike } from "../server/server";
import {
  addHandlerMeta,
  addWrapperMeta,
  addSubscribeMeta,
  addClientMeta,
  serviceClientToken,
  type ClientTarget,
  setModuleMeta,
  setServiceMeta,
  type Constructor,
  type HandlerOptions,
  type ModuleMeta,
  type SubscriberOptions,
} from "./metadata-keys";

/** Options of `@Service`. */
export interface ServiceDecoratorOptions {
  /** Default "latest", as go-micro. */
  version?: string;
  metadata?: Record<string, string>;
}

/** Names a class as (part of) a service; the class becomes injectable. */
export function Service(name: string, options: ServiceDecoratorOptions = {}): ClassDecorator {
  return (target) => {
    setServiceMeta(target as unknown as Constructor, { name, version: options.version ?? "latest", metadata: options.metadata ?? {} });
    injectable()(target);
  };
}

/** Marks a method as an RPC endpoint; the default name is `<Class>.<Method>` with the method capitalised. */
export function Handler(name?: string | HandlerOptions, options: HandlerOptions = {}): MethodDecorator {
  const [n, o] = typeof name === "object" ? [undefined, name] : [name, options];
  return (proto, method) => addHandlerMeta(proto.constructor as Constructor, { method: String(method), name: n, options: o });
}

/** Marks a method as a subscriber of `topic`; subscribers sharing `queue` split the events. */
export function Subscribe(topic: string, options: SubscriberOptions = {}): MethodDecorator {
  return (proto, method) => addSubscribeMeta(proto.constructor as Constructor, { method: String(method), topic, options });
}

/** Asks the container for `token` in a constructor parameter or property. */
export function Inject(token: unknown): ParameterDecorator & PropertyDecorator {
  return inject(token as Parameters<typeof inject>[0]) as ParameterDecorator & PropertyDecorator;
}

/**
 * Injects a typed client of another service into a constructor parameter or property:
 * `@InjectClient("greeter") greeter: ServiceClient<Greeter>`, or with a contract
 * (`@InjectClient(GreeterContract)`). It calls through the service's own client.
 */
export function InjectClient(target: ClientTarget): ParameterDecorator & PropertyDecorator {
  const token = serviceClientToken(typeof target === "string" ? target : target.service);
  return ((proto: object, key: string | symbol | undefined, index?: number) => {
    const cls = (typeof proto === "function" ? proto : proto.constructor) as Constructor;
    addClientMeta(cls, target);
    const decorate = inject(token) as (t: object, k: string | symbol | undefined, i?: number) => void;
    decorate(proto, key, index);
  }) as ParameterDecorator & PropertyDecorator;
}

/** Marks a class as injectable without making it a service (for plain providers). */
export function Injectable(): ClassDecorator {
  return (target) => void injectable()(target);
}

/** Declares a module: the services it runs, the providers it binds, the modules it imports. */
export function Module(meta: ModuleMeta): ClassDecorator {
  return (target) => setModuleMeta(target as unknown as Constructor, meta);
}

/**
 * Adds handler wrappers to every handler of a class, or to one handler method. They run inside
 * the server's wrappers, class ones before method ones, first listed outermost; request
 * validation still runs after all of them.
 */
export function UseWrappers(...wrappers: HandlerWrapperLike[]): ClassDecorator & MethodDecorator {
  return ((target: object, method?: string | symbol) => {
    if (method === undefined) addWrapperMeta("handler", target as Constructor, wrappers);
    else addWrapperMeta("handler", (target as { constructor: Constructor }).constructor, wrappers, String(method));
  }) as ClassDecorator & MethodDecorator;
}

/** Adds subscriber wrappers to every subscriber of a class, or to one subscriber method; ordered as {@link UseWrappers}. */
export function UseSubscriberWrappers(...wrappers: SubscriberWrapperLike[]): ClassDecorator & MethodDecorator {
  return ((target: object, method?: string | symbol) => {
    if (method === undefined) addWrapperMeta("subscriber", target as Constructor, wrappers);
    else addWrapperMeta("subscriber", (target as { constructor: Constructor }).constructor, wrappers, String(method));
  }) as ClassDecorator & MethodDecorator;
}
