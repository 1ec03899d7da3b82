import { withDefaults } from "../../internal/options";
import type { Logger } from "../../logger/logger";

/** Whether the broker uses JetStream: `auto` when the server has it enabled. */
export type JetStreamMode = "auto" | "on" | "off";

/** Options of the NATS broker. */
export interface NatsBrokerOptions {
  /** NATS server URLs (`nats://127.0.0.1:4222`); default ["nats://127.0.0.1:4222"]. */
  servers?: string[];
  /**
   * JetStream use; default "auto". With JetStream, publishes resolve on the stream's ack and
   * at-least-once subscribers get durable consumers; "off" gives core NATS only (at-least-once
   * subscriptions are then refused).
   */
  jetstream?: JetStreamMode;
  /** Prefix of the stream names the broker creates (`MICRO_orders` for topic `orders.created`); default "MICRO". */
  streamPrefix?: string;
  /** How many leading subject tokens pick a topic's stream (1: `orders.*` share one); default 1. */
  streamTokens?: number;
  /** How long a stream keeps messages, in ms; default 86400000 (a day). */
  streamMaxAgeMs?: number;
  /** Stream storage; default "file" (survives a server restart). */
  storage?: "file" | "memory";
  /** How long JetStream waits for an ack before redelivering (a crashed subscriber's messages), in ms; default 30000. */
  ackWaitMs?: number;
  /** Unacknowledged messages a subscriber holds at once (JetStream pull batch); default 64. */
  prefetch?: number;
  /** How long a group-less at-least-once subscriber's own consumer outlives it, in ms; default 60000. */
  inactiveConsumerMs?: number;
  /** How long connecting may take, in ms; default 5000. */
  connectTimeoutMs?: number;
  /** Pause between reconnect attempts, in ms; default 250. */
  reconnectWaitMs?: number;
  /** Default publish deadline when the call gives none, in ms; default 5000. */
  publishTimeoutMs?: number;
  /** Connection name shown by the NATS server; default "tsmicro". */
  name?: string;
  /** Where handler and connection failures are logged; default: not logged. */
  logger?: Logger;
}

/** NatsBrokerOptions with every default filled in. */
export type ResolvedNatsBrokerOptions = Required<Omit<NatsBrokerOptions, "logger">> & Pick<NatsBrokerOptions, "logger">;

/** The defaults of {@link NatsBrokerOptions}. */
export const DEFAULT_NATS_BROKER_OPTIONS: Readonly<Omit<ResolvedNatsBrokerOptions, "logger">> = Object.freeze({
  servers: ["nats://127.0.0.1:4222"],
  jetstream: "auto",
  streamPrefix: "MICRO",
  streamTokens: 1,
  streamMaxAgeMs: 86_400_000,
  storage: "file",
  ackWaitMs: 30_000,
  prefetch: 64,
  inactiveConsumerMs: 60_000,
  connectTimeoutMs: 5_000,
  reconnectWaitMs: 250,
  publishTimeoutMs: 5_000,
  name: "tsmicro",
});

/** Fills the defaults into `options`; an empty server list means the default server. */
export function resolveNatsBrokerOptions(options: NatsBrokerOptions = {}): ResolvedNatsBrokerOptions {
  const resolved = withDefaults(DEFAULT_NATS_BROKER_OPTIONS, options);
  if (resolved.servers.length === 0) resolved.servers = [...DEFAULT_NATS_BROKER_OPTIONS.servers];
  if (!Number.isInteger(resolved.streamTokens) || resolved.streamTokens < 1) throw new RangeError(`streamTokens must be an integer ≥ 1, got ${resolved.streamTokens}`);
  return resolved;
}
