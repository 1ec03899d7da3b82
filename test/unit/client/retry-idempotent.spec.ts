import {
  ErrorIds,
  MemoryBroker,
  MemoryRegistry,
  MicroError,
  RegistrySelector,
  RpcClient,
  roundRobin,
  timeout,
  type AttemptWrapper,
  type CallWrapper,
  type Message,
  type PublishWrapper,
  type Socket,
  type Transport,
} from "../../../src";

type Behaviour = "ok" | "lose" | "server-408";

/**
 * A scripted transport per node address: "ok" answers, "lose" accepts the request and then the
 * connection dies before any reply (as when the node is SIGKILLed mid-call), "server-408" answers
 * the server's own deadline error.
 */
class NodesTransport implements Transport {
  readonly name = "nodes";
  readonly sent: string[] = [];
  constructor(private readonly behaviour: (address: string) => Behaviour) {}
  async listen(): Promise<never> {
    throw new Error("not a server");
  }
  async dial(address: string): Promise<Socket> {
    let deliver: (m: Message) => void = () => undefined;
    let closed: (err?: Error) => void = () => undefined;
    return {
      local: "test",
      remote: address,
      send: async (msg) => {
        this.sent.push(address);
        const id = msg.header["Micro-Id"]!;
        const b = this.behaviour(address);
        if (b === "lose") setImmediate(() => closed(new Error("ECONNRESET")));
        else if (b === "server-408") setImmediate(() => deliver({ header: { "Micro-Id": id, "Micro-Error": timeout("handler ran past its deadline").toHeader() }, body: Buffer.alloc(0) }));
        else setImmediate(() => deliver({ header: { "Micro-Id": id, "Content-Type": "application/json" }, body: Buffer.from(JSON.stringify(address)) }));
      },
      onMessage: (h) => (deliver = h),
      onClose: (h) => (closed = h),
      close: async () => undefined,
    };
  }
  async close(): Promise<void> {}
}

async function setup(
  behaviour: (address: string) => Behaviour,
  idempotent: string | undefined,
  extra: { wrappers?: CallWrapper[]; attemptWrappers?: AttemptWrapper[]; publishWrappers?: PublishWrapper[]; broker?: MemoryBroker } = {},
): Promise<{ client: RpcClient; transport: NodesTransport }> {
  const registry = new MemoryRegistry();
  const metadata: Record<string, string> = idempotent ? { idempotent } : {};
  await registry.register({
    name: "svc",
    version: "1",
    endpoints: [],
    nodes: ["127.0.0.1:1", "127.0.0.1:2"].map((address) => ({ id: address, address, metadata })),
  });
  const transport = new NodesTransport(behaviour);
  const client = new RpcClient({ selector: new RegistrySelector({ registry, strategy: roundRobin(() => 0) }), transport, ...extra });
  return { client, transport };
}

const firstLoses = (address: string): Behaviour => (address.endsWith(":1") ? "lose" : "ok");
const first408 = (address: string): Behaviour => (address.endsWith(":1") ? "server-408" : "ok");

describe("retries never run a handler twice by accident", () => {
  it("fails a call whose connection died after sending with 503 tsmicro.connection_lost, and does not retry it", async () => {
    const { client, transport } = await setup(firstLoses, undefined);
    await expect(client.call("svc", "Svc.Charge", {})).rejects.toMatchObject({ code: 503, id: ErrorIds.connectionLost });
    expect(transport.sent).toEqual(["127.0.0.1:1"]);
  });

  it("does not retry a server 408 of a non-idempotent endpoint", async () => {
    const { client, transport } = await setup(first408, "Svc.Other");
    await expect(client.call("svc", "Svc.Charge", {})).rejects.toMatchObject({ code: 408 });
    expect(transport.sent).toEqual(["127.0.0.1:1"]);
  });

  it("retries a lost connection or a server 408 on another node when the node advertises the endpoint idempotent", async () => {
    for (const behaviour of [firstLoses, first408]) {
      const { client, transport } = await setup(behaviour, "Svc.Other,Svc.Get");
      await expect(client.call("svc", "Svc.Get", {})).resolves.toBe("127.0.0.1:2");
      expect(transport.sent).toEqual(["127.0.0.1:1", "127.0.0.1:2"]);
    }
  });

  it("retries what the call lists in retryOn", async () => {
    const { client, transport } = await setup(firstLoses, undefined);
    await expect(client.call("svc", "Svc.Charge", {}, { retries: 1, retryOn: [ErrorIds.connectionLost] })).resolves.toBe("127.0.0.1:2");
    expect(transport.sent).toHaveLength(2);
    const byCode = await setup(first408, undefined);
    await expect(byCode.client.call("svc", "Svc.Charge", {}, { retryOn: [408] })).resolves.toBe("127.0.0.1:2");
  });
});

describe("client wrappers", () => {
  it("runs call wrappers once per call and attempt wrappers once per attempt, with the node and attempt number", async () => {
    const seen: string[] = [];
    const perCall: CallWrapper = (next) => (req, opts) => (seen.push(`call ${req.endpoint}`), next(req, opts));
    const perAttempt: AttemptWrapper = (next) => (req, opts) => (seen.push(`attempt ${req.attempt} ${req.node.address}`), next(req, opts));
    const { client } = await setup(firstLoses, "Svc.Get", { wrappers: [perCall], attemptWrappers: [perAttempt] });
    await expect(client.call("svc", "Svc.Get", {})).resolves.toBe("127.0.0.1:2");
    expect(seen).toEqual(["call Svc.Get", "attempt 1 127.0.0.1:1", "attempt 2 127.0.0.1:2"]);
  });

  it("retries a not-delivered error an attempt wrapper throws, on another node", async () => {
    const refuseFirst: AttemptWrapper = (next) => (req, opts) =>
      req.node.address.endsWith(":1") ? Promise.reject(new MicroError(ErrorIds.circuitOpen, 503, "open")) : next(req, opts);
    const { client, transport } = await setup(() => "ok", undefined, { attemptWrappers: [refuseFirst] });
    await expect(client.call("svc", "Svc.Charge", {})).resolves.toBe("127.0.0.1:2");
    expect(transport.sent).toEqual(["127.0.0.1:2"]);
  });

  it("runs publish wrappers around client.publish, outermost first", async () => {
    const broker = new MemoryBroker();
    await broker.connect();
    const got: unknown[] = [];
    await broker.subscribe("t", async (ev) => void got.push(JSON.parse(ev.message.body.toString())));
    const order: string[] = [];
    const stamp: PublishWrapper = (next) => (req, opts) => (order.push("outer"), next({ ...req, payload: { ...(req.payload as object), stamped: true } }, opts));
    const inner: PublishWrapper = (next) => (req, opts) => (order.push(`inner ${req.topic}`), next(req, opts));
    const { client } = await setup(() => "ok", undefined, { broker, publishWrappers: [stamp, inner] });
    await client.publish("t", { a: 1 });
    expect(order).toEqual(["outer", "inner t"]);
    expect(got).toEqual([{ a: 1, stamped: true }]);
    await broker.disconnect();
  });
});
