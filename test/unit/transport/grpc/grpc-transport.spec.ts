import { randomUUID } from "node:crypto";
import { badRequest, createClient, ErrorIds, MemoryRegistry, RegistrySelector, RpcClient, RpcServer, SilentLogger, type HandlerDescriptor } from "../../../../src";
import type { Context } from "../../../../src/metadata/context";
import { GrpcTransport } from "../../../../src/transport/grpc";

const handlers: HandlerDescriptor[] = [
  { endpoint: "Svc.Echo", validate: false, metadata: {}, invoke: async (req: unknown) => req },
  { endpoint: "Svc.Meta", validate: false, metadata: {}, invoke: async (_req: unknown, ctx: Context) => ({ tenant: ctx.metadata["X-Tenant"], remaining: ctx.remainingMs() }) },
  {
    endpoint: "Svc.Fail",
    validate: false,
    metadata: {},
    invoke: async () => {
      throw badRequest("name must not be empty — ünïcode");
    },
  },
  {
    endpoint: "Svc.Slow",
    validate: false,
    metadata: {},
    invoke: (_req: unknown, ctx: Context) =>
      new Promise((resolve, reject) => {
        const t = setTimeout(resolve, 10_000, "late");
        ctx.signal.addEventListener("abort", () => (clearTimeout(t), reject(ctx.signal.reason as Error)));
      }),
  },
  {
    endpoint: "Svc.Count",
    validate: false,
    metadata: {},
    stream: "server",
    invoke: async (req: unknown) =>
      (async function* () {
        const n = (req as { n: number }).n;
        for (let i = 0; i < n; i++) yield { i };
      })(),
  },
  {
    endpoint: "Svc.Sum",
    validate: false,
    metadata: {},
    stream: "client",
    invoke: async (input: unknown) => {
      let sum = 0;
      for await (const m of input as AsyncIterable<{ v: number }>) sum += m.v;
      return { sum };
    },
  },
  {
    endpoint: "Svc.Chat",
    validate: false,
    metadata: {},
    stream: "bidi",
    invoke: async (input: unknown) =>
      (async function* () {
        for await (const m of input as AsyncIterable<{ v: number }>) yield { v: m.v * 2 };
      })(),
  },
];

let registry: MemoryRegistry;
let server: RpcServer;
let client: RpcClient;
let transport: GrpcTransport;
let name: string;

beforeEach(async () => {
  registry = new MemoryRegistry();
  transport = new GrpcTransport();
  name = `grpc-${randomUUID()}`;
  server = new RpcServer({ name, registry, transport, logger: new SilentLogger() });
  server.handle(handlers);
  await server.start();
  client = new RpcClient({ selector: new RegistrySelector({ registry }), transport: new GrpcTransport(), retries: 0 });
});

afterEach(async () => {
  await client.close();
  await server.stop();
});

describe("grpc transport: unary calls between tsmicro peers", () => {
  it("round-trips a JSON body and advertises transport=grpc", async () => {
    const [record] = await registry.getService(name);
    expect(record!.nodes[0]!.metadata.transport).toBe("grpc");
    await expect(client.call(name, "Svc.Echo", { hello: "world" })).resolves.toEqual({ hello: "world" });
  });

  it("carries metadata and the deadline (grpc-timeout)", async () => {
    const r = await client.call<{ tenant: string; remaining: number }>(name, "Svc.Meta", {}, { metadata: { "X-Tenant": "t1" }, timeoutMs: 3000 });
    expect(r.tenant).toBe("t1");
    expect(r.remaining).toBeGreaterThan(0);
    expect(r.remaining).toBeLessThanOrEqual(3000);
  });

  it("keeps the MicroError's id, code and detail (micro-error trailer)", async () => {
    await expect(client.call(name, "Svc.Fail", {})).rejects.toMatchObject({ id: ErrorIds.badRequest, code: 400, detail: "name must not be empty — ünïcode" });
  });

  it("an unknown endpoint is 404 endpoint_not_found", async () => {
    await expect(client.call(name, "Svc.Nope", {})).rejects.toMatchObject({ id: ErrorIds.endpointNotFound, code: 404 });
  });

  it("a deadline that passes is a 408", async () => {
    await expect(client.call(name, "Svc.Slow", {}, { timeoutMs: 200 })).rejects.toMatchObject({ code: 408 });
  });

  it("many concurrent calls share one connection", async () => {
    const results = await Promise.all(Array.from({ length: 200 }, (_, i) => client.call(name, "Svc.Echo", { i })));
    expect(results).toEqual(Array.from({ length: 200 }, (_, i) => ({ i })));
  });
});

describe("grpc transport: streams between tsmicro peers", () => {
  it("server streaming", async () => {
    const s = client.stream<{ n: number }, { i: number }>(name, "Svc.Count");
    await s.send({ n: 3000 });
    await s.close();
    let count = 0;
    for await (const m of s) expect(m.i).toBe(count++);
    expect(count).toBe(3000);
  });

  it("client streaming", async () => {
    const s = client.stream<{ v: number }, { sum: number }>(name, "Svc.Sum");
    for (let i = 1; i <= 2500; i++) await s.send({ v: i });
    await s.close();
    await expect(s.recv()).resolves.toEqual({ sum: (2500 * 2501) / 2 });
    await expect(s.recv()).resolves.toBeUndefined();
  });

  it("bidirectional streaming", async () => {
    const s = client.stream<{ v: number }, { v: number }>(name, "Svc.Chat");
    const got: number[] = [];
    const reading = (async () => {
      for await (const m of s) got.push(m.v);
    })();
    for (let i = 0; i < 3000; i++) await s.send({ v: i });
    await s.close();
    await reading;
    expect(got).toEqual(Array.from({ length: 3000 }, (_, i) => i * 2));
  });
});

describe("grpc transport: dialled by what a node advertises", () => {
  it("a client built on tcp (createClient) loads the grpc provider to call a grpc node", async () => {
    const standalone = await createClient({ argv: [], env: {}, registry, settings: { transport: "tcp", broker: "memory" }, logger: new SilentLogger() });
    try {
      expect(standalone.transport.name).toBe("tcp");
      await expect(standalone.client.call(name, "Svc.Echo", { via: "provider table" })).resolves.toEqual({ via: "provider table" });
    } finally {
      await standalone.close();
    }
  });
});
