import { randomUUID } from "node:crypto";
import { connect, type ChannelModel } from "amqplib";
import { MicroError, SilentLogger, badRequest, createClient } from "../../../src";
import type { Broker, BrokerEvent, BrokerMessage } from "../../../src/broker/broker";
import { DeadLetterHeaders } from "../../../src/broker/delivery";
import { RabbitMqBroker, type RabbitMqBrokerOptions } from "../../../src/broker/rabbitmq";
import { Headers } from "../../../src/transport/headers";
import { Received, describeBrokerContract } from "../../contract/broker.contract";
import { heldHandler, lagReaches } from "../../helpers/lag";
import { freePort } from "../../helpers/ports";
import { startRabbitMq, type RabbitMqServer } from "../../helpers/servers/rabbitmq";
import { killAll, runNode, startNode, type Child } from "../../helpers/processes";
import { waitFor } from "../../helpers/wait";

// One RabbitMQ node for the whole file (it takes seconds to boot): the contract, then the
// RabbitMQ-specific behaviour and the pubsub sample (from dist/: build first). Killing and
// restarting the node is rabbitmq-restart.spec.ts's business.
let server: RabbitMqServer;
const run = randomUUID().slice(0, 8);
const opened: Broker[] = [];

beforeAll(async () => {
  server = await startRabbitMq();
}, 120_000);

const raws: ChannelModel[] = [];

afterEach(async () => {
  await Promise.all(opened.splice(0).map((b) => b.disconnect()));
  await Promise.all(raws.splice(0).map((c) => c.close().catch(() => undefined)));
});

/** A plain amqplib connection for looking at (or tampering with) the server; closed after the test. */
async function raw(): Promise<ChannelModel> {
  const conn = await connect(server.url);
  conn.on("error", () => undefined);
  raws.push(conn);
  return conn;
}

afterAll(async () => {
  await server?.stop();
});

const make = (options: RabbitMqBrokerOptions = {}): RabbitMqBroker => new RabbitMqBroker({ url: server.url, ...options });

async function connected(options: RabbitMqBrokerOptions = {}): Promise<RabbitMqBroker> {
  const broker = make(options);
  opened.push(broker);
  await broker.connect();
  return broker;
}

let seq = 0;
const topic = (what: string): string => `rmq.${run}.${what}.${++seq}`;
const message = (id: string, header: Record<string, string> = {}): BrokerMessage => ({ header: { [Headers.id]: id, ...header }, body: Buffer.from(id) });

describeBrokerContract("rabbitmq", () => ({ brokers: [make(), make(), make()] }));

