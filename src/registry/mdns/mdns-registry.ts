import type { RemoteInfo } from "node:dgram";
import type { QueryPacket, ResponsePacket } from "multicast-dns";
import type { RegisterOptions, Registry, ServiceRecord, WatchEvent, WatchOptions, Watcher } from "../registry";
import { Advertiser } from "./advertiser";
import { resolveMdnsRegistryOptions, type MdnsRegistryOptions, type ResolvedMdnsRegistryOptions } from "./options";
import { readObservations, readServiceNames, type Observation } from "./packet";
import { nodeAnswers, sentinelName, serviceName, toLocalNodes, type LocalNode } from "./records";
import { MdnsSocket, type OutgoingQuestion } from "./socket";
import { GOODBYE_GRACE_MS, WatchHub } from "./watch-hub";

type Collector = (packet: ResponsePacket, observations: Observation[]) => void;

/**
 * Service discovery over multicast DNS, wire-compatible with go-micro's mdns registry (domain
 * `micro`, TXT = hex(zlib(json)) in ≤255-char strings). Stays on loopback unless configured.
 */
export class MdnsRegistry implements Registry {
  readonly name = "mdns";
  /** The options in force, after defaults and `MICRO_MDNS_INTERFACE`. */
  readonly options: ResolvedMdnsRegistryOptions;
  private readonly socket: MdnsSocket;
  private readonly advertiser: Advertiser;
  private readonly hub: WatchHub;
  private readonly collectors = new Set<Collector>();
  private closing?: Promise<void>;

  /**
   * Resolves options only; the socket opens on first use. `env` (default process.env) is where
   * `MICRO_MDNS_INTERFACE` is read; services pass their `env` option.
   */
  constructor(options: Partial<MdnsRegistryOptions> = {}, env: Readonly<Record<string, string | undefined>> = process.env) {
    this.options = resolveMdnsRegistryOptions(options, env);
    this.socket = new MdnsSocket(this.options, {
      onQuery: (packet, rinfo) => this.onQuery(packet, rinfo),
      onResponse: (packet) => this.onResponse(packet),
    });
    this.advertiser = new Advertiser(this.options.domain, (node) => void this.goodbye([node]));
    this.hub = new WatchHub(
      this.options.refreshFraction,
      (instance) => void this.socket.query([{ name: instance, type: "ANY" }]),
      this.options.logger,
      this.options.maxNodes,
    );
  }

  async register(service: ServiceRecord, options: RegisterOptions = {}): Promise<void> {
    const ttlMs = Math.max(0, options.ttlMs ?? 0);
    const ttlSeconds = ttlMs > 0 ? Math.ceil(ttlMs / 1000) : this.options.defaultRecordTtlSeconds;
    const nodes = toLocalNodes(service, this.options.domain); // validates before any I/O
    await this.socket.open();
    this.advertiser.set(nodes, ttlSeconds, ttlMs);
    await Promise.all(nodes.map((n) => this.socket.announce(nodeAnswers(n, this.options.domain, ttlSeconds))));
  }

  async deregister(service: ServiceRecord): Promise<void> {
    await this.goodbye(this.advertiser.remove(service));
  }

  async getService(name: string): Promise<ServiceRecord[]> {
    const found = new Map<string, ServiceRecord>(); // key: instance name
    const goodbyes = new Map<string, number>(); // instance name → when its goodbye came (ms epoch)
    await this.collect([{ name: serviceName(name, this.options.domain), type: "PTR" }], (_packet, observations) => {
      for (const obs of observations) {
        // A goodbye only shortens the node's life to one second (RFC 6762 §10.1): a forged one
        // must not hide a node that answered this very query.
        if (obs.kind === "goodbye") goodbyes.set(obs.instance, Date.now());
        else if (obs.service.name === name && obs.ttlSeconds > 0 && (found.size < this.options.maxNodes || found.has(obs.instance))) {
          found.set(obs.instance, obs.service);
          goodbyes.delete(obs.instance);
        }
      }
    });
    const now = Date.now();
    for (const [instance, at] of goodbyes) if (now - at >= GOODBYE_GRACE_MS) found.delete(instance);
    for (const node of this.advertiser.list()) {
      if (node.record.name === name) found.set(node.instance.toLowerCase(), structuredClone(node.record));
    }
    return groupByVersion([...found.values()]);
  }

