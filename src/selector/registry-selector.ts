import { ErrorIds, MicroError, NOT_DELIVERED_IDS, notFound, serviceUnavailable } from "../errors";
import type { Node, ServiceRecord } from "../registry/registry";
import { RegistryCache } from "../registry/cache";
import { resolveRegistrySelectorOptions, type RegistrySelectorOptions } from "./options";
import type { Next, Picker, SelectOptions, Selector } from "./selector";

const NO_OPTIONS: SelectOptions = Object.freeze({});

/**
 * The default selector: nodes come from a watched registry cache, filters narrow them, the
 * strategy picks one, and nodes that fail with connection errors are avoided for a while.
 */
export class RegistrySelector implements Selector {
  readonly name = "registry";
  private readonly options: RegistrySelectorOptions;
  private readonly cache: RegistryCache;
  private readonly pickers = new Map<string, Picker>();
  private readonly inflight = new Map<string, number>();
  private readonly ejected = new Map<string, number>(); // node id -> until (ms epoch)
  /** Ids of nodes that have answered a call and not failed to connect since; bounded by `provenLimit`. */
  private readonly proven = new Set<string>();
  private readonly nexts = new Map<string, { services: readonly ServiceRecord[]; next: Next }>();

  constructor(options: Partial<RegistrySelectorOptions> & Pick<RegistrySelectorOptions, "registry">) {
    this.options = resolveRegistrySelectorOptions(options);
    this.cache = new RegistryCache(this.options.registry, this.options.cacheTtlMs, this.options.logger, this.options.lookupTimeoutMs);
  }

  select(service: string, options: SelectOptions = NO_OPTIONS): Next | Promise<Next> {
    const cached = this.cache.peek(service);
    if (cached) return this.nextFor(service, cached, options);
    return this.cache.get(service).then((services) => this.nextFor(service, services, options));
  }

  /** A Next over `services`; without per-call options it is reused until the nodes change. */
  private nextFor(service: string, services: readonly ServiceRecord[], options: SelectOptions): Next {
    const plain = options === NO_OPTIONS || (!options.filters?.length && !options.strategy);
    if (plain) {
      const hit = this.nexts.get(service);
      if (hit && hit.services === services) return hit.next;
    }
    if (services.length === 0) throw notFound(`service "${service}" not found`, ErrorIds.serviceNotFound);
    let narrowed: readonly ServiceRecord[] = services;
    for (const filter of options.filters ?? []) narrowed = filter(narrowed);
    const nodes = narrowed.flatMap((s) => s.nodes);
    if (nodes.length === 0) {
      throw serviceUnavailable(`no node of service "${service}" matches the call's filters`, ErrorIds.noNodes);
    }
    const pick = options.strategy ? options.strategy() : this.pickerFor(service);
    const inflight = this.inflightOf;
    const next: Next = (tried) => {
      const node = pick(this.candidates(nodes, tried), inflight);
      // A factory passed uncalled (`strategy: roundRobin`) "picks" a function; say so plainly.
      if (typeof node !== "object" || node === null) throw new TypeError(badPickMessage(node));
      this.inflight.set(node.id, inflight(node.id) + 1);
      return node;
    };
    if (plain) this.nexts.set(service, { services, next });
    return next;
  }

  private readonly inflightOf = (id: string): number => this.inflight.get(id) ?? 0;

  mark(service: string, node: Node, error?: Error): void {
    const n = (this.inflight.get(node.id) ?? 1) - 1;
    if (n > 0) this.inflight.set(node.id, n);
    else this.inflight.delete(node.id);
    if (error && MicroError.is(error) && NOT_DELIVERED_IDS.has(error.id)) {
      this.ejected.set(node.id, Date.now() + this.options.ejectMs);
      this.proven.delete(node.id);
      // Look the service up again only when no node is left to try: with nodes that never
      // existed in the registry (a rogue mDNS responder), a lookup per failed connection would
      // make every call wait for the registry.
      if (!this.hasHealthyNode(service)) this.cache.invalidate(service);
    } else if (!error) {
      this.ejected.delete(node.id);
      if (!this.proven.has(node.id)) this.remember(node.id);
    }
  }

  /** True when the cached nodes of `service` include one not ejected; false when none are cached. */
  private hasHealthyNode(service: string): boolean {
    const services = this.cache.peek(service);
    return services !== undefined && services.some((s) => s.nodes.some((n) => !this.ejected.has(n.id)));
  }

  /** Adds a proven node, forgetting the oldest one past the bound (ids of departed nodes would otherwise pile up). */
  private remember(id: string): void {
    this.proven.add(id);
    if (this.proven.size > this.options.provenLimit) this.proven.delete(this.proven.values().next().value!);
  }

  reset(service: string): void {
    this.pickers.delete(service);
    this.nexts.delete(service);
    this.cache.invalidate(service);
  }

  async close(): Promise<void> {
    await this.cache.close();
  }

  private pickerFor(service: string): Picker {
    let picker = this.pickers.get(service);
    if (!picker) {
      picker = this.options.strategy();
      this.pickers.set(service, picker);
    }
    return picker;
  }

  /**
   * Healthy untried nodes if any, else healthy nodes, else every node (a last resort beats
   * failing). On a retry, untried nodes that have answered before come first: the registry may
   * list nodes that never existed (mDNS has no authentication, anyone can advertise 200 bogus
   * ones), and a retry spent on another unknown node could be lost the same way, whereas a retry
   * on a node that has answered fails only if that node has since gone too.
   */
  private candidates(nodes: readonly Node[], tried?: ReadonlySet<string>): readonly Node[] {
    if (!tried && this.ejected.size === 0) return nodes;
    const now = Date.now();
    for (const [id, until] of this.ejected) if (until <= now) this.ejected.delete(id);
    const healthy = this.ejected.size === 0 ? nodes : nodes.filter((n) => !this.ejected.has(n.id));
    const fresh = tried && tried.size > 0 ? healthy.filter((n) => !tried.has(n.id)) : healthy;
    if (tried && tried.size > 0 && this.proven.size > 0) {
      const known = fresh.filter((n) => this.proven.has(n.id));
      if (known.length > 0) return known;
    }
    if (fresh.length > 0) return fresh;
    if (healthy.length > 0) return healthy;
    return nodes;
  }
}

function badPickMessage(picked: unknown): string {
  const hint = typeof picked === "function" ? ": pass a Strategy such as roundRobin(), not the factory roundRobin" : "";
  return `the selector's strategy returned ${typeof picked} instead of a node${hint}`;
}
