import { serviceUnavailable } from "../errors";
import { clampDelay } from "../internal/timers";
import type { Logger } from "../logger/logger";
import type { Registry, ServiceRecord, WatchEvent, Watcher } from "./registry";

interface CacheEntry {
  services: ServiceRecord[];
  fetchedAt: number;
  watcher?: Watcher;
  /** The last lookup failed and the records are being served stale (until a lookup succeeds). */
  stale?: boolean;
}

/**
 * A client-side cache of registry lookups: one lookup per service at a time, kept current by a
 * watch, refreshed after a TTL, and served stale when the registry errors. While stale, calls
 * get the cached records at once and a lookup runs in the background; the outage is logged once
 * when it starts and once when a lookup succeeds again.
 */
export class RegistryCache {
  private readonly entries = new Map<string, CacheEntry>();
  private readonly pending = new Map<string, Promise<ServiceRecord[]>>();
  private closed = false;

  constructor(
    private readonly registry: Registry,
    private readonly ttlMs: number,
    private readonly logger?: Logger,
    /** How long one registry lookup may take before it is given up (a later call starts another), ms; default no limit. */
    private readonly lookupTimeoutMs = Infinity,
  ) {}

  /** The service's records when cached and fresh, without waiting (the hot path). */
  peek(service: string): ServiceRecord[] | undefined {
    const entry = this.entries.get(service);
    return entry && entry.services.length > 0 && Date.now() - entry.fetchedAt < this.ttlMs ? entry.services : undefined;
  }

  /** The service's records; from cache when fresh. */
  async get(service: string): Promise<ServiceRecord[]> {
    const entry = this.entries.get(service);
    if (entry && entry.services.length > 0 && Date.now() - entry.fetchedAt < this.ttlMs) return entry.services;
    let p = this.pending.get(service);
    if (!p) {
      p = this.fetch(service, entry).finally(() => this.pending.delete(service));
      this.pending.set(service, p);
    }
    // A registry that is down must not cost every call a lookup: stale records now, the lookup in the background.
    if (entry?.stale && entry.services.length > 0) {
      p.catch(() => undefined);
      return entry.services;
    }
    return p;
  }

  /** Drops a service from the cache. */
  invalidate(service: string): void {
    const entry = this.entries.get(service);
    if (entry) entry.fetchedAt = 0;
  }

  async close(): Promise<void> {
    this.closed = true;
    const watchers = [...this.entries.values()].map((e) => e.watcher).filter((w): w is Watcher => !!w);
    this.entries.clear();
    await Promise.all(watchers.map((w) => w.stop()));
  }

  private async fetch(service: string, stale: CacheEntry | undefined): Promise<ServiceRecord[]> {
    let services: ServiceRecord[];
    try {
      services = await this.lookup(service);
    } catch (err) {
      if (stale && stale.services.length > 0) {
        if (!stale.stale) this.logger?.warn("registry lookup failed; serving cached nodes until it answers again", { service, registry: this.registry.name, error: String(err) });
        stale.stale = true;
        return stale.services;
      }
      throw err;
    }
    const entry = stale ?? { services, fetchedAt: 0 };
    if (entry.stale) this.logger?.info("registry lookups succeed again; cached nodes refreshed", { service, registry: this.registry.name });
    entry.stale = false;
    entry.services = services;
    entry.fetchedAt = Date.now();
    if (!this.closed && !this.entries.has(service)) {
      this.entries.set(service, entry);
      // Not awaited: a registry whose watch is slow to start must not hold up the lookup.
      this.registry.watch((e) => this.apply(e), { service }).then(
        (watcher) => {
          if (this.closed || this.entries.get(service) !== entry) void watcher.stop();
          else entry.watcher = watcher;
        },
        (err: unknown) => this.logger?.warn("registry watch failed; relying on TTL refresh", { service, error: String(err) }),
      );
    }
    return entry.services;
  }

  /** `registry.getService`, given up after `lookupTimeoutMs` so a hung registry does not hold every later call. */
  private lookup(service: string): Promise<ServiceRecord[]> {
    const found = this.registry.getService(service);
    if (this.lookupTimeoutMs === Infinity) return found;
    return new Promise<ServiceRecord[]>((resolve, reject) => {
      const timer = setTimeout(() => {
        reject(serviceUnavailable(`registry lookup of "${service}" took longer than ${this.lookupTimeoutMs}ms`));
      }, clampDelay(this.lookupTimeoutMs));
      found.then(
        (v) => (clearTimeout(timer), resolve(v)),
        (e: unknown) => (clearTimeout(timer), reject(e as Error)),
      );
    });
  }

  /** Applies a watch event to the cached records. */
  private apply(event: WatchEvent): void {
    const entry = this.entries.get(event.service.name);
    if (!entry) return;
    const changed = event.service;
    const ids = new Set(changed.nodes.map((n) => n.id));
    // Remove the changed nodes from every version, then add them back unless deleted.
    let services = entry.services
      .map((s) => ({ ...s, nodes: s.nodes.filter((n) => !ids.has(n.id)) }))
      .filter((s) => s.nodes.length > 0);
    if (event.action !== "delete") {
      const existing = services.find((s) => s.version === changed.version);
      if (existing) {
        existing.nodes = [...existing.nodes, ...changed.nodes];
        existing.endpoints = changed.endpoints;
      } else services = [...services, { ...changed, nodes: [...changed.nodes] }];
    }
    entry.services = services;
  }
}
