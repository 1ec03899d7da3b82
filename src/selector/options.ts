import { withDefaults } from "../internal/options";
import type { Logger } from "../logger/logger";
import type { Registry } from "../registry/registry";
import type { Strategy } from "./selector";
import { STRATEGIES } from "./strategies";

/** Name (a key of `STRATEGIES`, as `--selector` takes it) of the strategy used when none is chosen. */
export const DEFAULT_STRATEGY_NAME = "random";

/** Options of the registry-backed selector. */
export interface RegistrySelectorOptions {
  registry: Registry;
  /** How nodes are picked; default random. */
  strategy: Strategy;
  /** How long a service's cached nodes are trusted without a refresh, in ms; default 60000. */
  cacheTtlMs: number;
  /** How long a node that failed with a connection error is avoided, in ms; default 5000. */
  ejectMs: number;
  /**
   * How many nodes that have answered are remembered, so retries go to them first; default 4096.
   * Bounds the memory a registry full of short-lived (or bogus) nodes can make the selector use.
   */
  provenLimit: number;
  /**
   * How long one registry lookup may take before it is given up, in ms; default 5000. Each call
   * waits no longer than its own deadline; this bounds the shared lookup, so a hung registry is
   * asked again by a later call instead of holding every call after it.
   */
  lookupTimeoutMs: number;
  logger?: Logger;
}

/** Defaults for {@link RegistrySelectorOptions}. */
export const DEFAULT_REGISTRY_SELECTOR_OPTIONS = {
  strategy: STRATEGIES[DEFAULT_STRATEGY_NAME]!(),
  cacheTtlMs: 60_000,
  ejectMs: 5_000,
  provenLimit: 4_096,
  lookupTimeoutMs: 5_000,
} as const;

/** Fills in defaults. */
export function resolveRegistrySelectorOptions(
  partial: Partial<RegistrySelectorOptions> & { registry: Registry },
): RegistrySelectorOptions {
  return withDefaults(DEFAULT_REGISTRY_SELECTOR_OPTIONS, partial);
}
