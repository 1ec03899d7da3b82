import { BUILTIN_PROVIDERS } from "./builtin-providers";
import { explainLoadError } from "./missing-module";
import type { Family, FamilyTypes, PluginFactory, PluginOptions, ProviderDeps, ProviderPlugin } from "./plugin";

type AnyPlugin = ProviderPlugin<Family, unknown>;

/** family → name → entry: the only place that maps `--registry=etcd` style names to code. */
const TABLE = new Map<Family, Map<string, AnyPlugin>>();
/** Loads in flight or done, per entry, so a backend's module is imported once. */
const LOADED = new WeakMap<AnyPlugin, Promise<PluginFactory<Family, unknown>>>();

/**
 * Adds a provider entry (or replaces the one with the same family and name); returns a function
 * that removes it again. The entry's `load` runs only when its name is chosen.
 */
export function registerProvider<F extends Family, O>(plugin: ProviderPlugin<F, O>): () => void {
  const entry = { ...plugin, name: plugin.name.toLowerCase() } as unknown as AnyPlugin;
  let names = TABLE.get(entry.family);
  if (!names) TABLE.set(entry.family, (names = new Map()));
  names.set(entry.name, entry);
  return () => {
    if (names.get(entry.name) === entry) names.delete(entry.name);
  };
}

for (const plugin of BUILTIN_PROVIDERS) registerProvider(plugin);

/** The names a family knows, sorted. */
export function providerNames(family: Family): string[] {
  return [...(TABLE.get(family)?.keys() ?? [])].sort();
}

/** Looks up an entry, or throws an error that lists the known names. */
export function findProvider<F extends Family>(family: F, name: string): ProviderPlugin<F, unknown> {
  const entry = TABLE.get(family)?.get(name.toLowerCase());
  if (!entry) throw new Error(`unknown ${family} "${name}"; known ${family} providers: ${providerNames(family).join(", ")}`);
  return entry as unknown as ProviderPlugin<F, unknown>;
}

/** Same as {@link findProvider}; the name earlier versions exported. */
export const providerFactory = findProvider;

/** The options an entry without its own `options` gets. */
export function defaultPluginOptions(family: Family, config: ProviderDeps["config"]): PluginOptions {
  if (family === "registry") return { addresses: [...config.registryAddress] };
  if (family === "broker") return { addresses: [...config.brokerAddress] };
  return { addresses: [] };
}

/** Loads an entry's code once; a missing client library fails with the `npm install` line. */
export function loadProvider<F extends Family>(plugin: ProviderPlugin<F, unknown>): Promise<PluginFactory<F, unknown>> {
  const entry = plugin as unknown as AnyPlugin;
  let loading = LOADED.get(entry);
  if (!loading) {
    loading = entry.load().catch((err: unknown) => {
      LOADED.delete(entry); // a later attempt (after `npm install`) may succeed
      throw explainLoadError(entry, err);
    });
    LOADED.set(entry, loading);
  }
  return loading as Promise<PluginFactory<F, unknown>>;
}

/** Finds, loads and builds the provider `name` of `family` with its options from the settings. */
export async function createProvider<F extends Family>(family: F, name: string, deps: ProviderDeps): Promise<FamilyTypes[F]> {
  const plugin = findProvider(family, name);
  const factory = await loadProvider(plugin);
  const options = plugin.options ? plugin.options(deps.config, deps.env) : defaultPluginOptions(family, deps.config);
  return factory(options, deps);
}

export type { Family, FamilyTypes, PluginFactory, PluginOptions, ProviderDeps, ProviderPlugin } from "./plugin";
