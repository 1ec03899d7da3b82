import { isIPv4 } from "node:net";
import { networkInterfaces } from "node:os";
import type { Logger } from "../../logger/logger";

/**
 * The registry namespace when none is chosen: go-micro's `micro`, so tsmicro and go-micro
 * services see each other by default.
 */
export const DEFAULT_REGISTRY_DOMAIN = "micro";

/** The environment variable (twin of `--registry_domain`) that chooses the registry namespace. */
export const REGISTRY_DOMAIN_ENV = "MICRO_REGISTRY_DOMAIN";

/** Init options of the mDNS registry; every field has a default in {@link DEFAULT_MDNS_REGISTRY_OPTIONS}. */
export interface MdnsRegistryOptions {
  /**
   * DNS domain services are published under, so registries with different domains do not see
   * each other (names are `<service>.<domain>.`, `<node>.<service>.<domain>.`); default
   * "micro" (go-micro's), or `MICRO_REGISTRY_DOMAIN` when this option is not given.
   */
  domain: string;
  /** How long `getService` and `listServices` collect answers, in ms; default 100 (go-micro's). */
  queryTimeoutMs: number;
  /**
   * IPv4 address (or OS interface name, e.g. "eth0") to multicast on; default "127.0.0.1", so
   * nothing leaves the machine. The `MICRO_MDNS_INTERFACE` environment variable overrides it.
   */
  interface: string;
  /** UDP port of the mDNS group; default 5353 (needed to talk to go-micro and other peers). */
  port: number;
  /** Record TTL for registrations without `ttlMs`, in seconds; default 120 (go-micro's). */
  defaultRecordTtlSeconds: number;
  /**
   * Fraction of a record's TTL after which a watcher re-queries a node it has not heard from,
   * before dropping it at the full TTL (RFC 6762 §5.2); default 0.8.
   */
  refreshFraction: number;
  /**
   * Most nodes a watcher tracks, and `getService` collects, at once; default 10000. Anyone on
   * the link can announce nodes, so what is kept from the network is bounded: announcements of
   * further nodes are ignored (and logged once) until some expire.
   */
  maxNodes: number;
  /** Receives socket errors and start-up lines; default none (silent). */
  logger?: Logger;
}

/** Where the interface choice came from, as shown in the start-up log line. */
export type MdnsInterfaceSource = "default" | "module" | "env";

/** Options after defaults and environment have been applied. */
export interface ResolvedMdnsRegistryOptions extends MdnsRegistryOptions {
  /** Where `interface` came from. */
  interfaceSource: MdnsInterfaceSource;
}

/** The environment variable naming the interface to use instead of loopback. */
export const MDNS_INTERFACE_ENV = "MICRO_MDNS_INTERFACE";

/** Defaults of {@link MdnsRegistryOptions}; the only place they are written down. */
export const DEFAULT_MDNS_REGISTRY_OPTIONS: Readonly<Omit<MdnsRegistryOptions, "logger">> = Object.freeze({
  domain: DEFAULT_REGISTRY_DOMAIN,
  queryTimeoutMs: 100,
  interface: "127.0.0.1",
  port: 5353,
  defaultRecordTtlSeconds: 120,
  refreshFraction: 0.8,
  maxNodes: 10_000,
});

/**
 * Fills in defaults, then applies `MICRO_MDNS_INTERFACE` from `env` (precedence: defaults <
 * module options < env), and validates the result. `MICRO_REGISTRY_DOMAIN` applies only when
 * `domain` is not given: the service's settings resolve `--registry_domain` against it first
 * and pass the winner as `domain`.
 */
export function resolveMdnsRegistryOptions(
  partial: Partial<MdnsRegistryOptions> = {},
  env: Readonly<Record<string, string | undefined>> = process.env,
): ResolvedMdnsRegistryOptions {
  const defined = Object.fromEntries(Object.entries(partial).filter(([, v]) => v !== undefined));
  const merged: MdnsRegistryOptions = { ...DEFAULT_MDNS_REGISTRY_OPTIONS, ...defined };
  let interfaceSource: MdnsInterfaceSource = partial.interface === undefined ? "default" : "module";
  const fromEnv = env[MDNS_INTERFACE_ENV]?.trim();
  if (fromEnv) {
    merged.interface = fromEnv;
    interfaceSource = "env";
  }
  const domainFromEnv = env[REGISTRY_DOMAIN_ENV]?.trim();
  if (partial.domain === undefined && domainFromEnv) merged.domain = domainFromEnv;
  merged.domain = checkRegistryDomain(merged.domain);
  if (!merged.interface) throw new RangeError("mdns registry: interface must not be empty");
  // Checked here, not when the socket first opens, so a typo fails start-up naming its source
  // instead of surfacing later inside whatever registered first (the broker's subscriptions).
  if (!isIPv4(merged.interface) && !networkInterfaces()[merged.interface]?.some((a) => a.family === "IPv4")) {
    const from = interfaceSource === "env" ? ` (from ${MDNS_INTERFACE_ENV})` : "";
    throw new RangeError(`mdns registry: interface "${merged.interface}"${from} has no IPv4 address`);
  }
  positive("queryTimeoutMs", merged.queryTimeoutMs);
  positive("defaultRecordTtlSeconds", merged.defaultRecordTtlSeconds);
  if (!Number.isInteger(merged.maxNodes) || merged.maxNodes < 1) throw new RangeError(`mdns registry: maxNodes must be a whole number > 0, got ${merged.maxNodes}`);
  if (!Number.isInteger(merged.port) || merged.port < 1 || merged.port > 65535) {
    throw new RangeError(`mdns registry: port must be 1..65535, got ${merged.port}`);
  }
  if (!(merged.refreshFraction > 0 && merged.refreshFraction < 1)) {
    throw new RangeError(`mdns registry: refreshFraction must be between 0 and 1, got ${merged.refreshFraction}`);
  }
  return { ...merged, interfaceSource };
}

/**
 * `domain` without leading or trailing dots, when it is one or more DNS labels of letters,
 * digits, `-` and `_` (at most 63 each); throws a RangeError otherwise.
 */
export function checkRegistryDomain(domain: string): string {
  const d = domain.trim().replace(/^\.+|\.+$/g, "");
  if (!d) throw new RangeError("registry domain must not be empty");
  if (d.length > 200 || !d.split(".").every((label) => /^[A-Za-z0-9_-]{1,63}$/.test(label))) {
    throw new RangeError(`registry domain "${domain}" must be dot-separated labels of letters, digits, "-" and "_"`);
  }
  return d;
}

function positive(field: string, value: number): void {
  if (!(Number.isFinite(value) && value > 0)) throw new RangeError(`mdns registry: ${field} must be > 0, got ${value}`);
}
