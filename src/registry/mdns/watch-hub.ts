import type { Logger } from "../../logger/logger";
import type { ServiceRecord, WatchAction, WatchEvent, WatchOptions } from "../registry";
import type { Observation } from "./packet";

/** Longest delay setTimeout honours, in ms; longer ones fire at once. */
const MAX_TIMER_MS = 2 ** 31 - 1;

interface Known {
  service: ServiceRecord;
  fingerprint: string;
  refresh?: NodeJS.Timeout;
  expire?: NodeJS.Timeout;
}

interface Subscriber {
  listener: (event: WatchEvent) => void;
  service?: string;
}

/**
 * Turns observed announcements into watch events: a new node is "create", a changed one
 * "update", a goodbye or a node silent for its whole record TTL "delete". Nodes are re-queried
 * (via `requery`) at `refreshFraction` of their TTL, so live ones answer before they expire.
 */
export class WatchHub {
  private readonly subscribers = new Set<Subscriber>();
  private readonly known = new Map<string, Known>(); // key: lower-cased instance name

  constructor(
    private readonly refreshFraction: number,
    private readonly requery: (instance: string) => void,
    private readonly logger?: Logger,
  ) {}

  /** True while at least one watcher listens. */
  get active(): boolean {
    return this.subscribers.size > 0;
  }

  /** Adds a listener; the returned function removes it (idempotent). */
  subscribe(listener: (event: WatchEvent) => void, options: WatchOptions = {}): () => void {
    const sub: Subscriber = { listener, service: options.service };
    this.subscribers.add(sub);
    return () => {
      if (this.subscribers.delete(sub) && this.subscribers.size === 0) this.clear();
    };
  }

  /** Feeds one observation in; ignored while nobody watches. */
  observe(obs: Observation): void {
    if (!this.active) return;
    const known = this.known.get(obs.instance);
    if (obs.kind === "goodbye") {
      if (known) this.drop(obs.instance, known);
      return;
    }
    const fingerprint = JSON.stringify(obs.service);
    const entry: Known = { service: obs.service, fingerprint };
    this.stopTimers(known);
    this.known.set(obs.instance, entry);
    const ttlMs = Math.min(obs.ttlSeconds * 1000, MAX_TIMER_MS);
    entry.refresh = setTimeout(() => this.requery(obs.instance), ttlMs * this.refreshFraction);
    entry.expire = setTimeout(() => this.known.get(obs.instance) === entry && this.drop(obs.instance, entry), ttlMs);
    entry.refresh.unref();
    entry.expire.unref();
    if (!known) this.emit("create", obs.service);
    else if (known.fingerprint !== fingerprint) this.emit("update", obs.service);
  }

  /** Forgets every node and stops every timer; subscribers stay. */
  clear(): void {
    for (const k of this.known.values()) this.stopTimers(k);
    this.known.clear();
  }

  /** Removes every subscriber and forgets every node. */
  close(): void {
    this.subscribers.clear();
    this.clear();
  }

  private drop(instance: string, known: Known): void {
    this.stopTimers(known);
    this.known.delete(instance);
    this.emit("delete", known.service);
  }

  private stopTimers(known: Known | undefined): void {
    clearTimeout(known?.refresh);
    clearTimeout(known?.expire);
  }

  private emit(action: WatchAction, service: ServiceRecord): void {
    for (const sub of [...this.subscribers]) {
      if (sub.service !== undefined && sub.service !== service.name) continue;
      try {
        sub.listener({ action, service: structuredClone(service) });
      } catch (err) {
        // A throwing listener must not stop the others or the socket's event loop.
        this.logger?.warn("mdns registry: watch listener threw", { err: String(err) });
      }
    }
  }
}
