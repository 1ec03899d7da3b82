import { Broker, Handler, InjectClient, MemoryBroker, MemoryRegistry, MicroError, Registry, Service, Test, contractOf, defineContract } from "../../../src";
import type { ServiceClient, TestingModule } from "../../../src";
import { Calculator } from "../../fixtures/typed/calculator";

async function collect<T>(it: AsyncIterable<T>): Promise<T[]> {
  const out: T[] = [];
  for await (const x of it) out.push(x);
  return out;
}

@Service("frontend")
class Frontend {
  constructor(@InjectClient("calculator") private readonly calc: ServiceClient<Calculator>) {}

  @Handler({ validate: false })
  async double(req: { n: number }): Promise<{ n: number }> {
    const { sum } = await this.calc.add({ a: req.n, b: req.n });
    return { n: sum };
  }
}

@Service("backoffice")
class Backoffice {
  @InjectClient(contractOf(Calculator))
  calc!: ServiceClient<Calculator>;

  @Handler({ validate: false })
  async negate(req: { n: number }): Promise<{ n: number }> {
    return this.calc.negate(req);
  }
}

describe("typed clients without codegen", () => {
  const registry = new MemoryRegistry();
  const broker = new MemoryBroker();
  const shared = [
    { provide: Registry, useValue: registry },
    { provide: Broker, useValue: broker },
  ];
  let calculator: TestingModule;
  let frontend: TestingModule;
  let backoffice: TestingModule;

  beforeAll(async () => {
    calculator = await Test.createTestingModule({ services: [Calculator], providers: shared }).compile();
    frontend = await Test.createTestingModule({ services: [Frontend], providers: shared }).compile();
    backoffice = await Test.createTestingModule({ services: [Backoffice], providers: shared }).compile();
  });
  afterAll(async () => {
    await backoffice?.close();
    await frontend?.close();
    await calculator?.close();
  });

  describe.each([
    ["the service's advertised endpoints", () => frontend.client.service<Calculator>("calculator")],
    ["contractOf(Calculator)", () => frontend.client.service(contractOf(Calculator))],
    [
      "a decorator-free defineContract",
      () =>
        frontend.client.service(
          defineContract<Calculator>("calculator", {
            add: "Calculator.Add",
            negate: "Math.Negate",
            count: { endpoint: "Calculator.Count", stream: "server" },
            total: { endpoint: "Calculator.Total", stream: "client" },
            echo: { endpoint: "Calculator.Echo", stream: "bidi" },
            ping: "Calculator.Ping",
          }),
        ),
    ],
  ])("from %s", (_label, make) => {
    it("calls unary handlers by the server's endpoint names (<Class>.<Method> and @Handler names)", async () => {
      const calc = make();
      expect(await calc.add({ a: 2, b: 3 })).toEqual({ sum: 5 });
      expect(await calc.negate({ n: 4 })).toEqual({ n: -4 });
      expect(await calc.ping()).toEqual({ ok: true });
    });

    it("reads server streams and sends client and bidi streams as async iterables", async () => {
      const calc = make();
      expect(await collect(calc.count({ to: 3 }))).toEqual([{ i: 1 }, { i: 2 }, { i: 3 }]);
      expect(await calc.total([{ n: 1 }, { n: 2 }, { n: 3 }])).toEqual({ sum: 6 });
      expect(await collect(calc.echo(["a", "b"].map((text) => ({ text }))))).toEqual([{ text: "A" }, { text: "B" }]);
    });

    it("validates requests on the server as any call does", async () => {
      const err = await make().add({ a: 1.5, b: 1 }).catch((e: unknown) => e);
      expect(MicroError.is(err) && err.code).toBe(400);
    });

    it("refuses a method the service does not serve instead of guessing an endpoint", async () => {
      const calc = make() as unknown as { helper(req: unknown): Promise<unknown> };
      const err = await Promise.resolve().then(() => calc.helper({})).catch((e: unknown) => e);
      expect(err).toMatchObject({ code: 404 });
      expect((err as MicroError).detail).toContain('"helper"');
    });
  });

  it("advertises each endpoint's method name, which the name-based client reads", async () => {
    const [record] = await registry.getService("calculator");
    const byName = Object.fromEntries(record!.endpoints.map((e) => [e.name, e.metadata.method]));
    expect(byName).toMatchObject({ "Calculator.Add": "add", "Math.Negate": "negate", "Calculator.Count": "count", "Calculator.Total": "total", "Calculator.Echo": "echo" });
  });

  it("injects a typed client with @InjectClient into a constructor parameter or a property", async () => {
    expect(await frontend.client.call("frontend", "Frontend.Double", { n: 21 })).toEqual({ n: 42 });
    expect(await backoffice.client.call("backoffice", "Backoffice.Negate", { n: 1 })).toEqual({ n: -1 });
  });

  it("contractOf reads the server's rule: names, @Handler names and stream kinds", () => {
    expect(contractOf(Calculator)).toEqual({
      service: "calculator",
      methods: {
        add: { endpoint: "Calculator.Add" },
        negate: { endpoint: "Math.Negate" },
        count: { endpoint: "Calculator.Count", stream: "server" },
        total: { endpoint: "Calculator.Total", stream: "client" },
        echo: { endpoint: "Calculator.Echo", stream: "bidi" },
        ping: { endpoint: "Calculator.Ping" },
      },
    });
  });
});
