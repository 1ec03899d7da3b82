import { request } from "node:http";
import { connect } from "node:net";
import { HttpBroker, BROADCAST_VERSION, BROKER_SERVICE } from "../../../src/broker/http";
import { ErrorIds, MicroError } from "../../../src/errors";
import { MemoryRegistry } from "../../../src/registry/memory";
import { Headers } from "../../../src/transport/headers";
import { HttpTransport } from "../../../src/transport/http";
import { describeBrokerContract, Received } from "../../contract/broker.contract";
import { within } from "../../contract/transport.contract";

// Three brokers sharing one registry play three processes.
// Concurrent publishes travel as separate POSTs, so http does not promise their order.
describeBrokerContract(
  "http",
  () => {
    const registry = new MemoryRegistry();
    return { brokers: [1, 2, 3].map(() => new HttpBroker({ registry })), teardown: () => registry.close() };
  },
  { ordered: false },
);

/** POSTs raw bytes to a broker's server, as a go-micro publisher would. */
function post(address: string, path: string, body: string, method = "POST"): Promise<{ status: number; error: string }> {
  const [host, port] = address.split(":");
  return new Promise((resolve, reject) => {
    const req = request({ host, port: Number(port), method, path, agent: false, headers: { "Content-Type": "application/json" } }, (res) => {
      res.resume();
      res.on("end", () => resolve({ status: res.statusCode ?? 0, error: String(res.headers["micro-error"] ?? "") }));
    });
    req.on("error", reject);
    req.end(body);
  });
}

/** Resolves once a connect to `address` is refused (polled: the refusal is the event awaited). */
async function refused(address: string): Promise<void> {
  const [host, port] = address.split(":");
  for (;;) {
    const ok = await new Promise<boolean>((resolve) => {
      const conn = connect({ host, port: Number(port) }, () => (conn.destroy(), resolve(false)));
      conn.on("error", () => resolve(true));
    });
    if (ok) return;
    await new Promise((r) => setTimeout(r, 5));
  }
}

/** A 127.0.0.1 address nothing listens on. */
async function deadAddress(): Promise<string> {
  const transport = new HttpTransport();
  const listener = await transport.listen("127.0.0.1:0", () => undefined);
  await listener.close();
  return listener.address;
}

