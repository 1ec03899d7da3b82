import { randomUUID } from "node:crypto";
import type { Node, Registry, ServiceRecord, WatchEvent, Watcher } from "../../src/registry/registry";
import { waitFor } from "../helpers/wait";

/** Knobs for backends that are slower or coarser than memory. */
export interface RegistryContractOptions {
  /** How long a change may take to become visible, in ms; default 5000. */
  settleTimeoutMs?: number;
  /** Registration TTL the expiry test uses, in ms; default 1500. */
  shortTtlMs?: number;
  /** Extra time the expiry test allows past `shortTtlMs` (sweeps, record TTL rounding), in ms; default 3000. */
  expirySlackMs?: number;
  /**
   * Takes the backend away and brings it back (same address, same data), for backends that run
   * as a server; when given, the outage tests run. Memory and mDNS have no server to lose.
   */
  outage?: RegistryOutage;
}

/** Stops and restarts the server behind a registry, for the outage tests. */
export interface RegistryOutage {
  /** Makes the backend unreachable (stop the server, or drop its port). */
  interrupt(): Promise<void>;
  /** Brings it back on the same address with the same data; resolves once it answers. */
  restore(): Promise<void>;
}

/** Records watch events and lets a test await the first one matching a predicate. */
export class EventLog {
  readonly events: WatchEvent[] = [];
  private readonly waiters = new Set<{ match: (e: WatchEvent) => boolean; resolve: (e: WatchEvent) => void }>();

  readonly listener = (event: WatchEvent): void => {
    this.events.push(event);
    for (const w of [...this.waiters]) {
      if (w.match(event)) {
        this.waiters.delete(w);
        w.resolve(event);
      }
    }
  };

  /** Resolves with the first event (already seen or future) that matches; rejects after `timeoutMs`. */
  next(match: (e: WatchEvent) => boolean, timeoutMs: number, what = "event"): Promise<WatchEvent> {
    const seen = this.events.find(match);
    if (seen) return Promise.resolve(seen);
    return new Promise((resolve, reject) => {
      const waiter = { match, resolve: (e: WatchEvent) => (clearTimeout(timer), resolve(e)) };
      const timer = setTimeout(() => {
        this.waiters.delete(waiter);
        reject(new Error(`timed out after ${timeoutMs} ms waiting for ${what}; saw ${JSON.stringify(this.events.map((e) => [e.action, e.service.name]))}`));
      }, timeoutMs);
      this.waiters.add(waiter);
    });
  }
}

/** A name no other test or process uses, as a shared mDNS group needs. */
export function uniqueName(prefix: string): string {
  return `${prefix}-${randomUUID().slice(0, 8)}`;
}

/** A node on 127.0.0.1 with metadata. */
export function makeNode(id: string, metadata: Record<string, string> = { protocol: "mucp", region: "local" }): Node {
  return { id, address: `127.0.0.1:${20000 + Math.floor(Math.random() * 20000)}`, metadata };
}

/** A service with a nested request/response description, service metadata and the given nodes. */
export function makeService(name: string, version: string, nodes: Node[]): ServiceRecord {
  return {
    name,
    version,
    metadata: { owner: "contract", "x-trace": "on" },
    endpoints: [
      {
        name: "Greeter.Hello",
        request: {
          name: "HelloRequest",
          type: "HelloRequest",
          values: [
            { name: "name", type: "string" },
            { name: "address", type: "Address", values: [{ name: "city", type: "string" }] },
          ],
        },
        response: { name: "HelloResponse", type: "HelloResponse", values: [{ name: "greeting", type: "string" }] },
        metadata: { stream: "false" },
      },
      { name: "Greeter.Ping", metadata: {} },
    ],
    nodes,
  };
}

