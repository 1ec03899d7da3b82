import { withDefaults } from "../../internal/options";
import type { Logger } from "../../logger/logger";
import type { BackoffOptions } from "../broker";

/** Options of the RabbitMQ broker; every field has a default. */
export interface RabbitMqBrokerOptions {
  /** AMQP URL (`amqp://user:pass@host:port/vhost`); default "amqp://guest:guest@127.0.0.1:5672". */
  url?: string;
  /** The topic exchange events are published to; default "micro". */
  exchange?: string;
  /** The topic exchange dead letters go through; default `<exchange>.dlx`. */
  deadLetterExchange?: string;
  /** Unacknowledged messages per subscription (also its handler concurrency); default 32. */
  prefetch?: number;
  /** How long a publish waits for the broker's confirm (and for a lost connection to come back), in ms; default 5000. */
  publishTimeoutMs?: number;
  /** How long the first connection may take, in ms; default 5000. */
  connectTimeoutMs?: number;
  /** AMQP heartbeat, in seconds (0 disables it); default 10. Used when the URL sets none. */
  heartbeatSeconds?: number;
  /** Delays between reconnection attempts after the connection is lost; default 100 ms doubling up to 5000 ms. */
  reconnect?: BackoffOptions;
  /** Publish messages as persistent (written to disk in durable queues); default true. */
  persistent?: boolean;
  /**
   * How long the durable queue of a subscriber without a queue group (at-least-once) outlives
   * its consumer, in ms; default 3600000. It is deleted on unsubscribe; this bounds what a
   * crashed process leaves behind.
   */
  subscriberQueueExpiresMs?: number;
  /** Where handler failures and reconnections are logged; default: not logged. */
  logger?: Logger;
}

/** RabbitMqBrokerOptions with every default filled in. */
export type ResolvedRabbitMqBrokerOptions = Required<Omit<RabbitMqBrokerOptions, "logger" | "reconnect">> & {
  reconnect: Required<BackoffOptions>;
  logger?: Logger;
};

/** The defaults of {@link RabbitMqBrokerOptions} (`deadLetterExchange` follows `exchange`). */
export const DEFAULT_RABBITMQ_BROKER_OPTIONS = Object.freeze({
  url: "amqp://guest:guest@127.0.0.1:5672",
  exchange: "micro",
  prefetch: 32,
  publishTimeoutMs: 5000,
  connectTimeoutMs: 5000,
  heartbeatSeconds: 10,
  reconnect: Object.freeze({ initialMs: 100, maxMs: 5000, multiplier: 2 }),
  persistent: true,
  subscriberQueueExpiresMs: 3_600_000,
});

/** Fills the defaults into `options` and rejects values that cannot work. */
export function resolveRabbitMqBrokerOptions(options: RabbitMqBrokerOptions = {}): ResolvedRabbitMqBrokerOptions {
  const merged = withDefaults(DEFAULT_RABBITMQ_BROKER_OPTIONS, options);
  const reconnect = { ...DEFAULT_RABBITMQ_BROKER_OPTIONS.reconnect, ...options.reconnect };
  if (!Number.isInteger(merged.prefetch) || merged.prefetch < 1 || merged.prefetch > 65535) {
    throw new RangeError(`prefetch must be an integer in 1..65535, got ${merged.prefetch}`);
  }
  if (!(reconnect.initialMs > 0 && reconnect.maxMs >= reconnect.initialMs && reconnect.multiplier >= 1)) {
    throw new RangeError(`reconnect must have 0 < initialMs ≤ maxMs and multiplier ≥ 1, got ${JSON.stringify(reconnect)}`);
  }
  if (!isAmqpUrl(merged.url)) {
    throw new RangeError(`the rabbitmq broker address must be an amqp:// or amqps:// URL such as amqp://guest:guest@127.0.0.1:5672 (--broker_address), got "${merged.url}"`);
  }
  return { ...merged, reconnect, deadLetterExchange: options.deadLetterExchange ?? `${merged.exchange}.dlx` };
}

function isAmqpUrl(text: string): boolean {
  try {
    const u = new URL(text);
    return (u.protocol === "amqp:" || u.protocol === "amqps:") && u.hostname !== "";
  } catch {
    return false;
  }
}
