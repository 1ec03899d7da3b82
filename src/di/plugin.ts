import type { Broker } from "../broker/broker";
import type { MicroConfig } from "../cmd/config";
import type { Logger } from "../logger/logger";
import type { Registry } from "../registry/registry";
import type { Selector } from "../selector/selector";
import type { Transport } from "../transport/transport";

/** What each provider family builds. */
export interface FamilyTypes {
  registry: Registry;
  transport: Transport;
  broker: Broker;
  selector: Selector;
}

/** A provider family selectable by name (`--registry=`, `--transport=`, `--broker=`, `--selector=`). */
export type Family = keyof FamilyTypes;

/** What a provider factory gets to build from, besides its own options. */
export interface ProviderDeps {
  config: MicroConfig;
  logger: Logger;
  /** The environment settings were resolved from (the `env` option, default process.env); backends read their own `MICRO_*` variables here. */
  env: Readonly<Record<string, string | undefined>>;
  /** The registry, for providers that depend on it (broker, selector). */
  registry: () => Registry;
}

/** The options every plugin gets when its entry does not say how to build its own. */
export interface PluginOptions {
  /** `--registry_address` for a registry, `--broker_address` for a broker, [] otherwise. */
  addresses: string[];
}

/** Builds one provider instance; may be async (connect, read a file, …). */
export type PluginFactory<F extends Family, O = PluginOptions> = (options: O, deps: ProviderDeps) => FamilyTypes[F] | Promise<FamilyTypes[F]>;

/**
 * One entry of the provider table: a backend selectable by name, whose code (and client
 * library) is loaded with a dynamic import only when it is chosen.
 */
export interface ProviderPlugin<F extends Family = Family, O = PluginOptions> {
  family: F;
  /** The name `--<family>=` selects, lower case ("etcd", "nats"). */
  name: string;
  /** npm packages the backend needs; named in the `npm install` hint when one is missing. */
  packages?: readonly string[];
  /** Builds the backend's options from the resolved settings; default {@link PluginOptions}. */
  options?: (config: MicroConfig, env: Readonly<Record<string, string | undefined>>) => O;
  /** Loads the backend with a dynamic import of its folder, resolving to its factory. */
  load: () => Promise<PluginFactory<F, O>>;
}
