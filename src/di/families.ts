import type { Container, ServiceIdentifier } from "inversify";
import type { MicroConfig } from "../cmd/config";
import type { Provider } from "../decorators/metadata-keys";
import type { Logger } from "../logger/logger";
import { bindProvider } from "./bind";
import { providerFactory, type Family } from "./providers";
import { FAMILY_TOKENS, Registry } from "./tokens";

/**
 * Binds registry, transport, broker and selector. A module's provider wins over the default,
 * unless env or a flag names a provider, which wins over both (defaults < module < env <
 * flags). Logs one line per family saying what was chosen and why.
 */
export function bindFamilies(container: Container, config: MicroConfig, providers: ReadonlyMap<unknown, Provider>, logger: Logger): void {
  for (const family of Object.keys(FAMILY_TOKENS) as Family[]) {
    const token = FAMILY_TOKENS[family] as ServiceIdentifier<unknown>;
    const source = config.sources[family];
    const provided = providers.get(token);
    if (provided && source !== "env" && source !== "flag") {
      bindProvider(container, provided);
      container.onActivation(token, (_ctx, value) => {
        logger.info(`${family}: ${nameOf(value)}`, { provider: family, name: nameOf(value), source: "module" });
        return value;
      });
      continue;
    }
    const name = config[family];
    const factory = providerFactory(family, name); // throws, listing known names, before anything starts
    container
      .bind(token)
      .toDynamicValue((ctx) => {
        const value = factory({ config, logger, registry: () => ctx.get(Registry) });
        logger.info(`${family}: ${name}`, { provider: family, name, source });
        return value;
      })
      .inSingletonScope();
  }
}

function nameOf(value: unknown): string {
  const n = (value as { name?: unknown } | null)?.name;
  return typeof n === "string" ? n : "custom";
}
