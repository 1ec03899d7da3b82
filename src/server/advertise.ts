import { joinHostPort, splitHostPort } from "../internal/address";

/** The host advertised for a server bound to every interface, unless an advertise address is given. */
export const WILDCARD_ADVERTISE_HOST = "127.0.0.1";

/** The address a server registers, and why that one. */
export interface Advertised {
  /** `host:port` written into the registry. */
  address: string;
  /**
   * "bound": the listen address itself; "explicit": the advertise option (`--server_advertise`);
   * "wildcard": the listener is bound to every interface, so 127.0.0.1 with the bound port.
   */
  reason: "bound" | "explicit" | "wildcard";
}

/** True for hosts that mean "every interface" and cannot be dialled from elsewhere: 0.0.0.0, ::, and "". */
export function isWildcardHost(host: string): boolean {
  return host === "" || host === "0.0.0.0" || host === "::" || host === "[::]";
}

/**
 * The address to advertise for a listener bound to `bound`. An explicit `advertise` (host, or
 * host:port; without a port the bound port is used) is advertised as given. Otherwise the bound
 * address, except that a wildcard bind (0.0.0.0, ::) is never advertised: 127.0.0.1 is, so that
 * nothing reaches beyond this machine unless the user names the address to publish.
 */
export function advertiseAddress(advertise: string | undefined, bound: string): Advertised {
  const { host, port } = splitHostPort(bound);
  if (advertise) {
    const explicit = /:\d+$/.test(advertise) && !/^\[[^\]]+\]$/.test(advertise) ? advertise : `${advertise}:${port}`;
    if (isWildcardHost(splitHostPort(explicit).host)) {
      throw new RangeError(`cannot advertise "${advertise}": a wildcard address is not dialable; name a host (e.g. 127.0.0.1)`);
    }
    return { address: explicit, reason: "explicit" };
  }
  if (isWildcardHost(host)) return { address: joinHostPort(WILDCARD_ADVERTISE_HOST, port), reason: "wildcard" };
  return { address: bound, reason: "bound" };
}
