import { connect, headers, type Msg, type NatsConnection } from "nats";
import { NatsBroker } from "../../../src/broker/nats";
import type { BrokerHandler } from "../../../src/broker/broker";
import { DeadLetterHeaders } from "../../../src/broker/delivery";
import { badRequest, ErrorIds, MicroError } from "../../../src/errors";
import { Headers } from "../../../src/transport/headers";
import { describeBrokerContract, Received } from "../../contract/broker.contract";
import { heldHandler, lagReaches } from "../../helpers/lag";
import { RecordingLogger } from "../../helpers/recording-logger";
import { waitFor } from "../../helpers/wait";
import { startNatsServer, type NatsServer } from "../../helpers/servers/nats";

const msg = (id: string, header: Record<string, string> = {}) => ({ header: { [Headers.id]: id, ...header }, body: Buffer.from(id) });

describe("NATS broker, core NATS", () => {
  let server: NatsServer;
  beforeAll(async () => (server = await startNatsServer()));
  afterAll(() => server.stop());

  describeBrokerContract("nats-core", () => ({
    brokers: [0, 1, 2].map(() => new NatsBroker({ servers: [server.url], jetstream: "off" })),
  }));

  it("warns that at-least-once without JetStream only retries in process", async () => {
    const logger = new RecordingLogger();
    const broker = new NatsBroker({ servers: [server.url], logger });
    await broker.connect();
    expect(broker.jetstream).toBe(false);
    await broker.subscribe("t.x", async () => undefined, { delivery: "at-least-once" });
    expect(logger.lines).toContainEqual(expect.objectContaining({ level: "warn", msg: expect.stringContaining("in this process only") }));
    await broker.disconnect();
  });

  /** Runs `test` with a core-NATS broker and a plain nats.js connection to the same server, closing both after. */
  async function withPlainClient(test: (broker: NatsBroker, plain: NatsConnection) => Promise<void>): Promise<void> {
    const broker = new NatsBroker({ servers: [server.url], jetstream: "off" });
    await broker.connect();
    const plain = await connect({ servers: server.url });
    try {
      await test(broker, plain);
    } finally {
      await plain.close();
      await broker.disconnect();
    }
  }

  it("leaves Micro-Topic and the default Content-Type off the wire, and subscribers still see them", () =>
    withPlainClient(async (broker, plain) => {
      const wire = new Map<string, Msg>();
      const gotWire = new Promise<void>((resolve) => plain.subscribe("wire.>", { callback: (_err, m) => (wire.set(m.subject, m), wire.size === 3 && resolve()) }));
      await plain.flush();
      const got = new Received();
      await broker.subscribe("wire.>", got.handler);
      const json = { [Headers.topic]: "wire.a", [Headers.contentType]: "application/json", traceparent: "00-aa-bb-01", "X-Caller": "c" };
      await broker.publish("wire.a", msg("w1", json));
      await broker.publish("wire.b", msg("w2", { [Headers.contentType]: "application/protobuf" }));
      // A plain NATS publisher's own Micro-Topic is kept; a missing Content-Type means the default.
      const foreign = headers();
      foreign.set(Headers.id, "w3");
      foreign.set(Headers.topic, "other.topic");
      plain.publish("wire.c", Buffer.from("{}"), { headers: foreign });
      await Promise.all([gotWire, got.until(3)]);
      const onWire = (s: string): [boolean | undefined, string | undefined] => [wire.get(s)?.headers?.has(Headers.topic), wire.get(s)?.headers?.get(Headers.contentType)];
      expect(onWire("wire.a")).toEqual([false, ""]);
      expect(onWire("wire.b")).toEqual([false, "application/protobuf"]);
      expect(wire.get("wire.a")!.headers!.get("X-Caller")).toBe("c");
      // Subscribers see exactly what was published, the left-out headers restored.
      expect(got.of("w1")[0]!.message.header).toEqual({ [Headers.id]: "w1", ...json });
      expect(got.of("w2")[0]!.message.header).toEqual({ [Headers.id]: "w2", [Headers.topic]: "wire.b", [Headers.contentType]: "application/protobuf" });
      expect(got.of("w3")[0]!.message.header).toEqual({ [Headers.id]: "w3", [Headers.topic]: "other.topic", [Headers.contentType]: "application/json" });
    }));

  it("delivers a burst of publishes written below nats.js intact and in order, large ones and odd headers included", () =>
    withPlainClient(async (broker, plain) => {
      const sizes = Array.from({ length: 8000 }, (_, i) => (i % 1000 === 7 ? 200_000 : (i * 37) % 6000));
      const seen: Array<{ id: string; note: string | undefined; body: Buffer }> = [];
      plain.subscribe("burst.x", { callback: (_err, m) => seen.push({ id: m.headers!.get(Headers.id), note: m.headers!.get("X-Note"), body: Buffer.from(m.data) }) });
      await plain.flush();
      // The server stopped, so the socket backs up and node holds written buffers: they must not
      // be written again. One turn: messages share buffers, some span them, some exceed one.
      process.kill(server.pid(), "SIGSTOP");
      let accepted: Array<Promise<void>>;
      try {
        accepted = sizes.map((n, i) => broker.publish("burst.x", { header: { [Headers.id]: `b${i}`, "X-Note": `n\u00e9 ${i}\r\nx` }, body: Buffer.alloc(n, i % 251) }));
      } finally {
        process.kill(server.pid(), "SIGCONT");
      }
      await Promise.all(accepted);
      await waitFor(() => seen.length === sizes.length, 20_000, `${sizes.length} messages (${seen.length} so far)`);
      expect(seen.map((s) => s.id)).toEqual(sizes.map((_, i) => `b${i}`));
      seen.forEach((s, i) => {
        expect(s.note).toBe(`n\u00e9 ${i} x`);
        expect(s.body.equals(Buffer.alloc(sizes[i]!, i % 251))).toBe(true);
      });
      // A subscription made right after a publish does not see it, as with nats.js's publish.
      const late = new Received();
      void broker.publish("burst.y", msg("before"));
      await broker.subscribe("burst.y", late.handler);
      await broker.publish("burst.y", msg("after"));
      await late.until(1);
      expect(late.ids).toEqual(["after"]);
    }));

  it("unsubscribe waits for the deliveries in progress, on the subject and on a wildcard's subjects", async () => {
    const broker = new NatsBroker({ servers: [server.url], jetstream: "off" });
    await broker.connect();
    try {
      let started = 0;
      let wake!: () => void;
      const bothStarted = new Promise<void>((resolve) => (wake = resolve));
      const held = heldHandler();
      const handler: BrokerHandler = () => (++started === 2 && wake(), held.handler());
      const exact = await broker.subscribe("held.a", handler);
      const wild = await broker.subscribe("held.*.x", handler);
      await broker.publish("held.a", msg("u1"));
      await broker.publish("held.b.x", msg("u2"));
      await bothStarted;
      let done = 0;
      const gone = Promise.all([exact.unsubscribe(), wild.unsubscribe()]).then(() => done++);
      await new Promise((resolve) => setImmediate(resolve));
      expect(done).toBe(0);
      held.release();
      await gone;
      expect(done).toBe(1);
      // Nothing was left waiting: a second unsubscribe resolves at once.
      await exact.unsubscribe();
    } finally {
      await broker.disconnect();
    }
  });

  it("hands an at-most-once delivery its id and attempt, and logs a handler throw once", async () => {
    const logger = new RecordingLogger();
    const broker = new NatsBroker({ servers: [server.url], jetstream: "off", logger });
    await broker.connect();
    try {
      const got = new Received();
      await broker.subscribe("once.t", async (event) => {
        got.record(event);
        throw new Error("boom");
      });
      await broker.publish("once.t", msg("o1"));
      await got.until(1);
      expect(got.events[0]!.delivery).toEqual({ attempt: 1, id: "o1", redelivered: false });
      await waitFor(() => logger.lines.find((l) => l.msg.includes("handler failed")));
      expect(logger.lines.filter((l) => l.msg.includes("handler failed"))).toEqual([
        expect.objectContaining({ level: "error", fields: expect.objectContaining({ topic: "once.t", attempt: 1, next: "drop", error: "Error: boom" }) }),
      ]);
    } finally {
      await broker.disconnect();
    }
  });

  it("fails to connect with a 503 MicroError naming the address", async () => {
    const broker = new NatsBroker({ servers: ["nats://127.0.0.1:1"], connectTimeoutMs: 1000 });
    await expect(broker.connect()).rejects.toMatchObject({ code: 503, id: ErrorIds.connection, detail: expect.stringContaining("127.0.0.1:1") });
  });
});

