import { EtcdAuthenticationFailedError, EtcdInvalidAuthTokenError, EtcdPermissionDeniedError, GRPCUnauthenticatedError, type Etcd3 } from "etcd3";
import { ErrorIds, MicroError, serviceUnavailable } from "../../errors";
import type { RegisterOptions, Registry, ServiceRecord, WatchEvent, WatchOptions, Watcher } from "../registry";
import { createEtcdClient } from "./client";
import { HeldNode } from "./held-node";
import { nodeKey, servicePrefix } from "./keys";
import { resolveEtcdRegistryOptions, type EtcdRegistryOptions, type ResolvedEtcdRegistryOptions } from "./options";
import { decodeNodeRecord, encodeNodeRecord, groupByVersion } from "./record";
import { EtcdWatch } from "./watch";

/**
 * A registry in etcd, in go-micro's layout: each node is the key `<prefix><service>/<node-id>`
 * holding the service's JSON with that one node, on a lease of the registration TTL that is kept
 * alive (and restored with backoff if etcd loses it); deregistering deletes the key; watches use
 * etcd's watch API. tsmicro and go-micro services sharing one etcd see each other.
 */
export class EtcdRegistry implements Registry {
  readonly name = "etcd";
  /** The options in effect, defaults filled in. */
  readonly options: ResolvedEtcdRegistryOptions;
  private client?: Etcd3;
  private readonly held = new Map<string, HeldNode>();
  /** Deletes in flight, by key: a register of the same node right after a deregister waits for it. */
  private readonly removing = new Map<string, Promise<unknown>>();
  private readonly watches = new Set<EtcdWatch>();
  private reachable = true;
  private closed = false;

  constructor(options: Partial<EtcdRegistryOptions> = {}) {
    this.options = resolveEtcdRegistryOptions(options);
  }

  async register(service: ServiceRecord, options: RegisterOptions = {}): Promise<void> {
    const ttlMs = options.ttlMs ?? this.options.ttlMs;
    // etcd leases count whole seconds; rounding down could expire a node before its renewal.
    const ttlSec = ttlMs > 0 ? Math.max(1, Math.ceil(ttlMs / 1000)) : 0;
    await this.call("register", service.name, () =>
      Promise.all(
        service.nodes.map((node) => {
          const key = nodeKey(this.options.prefix, service.name, node.id);
          let held = this.held.get(key);
          if (!held) this.held.set(key, (held = new HeldNode(key, { client: () => this.etcd(), ...this.options }, this.removing.get(key))));
          return held.set(encodeNodeRecord(service, node), ttlSec);
        }),
      ),
    );
  }

  async deregister(service: ServiceRecord): Promise<void> {
    await this.call("deregister", service.name, () =>
      Promise.all(
        service.nodes.map((node) => {
          const key = nodeKey(this.options.prefix, service.name, node.id);
          const held = this.held.get(key);
          this.held.delete(key);
          const removal = held ? held.remove() : this.etcd().delete().key(key).exec();
          this.removing.set(key, removal);
          const forget = (): void => void (this.removing.get(key) === removal && this.removing.delete(key));
          removal.then(forget, forget);
          return removal;
        }),
      ),
    );
  }

  async getService(name: string): Promise<ServiceRecord[]> {
    const values = await this.call("getService", name, () => this.etcd().getAll().prefix(servicePrefix(this.options.prefix, name)).strings());
    return groupByVersion(decodeAll(Object.values(values)));
  }

  async listServices(): Promise<ServiceRecord[]> {
    const values = await this.call("listServices", "", () => this.etcd().getAll().prefix(this.options.prefix).strings());
    const byName = new Map<string, ServiceRecord[]>();
    for (const r of decodeAll(Object.values(values))) byName.set(r.name, [...(byName.get(r.name) ?? []), r]);
    return [...byName.keys()].sort().flatMap((n) => groupByVersion(byName.get(n)!));
  }

  async watch(listener: (event: WatchEvent) => void, options: WatchOptions = {}): Promise<Watcher> {
    const w = new EtcdWatch({
      client: this.etcd(),
      prefix: this.options.prefix,
      watchPrefix: options.service === undefined ? this.options.prefix : servicePrefix(this.options.prefix, options.service),
      listener,
      retryMs: this.options.retryMinMs,
      logger: this.options.logger,
    });
    this.watches.add(w);
    await w.start();
    return {
      stop: async () => {
        this.watches.delete(w);
        await w.stop();
      },
    };
  }

  /**
   * Stops watches and keepalives and disconnects. Registrations are not deleted: like a process
   * that exits, its keys expire when their leases run out (deregister first to remove them now).
   */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    const watches = [...this.watches];
    this.watches.clear();
    await Promise.all(watches.map((w) => w.stop()));
    for (const held of this.held.values()) held.release();
    this.held.clear();
    this.client?.close();
    this.client = undefined;
  }

  /** The etcd client, created on first use (constructors do no I/O). */
  private etcd(): Etcd3 {
    if (this.closed) throw serviceUnavailable("etcd registry is closed");
    if (!this.client) {
      const o = this.options;
      this.client = createEtcdClient(o);
      o.logger?.info("registry etcd", { addresses: o.addresses, prefix: o.prefix, tls: o.tls !== undefined, auth: o.username !== undefined });
    }
    return this.client;
  }

  /** Runs one etcd operation; failures become 503s naming etcd, and each outage is logged once. */
  private async call<T>(op: string, service: string, fn: () => Promise<T>): Promise<T> {
    try {
      const out = await fn();
      if (!this.reachable) this.options.logger?.info("etcd reachable again", { addresses: this.options.addresses });
      this.reachable = true;
      return out;
    } catch (err) {
      if (this.closed) throw serviceUnavailable("etcd registry is closed");
      // grpc-js ends some messages with an empty "Resolution note:"; it says nothing.
      const message = (err instanceof Error ? err.message : String(err)).replace(/\s*Resolution note:\s*$/, "");
      const detail = `etcd registry (${this.options.addresses.join(",")}): ${op}${service ? ` "${service}"` : ""} failed: ${message}`;
      const refused = refusal(err, detail);
      if (refused) throw refused;
      if (this.reachable) this.options.logger?.warn("etcd unreachable", { addresses: this.options.addresses, op, error: message });
      this.reachable = false;
      throw new MicroError(ErrorIds.unavailable, 503, detail, { cause: err });
    }
  }
}

/** etcd refusing our credentials is not an outage: 401 for bad or missing credentials, 403 for missing rights. */
function refusal(err: unknown, detail: string): MicroError | undefined {
  if (err instanceof EtcdPermissionDeniedError) return new MicroError(ErrorIds.forbidden, 403, detail, { cause: err });
  const anonymous = err instanceof Error && /user name is empty/.test(err.message); // auth is on and we sent no user
  if (anonymous || err instanceof EtcdAuthenticationFailedError || err instanceof EtcdInvalidAuthTokenError || err instanceof GRPCUnauthenticatedError) {
    return new MicroError(ErrorIds.unauthorized, 401, detail, { cause: err });
  }
  return undefined;
}

function decodeAll(values: string[]): ServiceRecord[] {
  return values.map(decodeNodeRecord).filter((r): r is ServiceRecord => r !== undefined);
}
