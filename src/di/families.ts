import type { Container, ServiceIdentifier } from "inversify";
import type { Provider } from "../decorators/metadata-keys";
import { bindProvider } from "./bind";
import type { Family, ProviderDeps } from "./plugin";
import { createProvider, findProvider } from "./providers";
import { FAMILY_TOKENS, Registry } from "./tokens";

/** Which provider each family got and where the choice came from, for the start-up summary. */
export type Chosen = Map<Family, { name: string; source: string }>;

/**
 * Binds registry, transport, broker and selector. A module's provider wins over the default,
 * unless env or a flag names a provider, which wins over both (defaults < module < env <
 * flags). Names are looked up now, so an unknown one fails before anything starts; the chosen
 * backend's code is loaded when the binding is first resolved (`getAsync`). Logs one line per
 * family saying what was chosen and why.
 */
export function bindFamilies(container: Container, deps: Omit<ProviderDeps, "registry">, providers: ReadonlyMap<unknown, Provider>, chosen?: Chosen): void {
  const { config, logger } = deps;
  // With a start-up summary (a terminal), each choice is a debug line and the summary says it once.
  const say = (msg: string, fields: Record<string, unknown>): void => (chosen ? logger.debug(msg, fields) : logger.info(msg, fields));
  for (const family of Object.keys(FAMILY_TOKENS) as Family[]) {
    const token = FAMILY_TOKENS[family] as ServiceIdentifier<unknown>;
    const source = config.sources[family];
    const provided = providers.get(token);
    if (provided && source !== "env" && source !== "flag") {
      bindProvider(container, provided);
      container.onActivation(token, (_ctx, value) => {
        say(`${family}: ${nameOf(value)}`, { provider: family, name: nameOf(value), source: "module" });
        chosen?.set(family, { name: nameOf(value), source: "module" });
        return value;
      });
      continue;
    }
    const name = config[family];
    findProvider(family, name); // throws, listing known names, before anything starts
    container
      .bind(token)
      .toDynamicValue(async (ctx) => {
        // Resolved first so that providers needing it (broker, selector) can read it synchronously.
        const registry = family === "registry" ? undefined : await ctx.getAsync(Registry);
        const value = await createProvider(family, name, { ...deps, registry: () => registry ?? noRegistry() });
        say(`${family}: ${name}`, { provider: family, name, source });
        chosen?.set(family, { name, source });
        return value;
      })
      .inSingletonScope();
  }
}

function noRegistry(): never {
  throw new Error("a registry provider cannot depend on the registry");
}

function nameOf(value: unknown): string {
  const n = (value as { name?: unknown } | null)?.name;
  return typeof n === "string" ? n : "custom";
}
