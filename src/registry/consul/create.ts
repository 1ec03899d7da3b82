import type { Registry } from "../registry";
import type { ConsulRegistryOptions } from "./options";

/**
 * Builds a {@link Registry} kept in Consul, loading the `consul` library only now, so the package's
 * entry point never requires it (use as `{ provide: Registry, useFactory: () => createConsulRegistry({…}) }`).
 */
export async function createConsulRegistry(
  options: Partial<ConsulRegistryOptions> = {},
  env: Readonly<Record<string, string | undefined>> = process.env,
): Promise<Registry> {
  const { ConsulRegistry } = await import("./consul-registry");
  return new ConsulRegistry(options, env);
}
