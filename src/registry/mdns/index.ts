export { MdnsRegistry } from "./mdns-registry";
export {
  checkRegistryDomain,
  DEFAULT_MDNS_REGISTRY_OPTIONS,
  DEFAULT_REGISTRY_DOMAIN,
  REGISTRY_DOMAIN_ENV,
  MDNS_INTERFACE_ENV,
  resolveMdnsRegistryOptions,
  type MdnsInterfaceSource,
  type MdnsRegistryOptions,
  type ResolvedMdnsRegistryOptions,
} from "./options";
export { decodeTxt, encodeTxt, marshalTxtJson, TXT_CHUNK_LENGTH, type MdnsTxt } from "./txt";
