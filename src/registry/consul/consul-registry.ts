import type { RegisterOptions, Registry, ServiceRecord, WatchEvent, WatchOptions, Watcher } from "../registry";
import { AgentClient } from "./agent-client";
import { resolveConsulRegistryOptions, type ConsulRegistryOptions, type ResolvedConsulRegistryOptions } from "./options";
import { checkIdOf, groupByVersion, nodesOf, servicesOf, toRegistration } from "./records";
import { CatalogWatch, ServiceWatch, retryDelay, type WatchContext } from "./watch";

interface Wanted {
  service: ServiceRecord;
  ttlMs: number;
}

/**
 * A registry kept in Consul, laid out as go-micro's consul registry does (so go-micro services
 * and tsmicro services see each other): each node is an agent service with the node ID as its ID
 * and, given a TTL, a TTL health check that each re-registration passes. `getService` reads only
 * healthy instances; `watch` follows blocking queries. While the agent is unreachable, failed
 * registrations are retried with backoff until it answers again, and watches keep their last
 * answer and resume on their own.
 */
export class ConsulRegistry implements Registry {
  readonly name = "consul";
  private readonly options: ResolvedConsulRegistryOptions;
  private clientNow?: AgentClient;
  /** What we want registered, by node ID: re-applied after an outage. */
  private readonly wanted = new Map<string, Wanted>();
  /** The registration last accepted by the agent, by node ID; an unchanged one only passes its check. */
  private readonly accepted = new Map<string, string>();
  private readonly watches = new Set<ServiceWatch | CatalogWatch>();
  private retryTimer?: NodeJS.Timeout;
  private retryAttempt = 0;
  /** True from a failed registration until a retry round succeeds: the outage is logged once. */
  private failing = false;
  private closed = false;

  constructor(options: Partial<ConsulRegistryOptions> = {}, env: Readonly<Record<string, string | undefined>> = process.env) {
    this.options = resolveConsulRegistryOptions(options, env);
  }

  /** The agent addresses in use, as given. */
  get addresses(): readonly string[] {
    return this.options.addresses;
  }

  async register(service: ServiceRecord, options: RegisterOptions = {}): Promise<void> {
    const ttlMs = options.ttlMs ?? this.options.defaultTtlMs;
    for (const node of service.nodes) {
      const wanted = { service: { ...service, nodes: [node] }, ttlMs };
      this.wanted.set(node.id, wanted);
      try {
        await this.apply(wanted);
      } catch (err) {
        this.retrySoon(err);
        throw err;
      }
    }
  }

  async deregister(service: ServiceRecord): Promise<void> {
    for (const node of service.nodes) {
      this.wanted.delete(node.id);
      this.accepted.delete(node.id);
      // The agent answers 404 for an ID it does not know: deregistering it is a no-op.
      await this.client().deregister(node.id);
    }
  }

  async getService(name: string): Promise<ServiceRecord[]> {
    const r = await this.client().healthService(name, { index: 0 });
    return groupByVersion(nodesOf(name, r.body).values());
  }

  async listServices(): Promise<ServiceRecord[]> {
    const r = await this.client().catalogServices({ index: 0 });
    return servicesOf(r.body);
  }

  async watch(listener: (event: WatchEvent) => void, options: WatchOptions = {}): Promise<Watcher> {
    const emit = (e: WatchEvent): void => {
      // A throwing listener must not end the watch.
      try {
        listener(e);
      } catch {
        /* ignored by design */
      }
    };
    const ctx: WatchContext = {
      client: this.client(),
      retryBaseMs: this.options.retryBaseMs,
      retryMaxMs: this.options.retryMaxMs,
      logger: this.options.logger,
      onRecovered: () => this.retrySoon(undefined, 0),
    };
    const w = options.service ? new ServiceWatch(ctx, options.service, emit) : new CatalogWatch(ctx, emit);
    this.watches.add(w);
    if (w instanceof ServiceWatch) await w.start(true);
    else await w.start();
    return {
      stop: async () => {
        this.watches.delete(w);
        await w.stop();
      },
    };
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    clearTimeout(this.retryTimer);
    this.retryTimer = undefined;
    const watches = [...this.watches];
    this.watches.clear();
    await Promise.all(watches.map((w) => w.stop()));
    this.clientNow?.close();
  }

  /** The agent client, made on first use (reading TLS files is I/O, which the constructor must not do). */
  private client(): AgentClient {
    if (this.closed) throw new Error("consul registry: closed");
    this.clientNow ??= new AgentClient(this.options);
    return this.clientNow;
  }

  /**
   * go-micro's register: when the agent already holds exactly this registration, passing the TTL
   * check is enough; when that fails (the agent restarted and forgot it) or anything changed,
   * register in full and then pass the check.
   */
  private async apply({ service, ttlMs }: Wanted): Promise<void> {
    const node = service.nodes[0]!;
    const reg = toRegistration(service, node, ttlMs);
    const key = JSON.stringify(reg);
    const client = this.client();
    if (ttlMs > 0 && this.accepted.get(node.id) === key) {
      try {
        await client.pass(checkIdOf(node.id));
        return;
      } catch {
        this.accepted.delete(node.id);
      }
    }
    await client.register(reg);
    this.accepted.set(node.id, key);
    if (ttlMs > 0) await client.pass(checkIdOf(node.id));
  }

  /** Re-applies every wanted registration after a delay (backoff after failures) until one round succeeds. */
  private retrySoon(err: unknown, delayMs?: number): void {
    if (this.closed || this.retryTimer || this.wanted.size === 0) return;
    if (err !== undefined && !this.failing) {
      this.failing = true;
      this.options.logger?.warn("consul registration failed; retrying with backoff", { agent: this.clientNow?.address, error: String(err) });
    }
    const delay = delayMs ?? retryDelay(this.retryAttempt + 1, this.options.retryBaseMs, this.options.retryMaxMs);
    this.retryTimer = setTimeout(() => void this.retryNow(), delay);
    this.retryTimer.unref();
  }

  private async retryNow(): Promise<void> {
    this.retryTimer = undefined;
    try {
      for (const [id, wanted] of [...this.wanted]) {
        // Skip what was deregistered (or re-registered differently) while this round ran.
        if (this.closed) return;
        if (this.wanted.get(id) === wanted) await this.apply(wanted);
      }
      if (this.failing) this.options.logger?.info("consul registration restored", { agent: this.clientNow?.address, nodes: this.wanted.size });
      this.failing = false;
      this.retryAttempt = 0;
    } catch (err) {
      this.retryAttempt += 1;
      this.retrySoon(err);
    }
  }
}
