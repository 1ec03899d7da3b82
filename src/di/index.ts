export * from "./tokens";
export { createService, type CreateServiceOptions } from "./create-service";
export { bootstrap, bootstrapFunction, type BootstrapOptions } from "./bootstrap";
export { PROVIDERS, providerFactory, type Family, type ProviderDeps } from "./providers";
export { createClient, type CreateClientOptions, type StandaloneClient } from "./create-client";
export type { ConfigOptions } from "./config-options";
