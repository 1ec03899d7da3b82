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
  /** The request class, when it cannot be read from the parameter type. */
  request?: Constructor;
  /** Validate the request with class-validator (default: true when a request class is known). */
  validate?: boolean;
  /** Extra endpoint metadata advertised in the registry. */
  metadata?: Record<string, string>;
}

/** What `@Handler` records per method. */
export interface HandlerMeta {
  method: string;
  name?: string;
  options: HandlerOptions;
}

/** Options of `@Subscribe`. */
export interface SubscribeMeta {
  method: string;
  topic: string;
  queue?: string;
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
} as const;

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

/** The declared parameter types of a method (emitted by the TypeScript compiler). */
export function getParamTypes(proto: object, method: string): unknown[] {
  return (Reflect.getMetadata("design:paramtypes", proto, method) as unknown[] | undefined) ?? [];
}
/** The declared return type of a method (Promise for async methods). */
export function getReturnType(proto: object, method: string): unknown {
  return Reflect.getMetadata("design:returntype", proto, method) as unknown;
}
/** The declared type of a property. */
export function getPropertyType(proto: object, property: string): unknown {
  return Reflect.getMetadata("design:type", proto, property) as unknown;
}
