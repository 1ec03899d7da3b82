import { filterEndpoint, filterMetadata, filterVersion, leastConn, random, roundRobin, STRATEGIES } from "../../../src/selector";
import { MemoryRegistry, RegistrySelector, type Node, type ServiceRecord, type Strategy, type StrategyFactory } from "../../../src";
import { seeded } from "../../helpers/random";

const nodes: Node[] = ["a", "b", "c"].map((id) => ({ id, address: `127.0.0.1:${id.charCodeAt(0)}`, metadata: { zone: id === "c" ? "z2" : "z1" } }));
const none = (): number => 0;

describe("strategies", () => {
  it("random spreads over every node", () => {
    const pick = random(seeded(42))();
    const counts = new Map<string, number>();
    for (let i = 0; i < 3000; i++) {
      const n = pick(nodes, none);
      counts.set(n.id, (counts.get(n.id) ?? 0) + 1);
    }
    for (const n of nodes) expect(counts.get(n.id)).toBeGreaterThan(850);
  });

  it("roundRobin keeps its position across calls", () => {
    const pick = roundRobin(seeded(1))();
    const seq = Array.from({ length: 6 }, () => pick(nodes, none).id);
    expect(new Set(seq.slice(0, 3)).size).toBe(3);
    expect(seq.slice(3)).toEqual(seq.slice(0, 3));
  });

  it("leastConn picks the node with the fewest calls in flight", () => {
    const pick = leastConn(seeded(3))();
    const inflight = (id: string): number => ({ a: 5, b: 1, c: 3 })[id] ?? 0;
    expect(pick(nodes, inflight).id).toBe("b");
  });
});

describe("strategy factories", () => {
  it("random, roundRobin and leastConn are factories: calling one gives a Strategy, calling that a Picker", () => {
    const factories: StrategyFactory[] = [random, roundRobin, leastConn, ...Object.values(STRATEGIES)];
    for (const factory of factories) {
      const strategy: Strategy = factory(seeded(7));
      const picked = strategy()(nodes, none);
      expect(nodes).toContain(picked);
    }
  });

  it("a factory passed uncalled as the strategy fails with an error that says how to fix it", async () => {
    const registry = new MemoryRegistry();
    await registry.register({ name: "svc", version: "1", endpoints: [], nodes: nodes.slice(0, 1) });
    // What a JavaScript caller (or a cast) can do: the types refuse `strategy: roundRobin`.
    const selector = new RegistrySelector({ registry, strategy: roundRobin as unknown as Strategy });
    try {
      const next = await selector.select("svc");
      expect(() => next()).toThrow("pass a Strategy such as roundRobin(), not the factory roundRobin");
    } finally {
      await selector.close();
      await registry.close();
    }
  });
});

describe("filters", () => {
  const services: ServiceRecord[] = [
    { name: "s", version: "1", endpoints: [{ name: "S.A", metadata: {} }], nodes: nodes.slice(0, 2) },
    { name: "s", version: "2", endpoints: [{ name: "S.B", metadata: {} }], nodes: nodes.slice(2) },
  ];
  it("filterVersion keeps the named versions", () => {
    expect(filterVersion("2")(services).map((s) => s.version)).toEqual(["2"]);
  });
  it("filterMetadata keeps matching nodes and drops emptied versions", () => {
    const out = filterMetadata("zone", "z2")(services);
    expect(out).toHaveLength(1);
    expect(out[0]!.nodes.map((n) => n.id)).toEqual(["c"]);
  });
  it("filterEndpoint keeps versions declaring the endpoint", () => {
    expect(filterEndpoint("S.A")(services).map((s) => s.version)).toEqual(["1"]);
  });
});
