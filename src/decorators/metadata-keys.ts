import type { BackoffOptions, DeliveryGuarantee } from "../broker/broker";
import type { MethodSchema } from "../codec/schema";
import type { Contract } from "../client/service-client";
import "reflect-metadata";

/** A class constructor. */
export type Constructor<T = unknown> = new (...args: never[]) => T;

/** What `@Service` records. */
export interface ServiceMeta {
  name: string;
  version: string;
  metadata: Record<string, string>;
}

/** Options of `@Handler`. */
export interface HandlerOptions {
  /** The response class, for the advertised response shape (async return types are erased). */
  response?: Constructor;
  /**
   * The request class, when it cannot be read from the parameter type (no decorator metadata,
   * or the parameter is typed as an interface).
   */
  request?: Constructor;
  /**
   * Validate the request with class-validator; default true. `false` accepts untyped input: the
   * handler then receives the decoded body as it is.
   */
  validate?: boolean;
  /**
   * Reject requests carrying properties the request class does not declare (400
   * `tsmicro.validation` naming them) instead of stripping them; default: the server's option.
   */
  forbidNonWhitelisted?: boolean;
  /** Extra endpoint metadata advertised in the registry. */
  metadata?: Record<string, string>;
  /**
   * Running this handler twice for one call is harmless; default false. Advertised in the
   * registry (endpoint metadata `idempotent: "true"`), so clients also retry it after a lost
   * connection or a server 408, which they never do otherwise.
   */
  idempotent?: boolean;
  /**
   * A streaming endpoint. `true` infers the kind: an async generator method taking a request
   * class streams responses ("server"), one taking an `AsyncIterable` is "bidi", any other
   * method is "client" (`AsyncIterable<req>` in, one response out). Name the kind to be explicit.
   * Default: an async generator method is a stream, anything else is unary.
   */
  stream?: boolean | StreamKind;
  /**
   * The `.proto` rpc method whose types this handler serves: a full method name
   * (`"greeter.Greeter.Hello"`), a request message type taken by exactly one method
   * (`"greeter.HelloRequest"`), both looked up in the module's `ProtoTypes`, or a generated
   * method schema. Default: the rpc method matching the endpoint name (`Greeter.Hello` → rpc
   * `Hello` of service `Greeter`) when the module has `ProtoTypes`.
   */
  proto?: string | MethodSchema;
}

/** Which sides of a stream carry many messages: responses ("server"), requests ("client") or both. */
export type StreamKind = "server" | "client" | "bidi";

/** What `@Handler` records per method. */
export interface HandlerMeta {
  method: string;
  name?: string;
  options: HandlerOptions;
}

/** Options of `@Subscribe`. */
export interface SubscriberOptions {
  /** Subscribers sharing a queue name split the events; otherwise each gets a copy. */
  queue?: string;
  /** Default `at-most-once`; `at-least-once` acks after the handler resolved and redelivers a failure. */
  delivery?: DeliveryGuarantee;
  /** Deliveries before an event is dead-lettered (at-least-once); default 5. */
  maxAttempts?: number;
  /** Delay before each redelivery (at-least-once); default 100 ms doubling up to 10 s. */
  backoff?: BackoffOptions;
  /** Dead-letter topic (at-least-once); default `<topic>.dlq`; `false` drops instead. */
  deadLetter?: string | false;
  /** The event class, when it cannot be read from the parameter type. */
  event?: Constructor;
  /** Validate the event with class-validator; default true. `false` accepts untyped events. */
  validate?: boolean;
  /** Reject events carrying undeclared properties instead of stripping them; default: the server's option. */
  forbidNonWhitelisted?: boolean;
}

/** What `@Subscribe` records per method. */
export interface SubscribeMeta {
  method: string;
  topic: string;
  options: SubscriberOptions;
}

/** A provider entry of `@Module`. */
export type Provider =
  | Constructor
  | { provide: unknown; useClass: Constructor }
  | { provide: unknown; useValue: unknown }
  | { provide: unknown; useFactory: (...deps: never[]) => unknown; inject?: readonly unknown[] };

/** What `@Module` records. */
export interface ModuleMeta {
  imports?: readonly Constructor[];
  providers?: readonly Provider[];
  services?: readonly Constructor[];
}

const KEYS = {
  service: Symbol.for("tsmicro:service"),
  handlers: Symbol.for("tsmicro:handlers"),
  subscribers: Symbol.for("tsmicro:subscribers"),
  module: Symbol.for("tsmicro:module"),
  handlerWrappers: Symbol.for("tsmicro:handler-wrappers"),
  subscriberWrappers: Symbol.for("tsmicro:subscriber-wrappers"),
  clients: Symbol.for("tsmicro:clients"),
} as const;

