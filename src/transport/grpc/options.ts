import { withDefaults } from "../../internal/options";
import type { Logger } from "../../logger/logger";

/** Options of the gRPC transport; every field is optional and defaults as documented. */
export interface GrpcTransportOptions {
  /** Largest message a listener accepts (or a dialed socket reads), in bytes; default 4 MiB. `ListenOptions.maxBodyBytes` overrides it for a listener. */
  maxBodyBytes?: number;
  /** How long `Listener.close` lets open calls finish before it destroys their connections, in ms; default 10000. */
  closeTimeoutMs?: number;
  /** How long connecting may take when `dial` does not say, in ms; default 5000. */
  dialTimeoutMs?: number;
  /**
   * How long a server keeps an HTTP/2 connection that sends nothing (an unfinished preface
   * included), in ms; default 120000; 0 keeps it for ever.
   */
  idleTimeoutMs?: number;
  /** How long a new connection may take to send its HTTP/2 preface and SETTINGS, in ms; default 5000; 0 waits for ever. */
  handshakeTimeoutMs?: number;
  /** Most concurrent calls one connection may carry (HTTP/2 SETTINGS_MAX_CONCURRENT_STREAMS); default 1000. */
  maxConcurrentStreams?: number;
  /** Most connections one listener holds open at once; default 10000. Further ones are closed when accepted. */
  maxConnections?: number;
  /** Delay between HTTP/2 PINGs a dialed connection sends while calls are open, in ms; default 0 (none). */
  keepAliveMs?: number;
  /** Where refused connections and protocol errors are logged; default: not logged. */
  logger?: Logger;
}

/** GrpcTransportOptions with every default filled in. */
export type ResolvedGrpcTransportOptions = Required<Omit<GrpcTransportOptions, "logger">> & Pick<GrpcTransportOptions, "logger">;

/** The defaults of {@link GrpcTransportOptions}. */
export const DEFAULT_GRPC_TRANSPORT_OPTIONS: Readonly<Required<Omit<GrpcTransportOptions, "logger">>> = Object.freeze({
  maxBodyBytes: 4 * 1024 * 1024,
  closeTimeoutMs: 10_000,
  dialTimeoutMs: 5_000,
  idleTimeoutMs: 120_000,
  handshakeTimeoutMs: 5_000,
  maxConcurrentStreams: 1000,
  maxConnections: 10_000,
  keepAliveMs: 0,
});

/** Fills the defaults into `partial`. */
export function resolveGrpcTransportOptions(partial: GrpcTransportOptions = {}): ResolvedGrpcTransportOptions {
  return withDefaults(DEFAULT_GRPC_TRANSPORT_OPTIONS, partial);
}
