import { withDefaults } from "../../internal/options";
import type { Logger } from "../../logger/logger";

/** Options of the TCP transport; every field is optional and defaults as documented. */
export interface TcpTransportOptions {
  /** Largest message body a listener accepts, in bytes; default 4 MiB. `ListenOptions.maxBodyBytes` overrides it. */
  maxBodyBytes?: number;
  /**
   * How long `Listener.close` waits for in-flight requests before answering them with a 503 and
   * closing, in ms; default 10000. It also bounds how long a dialed socket's `close` waits to
   * flush what it queued; a dialed socket waits twice as long for the server to close after GOAWAY.
   */
  closeTimeoutMs?: number;
  /** How long connecting may take when `dial` does not say, in ms; default 5000. */
  dialTimeoutMs?: number;
  /** Connections one dialed socket opens to its address and spreads messages over; default 1. */
  connectionsPerAddress?: number;
  /**
   * Most bytes one connection holds queued for writing (its own queue plus the socket's), in bytes;
   * default 16 MiB. Past it `send` waits until the peer reads, and a server stops reading new requests.
   */
  maxQueuedBytes?: number;
  /**
   * Longest frame a peer may announce, in bytes; default 64 MiB (a listener allows at least its
   * `maxBodyBytes` plus a full header block). A longer one is a protocol error and closes the connection.
   */
  maxFrameBytes?: number;
  /** Delay before TCP keep-alive probes start on an idle connection, in ms; default 30000; 0 turns them off. */
  keepAliveMs?: number;
  /**
   * How long a new connection may take to send its whole preface (or, for HTTP on this port, its
   * request head), in ms; default 5000. Connections that stay silent longer are closed; 0 waits for ever.
   */
  handshakeTimeoutMs?: number;
  /**
   * How long a server keeps a connection with nothing in flight and nothing received, in ms;
   * default 120000 (HTTP keep-alive connections on this port too); 0 keeps them forever.
   */
  idleTimeoutMs?: number;
  /** How long an HTTP client on this port may take to send one whole request, in ms; default 60000. */
  requestTimeoutMs?: number;
  /**
   * Most connections one listener holds open at once; default 10000. Further connections are
   * closed as soon as they are accepted (and a rate-limited warning is logged).
   */
  maxConnections?: number;
  /**
   * Also answer go-micro style HTTP (`POST /`) on the same port, told apart by a connection's
   * first byte, so curl and go-micro clients keep working; default true.
   */
  serveHttp?: boolean;
  /** Where protocol errors and refused messages are logged; default: not logged. */
  logger?: Logger;
}

/** Options of one TCP listener: the transport-wide ones it may override. */
export interface TcpListenOptions {
  /** Largest message body accepted, in bytes; default the transport's `maxBodyBytes`. */
  maxBodyBytes?: number;
  /** How long `close` waits for in-flight requests before destroying connections, in ms; default the transport's `closeTimeoutMs`. */
  closeTimeoutMs?: number;
}

/** TcpTransportOptions with every default filled in. */
export type ResolvedTcpTransportOptions = Required<Omit<TcpTransportOptions, "logger">> & Pick<TcpTransportOptions, "logger">;

/** The defaults of {@link TcpTransportOptions}. */
export const DEFAULT_TCP_TRANSPORT_OPTIONS: Readonly<Required<Omit<TcpTransportOptions, "logger">>> = Object.freeze({
  maxBodyBytes: 4 * 1024 * 1024,
  closeTimeoutMs: 10_000,
  dialTimeoutMs: 5_000,
  connectionsPerAddress: 1,
  maxQueuedBytes: 16 * 1024 * 1024,
  maxFrameBytes: 64 * 1024 * 1024,
  keepAliveMs: 30_000,
  handshakeTimeoutMs: 5_000,
  idleTimeoutMs: 120_000,
  requestTimeoutMs: 60_000,
  maxConnections: 10_000,
  serveHttp: true,
});

/** Fills the defaults into `partial`. */
export function resolveTcpTransportOptions(partial: TcpTransportOptions = {}): ResolvedTcpTransportOptions {
  return withDefaults(DEFAULT_TCP_TRANSPORT_OPTIONS, partial);
}