describe("NATS broker, JetStream", () => {
  let server: NatsServer;
  const brokers: NatsBroker[] = [];
  let seq = 0;
  const topic = (): string => `js${process.pid}.t${++seq}`;
  const make = async (): Promise<NatsBroker> => {
    const broker = new NatsBroker({ servers: [server.url], ackWaitMs: 2000, reconnectWaitMs: 50, logger: process.env.NATS_DEBUG ? (console as never) : undefined });
    brokers.push(broker);
    await broker.connect();
    return broker;
  };

  beforeAll(async () => (server = await startNatsServer({ jetstream: true })));
  afterEach(async () => {
    await Promise.all(brokers.splice(0).map((b) => b.disconnect()));
  });
  afterAll(() => server.stop());

  describeBrokerContract("nats-jetstream", () => ({
    brokers: [0, 1, 2].map(() => new NatsBroker({ servers: [server.url], jetstream: "on", logger: process.env.NATS_DEBUG ? (console as never) : undefined })),
  }));

  it("redelivers after a handler throw with the attempt count, then acks", async () => {
    const broker = await make();
    const t = topic();
    const got = new Received();
    const seen: number[] = [];
    await broker.subscribe(
      t,
      async (event) => {
        seen.push(event.delivery.attempt);
        if (event.delivery.attempt < 3) throw new Error("not yet");
        await got.handler(event);
      },
      { delivery: "at-least-once", queue: "w", backoff: { initialMs: 10, maxMs: 50 } },
    );
    await broker.publish(t, msg("r1"));
    await got.until(1);
    expect(seen).toEqual([1, 2, 3]);
    expect(got.events[0]!.delivery).toEqual({ attempt: 3, id: "r1", redelivered: true });
  });

  it("restores Micro-Topic and Content-Type the wire leaves out on a JetStream delivery", async () => {
    const broker = await make();
    const t = topic();
    const got = new Received();
    await broker.subscribe(t, got.handler, { delivery: "at-least-once", queue: "w" });
    await broker.publish(t, msg("h1", { [Headers.contentType]: "application/json", "X-Caller": "c" }));
    await got.until(1);
    expect(got.events[0]!.message.header).toEqual({ [Headers.id]: "h1", [Headers.topic]: t, [Headers.contentType]: "application/json", "X-Caller": "c" });
  });

  it("dead-letters after maxAttempts with the last error in the headers", async () => {
    const broker = await make();
    const t = topic();
    const dlq = new Received();
    let calls = 0;
    await broker.subscribe(`${t}.dlq`, dlq.handler, { delivery: "at-least-once", queue: "dlq" });
    await broker.subscribe(
      t,
      async () => {
        calls++;
        throw new Error(`boom ${calls}`);
      },
      { delivery: "at-least-once", queue: "w", maxAttempts: 2, backoff: { initialMs: 10, maxMs: 10 } },
    );
    await broker.publish(t, msg("d1", { "X-Caller": "c" }));
    await dlq.until(1);
    const h = dlq.events[0]!.message.header;
    expect(calls).toBe(2);
    expect(h).toMatchObject({ [Headers.id]: "d1", "X-Caller": "c", [DeadLetterHeaders.topic]: t, [DeadLetterHeaders.attempts]: "2", [Headers.topic]: `${t}.dlq` });
    expect(h[DeadLetterHeaders.error]).toContain("boom 2");
  });

  it("dead-letters a validation failure at once, without retrying", async () => {
    const broker = await make();
    const t = topic();
    const dlq = new Received();
    let calls = 0;
    await broker.subscribe(`${t}.bad`, dlq.handler, { delivery: "at-least-once", queue: "dlq" });
    await broker.subscribe(
      t,
      async () => {
        calls++;
        throw badRequest("name must be a string", ErrorIds.validation);
      },
      { delivery: "at-least-once", queue: "w", deadLetter: `${t}.bad` },
    );
    await broker.publish(t, msg("v1"));
    await dlq.until(1);
    expect(calls).toBe(1);
    expect(JSON.parse(dlq.events[0]!.message.header[DeadLetterHeaders.error]!)).toMatchObject({ id: ErrorIds.validation, code: 400 });
  });

  it("splits a durable queue group across brokers, every message once", async () => {
    const [a, b, pub] = [await make(), await make(), await make()];
    const t = topic();
    const got = new Received();
    const members: string[] = [];
    const member = (tag: string): BrokerHandler => (event) => (members.push(tag), got.handler(event));
    await a.subscribe(t, member("a"), { delivery: "at-least-once", queue: "g" });
    await b.subscribe(t, member("b"), { delivery: "at-least-once", queue: "g" });
    for (let i = 0; i < 60; i++) await pub.publish(t, msg(`q${i}`));
    await got.until(60);
    await pub.publish(t, msg("control"));
    await got.until(61);
    expect(new Set(got.ids).size).toBe(61);
    expect(got.ids).toHaveLength(61);
    expect(members).toEqual(expect.arrayContaining(["a", "b"]));
  });

  it("keeps messages published while a durable group is away and delivers them when it returns", async () => {
    const t = topic();
    const first = await make();
    const sub = await first.subscribe(t, async () => undefined, { delivery: "at-least-once", queue: "durable" });
    await sub.unsubscribe();
    const pub = await make();
    for (const id of ["k1", "k2", "k3"]) await pub.publish(t, msg(id));
    const got = new Received();
    await (await make()).subscribe(t, got.handler, { delivery: "at-least-once", queue: "durable" });
    await got.until(3);
    expect(got.ids).toEqual(["k1", "k2", "k3"]);
  });

  it("redelivers a message whose handler never acked (autoAck false) after the ack wait", async () => {
    const broker = await make();
    const t = topic();
    const got = new Received();
    await broker.subscribe(
      t,
      async (event) => {
        if (event.delivery.attempt === 1) return; // "crashed": no ack
        await got.handler(event);
        await event.ack();
      },
      { delivery: "at-least-once", queue: "w", autoAck: false },
    );
    await broker.publish(t, msg("a1"));
    await got.until(1, 10_000);
    expect(got.events[0]!.delivery).toMatchObject({ attempt: 2, redelivered: true });
  });

  it("stores a retried publish (same topic, same Micro-Id) once, but the same id on another topic of the stream again", async () => {
    // Regression: the Micro-Id alone was the dedupe id, so a reused id on a sibling topic was silently dropped.
    const broker = await make();
    const [t1, t2] = [topic(), topic()];
    const [a, b] = [new Received(), new Received()];
    await broker.subscribe(t1, a.handler, { delivery: "at-least-once", queue: "w" });
    await broker.subscribe(t2, b.handler, { delivery: "at-least-once", queue: "w" });
    await broker.publish(t1, msg("same"));
    await broker.publish(t1, msg("same"));
    await broker.publish(t2, msg("same"));
    await broker.publish(t1, msg("control"));
    await Promise.all([a.until(2), b.until(1)]);
    expect(a.ids).toEqual(["same", "control"]);
    expect(b.ids).toEqual(["same"]);
  });

  it("rejects an at-least-once subscription to a wildcard stream prefix with a 400", async () => {
    const broker = await make();
    await expect(broker.subscribe("*.created", async () => undefined, { delivery: "at-least-once" })).rejects.toMatchObject({ code: 400 });
  });

  it("reports a durable consumer's lag (pending + unacknowledged) and leaves core subscriptions out", async () => {
    const t = topic();
    const broker = await make();
    const held = heldHandler();
    await broker.subscribe(t, held.handler, { queue: "workers", delivery: "at-least-once" });
    await broker.subscribe(t, async () => undefined);
    for (let i = 0; i < 5; i++) await broker.publish(t, msg(`l${i}`));
    const report = await lagReaches(broker, t, "workers", 5);
    expect(report).toEqual([{ topic: t, queue: "workers", pending: 5 }]);
    held.release();
    await lagReaches(broker, t, "workers", 0);
  });
});

describe("NATS broker, outages", () => {
  it("fails a publish within its deadline while the server is down, and resumes after a restart", async () => {
    const server = await startNatsServer({ jetstream: true });
    const broker = new NatsBroker({ servers: [server.url], reconnectWaitMs: 50 });
    try {
      await broker.connect();
      const t = `outage${process.pid}.t`;
      const got = new Received();
      await broker.subscribe(t, got.handler, { delivery: "at-least-once", queue: "w" });
      await broker.publish(t, msg("before"));
      await got.until(1);
      await server.kill();
      const started = Date.now();
      const err: unknown = await broker.publish(t, msg("down"), { timeoutMs: 300 }).catch((e: unknown) => e);
      expect(MicroError.is(err)).toBe(true);
      expect(err).toMatchObject({ code: 503 });
      expect(Date.now() - started).toBeLessThan(3000);
      await server.restart();
      let published = false;
      for (let i = 0; i < 100 && !published; i++) published = await broker.publish(t, msg("after"), { timeoutMs: 200 }).then(() => true, () => false);
      expect(published).toBe(true);
      await got.until(2, 15_000);
      expect(got.ids).toEqual(["before", "after"]);
    } finally {
      await broker.disconnect();
      await server.stop();
    }
  });
});
