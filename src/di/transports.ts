import type { Transport } from "../transport/transport";
import type { ProviderDeps } from "./plugin";
import { createProvider } from "./providers";

/** Gives the transport a node advertises (its `transport` metadata), building each other one once. */
export interface TransportResolver {
  /** The transport named `name` ("tcp", "http"); the primary one for its own name or "". */
  resolve(name: string): Promise<Transport>;
  /** Closes the transports this resolver built (not the primary); idempotent. */
  close(): Promise<void>;
}

/**
 * A resolver around `primary`: other names are loaded from the provider table on first use,
 * one instance per name, so a client on tcp can dial a node that listens on http.
 */
export function createTransportResolver(primary: Transport, deps: ProviderDeps): TransportResolver {
  const built = new Map<string, Promise<Transport>>();
  let closed = false;
  return {
    resolve(name) {
      const key = name.trim().toLowerCase();
      if (key === "" || key === primary.name.toLowerCase()) return Promise.resolve(primary);
      if (closed) return Promise.reject(new Error(`transport "${key}" requested after the client was closed`));
      let transport = built.get(key);
      if (!transport) {
        transport = createProvider("transport", key, deps);
        // A failed load is not cached: the next call tries again (and fails with the same hint).
        transport.catch(() => built.delete(key));
        built.set(key, transport);
      }
      return transport;
    },
    async close() {
      if (closed) return;
      closed = true;
      const all = await Promise.allSettled(built.values());
      for (const r of all) if (r.status === "fulfilled") await r.value.close();
    },
  };
}
