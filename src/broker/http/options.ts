import { withDefaults } from "../../internal/options";
import type { Logger } from "../../logger/logger";
import type { Registry } from "../../registry/registry";

/** Options of the HTTP broker; only `registry` is required. */
export interface HttpBrokerOptions {
  /** Where subscribers are registered and publishers find them. */
  registry: Registry;
  /** `host:port` the broker's HTTP server binds to; default "127.0.0.1:0". */
  address?: string;
  /** `host:port` registered for subscribers; default the bound address (127.0.0.1 when bound to every interface). */
  advertise?: string;
  /** How long a subscription's registration lives without renewal, in ms; default 60000. */
  registerTtlMs?: number;
  /** How often registrations are renewed, in ms; default 30000. */
  registerIntervalMs?: number;
  /** Largest delivery accepted (the JSON envelope, about 4/3 of the body), in bytes; default 8 MiB. */
  maxBodyBytes?: number;
  /** How long one delivery (connect, send, handlers) may stay silent before it fails, in ms; default 30000. */
  deliveryTimeoutMs?: number;
  /** How long connecting to a subscriber may take, in ms; default 5000. */
  dialTimeoutMs?: number;
  /** How long the broker's server keeps an idle keep-alive connection, in ms; default 65000. */
  keepAliveTimeoutMs?: number;
  /** How long an unused connection to a subscriber stays pooled, in ms; default 30000 (below the server's keep-alive). */
  idleTimeoutMs?: number;
  /** Most connections to one subscriber at once; default 64. */
  maxSocketsPerAddress?: number;
  /** How long `disconnect` waits for deliveries in progress (and at-least-once handlers still running) before cutting connections, in ms; default 10000. */
  closeTimeoutMs?: number;
  /** Where delivery and registry failures are logged; default: not logged. */
  logger?: Logger;
}

/** HttpBrokerOptions with every default filled in. */
export type ResolvedHttpBrokerOptions = Required<Omit<HttpBrokerOptions, "logger" | "advertise">> & Pick<HttpBrokerOptions, "logger" | "advertise">;

/** The defaults of {@link HttpBrokerOptions}. */
export const DEFAULT_HTTP_BROKER_OPTIONS: Readonly<Omit<ResolvedHttpBrokerOptions, "registry" | "logger" | "advertise">> = Object.freeze({
  address: "127.0.0.1:0",
  registerTtlMs: 60_000,
  registerIntervalMs: 30_000,
  maxBodyBytes: 8 * 1024 * 1024,
  deliveryTimeoutMs: 30_000,
  dialTimeoutMs: 5_000,
  keepAliveTimeoutMs: 65_000,
  idleTimeoutMs: 30_000,
  maxSocketsPerAddress: 64,
  closeTimeoutMs: 10_000,
});

/** Fills the defaults into `options`. */
export function resolveHttpBrokerOptions(options: HttpBrokerOptions): ResolvedHttpBrokerOptions {
  return withDefaults(DEFAULT_HTTP_BROKER_OPTIONS, options);
}
