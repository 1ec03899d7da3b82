import { withDefaults } from "../../internal/options";
import type { Logger } from "../../logger/logger";

/** Options of the Redis broker. */
export interface RedisBrokerOptions {
  /** The server, `redis://[user:pass@]host:port[/db]`; default "redis://127.0.0.1:6379". */
  url?: string;
  /** Prefix of every stream key and pub/sub channel (`<prefix><topic>`); default "micro:". */
  prefix?: string;
  /**
   * Approximate length each topic's stream is trimmed to on publish (`XADD MAXLEN ~`), in
   * entries; default 100000; 0 never trims. An entry trimmed before a slow group read or
   * acknowledged it is lost to that group.
   */
  maxLen?: number;
  /** How long a delivered message may stay unacknowledged before another consumer of its group claims it (the first one crashed), in ms; default 30000. */
  visibilityTimeoutMs?: number;
  /** How often each at-least-once subscription looks for such messages (`XAUTOCLAIM`), in ms; default 5000. */
  claimIntervalMs?: number;
  /** Longest wait of one `XREADGROUP BLOCK`, in ms; default 2000. */
  blockMs?: number;
  /** Messages read per `XREADGROUP`; default 100. */
  batch?: number;
  /** How long `publish` waits for Redis to accept a message, in ms; default 5000 (a publish's own `timeoutMs` wins). */
  publishTimeoutMs?: number;
  /** How long `connect` waits for the server, in ms; default 5000. */
  connectTimeoutMs?: number;
  /** How long `unsubscribe`/`disconnect` wait for a handler in progress, in ms; default 10000 (its entry stays pending, claimed later). */
  closeTimeoutMs?: number;
  /** First delay between reconnect attempts after the connection dropped, in ms; default 50 (doubling). */
  reconnectInitialMs?: number;
  /** Longest delay between reconnect attempts, in ms; default 2000. */
  reconnectMaxMs?: number;
  /**
   * Consumer name within queue groups. Default: random per broker. A name that is stable across
   * restarts lets a restarted subscriber take back its own unacknowledged messages at once,
   * instead of after `visibilityTimeoutMs`.
   */
  consumer?: string;
  /** Where connection and handler failures are logged; default: not logged. */
  logger?: Logger;
}

/** RedisBrokerOptions with every default filled in. */
export type ResolvedRedisBrokerOptions = Required<Omit<RedisBrokerOptions, "logger" | "consumer">> & Pick<RedisBrokerOptions, "logger" | "consumer">;

/** The defaults of {@link RedisBrokerOptions}. */
export const DEFAULT_REDIS_BROKER_OPTIONS: Readonly<Omit<ResolvedRedisBrokerOptions, "logger" | "consumer">> = Object.freeze({
  url: "redis://127.0.0.1:6379",
  prefix: "micro:",
  maxLen: 100_000,
  visibilityTimeoutMs: 30_000,
  claimIntervalMs: 5_000,
  blockMs: 2_000,
  batch: 100,
  publishTimeoutMs: 5_000,
  connectTimeoutMs: 5_000,
  closeTimeoutMs: 10_000,
  reconnectInitialMs: 50,
  reconnectMaxMs: 2_000,
});

/** Fills the defaults into `options`; rejects nonsense early. */
export function resolveRedisBrokerOptions(options: RedisBrokerOptions = {}): ResolvedRedisBrokerOptions {
  const o = withDefaults(DEFAULT_REDIS_BROKER_OPTIONS, options);
  // `--broker_address=127.0.0.1:6379` is taken as the redis:// URL it means.
  if (/^[^/:]+:\d+$/.test(o.url)) o.url = `redis://${o.url}`;
  if (!/^rediss?:\/\//.test(o.url)) throw new RangeError(`redis broker: the address must be a redis:// or rediss:// URL, got ${JSON.stringify(o.url)}`);
  for (const k of ["visibilityTimeoutMs", "claimIntervalMs", "blockMs", "batch", "publishTimeoutMs", "connectTimeoutMs", "closeTimeoutMs", "reconnectInitialMs", "reconnectMaxMs"] as const) {
    if (!(o[k] > 0)) throw new RangeError(`redis broker: ${k} must be > 0, got ${o[k]}`);
  }
  if (!(Number.isInteger(o.maxLen) && o.maxLen >= 0)) throw new RangeError(`redis broker: maxLen must be an integer ≥ 0, got ${o.maxLen}`);
  return o;
}