  async listServices(): Promise<ServiceRecord[]> {
    const names = new Set<string>();
    await this.collect([{ name: sentinelName(this.options.domain), type: "PTR" }], (packet) => {
      for (const n of readServiceNames(packet, this.options.domain)) names.add(n);
    });
    for (const node of this.advertiser.list()) names.add(node.record.name);
    // Like go-micro, the sentinel carries names only.
    return [...names].sort().map((n) => ({ name: n, version: "", endpoints: [], nodes: [] }));
  }

  async watch(listener: (event: WatchEvent) => void, options: WatchOptions = {}): Promise<Watcher> {
    await this.socket.open();
    const unsubscribe = this.hub.subscribe(listener, options);
    return { stop: async () => unsubscribe() };
  }

  /** Stops watchers and timers, sends goodbyes for nodes still registered, closes the socket. */
  async close(): Promise<void> {
    this.closing ??= this.shutdown().finally(() => (this.closing = undefined));
    await this.closing;
  }

  private async shutdown(): Promise<void> {
    this.hub.close();
    await this.goodbye(this.advertiser.clear());
    await this.socket.close();
  }

  /** Sends goodbye packets (TTL 0) for `nodes`. */
  private async goodbye(nodes: LocalNode[]): Promise<void> {
    if (!nodes.length || !this.socket.isOpen) return;
    await Promise.all(nodes.map((n) => this.socket.announce(nodeAnswers(n, this.options.domain, 0))));
  }

  /** Sends a query and hands every response heard for `queryTimeoutMs` to `collector`. */
  private async collect(questions: OutgoingQuestion[], collector: Collector): Promise<void> {
    await this.socket.open();
    this.collectors.add(collector);
    try {
      await this.socket.query(questions);
      await new Promise((resolve) => setTimeout(resolve, this.options.queryTimeoutMs));
    } finally {
      this.collectors.delete(collector);
    }
  }

  /** Re-announces our own nodes when a packet says goodbye for them (forged, or stale from a previous run). */
  private defend(packet: ResponsePacket): void {
    const now = Date.now();
    for (const r of [...(packet.answers ?? []), ...(packet.additionals ?? [])]) {
      if ((r.type !== "SRV" && r.type !== "TXT") || r.ttl !== 0) continue;
      const answers = this.advertiser.defend(r.name, now);
      if (answers) void this.socket.announce(answers);
    }
  }

  private onQuery(packet: QueryPacket, rinfo: RemoteInfo): void {
    for (const question of packet.questions ?? []) {
      for (const answers of this.advertiser.answer(question)) void this.socket.reply(packet, question, answers, rinfo);
    }
  }

  private onResponse(packet: ResponsePacket): void {
    this.defend(packet);
    if (!this.hub.active && this.collectors.size === 0) return;
    const observations = readObservations(packet, this.options.domain, (err) =>
      this.options.logger?.debug("mdns registry: ignored malformed TXT", { err: String(err) }),
    );
    for (const obs of observations) this.hub.observe(obs);
    for (const collector of [...this.collectors]) collector(packet, observations);
  }
}

/** One ServiceRecord per version, each with all its nodes (go-micro's GetService shape). */
function groupByVersion(nodes: ServiceRecord[]): ServiceRecord[] {
  const byVersion = new Map<string, ServiceRecord>();
  for (const one of nodes) {
    const rec = byVersion.get(one.version);
    if (rec) rec.nodes.push(...one.nodes);
    else byVersion.set(one.version, { ...one, nodes: [...one.nodes] });
  }
  return [...byVersion.values()];
}
