import {
  ErrorIds,
  MemoryRegistry,
  MicroError,
  RegistrySelector,
  RpcClient,
  Context,
  roundRobin,
  serviceUnavailable,
  type Message,
} from "../../../src";
import { ScriptedTransport, type Reply } from "../../helpers/scripted-transport";

const ok = (body: unknown): Message => ({ header: { "Content-Type": "application/json" }, body: Buffer.from(JSON.stringify(body)) });
const fail = (e: MicroError): Message => ({ header: { "Micro-Error": e.toHeader() }, body: Buffer.alloc(0) });

async function setup(reply: Reply, nodes = ["127.0.0.1:1", "127.0.0.1:2"]): Promise<{ client: RpcClient; transport: ScriptedTransport }> {
  const registry = new MemoryRegistry();
  await registry.register({ name: "svc", version: "1", endpoints: [], nodes: nodes.map((address) => ({ id: address, address, metadata: {} })) });
  const transport = new ScriptedTransport(reply);
  const client = new RpcClient({ selector: new RegistrySelector({ registry, strategy: roundRobin(() => 0) }), transport });
  return { client, transport };
}

describe("RpcClient", () => {
  it("sends the protocol headers, the remaining budget in nanoseconds and a traceparent", async () => {
    const { client, transport } = await setup(() => ok({ fine: true }));
    await expect(client.call("svc", "Svc.Do", { x: 1 }, { timeoutMs: 2000, metadata: { "X-A": "b" } })).resolves.toEqual({ fine: true });
    const h = transport.sent[0]!.msg.header;
    expect(h).toMatchObject({ "Micro-Service": "svc", "Micro-Endpoint": "Svc.Do", "Content-Type": "application/json", "X-A": "b" });
    const ns = Number(h["Timeout"]);
    expect(ns).toBeGreaterThan(1_900 * 1e6);
    expect(ns).toBeLessThanOrEqual(2_000 * 1e6);
    expect(h["Traceparent"]).toMatch(/^00-[0-9a-f]{32}-[0-9a-f]{16}-01$/);
    expect(JSON.parse(transport.sent[0]!.msg.body.toString())).toEqual({ x: 1 });
  });

  it("retries a connection error once, on the other node", async () => {
    const { client, transport } = await setup((_m, address) =>
      address.endsWith(":1") ? serviceUnavailable(`cannot reach ${address}`, ErrorIds.connection) : ok("second"),
    );
    await expect(client.call("svc", "Svc.Do", {})).resolves.toBe("second");
    expect(transport.sent.map((s) => s.address)).toEqual(["127.0.0.1:1", "127.0.0.1:2"]);
  });

  it("never retries a 500 or a 4xx other than 408", async () => {
    for (const err of [new MicroError("x", 500, "boom"), new MicroError("y", 400, "bad")]) {
      const { client, transport } = await setup(() => fail(err));
      await expect(client.call("svc", "Svc.Do", {})).rejects.toMatchObject({ code: err.code, detail: err.detail });
      expect(transport.sent).toHaveLength(1);
    }
  });

  it("gives up after the configured retries", async () => {
    const { client, transport } = await setup(() => serviceUnavailable("down", ErrorIds.connection));
    await expect(client.call("svc", "Svc.Do", {}, { retries: 3 })).rejects.toMatchObject({ code: 503, id: ErrorIds.connection });
    expect(transport.sent).toHaveLength(4);
  });

  it("fails with a 408 when the budget runs out, even if the peer never answers", async () => {
    const { client } = await setup(() => "hang");
    const started = Date.now();
    await expect(client.call("svc", "Svc.Do", {}, { timeoutMs: 50 })).rejects.toMatchObject({ code: 408, id: ErrorIds.timeout });
    expect(Date.now() - started).toBeLessThan(1000);
  });

  it("takes the smaller of its own timeout and the context's remaining deadline, and propagates metadata", async () => {
    const { client, transport } = await setup(() => ok(1));
    const ctx = new Context({ deadline: Date.now() + 300, metadata: { "X-Tenant": "t" }, service: "caller" });
    await client.call("svc", "Svc.Do", {}, { context: ctx, timeoutMs: 10_000 });
    const h = transport.sent[0]!.msg.header;
    expect(Number(h["Timeout"])).toBeLessThanOrEqual(300 * 1e6);
    expect(h["X-Tenant"]).toBe("t");
    expect(h["Micro-From-Service"]).toBe("caller");
  });

  it("calls a fixed address without discovery", async () => {
    const { client, transport } = await setup(() => ok("direct"), []);
    await expect(client.call("svc", "Svc.Do", {}, { address: "127.0.0.1:9" })).resolves.toBe("direct");
    expect(transport.sent[0]!.address).toBe("127.0.0.1:9");
  });

  it("runs call wrappers outermost first", async () => {
    const registry = new MemoryRegistry();
    await registry.register({ name: "svc", version: "1", endpoints: [], nodes: [{ id: "n", address: "127.0.0.1:1", metadata: {} }] });
    const order: string[] = [];
    const client = new RpcClient({
      selector: new RegistrySelector({ registry }),
      transport: new ScriptedTransport(() => ok("r")),
      wrappers: [
        (next) => async (req, o) => (order.push("outer"), next(req, o)),
        (next) => async (req, o) => (order.push("inner"), next(req, o)),
      ],
    });
    await client.call("svc", "Svc.Do", {});
    expect(order).toEqual(["outer", "inner"]);
  });
});
