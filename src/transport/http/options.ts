import { withDefaults } from "../../internal/options";
import type { Logger } from "../../logger/logger";

/** Options of the HTTP transport; every field is optional and defaults as documented. */
export interface HttpTransportOptions {
  /** Largest request body a listener accepts, in bytes; default 4 MiB. `ListenOptions.maxBodyBytes` overrides it. */
  maxBodyBytes?: number;
  /** How long `Listener.close` waits for in-flight requests before destroying connections, in ms; default 10000. */
  closeTimeoutMs?: number;
  /** How long the server keeps an idle keep-alive connection open, in ms; default 65000. */
  keepAliveTimeoutMs?: number;
  /** How long a client may take to send a request's head, in ms; default 10000; 0 waits for ever. Silent new connections are closed after it too. */
  headersTimeoutMs?: number;
  /** How long a client may take to send one whole request, in ms; default 60000. */
  requestTimeoutMs?: number;
  /**
   * Largest response body a dialed socket accepts, in bytes; default 64 MiB. A larger one fails
   * the call with a `tsmicro.too_large` error and the connection is dropped.
   */
  maxResponseBytes?: number;
  /** Most connections one dialed socket opens to its address at once; default 64. */
  maxSocketsPerAddress?: number;
  /** How long an unused client connection stays pooled, in ms; default 30000 (below the server's keep-alive). */
  idleTimeoutMs?: number;
  /** How long connecting may take when `dial` does not say, in ms; default 5000. */
  dialTimeoutMs?: number;
  /** Where socket errors and refused requests are logged; default: not logged. */
  logger?: Logger;
}

/** Options of one HTTP listener: the transport-wide ones it may override. */
export interface HttpListenOptions {
  /** Largest request body accepted, in bytes; default the transport's `maxBodyBytes`. */
  maxBodyBytes?: number;
  /** How long `close` waits for in-flight requests before destroying connections, in ms; default the transport's `closeTimeoutMs`. */
  closeTimeoutMs?: number;
}

/** HttpTransportOptions with every default filled in. */
export type ResolvedHttpTransportOptions = Required<Omit<HttpTransportOptions, "logger">> & Pick<HttpTransportOptions, "logger">;

/** The defaults of {@link HttpTransportOptions}. */
export const DEFAULT_HTTP_TRANSPORT_OPTIONS: Readonly<Required<Omit<HttpTransportOptions, "logger">>> = Object.freeze({
  maxBodyBytes: 4 * 1024 * 1024,
  closeTimeoutMs: 10_000,
  keepAliveTimeoutMs: 65_000,
  headersTimeoutMs: 10_000,
  requestTimeoutMs: 60_000,
  maxResponseBytes: 64 * 1024 * 1024,
  maxSocketsPerAddress: 64,
  idleTimeoutMs: 30_000,
  dialTimeoutMs: 5_000,
});

/** Fills the defaults into `partial`. */
export function resolveHttpTransportOptions(partial: HttpTransportOptions = {}): ResolvedHttpTransportOptions {
  return withDefaults(DEFAULT_HTTP_TRANSPORT_OPTIONS, partial);
}
