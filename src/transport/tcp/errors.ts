import { ErrorIds, MicroError, serviceUnavailable } from "../../errors";

/** The 503 MicroError for a message that could not be delivered to `address` ("cannot reach ADDR: ECONNREFUSED"). */
export function connectionError(address: string, cause: unknown): MicroError {
  const code = (cause as NodeJS.ErrnoException | undefined)?.code ?? (cause instanceof Error ? cause.message : String(cause));
  return new MicroError(ErrorIds.connection, 503, `cannot reach ${address}: ${code}`, { cause });
}

/** The 503 MicroError for a message refused because the peer is shutting down. */
export function drainingError(address: string): MicroError {
  return serviceUnavailable(`${address} is shutting down`, ErrorIds.draining);
}

/** The error a socket's close handler gets when the peer closed the connection without being asked. */
export function closedByPeer(): Error {
  return Object.assign(new Error("connection closed by the peer"), { code: "ECONNRESET" });
}

/** Thrown for bytes that break the frame layout; the connection that sent them is closed. */
export class FrameError extends Error {
  override readonly name = "FrameError";
}

/** Thrown when a reply starts with `HTTP/`: the peer serves the HTTP transport, not this one. */
export class HttpPeerError extends FrameError {}

/** The 502 MicroError for a tcp client whose peer answered in HTTP: the two ends use different transports. */
export function transportMismatch(address: string): MicroError {
  return new MicroError(ErrorIds.transportMismatch, 502, `node ${address} serves http; this client uses tcp (use --transport=http)`, {
    status: "Bad Gateway",
  });
}
