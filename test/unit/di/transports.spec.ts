import { HttpTransport, Module, Service, Handler, SilentLogger, TcpTransport, createClient, createService, createTransportResolver, registerProvider, resolveConfig, type RpcClientOptions } from "../../../src";
import { MemoryRegistry } from "../../../src/registry/memory";

const logger = new SilentLogger();
const deps = { config: resolveConfig({ argv: [], env: {} }), logger, env: {}, registry: () => new MemoryRegistry() };

/** The `transports` option the client was given (the pool reads it; these tests read it directly). */
function transportsOf(client: unknown): NonNullable<RpcClientOptions["transports"]> {
  const fn = (client as { options: RpcClientOptions }).options.transports;
  if (!fn) throw new Error("client has no transports option");
  return fn;
}

describe("the transport resolver", () => {
  it("answers its own transport for its own name and for a node that advertises none", async () => {
    const primary = new TcpTransport();
    const r = createTransportResolver(primary, deps);
    await expect(r.resolve("tcp")).resolves.toBe(primary);
    await expect(r.resolve("TCP")).resolves.toBe(primary);
    await expect(r.resolve("")).resolves.toBe(primary);
    await r.close();
    await primary.close();
  });

  it("builds another transport lazily, once per name, even for concurrent first calls", async () => {
    const r = createTransportResolver(new TcpTransport(), deps);
    const [a, b] = await Promise.all([r.resolve("http"), r.resolve("http")]);
    expect(a).toBeInstanceOf(HttpTransport);
    expect(b).toBe(a);
    await expect(r.resolve("Http")).resolves.toBe(a);
    await r.close();
  });

  it("closes what it built, once, and not the primary", async () => {
    const primary = new TcpTransport();
    const primaryClose = jest.spyOn(primary, "close");
    const r = createTransportResolver(primary, deps);
    const http = await r.resolve("http");
    const httpClose = jest.spyOn(http, "close");
    await Promise.all([r.close(), r.close()]);
    expect(httpClose).toHaveBeenCalledTimes(1);
    expect(primaryClose).not.toHaveBeenCalled();
    await expect(r.resolve("http")).rejects.toThrow(/after the client was closed/);
    await primary.close();
  });

  it("rejects an unknown name, listing the known transports, and does not cache the failure", async () => {
    const r = createTransportResolver(new TcpTransport(), deps);
    await expect(r.resolve("carrier-pigeon")).rejects.toThrow('unknown transport "carrier-pigeon"; known transport providers: grpc, http, nats, tcp');
    const pigeon = new TcpTransport();
    const remove = registerProvider({ family: "transport", name: "carrier-pigeon", load: async () => () => pigeon });
    try {
      await expect(r.resolve("carrier-pigeon")).resolves.toBe(pigeon);
    } finally {
      remove();
      await r.close();
    }
  });
});

describe("clients get the resolver as their `transports` option", () => {
  it("createClient passes one and closes what it built on close()", async () => {
    const c = await createClient({ argv: [], env: {}, logger, settings: { registry: "memory", broker: "memory" } });
    const resolve = transportsOf(c.client);
    expect(await resolve("tcp")).toBe(c.transport);
    const http = await resolve("http");
    expect(http).toBeInstanceOf(HttpTransport);
    const httpClose = jest.spyOn(http, "close");
    await c.close();
    expect(httpClose).toHaveBeenCalledTimes(1);
  });

  it("a service's client gets one too, closed when the service stops", async () => {
    @Service(`transports-${process.pid}`)
    class S {
      @Handler({ validate: false })
      async ping(): Promise<string> {
        return "pong";
      }
    }
    @Module({ services: [S] })
    class M {}
    const svc = await createService(M, { argv: [], env: {}, logger, settings: { registry: "memory", broker: "memory", transport: "http" } }).ready();
    const resolve = transportsOf(svc.client);
    expect(await resolve("http")).toBe(svc.transport);
    const tcp = await resolve("tcp");
    expect(tcp).toBeInstanceOf(TcpTransport);
    const tcpClose = jest.spyOn(tcp, "close");
    await svc.stop();
    expect(tcpClose).toHaveBeenCalledTimes(1);
  });
});