describe("HttpBroker", () => {
  let registry: MemoryRegistry;
  let brokers: HttpBroker[];

  beforeEach(async () => {
    registry = new MemoryRegistry();
    brokers = [new HttpBroker({ registry }), new HttpBroker({ registry })];
    await Promise.all(brokers.map((b) => b.connect()));
  });

  afterEach(async () => {
    await Promise.all(brokers.map((b) => b.disconnect()));
    await registry.close();
  });

  it("registers subscriptions the go-micro way and deregisters them", async () => {
    const [a] = brokers;
    expect(a!.address).toMatch(/^127\.0\.0\.1:[1-9]\d*$/);
    const plain = await a!.subscribe("user.created", async () => undefined);
    await a!.subscribe("user.created", async () => undefined, { queue: "greeter" });
    const services = await registry.getService(BROKER_SERVICE);
    expect(services.map((s) => s.version).sort()).toEqual(["ff.http.broadcast", "greeter"]);
    for (const s of services) {
      expect(s.nodes).toHaveLength(1);
      expect(s.nodes[0]!.id.startsWith(`user.created-${a!.id}`)).toBe(true);
      expect(s.nodes[0]).toMatchObject({ address: a!.address, metadata: { broker: "http", topic: "user.created", secure: "false" } });
    }
    await plain.unsubscribe();
    expect((await registry.getService(BROKER_SERVICE)).map((s) => s.version)).toEqual(["greeter"]);
    await a!.disconnect();
    expect(await registry.getService(BROKER_SERVICE)).toEqual([]);
  });

  it("renews registrations on its interval", async () => {
    const fast = new HttpBroker({ registry, registerIntervalMs: 10, registerTtlMs: 1000 });
    brokers.push(fast);
    await fast.connect();
    const register = jest.spyOn(registry, "register");
    await fast.subscribe("t", async () => undefined);
    await within(
      (async () => {
        while (register.mock.calls.length < 3) await new Promise((r) => setImmediate(r));
      })(),
      5000,
      "renewals",
    );
    expect(register.mock.calls[2]![1]).toEqual({ ttlMs: 1000 });
  });

  it("accepts go-micro's JSON envelope on /?id=<node id>", async () => {
    const got = new Received();
    await brokers[0]!.subscribe("go.topic", got.handler);
    const [service] = await registry.getService(BROKER_SERVICE);
    const node = service!.nodes[0]!;
    const envelope = JSON.stringify({ Header: { "Micro-Topic": "go.topic", "Micro-Id": "g1" }, Body: Buffer.from("hi").toString("base64") });
    const res = await post(node.address, `/?id=${encodeURIComponent(node.id)}`, envelope);
    expect(res.status).toBe(200);
    expect(got.events[0]!.message.body.toString()).toBe("hi");
    expect(got.events[0]!.topic).toBe("go.topic");
  });

  it("refuses bad deliveries with the matching status", async () => {
    await brokers[0]!.subscribe("t", async () => undefined);
    const address = brokers[0]!.address;
    const ok = JSON.stringify({ Header: { "Micro-Topic": "t" }, Body: null });
    expect((await post(address, "/", "{}", "GET")).status).toBe(405);
    expect((await post(address, "/elsewhere", ok)).status).toBe(404);
    expect((await post(address, "/?id=nobody", ok)).status).toBe(404);
    const garbage = await post(address, "/?id=x", "not json");
    expect(garbage.status).toBe(400);
    expect(MicroError.parse(garbage.error).id).toBe(ErrorIds.malformed);
    expect((await post(address, "/?id=x", JSON.stringify({ Header: {}, Body: "" }))).status).toBe(400);
  });

  it("fails a publish when a broadcast subscriber cannot be reached, after delivering to the others", async () => {
    const got = new Received();
    await brokers[1]!.subscribe("t", got.handler);
    const dead = { id: "t-dead", address: await deadAddress(), metadata: { broker: "http", topic: "t", secure: "false" } };
    await registry.register({ name: BROKER_SERVICE, version: BROADCAST_VERSION, endpoints: [], nodes: [dead] });
    const err: unknown = await brokers[0]!.publish("t", { header: { "Micro-Id": "1" }, body: Buffer.from("x") }).catch((e: unknown) => e);
    expect(err).toMatchObject({ code: 503 });
    expect((err as MicroError).detail).toContain("t-dead");
    expect((err as MicroError).detail).toContain("ECONNREFUSED");
    expect(got.ids).toEqual(["1"]);
  });

  it("moves on to another queue member when one cannot be reached", async () => {
    const got = new Received();
    await brokers[1]!.subscribe("jobs", got.handler, { queue: "workers" });
    const dead = { id: "jobs-dead", address: await deadAddress(), metadata: { broker: "http", topic: "jobs", secure: "false" } };
    await registry.register({ name: BROKER_SERVICE, version: "workers", endpoints: [], nodes: [dead] });
    for (let i = 0; i < 10; i++) await brokers[0]!.publish("jobs", { header: { [Headers.id]: String(i) }, body: Buffer.alloc(0) });
    expect(got.ids).toEqual(["0", "1", "2", "3", "4", "5", "6", "7", "8", "9"]);
    await registry.deregister({ name: BROKER_SERVICE, version: "workers", endpoints: [], nodes: [dead] });
  });

  it("fails a publish when no member of a queue group can be reached", async () => {
    const dead = { id: "jobs-dead", address: await deadAddress(), metadata: { broker: "http", topic: "jobs", secure: "false" } };
    await registry.register({ name: BROKER_SERVICE, version: "workers", endpoints: [], nodes: [dead] });
    await expect(brokers[0]!.publish("jobs", { header: {}, body: Buffer.alloc(0) })).rejects.toMatchObject({ code: 503, id: ErrorIds.unavailable });
  });

  it("lets a delivery in progress finish when disconnecting", async () => {
    let release!: () => void;
    let started!: () => void;
    const running = new Promise<void>((r) => (started = r));
    const order: string[] = [];
    await brokers[1]!.subscribe("slow", () => {
      started();
      return new Promise<void>((r) => (release = r)).then(() => void order.push("handler done"));
    });
    const inbox = brokers[1]!.address;
    const publishing = brokers[0]!.publish("slow", { header: {}, body: Buffer.from("x") });
    await within(running, 5000, "handler start");
    const deregistered = new Promise<void>((resolve) => {
      const deregister = registry.deregister.bind(registry);
      jest.spyOn(registry, "deregister").mockImplementation(async (...args) => {
        await deregister(...args);
        resolve();
      });
    });
    const disconnecting = brokers[1]!.disconnect().then(() => void order.push("disconnected"));
    // Wait until disconnect has done everything it can without the handler: deregistered and
    // no longer accepting. Only the delivery in progress can hold it now.
    await within(deregistered, 5000, "deregister");
    await within(refused(inbox), 5000, "inbox stops accepting");
    expect(order).toEqual([]);
    release();
    await within(Promise.all([publishing, disconnecting]), 5000, "publish and disconnect");
    expect(order).toEqual(["handler done", "disconnected"]);
  });
  it("resolves an at-least-once publish once the inbox accepted it, while the handler still runs", async () => {
    const [a, b] = brokers;
    let release!: () => void;
    const started = new Received();
    await b!.subscribe(
      "slow",
      async (event) => {
        started.record(event);
        await new Promise<void>((r) => (release = r));
      },
      { delivery: "at-least-once" },
    );
    await a!.publish("slow", { header: { "Micro-Id": "s1" }, body: Buffer.from("x") });
    await started.until(1);
    release();
  });

  it("drops the redeliveries waiting for their backoff when disconnecting", async () => {
    const [a, b] = brokers;
    const tries = new Received();
    await b!.subscribe("flaky", async (event) => (tries.record(event), Promise.reject(new Error("no"))), {
      delivery: "at-least-once",
      backoff: { initialMs: 60_000, maxMs: 60_000 },
    });
    await a!.publish("flaky", { header: { "Micro-Id": "f1" }, body: Buffer.from("x") });
    await tries.until(1);
    // Without cancelling the backoff, disconnect would wait a minute for the retry.
    await within(b!.disconnect(), 2000, "disconnect");
    expect(tries.events).toHaveLength(1);
  });
  it("does not let an at-least-once handler that never settles hold disconnect past closeTimeoutMs", async () => {
    const [a] = brokers;
    const b = new HttpBroker({ registry, closeTimeoutMs: 50 });
    await b.connect();
    const started = new Received();
    await b.subscribe("stuck", async (event) => (started.record(event), new Promise<void>(() => undefined)), { delivery: "at-least-once" });
    await a!.publish("stuck", { header: { "Micro-Id": "s1" }, body: Buffer.from("x") });
    await started.until(1);
    await within(b.disconnect(), 2000, "disconnect");
  });
});
