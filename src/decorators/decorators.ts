import { inject, injectable } from "inversify";
import {
  addHandlerMeta,
  addSubscribeMeta,
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

/** Marks a class as injectable without making it a service (for plain providers). */
export function Injectable(): ClassDecorator {
  return (target) => void injectable()(target);
}

/** Declares a module: the services it runs, the providers it binds, the modules it imports. */
export function Module(meta: ModuleMeta): ClassDecorator {
  return (target) => setModuleMeta(target as unknown as Constructor, meta);
}
