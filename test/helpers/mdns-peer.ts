import { createSocket } from "node:dgram";
import { once } from "node:events";
import makeMdns from "multicast-dns";
import type { MulticastDNS } from "multicast-dns";

/** A raw mDNS peer on the shared group, pinned to loopback: another process, a go-micro node, or an attacker. */
export async function rawPeer(): Promise<MulticastDNS> {
  const udp = createSocket({ type: "udp4", reuseAddr: true });
  const peer = makeMdns({ socket: udp, interface: "127.0.0.1", bind: "0.0.0.0", loopback: true });
  await once(peer, "ready");
  udp.setMulticastInterface("127.0.0.1");
  return peer;
}

/** Closes a raw peer. */
export const destroyPeer = (m: MulticastDNS): Promise<void> => new Promise((resolve) => m.destroy(() => resolve()));
