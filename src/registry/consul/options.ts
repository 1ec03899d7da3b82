import { splitHostPort } from "../../internal/address";
import type { Logger } from "../../logger/logger";

/** TLS settings for talking to the Consul agent over HTTPS; paths to PEM files. */
export interface ConsulTlsOptions {
  /** CA bundle that signed the agent's certificate; default the system CAs. */
  caFile?: string;
  /** Client certificate, when the agent verifies clients (`verify_incoming`). */
  certFile?: string;
  /** Key of `certFile`. */
  keyFile?: string;
}

/** Init options of the Consul registry; every field has a default in {@link DEFAULT_CONSUL_REGISTRY_OPTIONS}. */
export interface ConsulRegistryOptions {
  /**
   * Agent HTTP addresses, `host:port` (or `https://host:port`); the first that answers is used and
   * the next is tried after a connection error. Default ["127.0.0.1:8500"].
   */
  addresses: string[];
  /** ACL token sent as `X-Consul-Token`; default none. */
  token?: string;
  /** Datacenter queried (`?dc=`); default none (the agent's own). */
  datacenter?: string;
  /** HTTPS to the agent; also implied by an `https://` address. Default none (plain HTTP). */
  tls?: ConsulTlsOptions;
  /** TTL of the health check when `register` is given no `ttlMs`, in ms; default 0 (no check, like go-micro). */
  defaultTtlMs: number;
  /** How long one blocking query may wait for a change (`wait`), in ms; default 30000, at most 600000 (Consul's limit). */
  watchWaitMs: number;
  /** Timeout of one non-blocking request to the agent, in ms; default 5000. */
  requestTimeoutMs: number;
  /** First delay before retrying a failed registration or watch, in ms; doubles per failure; default 250. */
  retryBaseMs: number;
  /** Largest delay between retries, in ms; default 5000. */
  retryMaxMs: number;
  /** Where outages and retries are logged; default not logged. */
  logger?: Logger;
}

/** ConsulRegistryOptions with the defaults filled in and the addresses checked. */
export interface ResolvedConsulRegistryOptions extends ConsulRegistryOptions {
  /** Parsed addresses, in order. */
  endpoints: ConsulEndpoint[];
}

/** One agent address, parsed. */
export interface ConsulEndpoint {
  host: string;
  port: number;
  secure: boolean;
}

/** Environment variables read by {@link resolveConsulRegistryOptions} (MICRO_* first, then Consul's own). */
export const CONSUL_ENV = Object.freeze({
  token: ["MICRO_CONSUL_TOKEN", "CONSUL_HTTP_TOKEN"],
  datacenter: ["MICRO_CONSUL_DATACENTER"],
  caFile: ["MICRO_CONSUL_CA_FILE", "CONSUL_CACERT"],
  certFile: ["MICRO_CONSUL_CERT_FILE", "CONSUL_CLIENT_CERT"],
  keyFile: ["MICRO_CONSUL_KEY_FILE", "CONSUL_CLIENT_KEY"],
});

/** Defaults of {@link ConsulRegistryOptions}; the only place they are written down. */
export const DEFAULT_CONSUL_REGISTRY_OPTIONS: Readonly<Omit<ConsulRegistryOptions, "logger" | "token" | "datacenter" | "tls">> = Object.freeze({
  addresses: ["127.0.0.1:8500"],
  defaultTtlMs: 0,
  watchWaitMs: 30_000,
  requestTimeoutMs: 5_000,
  retryBaseMs: 250,
  retryMaxMs: 5_000,
});

/** Longest `wait` Consul honours for a blocking query: 10 minutes. */
const MAX_WAIT_MS = 600_000;

/** Consul's default HTTP port, used when an address has none. */
const CONSUL_PORT = 8500;

/**
 * Fills in defaults, then the environment for what the options leave unset (token, datacenter,
 * TLS files), and validates the result.
 */
export function resolveConsulRegistryOptions(
  partial: Partial<ConsulRegistryOptions> = {},
  env: Readonly<Record<string, string | undefined>> = process.env,
): ResolvedConsulRegistryOptions {
  const defined = Object.fromEntries(Object.entries(partial).filter(([, v]) => v !== undefined));
  const merged: ConsulRegistryOptions = { ...DEFAULT_CONSUL_REGISTRY_OPTIONS, ...defined };
  if (merged.addresses.length === 0) merged.addresses = [...DEFAULT_CONSUL_REGISTRY_OPTIONS.addresses];
  const fromEnv = (names: readonly string[]): string | undefined => names.map((n) => env[n]?.trim()).find((v) => v);
  merged.token ??= fromEnv(CONSUL_ENV.token);
  merged.datacenter ??= fromEnv(CONSUL_ENV.datacenter);
  const tls = { caFile: fromEnv(CONSUL_ENV.caFile), certFile: fromEnv(CONSUL_ENV.certFile), keyFile: fromEnv(CONSUL_ENV.keyFile), ...merged.tls };
  if (tls.caFile || tls.certFile || tls.keyFile) merged.tls = tls;
  if (!!merged.tls?.certFile !== !!merged.tls?.keyFile) throw new RangeError("consul registry: tls.certFile and tls.keyFile go together");
  for (const f of ["watchWaitMs", "requestTimeoutMs", "retryBaseMs", "retryMaxMs"] as const) {
    if (!(Number.isFinite(merged[f]) && merged[f] > 0)) throw new RangeError(`consul registry: ${f} must be > 0, got ${merged[f]}`);
  }
  if (merged.watchWaitMs > MAX_WAIT_MS) throw new RangeError(`consul registry: watchWaitMs must be <= ${MAX_WAIT_MS} (Consul's limit), got ${merged.watchWaitMs}`);
  if (!(merged.defaultTtlMs >= 0)) throw new RangeError(`consul registry: defaultTtlMs must be >= 0, got ${merged.defaultTtlMs}`);
  const endpoints = merged.addresses.map((a) => parseEndpoint(a, merged.tls !== undefined));
  return { ...merged, endpoints };
}

function parseEndpoint(address: string, tls: boolean): ConsulEndpoint {
  const m = /^(https?):\/\/(.*?)\/?$/.exec(address.trim());
  const hostPort = m ? m[2]! : address.trim();
  const secure = m ? m[1] === "https" : tls;
  // A bare host means Consul's default port, as go-micro's consul registry assumes.
  if (!hostPort.includes(":") || /^\[[^\]]+\]$/.test(hostPort)) return { host: hostPort.replace(/^\[|\]$/g, ""), port: CONSUL_PORT, secure };
  const { host, port } = splitHostPort(hostPort);
  return { host, port, secure };
}