const nodeIds = (records: ServiceRecord[]): string[] => records.flatMap((r) => r.nodes.map((n) => n.id)).sort();
const sorted = (records: ServiceRecord[]): ServiceRecord[] =>
  [...records].sort((a, b) => a.version.localeCompare(b.version)).map((r) => ({ ...r, nodes: [...r.nodes].sort((a, b) => a.id.localeCompare(b.id)) }));

/** The behaviour every Registry backend must share; run it once per backend. */
export function describeRegistryContract(name: string, make: () => Promise<Registry> | Registry, opts: RegistryContractOptions = {}): void {
  const settle = opts.settleTimeoutMs ?? 5000;
  const shortTtl = opts.shortTtlMs ?? 1500;
  const expiryWait = shortTtl + (opts.expirySlackMs ?? 3000);

  describe(`Registry contract: ${name}`, () => {
    let registry: Registry;
    let svc: string;
    const watchers: Watcher[] = [];

    beforeEach(async () => {
      registry = await make();
      svc = uniqueName("contract");
    });

    afterEach(async () => {
      for (const w of watchers.splice(0)) await w.stop();
      await registry.close();
    });

    async function watch(service = svc): Promise<EventLog> {
      const log = new EventLog();
      watchers.push(await registry.watch(log.listener, { service }));
      return log;
    }

    it("returns [] for a service nobody registered", async () => {
      await expect(registry.getService(uniqueName("nobody"))).resolves.toEqual([]);
    });

    it("finds a registered node with endpoints, nested values and metadata intact", async () => {
      const service = makeService(svc, "1.0.0", [makeNode("n1", { protocol: "mucp", "x-zone": "a<b>&c" })]);
      await registry.register(service);
      const found = await waitFor(async () => {
        const r = await registry.getService(svc);
        return r.length > 0 && r;
      }, settle, "the service");
      expect(found).toEqual([service]);
    });

    it("groups nodes by version, one record per version", async () => {
      await registry.register(makeService(svc, "1.0.0", [makeNode("a"), makeNode("b")]));
      await registry.register(makeService(svc, "2.0.0", [makeNode("c")]));
      const found = await waitFor(async () => {
        const r = await registry.getService(svc);
        return nodeIds(r).length === 3 && r;
      }, settle, "three nodes");
      expect(sorted(found).map((r) => [r.version, r.nodes.map((n) => n.id)])).toEqual([
        ["1.0.0", ["a", "b"]],
        ["2.0.0", ["c"]],
      ]);
    });

    it("lists registered services", async () => {
      const other = uniqueName("contract-other");
      await registry.register(makeService(svc, "1.0.0", [makeNode("n1")]));
      await registry.register(makeService(other, "1.0.0", [makeNode("n2")]));
      await waitFor(async () => {
        const names = (await registry.listServices()).map((s) => s.name);
        return names.includes(svc) && names.includes(other);
      }, settle, "both services listed");
    });

    it("deregisters one node and keeps the others", async () => {
      await registry.register(makeService(svc, "1.0.0", [makeNode("a"), makeNode("b")]));
      await waitFor(async () => nodeIds(await registry.getService(svc)).length === 2, settle, "two nodes");
      await registry.deregister(makeService(svc, "1.0.0", [makeNode("a")]));
      await waitFor(async () => nodeIds(await registry.getService(svc)).join() === "b", settle, "only b left");
      await registry.deregister(makeService(svc, "1.0.0", [makeNode("b")]));
      await waitFor(async () => (await registry.getService(svc)).length === 0, settle, "no nodes left");
    });

    it("treats deregistering an unknown node as a no-op", async () => {
      await expect(registry.deregister(makeService(uniqueName("ghost"), "1.0.0", [makeNode("x")]))).resolves.toBeUndefined();
    });

    it("watch reports create then delete, only for the watched service", async () => {
      const log = await watch();
      const other = uniqueName("contract-other");
      await registry.register(makeService(other, "1.0.0", [makeNode("o1")]));
      const service = makeService(svc, "1.0.0", [makeNode("n1")]);
      await registry.register(service);
      const created = await log.next((e) => e.action === "create", settle, "create");
      expect(created.service).toEqual(service);
      await registry.deregister(service);
      const deleted = await log.next((e) => e.action === "delete", settle, "delete");
      expect(deleted.service.nodes.map((n) => n.id)).toEqual(["n1"]);
      expect(log.events.every((e) => e.service.name === svc)).toBe(true);
      await registry.deregister(makeService(other, "1.0.0", [makeNode("o1")]));
    });

    it("re-registering a node with new metadata updates it", async () => {
      const log = await watch();
      await registry.register(makeService(svc, "1.0.0", [makeNode("n1", { build: "1" })]));
      await log.next((e) => e.action === "create", settle, "create");
      await registry.register(makeService(svc, "1.0.0", [makeNode("n1", { build: "2" })]));
      const updated = await log.next((e) => e.action === "update", settle, "update");
      expect(updated.service.nodes[0]?.metadata).toEqual({ build: "2" });
      const found = await waitFor(async () => {
        const r = await registry.getService(svc);
        return r[0]?.nodes[0]?.metadata.build === "2" && r;
      }, settle, "the new metadata");
      expect(nodeIds(found)).toEqual(["n1"]);
    });

    it(`expires a node not renewed within its TTL (${shortTtl} ms)`, async () => {
      const log = await watch();
      await registry.register(makeService(svc, "1.0.0", [makeNode("short")]), { ttlMs: shortTtl });
      await log.next((e) => e.action === "create", settle, "create");
      const deleted = await log.next((e) => e.action === "delete", expiryWait, "delete after TTL");
      expect(deleted.service.nodes[0]?.id).toBe("short");
      await waitFor(async () => (await registry.getService(svc)).length === 0, settle, "the node to be gone");
    });

    it("stops delivering events to a stopped watcher; stop is idempotent", async () => {
      const stopped = new EventLog();
      const w = await registry.watch(stopped.listener, { service: svc });
      await w.stop();
      await w.stop();
      const live = await watch();
      await registry.register(makeService(svc, "1.0.0", [makeNode("n1")]));
      await live.next((e) => e.action === "create", settle, "create on the live watcher");
      expect(stopped.events).toEqual([]);
    });

    it("reports create, update and delete for one node in that order", async () => {
      const log = await watch();
      await registry.register(makeService(svc, "1.0.0", [makeNode("n1", { build: "1" })]));
      await log.next((e) => e.action === "create", settle, "create");
      await registry.register(makeService(svc, "1.0.0", [makeNode("n1", { build: "2" })]));
      await log.next((e) => e.action === "update", settle, "update");
      await registry.deregister(makeService(svc, "1.0.0", [makeNode("n1")]));
      await log.next((e) => e.action === "delete", settle, "delete");
      expect(log.events.map((e) => [e.action, e.service.name, e.service.version, e.service.nodes.map((n) => n.id)])).toEqual([
        ["create", svc, "1.0.0", ["n1"]],
        ["update", svc, "1.0.0", ["n1"]],
        ["delete", svc, "1.0.0", ["n1"]],
      ]);
    });

    it("carries endpoints with nested request/response values and metadata in watch events", async () => {
      const log = await watch();
      const service = makeService(svc, "3.1.4", [makeNode("e1", { protocol: "mucp", idempotent: "Greeter.Ping" })]);
      await registry.register(service);
      const created = await log.next((e) => e.action === "create", settle, "create");
      expect(created.service.endpoints).toEqual(service.endpoints);
      expect(created.service.metadata).toEqual(service.metadata);
      expect(created.service.nodes).toEqual(service.nodes);
    });

    it("delivers to each watcher only the service it asked for; an unfiltered watcher sees all", async () => {
      const other = uniqueName("contract-other");
      const mine = await watch(svc);
      const theirs = await watch(other);
      const all = new EventLog();
      watchers.push(await registry.watch(all.listener));
      await registry.register(makeService(svc, "1.0.0", [makeNode("m1")]));
      await registry.register(makeService(other, "1.0.0", [makeNode("t1")]));
      await mine.next((e) => e.action === "create", settle, `create of ${svc}`);
      await theirs.next((e) => e.action === "create", settle, `create of ${other}`);
      await all.next((e) => e.service.name === svc, settle, `${svc} on the unfiltered watcher`);
      await all.next((e) => e.service.name === other, settle, `${other} on the unfiltered watcher`);
      await registry.deregister(makeService(other, "1.0.0", [makeNode("t1")]));
      await theirs.next((e) => e.action === "delete", settle, `delete of ${other}`);
      expect(mine.events.every((e) => e.service.name === svc)).toBe(true);
      expect(theirs.events.every((e) => e.service.name === other)).toBe(true);
    });

    it("registering the same node twice keeps one node", async () => {
      const service = makeService(svc, "1.0.0", [makeNode("dup")]);
      await registry.register(service);
      await registry.register(service);
      const found = await waitFor(async () => {
        const r = await registry.getService(svc);
        return r.length > 0 && r;
      }, settle, "the service");
      expect(nodeIds(found)).toEqual(["dup"]);
    });

    it("drops a service from listServices once its last node is deregistered", async () => {
      const service = makeService(svc, "1.0.0", [makeNode("l1")]);
      await registry.register(service);
      await waitFor(async () => (await registry.listServices()).some((s) => s.name === svc), settle, "the service listed");
      await registry.deregister(service);
      await waitFor(async () => !(await registry.listServices()).some((s) => s.name === svc), settle, "the service unlisted");
    });

    it(`keeps a node that is renewed within its TTL (${shortTtl} ms)`, async () => {
      const log = await watch();
      const service = makeService(svc, "1.0.0", [makeNode("renewed")]);
      await registry.register(service, { ttlMs: shortTtl });
      await log.next((e) => e.action === "create", settle, "create");
      // Not synchronisation: the node is renewed at a third of its TTL for two whole TTLs, and the
      // assertion is that no delete happens meanwhile.
      const until = Date.now() + 2 * shortTtl;
      while (Date.now() < until) {
        await new Promise((resolve) => setTimeout(resolve, shortTtl / 3));
        await registry.register(service, { ttlMs: shortTtl });
      }
      expect(log.events.filter((e) => e.action === "delete")).toEqual([]);
      expect(nodeIds(await registry.getService(svc))).toEqual(["renewed"]);
    });

    if (opts.outage) {
      const outage = opts.outage;
      it("serves again after an outage, and a watcher started before it sees changes made after it", async () => {
        const log = await watch();
        await registry.register(makeService(svc, "1.0.0", [makeNode("before")]));
        await log.next((e) => e.action === "create", settle, "create before the outage");
        await outage.interrupt();
        try {
          // During the outage calls may fail or wait; they must not crash the process. Waited
          // for at most `settle` ms: how long a backend's client retries is its own business.
          const during = Promise.allSettled([registry.getService(svc), registry.listServices()]);
          let timer: NodeJS.Timeout | undefined;
          await Promise.race([during, new Promise((resolve) => (timer = setTimeout(resolve, settle)))]);
          clearTimeout(timer);
        } finally {
          await outage.restore();
        }
        await waitFor(async () => {
          try {
            await registry.register(makeService(svc, "1.0.0", [makeNode("after")]));
            return true;
          } catch {
            return false;
          }
        }, settle, "register to work again");
        await log.next((e) => e.action === "create" && e.service.nodes[0]?.id === "after", settle, "create after the outage");
        await waitFor(async () => nodeIds(await registry.getService(svc)).includes("after"), settle, "the new node found");
      });
    }

    it("close is idempotent", async () => {
      await registry.register(makeService(svc, "1.0.0", [makeNode("n1")]));
      await registry.close();
      await expect(registry.close()).resolves.toBeUndefined();
    });
  });
}
