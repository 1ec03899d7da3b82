import type { Logger } from "../../logger/logger";
import { DEFAULT_HTTP_TRANSPORT_OPTIONS } from "../http/options";
import { HttpListener } from "../http/http-listener";
import type { Socket } from "../transport";

/** What the companion needs from the tcp listener it serves beside. */
export interface CompanionConfig {
  maxBodyBytes: number;
  closeTimeoutMs: number;
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
    keepAliveTimeoutMs: DEFAULT_HTTP_TRANSPORT_OPTIONS.keepAliveTimeoutMs,
    requestTimeoutMs: DEFAULT_HTTP_TRANSPORT_OPTIONS.requestTimeoutMs,
    logger: config.logger,
  });
}
