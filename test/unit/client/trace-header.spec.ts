import { MemoryRegistry, RegistrySelector, RpcClient, roundRobin, type Message, type Socket, type Transport } from "../../../src";
import { setHeaderInjector } from "../../../src/metadata/propagation";

/** Answers every request with `{}` and keeps the request headers. */
class EchoTransport implements Transport {
  readonly name = "echo";
  readonly headers: Array<Record<string, string>> = [];
  async listen(): Promise<never> {
    throw new Error("not a server");
  }
  async dial(address: string): Promise<Socket> {
    let deliver: (m: Message) => void = () => undefined;
    return {
      local: "test",
      remote: address,
      send: async (msg) => {
        this.headers.push(msg.header);
        deliver({ header: { "Micro-Id": msg.header["Micro-Id"]!, "Content-Type": "application/json" }, body: Buffer.from("{}") });
      },
      onMessage: (h) => (deliver = h),
      onClose: () => undefined,
      close: async () => undefined,
    };
  }
  async close(): Promise<void> {}
}

async function sentHeader(): Promise<Record<string, string>> {
  const registry = new MemoryRegistry();
  await registry.register({ name: "svc", version: "1", endpoints: [], nodes: [{ id: "n", address: "127.0.0.1:1", metadata: {} }] });
  const transport = new EchoTransport();
  const client = new RpcClient({ selector: new RegistrySelector({ registry, strategy: roundRobin(() => 0) }), transport });
  await client.call("svc", "Svc.Do", {});
  await client.close();
  return transport.headers[0]!;
}

describe("the client's trace header with a header injector installed", () => {
  afterEach(() => setHeaderInjector(undefined));

  it("sends the injector's traceparent when it writes one", async () => {
    const injected = "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01";
    setHeaderInjector((h) => ((h.Traceparent = injected), true));
    expect((await sentHeader()).Traceparent).toBe(injected);
  });

  it("makes its own traceparent when the injector writes none (no active span, or other propagators)", async () => {
    setHeaderInjector((h) => ((h.b3 = "x"), false));
    const h = await sentHeader();
    expect(h.b3).toBe("x");
    expect(h.Traceparent).toMatch(/^00-[0-9a-f]{32}-[0-9a-f]{16}-01$/);
  });
});
