import type { Node, RegisterOptions, Registry, ServiceRecord, WatchEvent, WatchOptions, Watcher } from "./registry";

interface Entry {
  service: Omit<ServiceRecord, "nodes">;
  node: Node;
  expiresAt: number; // ms epoch; Infinity for no TTL
}

/** Default interval between expiry sweeps, in ms. */
const PRUNE_INTERVAL_MS = 500;

/**
 * An in-process registry. Useful for tests and single-process apps; nodes with a TTL expire
 * unless re-registered.
 */
export class MemoryRegistry implements Registry {
  readonly name = "memory";
  private readonly entries = new Map<string, Entry>(); // key: service \0 version \0 node id
  private readonly watchers = new Set<{ listener: (e: WatchEvent) => void; service?: string }>();
  private pruneTimer?: NodeJS.Timeout;

  async register(service: ServiceRecord, options: RegisterOptions = {}): Promise<void> {
    const ttl = options.ttlMs ?? 0;
    const { nodes, ...rest } = service;
    for (const node of nodes) {
      const key = keyOf(service.name, service.version, node.id);
      const existed = this.entries.has(key);
      this.entries.set(key, { service: clone(rest), node: clone(node), expiresAt: ttl > 0 ? Date.now() + ttl : Infinity });
      this.emit(existed ? "update" : "create", { ...clone(rest), nodes: [clone(node)] });
    }
    if (ttl > 0) this.schedulePrune();
  }

  async deregister(service: ServiceRecord): Promise<void> {
    for (const node of service.nodes) {
      const key = keyOf(service.name, service.version, node.id);
      const entry = this.entries.get(key);
      if (!entry) continue;
      this.entries.delete(key);
      this.emit("delete", { ...clone(entry.service), nodes: [clone(entry.node)] });
    }
  }

  async getService(name: string): Promise<ServiceRecord[]> {
    this.prune();
    const byVersion = new Map<string, ServiceRecord>();
    for (const entry of this.entries.values()) {
      if (entry.service.name !== name) continue;
      let rec = byVersion.get(entry.service.version);
      if (!rec) {
        rec = { ...clone(entry.service), nodes: [] };
        byVersion.set(entry.service.version, rec);
      }
      rec.nodes.push(clone(entry.node));
    }
    return [...byVersion.values()];
  }

  async listServices(): Promise<ServiceRecord[]> {
    this.prune();
    const seen = new Map<string, ServiceRecord>();
    for (const entry of this.entries.values()) {
      const key = `${entry.service.name}\0${entry.service.version}`;
      if (!seen.has(key)) seen.set(key, { ...clone(entry.service), nodes: [] });
    }
    return [...seen.values()];
  }

  async watch(listener: (event: WatchEvent) => void, options: WatchOptions = {}): Promise<Watcher> {
    const w = { listener, service: options.service };
    this.watchers.add(w);
    return { stop: async () => void this.watchers.delete(w) };
  }

  async close(): Promise<void> {
    if (this.pruneTimer) clearInterval(this.pruneTimer);
    this.pruneTimer = undefined;
    this.watchers.clear();
  }

  private emit(action: WatchEvent["action"], service: ServiceRecord): void {
    for (const w of [...this.watchers]) {
      if (w.service && w.service !== service.name) continue;
      // A throwing listener must not break registration for everyone else.
      try {
        w.listener({ action, service });
      } catch {
        /* ignored by design */
      }
    }
  }

  private prune(): void {
    const now = Date.now();
    for (const [key, entry] of this.entries) {
      if (entry.expiresAt > now) continue;
      this.entries.delete(key);
      this.emit("delete", { ...clone(entry.service), nodes: [clone(entry.node)] });
    }
  }

  private schedulePrune(): void {
    if (this.pruneTimer) return;
    this.pruneTimer = setInterval(() => this.prune(), PRUNE_INTERVAL_MS);
    this.pruneTimer.unref();
  }
}

function keyOf(service: string, version: string, node: string): string {
  return `${service}\0${version}\0${node}`;
}

function clone<T>(v: T): T {
  return structuredClone(v);
}
