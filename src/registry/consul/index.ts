export { ConsulRegistry } from "./consul-registry";
export { createConsulRegistry } from "./create";
export {
  CONSUL_ENV,
  DEFAULT_CONSUL_REGISTRY_OPTIONS,
  resolveConsulRegistryOptions,
  type ConsulEndpoint,
  type ConsulRegistryOptions,
  type ConsulTlsOptions,
  type ResolvedConsulRegistryOptions,
} from "./options";
export { decodeTags, encodeTags, TAG_PREFIX, type DecodedTags } from "./tags";
