import { MemoryRegistry, RegistrySelector, RpcClient, roundRobin } from "../../../src";
import { ScriptedTransport } from "../../helpers/scripted-transport";
import { setHeaderInjector } from "../../../src/metadata/propagation";

async function sentHeader(): Promise<Record<string, string>> {
  const registry = new MemoryRegistry();
  await registry.register({ name: "svc", version: "1", endpoints: [], nodes: [{ id: "n", address: "127.0.0.1:1", metadata: {} }] });
  // Answers every request with `{}`.
  const transport = new ScriptedTransport(() => ({ header: { "Content-Type": "application/json" }, body: Buffer.from("{}") }));
  const client = new RpcClient({ selector: new RegistrySelector({ registry, strategy: roundRobin(() => 0) }), transport });
  await client.call("svc", "Svc.Do", {});
  await client.close();
  return transport.sent[0]!.msg.header;
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
