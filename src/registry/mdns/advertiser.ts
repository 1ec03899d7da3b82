import type { ServiceRecord } from "../registry";
import {
  enumerationName,
  fqdn,
  instanceAnswers,
  instanceName,
  nodeAnswers,
  sentinelAnswers,
  sentinelName,
  serviceName,
  type LocalNode,
  type MdnsAnswer,
} from "./records";

interface Advertised {
  node: LocalNode;
  ttlSeconds: number;
  expiry?: NodeJS.Timeout;
  /** When the node was last re-announced against someone else's goodbye (ms epoch). */
  defendedAt?: number;
}

/** Least time between two re-announcements of one node, in ms (RFC 6762 §6: one multicast per record per second). */
export const MIN_DEFEND_INTERVAL_MS = 1000;

/**
 * The nodes this process advertises: answers queries for them and drops each one whose
 * registration TTL passes without renewal, telling `onExpired` so it can send a goodbye.
 */
export class Advertiser {
  private readonly nodes = new Map<string, Advertised>(); // key: lower-cased instance name

  constructor(
    private readonly domain: string,
    private readonly onExpired: (node: LocalNode) => void,
  ) {}

  /** Adds or renews `nodes` with record TTL `ttlSeconds`; they expire after `ttlMs` unless 0. */
  set(nodes: LocalNode[], ttlSeconds: number, ttlMs: number): void {
    for (const node of nodes) {
      const key = node.instance.toLowerCase();
      clearTimeout(this.nodes.get(key)?.expiry);
      const entry: Advertised = { node, ttlSeconds };
      if (ttlMs > 0) {
        entry.expiry = setTimeout(() => {
          if (this.nodes.get(key) !== entry) return;
          this.nodes.delete(key);
          this.onExpired(node);
        }, ttlMs);
        entry.expiry.unref();
      }
      this.nodes.set(key, entry);
    }
  }

  /** Stops advertising the nodes of `service` (matched by service name and node id); returns those removed. */
  remove(service: ServiceRecord): LocalNode[] {
    const removed: LocalNode[] = [];
    for (const n of service.nodes) {
      const key = instanceName(n.id, service.name, this.domain).toLowerCase();
      const entry = this.nodes.get(key);
      if (!entry) continue;
      clearTimeout(entry.expiry);
      this.nodes.delete(key);
      removed.push(entry.node);
    }
    return removed;
  }

  /** Stops advertising everything; returns what was advertised. */
  clear(): LocalNode[] {
    const all = this.list();
    for (const entry of this.nodes.values()) clearTimeout(entry.expiry);
    this.nodes.clear();
    return all;
  }

  /**
   * The records to re-announce when someone else sent a goodbye (TTL 0) for `name` while this
   * process still advertises it (RFC 6762 §6.6: a responder corrects a record it owns that
   * another sent with a much lower TTL); undefined when `name` is not ours or was re-announced
   * less than {@link MIN_DEFEND_INTERVAL_MS} ago.
   */
  defend(name: string, now: number): MdnsAnswer[] | undefined {
    const entry = this.nodes.get(fqdn(name).toLowerCase());
    if (!entry || now - (entry.defendedAt ?? -Infinity) < MIN_DEFEND_INTERVAL_MS) return undefined;
    entry.defendedAt = now;
    return nodeAnswers(entry.node, this.domain, entry.ttlSeconds);
  }

  /** Every advertised node. */
  list(): LocalNode[] {
    return [...this.nodes.values()].map((e) => e.node);
  }

  /** The answer sets (one per response packet, one node per packet as go-micro expects) for a question. */
  answer(question: { name: string; type?: string }): MdnsAnswer[][] {
    const name = fqdn(question.name).toLowerCase();
    const type = question.type ?? "ANY";
    const entries = [...this.nodes.values()];
    const instance = this.nodes.get(name);
    if (instance) return [instanceAnswers(instance.node, instance.ttlSeconds)];
    if (type !== "PTR" && type !== "ANY") return [];
    const services = new Map<string, number>(); // service name → longest record TTL
    for (const e of entries) services.set(e.node.record.name, Math.max(e.ttlSeconds, services.get(e.node.record.name) ?? 0));
    if (name === sentinelName(this.domain).toLowerCase()) {
      return [...services].map(([service, ttl]) => sentinelAnswers(service, this.domain, ttl));
    }
    if (name === enumerationName(this.domain).toLowerCase()) {
      const ptrs = [...services].map(([service, ttl]): MdnsAnswer => ({ name: question.name, type: "PTR", ttl, data: serviceName(service, this.domain) }));
      return ptrs.length ? [ptrs] : [];
    }
    return entries
      .filter((e) => serviceName(e.node.record.name, this.domain).toLowerCase() === name)
      .map((e) => nodeAnswers(e.node, this.domain, e.ttlSeconds));
  }
}
