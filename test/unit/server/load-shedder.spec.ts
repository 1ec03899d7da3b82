import { randomUUID } from "node:crypto";
import { ErrorIds, MemoryRegistry, RegistrySelector, RpcClient, RpcServer, TcpTransport, roundRobin, type HandlerDescriptor } from "../../../src";
import { DEFAULT_RPC_SERVER_OPTIONS } from "../../../src/server/options";
import { waitFor } from "../../helpers/wait";

/** An endpoint that blocks until released, counting its runs. */
function blocking(): { descriptor: HandlerDescriptor; started: () => number; release: () => void } {
  let runs = 0;
  let open!: () => void;
  const gate = new Promise<void>((r) => (open = r));
  return {
    descriptor: { endpoint: "Slow.Wait", validate: false, metadata: {}, invoke: async () => (runs++, await gate, `done`) },
    started: () => runs,
    release: () => open(),
  };
}

describe("the server's load shedder", () => {
  const transports: TcpTransport[] = [];
  const servers: RpcServer[] = [];
  const clients: RpcClient[] = [];
  afterEach(async () => {
    await Promise.all(clients.splice(0).map((c) => c.close()));
    await Promise.all(servers.splice(0).map((s) => s.stop()));
    await Promise.all(transports.splice(0).map((t) => t.close()));
  });

  async function node(registry: MemoryRegistry, name: string, maxInflight?: number, descriptor?: HandlerDescriptor): Promise<RpcServer> {
    const transport = new TcpTransport();
    transports.push(transport);
    const server = new RpcServer({ name, registry, transport, maxInflight, drainTimeoutMs: 100 });
    if (descriptor) server.handle([descriptor]);
    await server.start();
    servers.push(server);
    return server;
  }

  function client(registry: MemoryRegistry): RpcClient {
    const transport = new TcpTransport();
    transports.push(transport);
    const c = new RpcClient({ selector: new RegistrySelector({ registry, strategy: roundRobin(() => 0) }), transport });
    clients.push(c);
    return c;
  }

  it("refuses requests beyond maxInflight with 503 tsmicro.overloaded before dispatch", async () => {
    const registry = new MemoryRegistry();
    const name = `shed-${randomUUID().slice(0, 8)}`;
    const slow = blocking();
    const server = await node(registry, name, 1, slow.descriptor);
    const c = client(registry);
    const first = c.call(name, "Slow.Wait", {}, { address: server.address });
    await waitFor(() => slow.started() === 1, 5000, "first request running");
    await expect(c.call(name, "Slow.Wait", {}, { address: server.address, retries: 0 })).rejects.toMatchObject({ code: 503, id: ErrorIds.overloaded });
    expect(slow.started()).toBe(1);
    slow.release();
    await expect(first).resolves.toBe("done");
  });

  it("is on by default with a generous limit", () => {
    expect(DEFAULT_RPC_SERVER_OPTIONS.maxInflight).toBe(1024);
  });

  it("lets the client retry an overloaded refusal on another node (it provably did not run)", async () => {
    const registry = new MemoryRegistry();
    const name = `shed-${randomUUID().slice(0, 8)}`;
    const busy = blocking();
    const other = blocking();
    const busyNode = await node(registry, name, 1, busy.descriptor);
    // The other node takes both calls at once if need be: only the busy one sheds.
    await node(registry, name, undefined, other.descriptor);
    const c = client(registry);
    const first = c.call(name, "Slow.Wait", {}, { address: busyNode.address });
    await waitFor(() => busy.started() === 1, 5000, "busy node occupied");
    other.release();
    // Round robin with a fixed start may pick either node first; whichever is busy refuses and the other serves.
    const results = await Promise.all([c.call(name, "Slow.Wait", {}), c.call(name, "Slow.Wait", {})]);
    expect(results).toEqual(["done", "done"]);
    expect(busy.started()).toBe(1);
    busy.release();
    await first;
  });
});
