import type { AddressInfo, Server } from "node:net";
import { badRequest } from "../errors";

/** A parsed `host:port`; an empty host means every interface. */
export interface HostPort {
  host: string;
  port: number;
}

/** Splits `host:port` (IPv6 hosts in brackets) and rejects anything without a valid port. */
export function splitHostPort(address: string): HostPort {
  const colon = address.lastIndexOf(":");
  const port = colon < 0 ? NaN : Number(address.slice(colon + 1));
  if (colon < 0 || address.length === colon + 1 || !Number.isInteger(port) || port < 0 || port > 65535) {
    throw badRequest(`invalid address "${address}": want host:port`);
  }
  let host = address.slice(0, colon);
  if (host.startsWith("[") && host.endsWith("]")) host = host.slice(1, -1);
  return { host, port };
}

/** Joins a host and port, bracketing IPv6 hosts. */
export function joinHostPort(host: string, port: number): string {
  return host.includes(":") ? `[${host}]:${port}` : `${host}:${port}`;
}

/** Binds `server` to `address` (`host:port`, port 0 for any free one) and resolves with the bound `host:port`. */
export async function bindServer(server: Server, address: string): Promise<string> {
  const { host, port } = splitHostPort(address);
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(host === "" ? { port } : { host, port }, () => {
      server.off("error", reject);
      resolve();
    });
  });
  const info = server.address() as AddressInfo;
  return joinHostPort(info.address, info.port);
}
