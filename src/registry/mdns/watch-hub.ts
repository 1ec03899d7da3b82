import type { Logger } from "../../logger/logger";
import type { ServiceRecord, WatchAction, WatchEvent, WatchOptions } from "../registry";
import type { Observation } from "./packet";

/** Longest delay setTimeout honours, in ms; longer ones fire at once. */
const MAX_TIMER_MS = 2 ** 31 - 1;

/** How long a node outlives a goodbye (a record with TTL 0), in ms: RFC 6762 §10.1's one second. */
export const GOODBYE_GRACE_MS = 1000;

/**
 * Least time between two re-queries of one node, in ms. A goodbye flood (one forged packet per
 * 20 ms) must not turn every watcher into a query flood; a node answering at loopback speed is
 * still heard well inside {@link GOODBYE_GRACE_MS}.
 */
export const MIN_REQUERY_INTERVAL_MS = 200;

interface Known {
  service: ServiceRecord;
  fingerprint: string;
  refresh?: NodeJS.Timeout;
  expire?: NodeJS.Timeout;
  /** Set once a goodbye was heard and the node has not answered since. */
  doubted?: boolean;
  /** When this node was last re-queried (ms epoch), carried over from earlier entries. */
  queriedAt: number;
}

interface Subscriber {
  listener: (event: WatchEvent) => void;
  service?: string;
}

/**
 * Turns observed announcements into watch events: a new node is "create", a changed one
 * "update", a node silent for its whole record TTL "delete". Nodes are re-queried (via
 * `requery`) at `refreshFraction` of their TTL, so live ones answer before they expire. A
 * goodbye does not delete at once: as RFC 6762 §10.1 says, the node then expires in one second,
 * and it is re-queried meanwhile, so a forged goodbye for a node that still answers changes
 * nothing (mDNS has no authentication; anyone on the link can send one).
 */
export class WatchHub {
  private readonly subscribers = new Set<Subscriber>();
  private readonly known = new Map<string, Known>(); // key: lower-cased instance name

  private warnedFull = false;

  constructor(
    private readonly refreshFraction: number,
    private readonly requery: (instance: string) => void,
    private readonly logger?: Logger,
    /** Most nodes tracked at once; announcements of further ones are ignored. */
    private readonly maxNodes = Infinity,
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
      if (known) this.doubt(obs.instance, known);
      return;
    }
    if (!known && this.known.size >= this.maxNodes) {
      if (!this.warnedFull) this.logger?.warn("mdns registry: watcher tracks its maximum number of nodes; ignoring new ones", { maxNodes: this.maxNodes });
      this.warnedFull = true;
      return;
    }
    const fingerprint = JSON.stringify(obs.service);
    const entry: Known = { service: obs.service, fingerprint, queriedAt: known?.queriedAt ?? 0 };
    this.stopTimers(known);
    this.known.set(obs.instance, entry);
    const ttlMs = Math.min(obs.ttlSeconds * 1000, MAX_TIMER_MS);
    entry.refresh = setTimeout(() => this.query(obs.instance, entry), ttlMs * this.refreshFraction);
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

  /**
   * A goodbye for a known node: it now expires in {@link GOODBYE_GRACE_MS} unless it answers a
   * re-query first (any announcement replaces this entry and its timers). Further goodbyes
   * before then change nothing, so a flood of them cannot keep pushing the deadline around.
   */
  private doubt(instance: string, known: Known): void {
    if (known.doubted) return;
    known.doubted = true;
    this.stopTimers(known);
    known.expire = setTimeout(() => this.known.get(instance) === known && this.drop(instance, known), GOODBYE_GRACE_MS);
    const wait = Math.max(0, known.queriedAt + MIN_REQUERY_INTERVAL_MS - Date.now());
    // A second query half-way through the grace period covers a lost first query or answer.
    known.refresh = setTimeout(() => {
      this.query(instance, known);
      known.refresh = setTimeout(() => this.query(instance, known), GOODBYE_GRACE_MS / 2 - wait);
      known.refresh.unref();
    }, wait);
    known.expire.unref();
    known.refresh.unref();
  }

  private query(instance: string, known: Known): void {
    known.queriedAt = Date.now();
    this.requery(instance);
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
