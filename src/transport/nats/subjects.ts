import { joinHostPort, splitHostPort } from "../../internal/address";

/**
 * The header of the transport's own control messages (never seen by the server or client
 * code): `ping` checks a listener answers, `close` tells it a client socket closed.
 */
export const CONTROL_HEADER = "Micro-Nats-Control";

/**
 * The subject a listener at `address` answers on. A node's address stays `host:port` (what
 * every registry stores), and the port is a number the listener picked, not a bound socket.
 */
export function subjectOf(prefix: string, address: string): string {
  const { host, port } = splitHostPort(address);
  return `${prefix}.${host.replace(/[^A-Za-z0-9_-]/g, "_")}.${port}`;
}

/** `host:port` for a listener's host and its picked port. */
export function addressOf(host: string, port: number): string {
  return joinHostPort(host === "" || host === "0.0.0.0" || host === "::" ? "127.0.0.1" : host, port);
}

/** A random port number in the unprivileged range, for a listener asked for port 0. */
export function randomPort(): number {
  return 1024 + Math.floor(Math.random() * (65535 - 1024));
}
