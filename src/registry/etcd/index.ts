export { EtcdRegistry } from "./etcd-registry";
export {
  DEFAULT_ETCD_REGISTRY_OPTIONS,
  ETCD_ENV,
  etcdOptionsFromEnv,
  resolveEtcdRegistryOptions,
  type EtcdRegistryOptions,
  type EtcdTlsOptions,
  type ResolvedEtcdRegistryOptions,
} from "./options";
export { encodeNodeRecord, decodeNodeRecord } from "./record";
export { nodeKey, servicePrefix } from "./keys";
