import { ErrorIds, MemoryRegistry, RegistrySelector, random, serviceUnavailable } from "../../../src";
import type { Node, ServiceRecord, Strategy } from "../../../src";

const refused = (): Error => serviceUnavailable("connection refused", ErrorIds.connection);

function record(ids: string[]): ServiceRecord {
  return { name: "svc", version: "1", endpoints: [], nodes: ids.map((id, i) => ({ id, address: `127.0.0.1:${20000 + i}`, metadata: {} })) };
}

const nodesOf = (...ids: string[]): Node[] => record(ids).nodes;

/** Always picks the first candidate. */
const first: Strategy = () => (nodes) => nodes[0]!;

/** Always picks the last candidate, so a test sees exactly which candidates the selector offers. */
const last: Strategy = () => (nodes) => nodes[nodes.length - 1]!;

/** A deterministic generator for the random strategy (mulberry32). */
function seeded(seed: number): () => number {
  let a = seed;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

describe("RegistrySelector: retries go to nodes that have answered", () => {
  it("on a retry prefers an untried node that has answered over one never heard from", async () => {
    const registry = new MemoryRegistry();
    await registry.register(record(["a", "b", "c"]));
    const selector = new RegistrySelector({ registry, strategy: last });
    selector.mark("svc", nodesOf("a", "b", "c")[1]!); // b answered once; c never was called
    const next = await selector.select("svc");
    expect(next(new Set(["a"])).id).toBe("b");
    expect(next().id).toBe("c"); // first attempts still spread over every node
    await selector.close();
  });

  it("forgets that a node answered once it refuses a connection", async () => {
    const registry = new MemoryRegistry();
    await registry.register(record(["a", "b", "c", "d"]));
    const selector = new RegistrySelector({ registry, strategy: first, ejectMs: 0 });
    const [, b, c] = nodesOf("a", "b", "c", "d");
    selector.mark("svc", b!);
    selector.mark("svc", c!);
    selector.mark("svc", b!, refused());
    const next = await selector.select("svc");
    expect(next(new Set(["d"])).id).toBe("c");
    await selector.close();
  });

  it("remembers at most provenLimit nodes, forgetting the oldest", async () => {
    const registry = new MemoryRegistry();
    await registry.register(record(["a", "b", "c", "d"]));
    const selector = new RegistrySelector({ registry, strategy: first, provenLimit: 2 });
    for (const node of nodesOf("a", "b", "c").slice(0, 3)) selector.mark("svc", node);
    const next = await selector.select("svc");
    expect(next(new Set(["d"])).id).toBe("b"); // a, the oldest, was forgotten
    expect(next(new Set(["d", "b", "c"])).id).toBe("a"); // still a candidate, just not preferred
    await selector.close();
  });

  // The rogue-responder case, without sockets: 200 advertised nodes that refuse every connection
  // and one real node. With one retry per call, every call succeeds once the real node has answered.
  it("with 200 bogus nodes and one retry, every call after the first success reaches the real node", async () => {
    const registry = new MemoryRegistry();
    const ids = ["real", ...Array.from({ length: 200 }, (_, i) => `fake-${i}`)];
    await registry.register(record(ids));
    const selector = new RegistrySelector({ registry, strategy: random(seeded(42)), ejectMs: 600_000 });
    let wasted = 0;
    /** One call with `attempts` attempts, as the client makes it: tried nodes excluded, each outcome marked. */
    const call = async (attempts: number): Promise<boolean> => {
      const next = await selector.select("svc");
      const tried = new Set<string>();
      for (let a = 0; a < attempts; a++) {
        const node = next(tried);
        tried.add(node.id);
        if (node.id === "real") return (selector.mark("svc", node), true);
        wasted++;
        selector.mark("svc", node, refused());
      }
      return false;
    };
    // Warm-up: the client has reached the real node once before the bogus ones matter (as when
    // a rogue starts advertising into a running system).
    while (!(await call(1)));
    wasted = 0;
    let failed = 0;
    for (let i = 0; i < 1000; i++) if (!(await call(2))) failed++;
    expect(failed).toBe(0);
    expect(wasted).toBeLessThanOrEqual(200); // each bogus node costs at most one attempt per ejection period
    await selector.close();
  });
});

/** A memory registry that counts lookups. */
class CountingRegistry extends MemoryRegistry {
  lookups = 0;
  override async getService(name: string): Promise<ServiceRecord[]> {
    this.lookups++;
    return super.getService(name);
  }
}

describe("RegistrySelector: registry lookups after connection errors", () => {
  // Regression: every refused connection invalidated the cache, so with 200 bogus nodes nearly
  // every call waited for a fresh (mDNS: 100 ms) lookup, and one that came back short gave a 404.
  it("does not look the service up again while it has other nodes to try", async () => {
    const registry = new CountingRegistry();
    await registry.register(record(["a", "b", "c"]));
    const selector = new RegistrySelector({ registry, strategy: first });
    const next = await selector.select("svc");
    const before = registry.lookups;
    selector.mark("svc", next(), refused());
    selector.mark("svc", next(), refused());
    await selector.select("svc");
    expect(registry.lookups).toBe(before);
    await selector.close();
  });

  it("looks the service up again once every cached node has failed", async () => {
    const registry = new CountingRegistry();
    await registry.register(record(["a", "b"]));
    const selector = new RegistrySelector({ registry, strategy: first });
    const next = await selector.select("svc");
    const before = registry.lookups;
    const tried = new Set<string>();
    for (let i = 0; i < 2; i++) {
      const node = next(tried);
      tried.add(node.id);
      selector.mark("svc", node, refused());
    }
    await selector.select("svc");
    expect(registry.lookups).toBe(before + 1);
    await selector.close();
  });
});
