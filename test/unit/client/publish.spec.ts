import { ACCEPTED, Context, ErrorIds, MemoryBroker, MemoryRegistry, MicroError, RegistrySelector, RpcClient, type Broker, type BrokerMessage, type PublishOptions as BrokerPublishOptions } from "../../../src";
import { HttpTransport } from "../../../src/transport/http";

/** A broker whose publish is scripted: it records what it was given and answers with `reply`. */
class ScriptedBroker implements Broker {
  readonly name = "scripted";
  readonly address = "";
  readonly published: Array<{ topic: string; message: BrokerMessage; options?: BrokerPublishOptions }> = [];
  constructor(private readonly reply: () => Promise<void>) {}
  async connect(): Promise<void> {}
  async disconnect(): Promise<void> {}
  publish(topic: string, message: BrokerMessage, options?: BrokerPublishOptions): Promise<void> {
    this.published.push({ topic, message, options });
    return this.reply();
  }
  subscribe(): never {
    throw new Error("not used");
  }
}

function client(broker: Broker, timeoutMs = 5000): RpcClient {
  return new RpcClient({ selector: new RegistrySelector({ registry: new MemoryRegistry() }), transport: new HttpTransport(), broker, timeoutMs });
}

describe("client.publish", () => {
  it("passes headers and key through to the broker, protocol headers winning", async () => {
    const broker = new ScriptedBroker(async () => undefined);
    const ctx = new Context({ metadata: { "X-Tenant": "t1" } });
    await client(broker).publish("user.created", { id: "u1" }, { headers: { "X-Source": "import", "Micro-Topic": "forged" }, key: "u1", context: ctx });
    const [sent] = broker.published;
    expect(sent!.topic).toBe("user.created");
    expect(sent!.options).toMatchObject({ key: "u1" });
    expect(sent!.message.header).toMatchObject({ "X-Source": "import", "X-Tenant": "t1", "Micro-Topic": "user.created", "Content-Type": "application/json" });
    expect(sent!.message.header["Micro-Id"]).toMatch(/^[0-9a-f-]{36}$/);
  });

  it("hands back a broker's ACCEPTED as it is, with no deadline or promise of its own", async () => {
    const broker = new ScriptedBroker(() => ACCEPTED);
    const published = client(broker).publish("t", { n: 1 });
    expect(published).toBe(ACCEPTED);
    await published;
    expect(broker.published).toHaveLength(1);
  });

  it("fails with a 503 MicroError keeping the cause when the broker throws before accepting", async () => {
    const broker = new ScriptedBroker(() => {
      throw new Error("socket gone");
    });
    const err: unknown = await client(broker).publish("t", {}).catch((e: unknown) => e);
    expect(err).toMatchObject({ code: 503, detail: expect.stringContaining("socket gone") });
  });

  it("fails with a 408 MicroError within the deadline when the broker never accepts", async () => {
    const broker = new ScriptedBroker(() => new Promise<void>(() => undefined));
    const err: unknown = await client(broker).publish("t", {}, { timeoutMs: 30 }).catch((e: unknown) => e);
    expect(MicroError.is(err)).toBe(true);
    expect(err).toMatchObject({ code: 408, id: ErrorIds.timeout });
    expect((err as MicroError).detail).toContain("scripted broker");
  });

  it("caps the publish budget by the context's deadline", async () => {
    const broker = new ScriptedBroker(() => new Promise<void>(() => undefined));
    const ctx = new Context({ deadline: Date.now() + 20 });
    await expect(client(broker, 60_000).publish("t", {}, { context: ctx })).rejects.toMatchObject({ code: 408 });
  });

  it("turns a broker's plain error into a 503 MicroError keeping the cause", async () => {
    const cause = new Error("ECONNREFUSED 127.0.0.1:1");
    const err: unknown = await client(new ScriptedBroker(() => Promise.reject(cause))).publish("t", {}).catch((e: unknown) => e);
    expect(err).toMatchObject({ code: 503, id: ErrorIds.unavailable });
    expect((err as MicroError).detail).toContain("ECONNREFUSED");
    expect((err as MicroError).cause).toBe(cause);
  });

  it("passes a broker's MicroError through unchanged (a disconnected broker: 503)", async () => {
    const broker = new MemoryBroker();
    await expect(client(broker).publish("t", {})).rejects.toMatchObject({ code: 503, detail: "memory broker is not connected" });
  });
});
