import { ErrorIds, MicroError, NOT_DELIVERED_IDS, notFound, serviceUnavailable } from "../errors";
import type { Node, ServiceRecord } from "../registry/registry";
import { RegistryCache } from "./cache";
import { resolveRegistrySelectorOptions, type RegistrySelectorOptions } from "./options";
import type { Next, Picker, SelectOptions, Selector } from "./selector";

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

  constructor(options: Partial<RegistrySelectorOptions> & Pick<RegistrySelectorOptions, "registry">) {
    this.options = resolveRegistrySelectorOptions(options);
    this.cache = new RegistryCache(this.options.registry, this.options.cacheTtlMs, this.options.logger);
  }

  async select(service: string, options: SelectOptions = {}): Promise<Next> {
    let services: readonly ServiceRecord[] = await this.cache.get(service);
    if (services.length === 0) throw notFound(`service "${service}" not found`, ErrorIds.serviceNotFound);
    for (const filter of options.filters ?? []) services = filter(services);
    const nodes = services.flatMap((s) => s.nodes);
    if (nodes.length === 0) {
      throw serviceUnavailable(`no node of service "${service}" matches the call's filters`, ErrorIds.noNodes);
    }
    const pick = options.strategy ? options.strategy() : this.pickerFor(service);
    const inflight = (id: string): number => this.inflight.get(id) ?? 0;
    return (tried) => {
      const node = pick(this.candidates(nodes, tried), inflight);
      this.inflight.set(node.id, inflight(node.id) + 1);
      return node;
    };
  }

  mark(service: string, node: Node, error?: Error): void {
    const n = (this.inflight.get(node.id) ?? 1) - 1;
    if (n > 0) this.inflight.set(node.id, n);
    else this.inflight.delete(node.id);
    if (error && MicroError.is(error) && NOT_DELIVERED_IDS.has(error.id)) {
      this.ejected.set(node.id, Date.now() + this.options.ejectMs);
      this.cache.invalidate(service);
    } else if (!error) this.ejected.delete(node.id);
  }

  reset(service: string): void {
    this.pickers.delete(service);
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

  /** Healthy untried nodes if any, else healthy nodes, else every node (a last resort beats failing). */
  private candidates(nodes: readonly Node[], tried?: ReadonlySet<string>): readonly Node[] {
    const now = Date.now();
    const healthy = nodes.filter((n) => (this.ejected.get(n.id) ?? 0) <= now);
    const fresh = tried && tried.size > 0 ? healthy.filter((n) => !tried.has(n.id)) : healthy;
    if (fresh.length > 0) return fresh;
    if (healthy.length > 0) return healthy;
    return nodes;
  }
}
