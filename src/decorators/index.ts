export { Service, Handler, Subscribe, Inject, Injectable, Module, UseWrappers, UseSubscriberWrappers, type ServiceDecoratorOptions } from "./decorators";
export type { Constructor, HandlerOptions, ModuleMeta, Provider, ServiceMeta, StreamKind, SubscriberOptions } from "./metadata-keys";
