import { MemoryBroker } from "../../../src/broker/memory";
import { ErrorIds } from "../../../src/errors";
import { Headers } from "../../../src/transport/headers";
import { describeBrokerContract, Received } from "../../contract/broker.contract";

describeBrokerContract("memory", () => ({ brokers: [new MemoryBroker()] }));

describe("MemoryBroker", () => {
  const msg = (id: string) => ({ header: { [Headers.id]: id }, body: Buffer.from(id) });

  it("refuses to publish or subscribe before connect", async () => {
    const broker = new MemoryBroker();
    await expect(broker.publish("t", msg("1"))).rejects.toMatchObject({ code: 503, id: ErrorIds.unavailable });
    await expect(broker.subscribe("t", async () => undefined)).rejects.toMatchObject({ code: 503 });
  });

  it("splits a queue group round-robin and resolves publish after handlers settled", async () => {
    const broker = new MemoryBroker();
    await broker.connect();
    const [a, b] = [new Received(), new Received()];
    await broker.subscribe("t", a.handler, { queue: "q" });
    await broker.subscribe("t", b.handler, { queue: "q" });
    for (const id of ["1", "2", "3", "4"]) await broker.publish("t", msg(id));
    expect(a.ids).toEqual(["1", "3"]);
    expect(b.ids).toEqual(["2", "4"]);
    expect(a.events[0]!.message.header[Headers.topic]).toBe("t");
    await broker.disconnect();
  });

  it("never runs a handler on the publisher's stack, and gives each subscriber its own copy", async () => {
    const broker = new MemoryBroker();
    await broker.connect();
    const seen: string[] = [];
    await broker.subscribe("t", async (e) => {
      seen.push(e.message.body.toString());
      e.message.body.fill(0);
    });
    await broker.subscribe("t", async (e) => void seen.push(e.message.body.toString()));
    const publishing = broker.publish("t", msg("x"));
    expect(seen).toEqual([]);
    await publishing;
    expect(seen).toEqual(["x", "x"]);
    await broker.disconnect();
  });

  it("logs handler failures instead of throwing them", async () => {
    const errors: string[] = [];
    const logger = { debug() {}, info() {}, warn() {}, error: (m: string) => void errors.push(m), child: () => logger };
    const broker = new MemoryBroker({ logger });
    await broker.connect();
    await broker.subscribe("t", async () => {
      throw new Error("boom");
    });
    await broker.publish("t", msg("1"));
    expect(errors).toEqual(["memory broker: handler failed"]);
    await broker.disconnect();
  });
  it("retries an at-least-once failure with backoff while publish has resolved after the first attempt", async () => {
    const broker = new MemoryBroker();
    await broker.connect();
    const tries = new Received();
    await broker.subscribe("t", async (e) => (tries.record(e), e.delivery.attempt < 2 ? Promise.reject(new Error("again")) : undefined), {
      delivery: "at-least-once",
      backoff: { initialMs: 5, maxMs: 5 },
    });
    await broker.publish("t", msg("1"));
    expect(tries.events.map((e) => e.delivery.attempt)).toEqual([1]);
    await tries.until(2);
    expect(tries.events.map((e) => e.delivery.redelivered)).toEqual([false, true]);
    await broker.disconnect();
  });

  it("hands a redelivery to another member of the queue group once the first one unsubscribed", async () => {
    const broker = new MemoryBroker();
    await broker.connect();
    const [a, b] = [new Received(), new Received()];
    const options = { queue: "q", delivery: "at-least-once" as const, backoff: { initialMs: 5, maxMs: 5 } };
    const subA = await broker.subscribe("t", async (e) => (a.record(e), Promise.reject(new Error("a fails"))), options);
    await broker.subscribe("t", b.handler, options);
    await broker.publish("t", msg("1"));
    await subA.unsubscribe();
    await b.until(1);
    expect(b.events[0]!.delivery).toEqual({ attempt: 2, id: "1", redelivered: true });
    await broker.disconnect();
  });
});