describe("RabbitMQ broker", () => {
  it("reports a queue's ready messages as its lag (the one prefetched and unacked not counted)", async () => {
    const broker = await connected({ prefetch: 1 });
    const t = topic("lag");
    const held = heldHandler();
    await broker.subscribe(t, held.handler, { queue: "workers", delivery: "at-least-once" });
    for (let i = 0; i < 5; i++) await broker.publish(t, message(`l${i}`));
    const report = await lagReaches(broker, t, "workers", 4);
    expect(report).toEqual([{ topic: t, queue: "workers", pending: 4 }]);
    held.release();
    await lagReaches(broker, t, "workers", 0);
  });

  it("carries Micro-* headers, content type, traceparent and caller metadata as AMQP headers", async () => {
    const broker = await connected();
    const t = topic("headers");
    const got = new Received();
    await broker.subscribe(t, got.handler);
    const traceparent = "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01";
    await broker.publish(t, message("h1", { [Headers.contentType]: "application/json", [Headers.traceparent]: traceparent }), {
      headers: { "X-Caller": "alice" },
    });
    await got.until(1);
    const header = got.events[0]!.message.header;
    expect(header).toMatchObject({
      [Headers.id]: "h1",
      [Headers.topic]: t,
      [Headers.contentType]: "application/json",
      [Headers.traceparent]: traceparent,
      "X-Caller": "alice",
    });
    expect(Object.keys(header).filter((k) => k.startsWith("x-"))).toEqual([]);
    expect(got.events[0]!.delivery).toEqual({ attempt: 1, id: "h1", redelivered: false });
  });

  it("routes by topic pattern: * is one word, # any number of words; the event names the real topic", async () => {
    const broker = await connected();
    const base = `rmq.${run}.wild${++seq}`;
    const [star, hash] = [new Received(), new Received()];
    await broker.subscribe(`${base}.*.created`, star.handler);
    await broker.subscribe(`${base}.#`, hash.handler);
    for (const t of [`${base}.user.created`, `${base}.user.profile.created`, `${base}.order.created`, base]) await broker.publish(t, message(t));
    await hash.until(4);
    await star.until(2);
    expect(star.events.map((e) => e.topic).sort()).toEqual([`${base}.order.created`, `${base}.user.created`]);
    expect(hash.events.map((e) => e.topic).sort()).toEqual([base, `${base}.order.created`, `${base}.user.created`, `${base}.user.profile.created`].sort());
  });

  it("refuses to publish to a pattern, with a 400", async () => {
    const broker = await connected();
    const err = await broker.publish(`rmq.${run}.*`, message("x")).catch((e: unknown) => e);
    expect(MicroError.is(err) && err.code).toBe(400);
  });

  it("at-least-once: redelivers after a throw with growing attempts, then acks", async () => {
    const broker = await connected();
    const t = topic("redeliver");
    const deliveries: BrokerEvent[] = [];
    const done = new Received();
    await broker.subscribe(
      t,
      async (event) => {
        deliveries.push(event);
        if (event.delivery.attempt < 3) throw new Error(`fail ${event.delivery.attempt}`);
        await done.handler(event);
      },
      { delivery: "at-least-once", queue: "workers", backoff: { initialMs: 20, multiplier: 2, maxMs: 100 } },
    );
    await broker.publish(t, message("r1"));
    await done.until(1);
    expect(deliveries.map((e) => e.delivery)).toEqual([
      { attempt: 1, id: "r1", redelivered: false },
      { attempt: 2, id: "r1", redelivered: true },
      { attempt: 3, id: "r1", redelivered: true },
    ]);
    expect(deliveries.every((e) => e.topic === t && e.message.body.toString() === "r1")).toBe(true);
  });

  it("at-least-once: dead-letters to <topic>.dlq after maxAttempts with the last error, and parks a copy", async () => {
    const broker = await connected();
    const t = topic("dlq");
    let calls = 0;
    const dead = new Received();
    await broker.subscribe(`${t}.dlq`, dead.handler);
    await broker.subscribe(
      t,
      async () => {
        calls++;
        throw new Error(`boom ${calls}`);
      },
      { delivery: "at-least-once", queue: "workers", maxAttempts: 3, backoff: { initialMs: 10, maxMs: 10 } },
    );
    await broker.publish(t, message("d1", { "X-Caller": "bob" }));
    await dead.until(1);
    const [event] = dead.events;
    expect(calls).toBe(3);
    expect(event!.topic).toBe(`${t}.dlq`);
    expect(event!.message.body.toString()).toBe("d1");
    expect(event!.message.header).toMatchObject({
      [Headers.id]: "d1",
      "X-Caller": "bob",
      [DeadLetterHeaders.topic]: t,
      [DeadLetterHeaders.attempts]: "3",
      [DeadLetterHeaders.error]: "Error: boom 3",
    });
    const conn = await raw();
    const ch = await conn.createChannel();
    await waitFor(async () => (await ch.checkQueue(`micro.dlx:${t}.dlq`)).messageCount === 1, 5000, "the parked dead letter");
  });

  it("at-least-once: an invalid event (400) goes to the dead-letter topic at once", async () => {
    const broker = await connected();
    const t = topic("invalid");
    let calls = 0;
    const dead = new Received();
    await broker.subscribe(`${t}.dlq`, dead.handler);
    await broker.subscribe(
      t,
      async () => {
        calls++;
        throw badRequest("name must be a string");
      },
      { delivery: "at-least-once", queue: "workers" },
    );
    await broker.publish(t, message("v1"));
    await dead.until(1);
    expect(calls).toBe(1);
    expect(dead.events[0]!.message.header[DeadLetterHeaders.attempts]).toBe("1");
    expect(JSON.parse(dead.events[0]!.message.header[DeadLetterHeaders.error]!)).toMatchObject({ code: 400, detail: "name must be a string" });
  });

  it("at-most-once: a failed message is dropped, not redelivered", async () => {
    const broker = await connected();
    const t = topic("amo");
    const seen: string[] = [];
    await broker.subscribe(t, async (e) => {
      seen.push(e.message.header[Headers.id]!);
      if (e.message.header[Headers.id] === "bad") throw new Error("dropped");
    });
    await broker.publish(t, message("bad"));
    await broker.publish(t, message("good"));
    await waitFor(() => seen.includes("good"), 5000, "the second message");
    // One more round trip through the same queue: a redelivery of "bad" would come before it.
    await broker.publish(t, message("control"));
    await waitFor(() => seen.includes("control"), 5000, "the control message");
    expect(seen).toEqual(["bad", "good", "control"]);
  });

  it.each(["at-most-once", "at-least-once"] as const)("%s: runs at most `prefetch` handlers at once", async (delivery) => {
    const broker = await connected({ prefetch: 2 });
    const t = topic("prefetch");
    let running = 0;
    let peak = 0;
    const release: Array<() => void> = [];
    const done = new Received();
    await broker.subscribe(
      t,
      async (e) => {
        peak = Math.max(peak, ++running);
        await new Promise<void>((r) => release.push(r));
        running--;
        await done.handler(e);
      },
      { delivery, queue: "slow" },
    );
    for (let i = 0; i < 6; i++) await broker.publish(t, message(`p${i}`));
    await waitFor(() => release.length === 2, 5000, "two running handlers");
    // Let the broker push whatever it would push beyond the window.
    await broker.publish(topic("flush"), message("flush"));
    expect(running).toBe(2);
    while (done.events.length < 6) {
      release.splice(0).forEach((r) => r());
      await waitFor(() => release.length > 0 || done.events.length === 6, 5000, "the next handlers");
    }
    expect(peak).toBe(2);
  });

  it("a retry queue that cannot be declared requeues the message after the backoff (no spinning), and publishing recovers", async () => {
    const broker = await connected();
    const t = topic("noretry");
    const conn = await raw();
    const ch = await conn.createChannel();
    // Same name, other arguments: declaring the retry queue fails with PRECONDITION_FAILED, closing the publisher channel.
    const retry = `micro:${t}:workers:retry:500`;
    await ch.assertQueue(retry, { durable: true });
    const tries = new Received();
    const dead = new Received();
    const at: number[] = [];
    await broker.subscribe(`${t}.dlq`, dead.handler);
    await broker.subscribe(
      t,
      async (event) => {
        at.push(Date.now());
        tries.record(event);
        throw new Error("always");
      },
      { delivery: "at-least-once", queue: "workers", maxAttempts: 2, backoff: { initialMs: 500, maxMs: 500 } },
    );
    await broker.publish(t, message("n1"));
    await tries.until(3, 10_000);
    // Publishing works at once on the replaced channel, and the message came back only after each backoff.
    const control = new Received();
    await broker.subscribe(`${t}.control`, control.handler);
    await broker.publish(`${t}.control`, message("c1"));
    await control.until(1);
    expect(tries.events.length).toBeLessThanOrEqual(5);
    // A lower bound only (timers never fire early): without the delay the message came straight back.
    expect(Math.min(...at.slice(1).map((t, i) => t - at[i]!))).toBeGreaterThanOrEqual(450);
    expect(tries.events.map((e) => e.delivery.attempt)).toEqual(tries.events.map(() => 1));
    expect(tries.events.slice(1).every((e) => e.delivery.redelivered)).toBe(true);
    // Once the retry queue can be declared, the next failure goes on to attempt 2, then the dead-letter topic.
    await ch.deleteQueue(retry);
    await dead.until(1, 10_000);
    expect(dead.events[0]!.message.header[DeadLetterHeaders.attempts]).toBe("2");
  });

  it("rejects a publish the broker nacks with a MicroError (a full reject-publish queue)", async () => {
    const broker = await connected();
    const t = topic("nack");
    const conn = await raw();
    const ch = await conn.createChannel();
    const q = `full-${t}`;
    await ch.assertQueue(q, { arguments: { "x-max-length": 1, "x-overflow": "reject-publish" } });
    await ch.bindQueue(q, "micro", t);
    await broker.publish(t, message("fits"));
    const err = await broker.publish(t, message("overflows")).catch((e: unknown) => e);
    expect(MicroError.is(err)).toBe(true);
    expect((err as MicroError).code).toBe(503);
    await ch.deleteQueue(q);
  });

  it("fails to connect to a port nobody serves with a 503, within connectTimeoutMs", async () => {
    const broker = new RabbitMqBroker({ url: `amqp://guest:guest@127.0.0.1:${await freePort()}`, connectTimeoutMs: 1000 });
    const err = await broker.connect().catch((e: unknown) => e);
    expect(MicroError.is(err) && err.code).toBe(503);
    expect((err as MicroError).detail).not.toContain("guest:guest");
    await broker.disconnect();
  });

  it("gives a group-less at-least-once subscriber a durable queue of its own, deleted on unsubscribe", async () => {
    const broker = await connected();
    const t = topic("owned");
    const sub = await broker.subscribe(t, async () => undefined, { delivery: "at-least-once" });
    // The queue's name is random; the subscription knows it (read here for the check only).
    const name = (sub as unknown as { queueName: string }).queueName;
    expect(name.startsWith(`micro:${t}:~`)).toBe(true);
    const conn = await raw();
    const exists = async (): Promise<boolean> => {
      const ch = await conn.createChannel();
      ch.on("error", () => undefined);
      const found = await ch.checkQueue(name).then(() => true, () => false);
      await ch.close().catch(() => undefined);
      return found;
    };
    expect(await exists()).toBe(true);
    await sub.unsubscribe();
    expect(await exists()).toBe(false);
  });

  // samples/pubsub/README.md's RabbitMQ commands as real processes (needs `npx tsc -p tsconfig.build.json` first).
  it("runs the pubsub sample: every listener gets the audit event, one listener of the mailer group the welcome mail", async () => {
    const flags = ["--registry=memory", "--broker=rabbitmq", `--broker_address=${server.url}`];
    const listeners: Child[] = [startNode("samples/pubsub/pubsub.js", flags), startNode("samples/pubsub/pubsub.js", flags)];
    try {
      await Promise.all(listeners.map((l) => l.waitFor(/listener ready at/)));
      const ids = [1, 2, 3, 4].map(() => `u-${randomUUID().slice(0, 8)}`);
      for (const id of ids) {
        const pub = await runNode("src/cli/main.js", [...flags, "publish", "user.created", JSON.stringify({ id })]);
        expect(pub.stderr).toBe("");
        expect(pub.code).toBe(0);
      }
      for (const id of ids) {
        await Promise.all(listeners.map((l) => l.waitFor(new RegExp(`audit: user ${id} created`))));
        await Promise.race(listeners.map((l) => l.waitFor(new RegExp(`mailer: welcome mail to ${id}`))));
      }
      for (const l of listeners) l.process.kill("SIGTERM");
      expect(await Promise.all(listeners.map((l) => l.exited))).toEqual([0, 0]);
      const all = listeners.map((l) => l.stdout()).join("");
      for (const id of ids) expect(all.match(new RegExp(`mailer: welcome mail to ${id}`, "g"))).toHaveLength(1);
    } finally {
      await killAll();
    }
  }, 60_000);

  it("is chosen by --broker=rabbitmq --broker_address=URL", async () => {
    const standalone = await createClient({ argv: ["--broker=rabbitmq", `--broker_address=${server.url}`, "--registry=memory"], env: {}, logger: new SilentLogger() });
    try {
      expect(standalone.broker.name).toBe("rabbitmq");
      await standalone.broker.connect();
      const t = topic("flag");
      const got = new Received();
      await standalone.broker.subscribe(t, got.handler);
      await standalone.client.publish(t, { hello: "world" });
      await got.until(1);
      expect(JSON.parse(got.events[0]!.message.body.toString())).toEqual({ hello: "world" });
    } finally {
      await standalone.close();
    }
  });
});
