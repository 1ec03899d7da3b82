export { Service, Handler, Subscribe, Inject, InjectClient, Injectable, Module, UseWrappers, UseSubscriberWrappers, type ServiceDecoratorOptions } from "./decorators";
export type { ClientTarget, Constructor, HandlerOptions, ModuleMeta, Provider, ServiceMeta, StreamKind, SubscriberOptions } from "./metadata-keys";
