import { withDefaults } from "../../internal/options";
import type { Logger } from "../../logger/logger";

/** Options of the NATS transport. */
export interface NatsTransportOptions {
  /** NATS server URLs; default ["nats://127.0.0.1:4222"]. */
  servers?: string[];
  /** First tokens of every listener's subject (`micro.rpc.127_0_0_1.40123`); default "micro.rpc". */
  subjectPrefix?: string;
  /** Largest request body a listener accepts, in bytes; default 4 MiB (the NATS server's `max_payload` caps it too). */
  maxBodyBytes?: number;
  /** How long `Listener.close` waits for in-flight requests and streams, in ms; default 10000. */
  closeTimeoutMs?: number;
  /** How long a listener keeps the state of a client that sent nothing, in ms; default 300000. */
  idleTimeoutMs?: number;
  /** Most clients one listener keeps state for; the longest idle is forgotten first; default 10000. */
  maxClients?: number;
  /** How long connecting (and the reachability check of `dial`) may take, in ms; default 5000. */
  dialTimeoutMs?: number;
  /** Pause between reconnect attempts, in ms; default 250. */
  reconnectWaitMs?: number;
  /** Where refused requests and connection changes are logged; default: not logged. */
  logger?: Logger;
}

/** NatsTransportOptions with every default filled in. */
export type ResolvedNatsTransportOptions = Required<Omit<NatsTransportOptions, "logger">> & Pick<NatsTransportOptions, "logger">;

/** The defaults of {@link NatsTransportOptions}. */
export const DEFAULT_NATS_TRANSPORT_OPTIONS: Readonly<Omit<ResolvedNatsTransportOptions, "logger">> = Object.freeze({
  servers: ["nats://127.0.0.1:4222"],
  subjectPrefix: "micro.rpc",
  maxBodyBytes: 4 * 1024 * 1024,
  closeTimeoutMs: 10_000,
  idleTimeoutMs: 300_000,
  maxClients: 10_000,
  dialTimeoutMs: 5_000,
  reconnectWaitMs: 250,
});

/** Fills the defaults into `options`; an empty server list means the default server. */
export function resolveNatsTransportOptions(options: NatsTransportOptions = {}): ResolvedNatsTransportOptions {
  const resolved = withDefaults(DEFAULT_NATS_TRANSPORT_OPTIONS, options);
  if (resolved.servers.length === 0) resolved.servers = [...DEFAULT_NATS_TRANSPORT_OPTIONS.servers];
  return resolved;
}
