/** A recursive description of a request or response type (go-micro's `registry.Value`). */
export interface Value {
  name: string;
  type: string;
  values?: Value[];
}

/** One RPC endpoint a service offers, with the shapes of its request and response. */
export interface Endpoint {
  name: string;
  request?: Value;
  response?: Value;
  metadata: Record<string, string>;
}

/** One running instance of a service. */
export interface Node {
  id: string;
  /** `host:port` the node serves on. */
  address: string;
  metadata: Record<string, string>;
}

/** A service at one version, with its nodes (go-micro's `registry.Service`). */
export interface ServiceRecord {
  name: string;
  version: string;
  metadata?: Record<string, string>;
  endpoints: Endpoint[];
  nodes: Node[];
}

/** Per-registration options. */
export interface RegisterOptions {
  /** How long the registration lives without being renewed, in ms. 0 means no expiry. */
  ttlMs?: number;
}

/** Options for watching the registry. */
export interface WatchOptions {
  /** Only report changes to this service. */
  service?: string;
}

/** What changed about a service. */
export type WatchAction = "create" | "update" | "delete";

/** One registry change; `service` holds only the nodes that changed. */
export interface WatchEvent {
  action: WatchAction;
  service: ServiceRecord;
}

/** A running watch; `stop` ends it and is idempotent. */
export interface Watcher {
  stop(): Promise<void>;
}

/**
 * Service discovery. Implementations must be safe to call concurrently, must not do I/O in the
 * constructor and must make `close` idempotent.
 */
export interface Registry {
  readonly name: string;
  /** Registers (or renews) the nodes of `service`. */
  register(service: ServiceRecord, options?: RegisterOptions): Promise<void>;
  /** Removes the nodes of `service`. Deregistering an unknown node is not an error. */
  deregister(service: ServiceRecord): Promise<void>;
  /** Every version of `name` with live nodes, one record per version; [] when none. */
  getService(name: string): Promise<ServiceRecord[]>;
  /** Every known service (nodes may be omitted). */
  listServices(): Promise<ServiceRecord[]>;
  /** Calls `listener` for each change until the watcher is stopped. */
  watch(listener: (event: WatchEvent) => void, options?: WatchOptions): Promise<Watcher>;
  /** Releases sockets and timers. */
  close(): Promise<void>;
}
