import { createService, Handler, Module, Service, SilentLogger } from "../../../src";
import { startNatsServer, type NatsServer } from "../../helpers/servers/nats";

describe("a service on --transport=nats", () => {
  let server: NatsServer;
  beforeAll(async () => (server = await startNatsServer()));
  afterAll(() => server.stop());

  it("answers unary calls and streams over NATS, advertising transport=nats", async () => {
    const name = `nats-transport-${process.pid}-${Date.now()}`;
    @Service(name)
    class Echo {
      @Handler({ validate: false })
      async hello(req: { name: string }): Promise<{ greeting: string }> {
        return { greeting: `Hello ${req.name}` };
      }

      @Handler({ validate: false, stream: true })
      async *count(input: AsyncIterable<{ n: number }>): AsyncIterable<{ n: number }> {
        for await (const m of input) yield { n: m.n * 10 };
      }
    }
    @Module({ services: [Echo] })
    class M {}
    const svc = await createService(M, {
      argv: ["--transport=nats"],
      env: { MICRO_TRANSPORT_ADDRESS: server.url },
      logger: new SilentLogger(),
      settings: { registry: "memory", broker: "memory" },
    }).ready();
    await svc.start();
    try {
      expect(svc.transport.name).toBe("nats");
      const record = await svc.registry.getService(name);
      expect(record[0]!.nodes[0]!.metadata.transport).toBe("nats");
      expect(record[0]!.nodes[0]!.address).toMatch(/^127\.0\.0\.1:\d+$/);
      await expect(svc.client.call(name, "Echo.Hello", { name: "John" })).resolves.toEqual({ greeting: "Hello John" });
      const stream = svc.client.stream<{ n: number }, { n: number }>(name, "Echo.Count");
      for (const n of [1, 2, 3]) await stream.send({ n });
      await stream.close();
      const got: number[] = [];
      for await (const m of stream) got.push(m.n);
      expect(got).toEqual([10, 20, 30]);
    } finally {
      await svc.stop();
    }
  });
});
