import { join } from "node:path";
import { ErrorIds, MemoryRegistry, ProtoRegistry, RegistrySelector, RpcClient, TcpTransport, type Transport } from "../../src";
import { GrpcTransport } from "../../src/transport/grpc";
import { killAll, ROOT, startProcess, type Child } from "../helpers/processes";

// The reverse of grpc-stock-client: tsmicro's client calls a stock @grpc/grpc-js server
// (test/fixtures/grpc-stock/server.mjs, no tsmicro in it, its own process) found through the
// registry, where its node was registered by hand advertising transport=grpc. The client's own
// transport is tcp: it dials the node with grpc because the node says so.

describe("tsmicro's client calls a stock grpc-js server through the registry", () => {
  let stock: Child;
  let registry: MemoryRegistry;
  let client: RpcClient;
  let tcp: TcpTransport;
  let grpc: GrpcTransport;

  beforeAll(async () => {
    stock = startProcess(process.execPath, [join(ROOT, "test", "fixtures", "grpc-stock", "server.mjs")]);
    const [, address] = await stock.waitFor(/listening (\S+)/);
    registry = new MemoryRegistry();
    await registry.register({
      name: "greeter",
      version: "stock",
      metadata: {},
      endpoints: [],
      nodes: [{ id: "stock-1", address: address!, metadata: { transport: "grpc", protocol: "grpc" } }],
    });
    tcp = new TcpTransport();
    grpc = new GrpcTransport();
    const byName = (name: string): Transport => (name === "grpc" ? grpc : tcp);
    client = new RpcClient({ selector: new RegistrySelector({ registry }), transport: tcp, transports: byName, retries: 0 });
  });

  afterAll(async () => {
    await client?.close();
    await grpc?.close();
    await tcp?.close();
    await killAll();
  });

  it("unary: Greeter.Hello reaches /greeter.Greeter/Hello with metadata and a deadline", async () => {
    await expect(client.call("greeter", "Greeter.Hello", { name: "John" }, { metadata: { "X-Tenant": "t1" } })).resolves.toEqual({
      greeting: "Hello John",
      tenant: "t1",
      hasDeadline: true,
    });
  });

  it("a stock server's INVALID_ARGUMENT arrives as a 400 with its detail", async () => {
    await expect(client.call("greeter", "Greeter.Hello", { name: "" })).rejects.toMatchObject({ code: 400, detail: "name must not be empty" });
  });

  it("a method the stock server lacks is 404 endpoint_not_found (UNIMPLEMENTED)", async () => {
    await expect(client.call("greeter", "Greeter.Nope", {})).rejects.toMatchObject({ code: 404, id: ErrorIds.endpointNotFound });
  });

  it("server streaming", async () => {
    const s = client.stream<{ n: number }, { i: number }>("greeter", "Greeter.Count");
    await s.send({ n: 2000 });
    await s.close();
    const got: number[] = [];
    for await (const m of s) got.push(m.i);
    expect(got).toEqual(Array.from({ length: 2000 }, (_, i) => i));
  });

  it("bidirectional streaming", async () => {
    const s = client.stream<{ v: number }, { v: number }>("greeter", "Greeter.Chat");
    const got: number[] = [];
    const reading = (async () => {
      for await (const m of s) got.push(m.v);
    })();
    for (let i = 0; i < 2000; i++) await s.send({ v: i });
    await s.close();
    await reading;
    expect(got).toEqual(Array.from({ length: 2000 }, (_, i) => i * 2));
  });

  it("client streaming", async () => {
    const s = client.stream<{ v: number }, { sum: number }>("greeter", "Greeter.Sum");
    for (let i = 1; i <= 100; i++) await s.send({ v: i });
    await s.close();
    await expect(s.recv()).resolves.toEqual({ sum: 5050 });
  });
});

describe("tsmicro's client calls a stock grpc-js server in protobuf (greeter.proto)", () => {
  let client: RpcClient;
  let grpc: GrpcTransport;
  const hello = ProtoRegistry.load(join(ROOT, "samples", "greeter", "greeter.proto")).method("greeter.Greeter.Hello");

  beforeAll(async () => {
    const stock = startProcess(process.execPath, [join(ROOT, "test", "fixtures", "grpc-stock", "server.mjs"), "proto"]);
    const [, address] = await stock.waitFor(/listening (\S+)/);
    const registry = new MemoryRegistry();
    await registry.register({ name: "greeter", version: "stock", metadata: {}, endpoints: [], nodes: [{ id: "stock-proto", address: address!, metadata: { transport: "grpc" } }] });
    grpc = new GrpcTransport();
    client = new RpcClient({ selector: new RegistrySelector({ registry }), transport: grpc, retries: 0, contentType: "application/protobuf" });
  });

  afterAll(async () => {
    await client?.close();
    await grpc?.close();
    await killAll();
  });

  it("Greeter.Hello in protobuf", async () => {
    await expect(client.call("greeter", "Greeter.Hello", { name: "John" }, { schema: hello })).resolves.toEqual({ greeting: "Hello John" });
  });

  it("INVALID_ARGUMENT with its detail", async () => {
    await expect(client.call("greeter", "Greeter.Hello", { name: "" }, { schema: hello })).rejects.toMatchObject({ code: 400, detail: "name must not be empty" });
  });
});
