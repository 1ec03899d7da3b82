import { randomUUID } from "node:crypto";
import {
  ErrorIds,
  HttpTransport,
  MemoryRegistry,
  RegistrySelector,
  RpcClient,
  RpcServer,
  SilentLogger,
  TcpTransport,
  type HandlerDescriptor,
  type Transport,
} from "../../src";

// Regression: a client dialed every node with its own transport, whatever the node advertised:
// a tcp client calling an http node failed ("frame length 1213486160 is outside 1..67108864",
// later "node serves http"), and an http client could not call a tcp-only node.

const echo: HandlerDescriptor = { endpoint: "Svc.Echo", validate: false, metadata: {}, invoke: async (req: unknown) => req };

interface World {
  registry: MemoryRegistry;
  tcp: TcpTransport;
  http: HttpTransport;
  servers: RpcServer[];
  clients: RpcClient[];
}

let w: World;

beforeEach(() => {
  // serveHttp off: a tcp-only node, so an http client reaches it only by dialing tcp.
  w = { registry: new MemoryRegistry(), tcp: new TcpTransport({ serveHttp: false }), http: new HttpTransport(), servers: [], clients: [] };
});

afterEach(async () => {
  for (const c of w.clients) await c.close();
  for (const s of w.servers) await s.stop();
  await w.tcp.close();
  await w.http.close();
});

async function node(transport: Transport): Promise<string> {
  const name = `xt-${transport.name}-${randomUUID()}`;
  const server = new RpcServer({ name, registry: w.registry, transport, logger: new SilentLogger() });
  server.handle([echo]);
  await server.start();
  w.servers.push(server);
  return name;
}

function client(own: Transport, resolve?: (name: string) => Transport): RpcClient {
  const c = new RpcClient({ selector: new RegistrySelector({ registry: w.registry }), transport: own, transports: resolve, retries: 0 });
  w.clients.push(c);
  return c;
}

const byName = (name: string): Transport => {
  if (name === "tcp") return w.tcp;
  if (name === "http") return w.http;
  throw new Error(`unknown transport ${name}`);
};

describe("a client dials each node with the transport the node advertises", () => {
  it("a tcp client calls an http node through the registry", async () => {
    const name = await node(new HttpTransport());
    const [record] = await w.registry.getService(name);
    expect(record!.nodes[0]!.metadata.transport).toBe("http");
    await expect(client(new TcpTransport(), byName).call(name, "Svc.Echo", { hi: 1 })).resolves.toEqual({ hi: 1 });
  });

  it("an http client calls a tcp-only node through the registry", async () => {
    const name = await node(new TcpTransport({ serveHttp: false }));
    await expect(client(new HttpTransport(), byName).call(name, "Svc.Echo", { hi: 2 })).resolves.toEqual({ hi: 2 });
  });

  it("one client calls a tcp node and an http node side by side", async () => {
    const [a, b] = [await node(new TcpTransport()), await node(new HttpTransport())];
    const c = client(new TcpTransport(), byName);
    await expect(Promise.all([c.call(a, "Svc.Echo", 1), c.call(b, "Svc.Echo", 2)])).resolves.toEqual([1, 2]);
  });

  it("without a resolver it dials with its own transport, and says so when the node speaks another", async () => {
    const name = await node(new HttpTransport());
    const own = new TcpTransport();
    await expect(client(own).call(name, "Svc.Echo", {})).rejects.toMatchObject({ id: ErrorIds.transportMismatch });
    await own.close();
  });
});