/** What `@InjectClient` asks for: a service by name, or a contract. */
export type ClientTarget = string | Contract;

/** Records that a class injects a typed client of `target`. */
export function addClientMeta(target: Constructor, client: ClientTarget): void {
  Reflect.defineMetadata(KEYS.clients, [...getClientMetas(target), client], target);
}
/** The typed clients a class injects (`@InjectClient`). */
export function getClientMetas(target: Constructor): readonly ClientTarget[] {
  return (Reflect.getMetadata(KEYS.clients, target) as ClientTarget[] | undefined) ?? [];
}
/** The DI token of the typed client of `service`. */
export function serviceClientToken(service: string): symbol {
  return Symbol.for(`tsmicro.ServiceClient:${service}`);
}

/** Which pipeline `@UseWrappers` / `@UseSubscriberWrappers` adds to. */
export type WrapperKind = "handler" | "subscriber";

const WRAPPER_KEYS: Record<WrapperKind, symbol> = { handler: KEYS.handlerWrappers, subscriber: KEYS.subscriberWrappers };

/** Appends wrappers (kept opaque here) to a class, or to one of its methods when `method` is given. */
export function addWrapperMeta(kind: WrapperKind, target: Constructor, wrappers: readonly unknown[], method?: string): void {
  const key = WRAPPER_KEYS[kind];
  const own = getWrapperMeta(kind, target, method);
  if (method === undefined) Reflect.defineMetadata(key, [...own, ...wrappers], target);
  else Reflect.defineMetadata(key, [...own, ...wrappers], target.prototype as object, method);
}
/** Reads the wrappers recorded on a class, or on one of its methods. */
export function getWrapperMeta(kind: WrapperKind, target: Constructor, method?: string): readonly unknown[] {
  const key = WRAPPER_KEYS[kind];
  const found = method === undefined ? Reflect.getMetadata(key, target) : Reflect.getMetadata(key, target.prototype as object, method);
  return (found as unknown[] | undefined) ?? [];
}

/** Records `@Service` metadata on a class. */
export function setServiceMeta(target: Constructor, meta: ServiceMeta): void {
  Reflect.defineMetadata(KEYS.service, meta, target);
}
/** Reads `@Service` metadata, if any. */
export function getServiceMeta(target: Constructor): ServiceMeta | undefined {
  return Reflect.getMetadata(KEYS.service, target) as ServiceMeta | undefined;
}

/** Appends a handler record to a class. */
export function addHandlerMeta(target: Constructor, meta: HandlerMeta): void {
  Reflect.defineMetadata(KEYS.handlers, [...getHandlerMetas(target), meta], target);
}
/** Reads a class's handler records (own and inherited). */
export function getHandlerMetas(target: Constructor): HandlerMeta[] {
  return (Reflect.getMetadata(KEYS.handlers, target) as HandlerMeta[] | undefined) ?? [];
}

/** Appends a subscriber record to a class. */
export function addSubscribeMeta(target: Constructor, meta: SubscribeMeta): void {
  Reflect.defineMetadata(KEYS.subscribers, [...getSubscribeMetas(target), meta], target);
}
/** Reads a class's subscriber records. */
export function getSubscribeMetas(target: Constructor): SubscribeMeta[] {
  return (Reflect.getMetadata(KEYS.subscribers, target) as SubscribeMeta[] | undefined) ?? [];
}

/** Records `@Module` metadata. */
export function setModuleMeta(target: Constructor, meta: ModuleMeta): void {
  Reflect.defineMetadata(KEYS.module, meta, target);
}
/** Reads `@Module` metadata, if any. */
export function getModuleMeta(target: Constructor): ModuleMeta | undefined {
  return Reflect.getMetadata(KEYS.module, target) as ModuleMeta | undefined;
}

/**
 * The declared parameter types of a method, emitted by the TypeScript compiler with
 * `emitDecoratorMetadata`; undefined when the compiler emitted none (tsx, esbuild).
 */
export function getParamTypes(proto: object, method: string): unknown[] | undefined {
  return Reflect.getMetadata("design:paramtypes", proto, method) as unknown[] | undefined;
}
/** The declared return type of a method (Promise for async methods). */
export function getReturnType(proto: object, method: string): unknown {
  return Reflect.getMetadata("design:returntype", proto, method) as unknown;
}
/** The declared type of a property. */
export function getPropertyType(proto: object, property: string): unknown {
  return Reflect.getMetadata("design:type", proto, property) as unknown;
}
