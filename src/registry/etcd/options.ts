import type { Logger } from "../../logger/logger";

/** Files for a TLS connection to etcd; every path is read when the registry first connects. */
export interface EtcdTlsOptions {
  /** PEM file of the CA that signed etcd's certificate; required for TLS. */
  ca: string;
  /** PEM client certificate, for etcd's `--client-cert-auth`. */
  cert?: string;
  /** PEM private key of `cert`. */
  key?: string;
}

/** Init options of the etcd registry; every field has a default in {@link DEFAULT_ETCD_REGISTRY_OPTIONS}. */
export interface EtcdRegistryOptions {
  /**
   * etcd client endpoints, `host:port` (port 2379 when left out) or a full `http(s)://` URL;
   * default `["127.0.0.1:2379"]` (go-micro's).
   */
  addresses: string[];
  /** User for etcd's password authentication; default none. */
  username?: string;
  /** Password of `username`. */
  password?: string;
  /** Connect over TLS with these files; default plain text. */
  tls?: EtcdTlsOptions;
  /** Key prefix every node key lives under; default "/micro/registry/" (go-micro's, so both can share etcd). */
  prefix: string;
  /** How long connecting to etcd may take, in ms; default 5000 (go-micro's `Timeout`). */
  dialTimeoutMs: number;
  /** Deadline of each etcd request (get, put, delete, lease grant), in ms; default 5000. */
  requestTimeoutMs: number;
  /** Lease TTL of a `register` call that names no `ttlMs`, in ms (rounded up to whole seconds); default 90000. */
  ttlMs: number;
  /** First delay before re-registering a node whose lease was lost, in ms; default 250 (doubles each failure). */
  retryMinMs: number;
  /** Longest delay between attempts to restore a lost registration, in ms; default 5000. */
  retryMaxMs: number;
  /** Receives connection warnings (each outage once) and recoveries; default none. */
  logger?: Logger;
}

/** Options after defaults have been applied. */
export type ResolvedEtcdRegistryOptions = EtcdRegistryOptions;

/** Defaults of {@link EtcdRegistryOptions}; the only place they are written down. */
export const DEFAULT_ETCD_REGISTRY_OPTIONS: Readonly<Omit<EtcdRegistryOptions, "logger" | "username" | "password" | "tls">> = Object.freeze({
  addresses: ["127.0.0.1:2379"],
  prefix: "/micro/registry/",
  dialTimeoutMs: 5000,
  requestTimeoutMs: 5000,
  ttlMs: 90_000,
  retryMinMs: 250,
  retryMaxMs: 5000,
});

/** Fills in defaults and rejects values that cannot work, naming the option. */
export function resolveEtcdRegistryOptions(partial: Partial<EtcdRegistryOptions> = {}): ResolvedEtcdRegistryOptions {
  const defined = Object.fromEntries(Object.entries(partial).filter(([, v]) => v !== undefined)) as Partial<EtcdRegistryOptions>;
  const merged: EtcdRegistryOptions = { ...DEFAULT_ETCD_REGISTRY_OPTIONS, ...defined };
  merged.addresses = merged.addresses.map((a) => a.trim()).filter(Boolean);
  if (merged.addresses.length === 0) merged.addresses = [...DEFAULT_ETCD_REGISTRY_OPTIONS.addresses];
  if (!merged.prefix.startsWith("/")) throw new RangeError(`etcd registry: prefix must start with "/", got "${merged.prefix}"`);
  if (!merged.prefix.endsWith("/")) merged.prefix += "/";
  for (const key of ["dialTimeoutMs", "requestTimeoutMs", "retryMinMs", "retryMaxMs"] as const) positive(key, merged[key]);
  if (!Number.isFinite(merged.ttlMs) || merged.ttlMs < 0) throw new RangeError(`etcd registry: ttlMs must be 0 or more, got ${merged.ttlMs}`);
  if (merged.retryMaxMs < merged.retryMinMs) throw new RangeError("etcd registry: retryMaxMs must not be below retryMinMs");
  if ((merged.username === undefined) !== (merged.password === undefined)) {
    throw new RangeError("etcd registry: username and password go together");
  }
  if (merged.tls && (merged.tls.cert === undefined) !== (merged.tls.key === undefined)) {
    throw new RangeError("etcd registry: tls.cert and tls.key go together");
  }
  return merged;
}

function positive(name: string, value: number): void {
  if (!Number.isFinite(value) || value <= 0) throw new RangeError(`etcd registry: ${name} must be a positive number of ms, got ${value}`);
}

/** The gRPC endpoint URL for one configured address (`host:port`, a bare host, or a URL). */
export function endpointUrl(address: string, secure: boolean): string {
  if (/^https?:\/\//.test(address)) return address;
  const scheme = secure ? "https" : "http";
  // A bare host (no port; IPv6 in brackets) gets etcd's client port, as go-micro does.
  const hasPort = /^\[[^\]]+\]:\d+$/.test(address) || /^[^:[\]]+:\d+$/.test(address);
  return `${scheme}://${hasPort ? address : `${address}:2379`}`;
}

/** Environment variables the `etcd` provider reads (besides `MICRO_REGISTRY_ADDRESS`). */
export const ETCD_ENV = Object.freeze({
  username: "ETCD_USERNAME",
  password: "ETCD_PASSWORD",
  prefix: "MICRO_ETCD_PREFIX",
  tlsCa: "MICRO_ETCD_TLS_CA",
  tlsCert: "MICRO_ETCD_TLS_CERT",
  tlsKey: "MICRO_ETCD_TLS_KEY",
});

/** The options `env` sets: go-micro's `ETCD_USERNAME`/`ETCD_PASSWORD`, and the `MICRO_ETCD_*` prefix and TLS files. */
export function etcdOptionsFromEnv(env: Readonly<Record<string, string | undefined>>): Partial<EtcdRegistryOptions> {
  const get = (name: string): string | undefined => env[name]?.trim() || undefined;
  const out: Partial<EtcdRegistryOptions> = {};
  const [username, password] = [get(ETCD_ENV.username), get(ETCD_ENV.password)];
  // go-micro uses the pair only when both are set; so do we.
  if (username !== undefined && password !== undefined) Object.assign(out, { username, password });
  const prefix = get(ETCD_ENV.prefix);
  if (prefix !== undefined) out.prefix = prefix;
  const ca = get(ETCD_ENV.tlsCa);
  if (ca !== undefined) out.tls = { ca, cert: get(ETCD_ENV.tlsCert), key: get(ETCD_ENV.tlsKey) };
  return out;
}
