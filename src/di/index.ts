export * from "./tokens";
export { createService, createServiceAsync, type CreateServiceOptions } from "./create-service";
export { bootstrap, bootstrapFunction, type BootstrapOptions } from "./bootstrap";
export { registerProvider, findProvider, providerFactory, providerNames, loadProvider, createProvider, defaultPluginOptions } from "./providers";
export type { Family, FamilyTypes, PluginFactory, PluginOptions, ProviderDeps, ProviderPlugin } from "./plugin";
export { createTransportResolver, type TransportResolver } from "./transports";
export { createClient, type CreateClientOptions, type StandaloneClient } from "./create-client";
export type { ConfigOptions } from "./config-options";
