import type { Logger } from "../../logger/logger";
import { HttpListener } from "../http/http-listener";
import type { Socket } from "../transport";

/** What the companion needs from the tcp listener it serves beside. */
export interface CompanionConfig {
  maxBodyBytes: number;
  closeTimeoutMs: number;
  /** How long a handed-over connection may take to send a request head, in ms. */
  headersTimeoutMs: number;
  /** How long a client may take to send one whole request, in ms. */
  requestTimeoutMs: number;
  /** How long a connection may sit idle between requests, in ms; 0 for ever. */
  idleTimeoutMs: number;
  logger?: Logger;
}

/**
 * An unbound HTTP listener that serves connections the tcp listener hands over, so one port
 * speaks both the fast protocol and go-micro's HTTP framing.
 */
export function httpCompanion(accept: (socket: Socket) => void, config: CompanionConfig): HttpListener {
  return new HttpListener(accept, {
    maxBodyBytes: config.maxBodyBytes,
    closeTimeoutMs: config.closeTimeoutMs,
    keepAliveTimeoutMs: config.idleTimeoutMs,
    headersTimeoutMs: config.headersTimeoutMs,
    requestTimeoutMs: config.requestTimeoutMs,
    logger: config.logger,
  });
}
