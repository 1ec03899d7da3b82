import type { Broker } from "../broker/broker";
import type { MicroConfig } from "../cmd/config";
import type { Logger } from "../logger/logger";
import type { Registry } from "../registry/registry";
import { RegistrySelector } from "../selector/registry-selector";
import type { Selector } from "../selector/selector";
import { STRATEGIES } from "../selector/strategies";
import type { Transport } from "../transport/transport";
import { MemoryRegistry } from "../registry/memory";
import { MdnsRegistry } from "../registry/mdns";
import { HttpTransport } from "../transport/http";
import { TcpTransport } from "../transport/tcp";
import { MemoryBroker } from "../broker/memory";
import { HttpBroker } from "../broker/http";

/** What a provider factory gets to build from. */
export interface ProviderDeps {
  config: MicroConfig;
  logger: Logger;
  /** The environment settings were resolved from (the `env` option, default process.env); backends read their own `MICRO_*` variables here. */
  env: Readonly<Record<string, string | undefined>>;
  /** The registry, for providers that depend on it (broker, selector). */
  registry: () => Registry;
}

type Factory<T> = (deps: ProviderDeps) => T;

/**
 * The name → factory tables behind `--registry=`, `--transport=`, `--broker=` and
 * `--selector=`: the only place that maps strings to implementations. Backends that need an
 * optional client library load it inside their factory, so core never requires it.
 */
export const PROVIDERS = {
  registry: {
    mdns: ({ logger, env }) => new MdnsRegistry({ logger: logger.child({ component: "registry" }) }, env),
    memory: () => new MemoryRegistry(),
  } as Record<string, Factory<Registry>>,
  transport: {
    http: ({ logger }) => new HttpTransport({ logger: logger.child({ component: "transport" }) }),
    tcp: ({ logger }) => new TcpTransport({ logger: logger.child({ component: "transport" }) }),
  } as Record<string, Factory<Transport>>,
  broker: {
    http: ({ logger, registry }) => new HttpBroker({ registry: registry(), logger: logger.child({ component: "broker" }) }),
    memory: () => new MemoryBroker(),
  } as Record<string, Factory<Broker>>,
  selector: Object.fromEntries(
    Object.entries(STRATEGIES).map(([name, strategy]) => [
      name,
      ({ registry, logger }: ProviderDeps) => new RegistrySelector({ registry: registry(), strategy: strategy(), logger }),
    ]),
  ) as Record<string, Factory<Selector>>,
};

/** A provider family selectable by name. */
export type Family = keyof typeof PROVIDERS;

/** Looks up a factory, or throws an error that lists the known names. */
export function providerFactory<F extends Family>(family: F, name: string): (typeof PROVIDERS)[F][string] {
  const table = PROVIDERS[family];
  const factory = table[name.toLowerCase()];
  if (!factory) {
    throw new Error(`unknown ${family} "${name}"; known ${family} providers: ${Object.keys(table).sort().join(", ")}`);
  }
  return factory as (typeof PROVIDERS)[F][string];
}
