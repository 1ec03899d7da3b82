import {
  Broker,
  Handler,
  Inject,
  MemoryBroker,
  MemoryRegistry,
  MicroError,
  Module,
  Registry,
  RegistrySelector,
  Selector,
  Service,
  SilentLogger,
  createService,
  filterMetadata,
  filterVersion,
  roundRobin,
  type Constructor,
  type Filter,
  type MicroService,
} from "../../src";

// Three nodes of "inventory" (two versions, two transports) and a "shop" service whose module
// chooses the roundRobin strategy; the shop's calls narrow the nodes with filters. Everything
// runs in this process on a memory registry; the transports are real, on loopback.

const NODE = Symbol("NODE");
const registry = new MemoryRegistry();
const broker = new MemoryBroker();
const shared = [
  { provide: Registry, useValue: registry },
  { provide: Broker, useValue: broker },
];

/** Answers with the label of the node that served the call. */
@Service("inventory")
export class Inventory {
  constructor(@Inject(NODE) private readonly node: string) {}

  @Handler()
  async where(): Promise<{ node: string }> {
    return { node: this.node };
  }
}

/** A module for one inventory node, labelled so the output shows which node answered. */
function inventoryNode(label: string): Constructor {
  @Module({ services: [Inventory], providers: [...shared, { provide: NODE, useValue: label }] })
  class InventoryNode {}
  return InventoryNode;
}

/** The caller; only here to own a client whose selector the module chose. */
@Service("shop")
export class Shop {}

@Module({
  services: [Shop],
  providers: [
    ...shared,
    // One line chooses the strategy: roundRobin() makes a Strategy (roundRobin alone is the factory).
    { provide: Selector, useFactory: (r: Registry) => new RegistrySelector({ registry: r, strategy: roundRobin() }), inject: [Registry] },
  ],
})
export class ShopModule {}

// The demo ignores flags and MICRO_* variables: it shows what the code chooses.
const quiet = { argv: [], env: {}, logger: new SilentLogger() };

async function callMany(shop: MicroService, times: number, filters: Filter[]): Promise<string> {
  const counts = new Map<string, number>();
  for (let i = 0; i < times; i++) {
    const { node } = await shop.client.call<{ node: string }>("inventory", "Inventory.Where", {}, { select: { filters } });
    counts.set(node, (counts.get(node) ?? 0) + 1);
  }
  return [...counts].sort().map(([node, n]) => `${node} x${n}`).join(", ");
}

async function main(): Promise<void> {
  const nodes = [
    createService(inventoryNode("v1/tcp"), { ...quiet, version: "1.0.0" }),
    createService(inventoryNode("v2/tcp"), { ...quiet, version: "2.0.0" }),
    createService(inventoryNode("v2/http"), { ...quiet, version: "2.0.0", settings: { transport: "http" } }),
  ];
  const shop = createService(ShopModule, quiet);
  const all = [...nodes, shop];
  try {
    for (const s of all) await s.start();
    // The shop's client speaks tcp, so it keeps to the nodes that advertise transport=tcp.
    const tcp = filterMetadata("transport", "tcp");
    console.log(`tcp nodes, round robin:    ${await callMany(shop, 4, [tcp])}`);
    console.log(`version 2.0.0 on tcp only: ${await callMany(shop, 2, [filterVersion("2.0.0"), tcp])}`);
    try {
      await callMany(shop, 1, [filterVersion("3.0.0")]);
    } catch (err) {
      console.log(`version 3.0.0:             ${MicroError.is(err) ? err.toString() : String(err)}`);
    }
  } finally {
    for (const s of all.reverse()) await s.stop();
  }
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
