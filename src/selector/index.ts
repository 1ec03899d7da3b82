export type { Filter, Next, Picker, SelectOptions, Selector, Strategy } from "./selector";
export { random, roundRobin, leastConn, STRATEGIES, type Random, type StrategyFactory } from "./strategies";
export { filterVersion, filterMetadata, filterEndpoint, filterNode } from "./filters";
export { RegistrySelector } from "./registry-selector";
export { RegistryCache } from "../registry/cache";
export { type RegistrySelectorOptions, DEFAULT_REGISTRY_SELECTOR_OPTIONS, resolveRegistrySelectorOptions } from "./options";
