import { randomUUID } from "node:crypto";
import { DeadLetterHeaders } from "../../../src/broker/delivery";
import { RedisBroker } from "../../../src/broker/redis";
import type { RedisBrokerOptions } from "../../../src/broker/redis";
import { MicroError } from "../../../src/errors";
import { Received } from "../../contract/broker.contract";
import { heldHandler, lagReaches } from "../../helpers/lag";
import { startRedisServer, type RedisServer } from "../../helpers/servers/redis";

// What only Redis does: claims of a crashed consumer's entries, trimming, outages.
const msg = (id: string) => ({ header: { "Micro-Id": id }, body: Buffer.from(id) });

describe("RedisBroker against a real redis-server", () => {
  let server: RedisServer;
  const brokers: RedisBroker[] = [];
  const broker = async (options: RedisBrokerOptions = {}): Promise<RedisBroker> => {
    const b = new RedisBroker({ url: server.url, blockMs: 200, ...options });
    brokers.push(b);
    await b.connect();
    return b;
  };

  beforeAll(async () => {
    server = await startRedisServer({ durable: true });
  });
  afterEach(async () => {
    await Promise.all(brokers.splice(0).map((b) => b.disconnect()));
  });
  afterAll(async () => {
    await server?.stop();
  });

  it("hands an entry a consumer left unacknowledged to another member after the visibility timeout, as attempt 2", async () => {
    const topic = `claim.${randomUUID()}`;
    const fast = { visibilityTimeoutMs: 300, claimIntervalMs: 100, closeTimeoutMs: 50 };
    const options = { queue: "workers", delivery: "at-least-once" as const };
    const stuck = new Received();
    // It never looks for stale entries itself, so only the healthy member can claim this one.
    const crashed = await broker({ ...fast, claimIntervalMs: 60_000 });
    // A consumer that takes the entry and never answers: as good as a crashed process.
    await crashed.subscribe(topic, async (e) => (stuck.record(e), new Promise<void>(() => undefined)), options);
    const pub = await broker();
    await pub.publish(topic, msg("c1"));
    await stuck.until(1);
    const healthy = new Received();
    await (await broker(fast)).subscribe(topic, healthy.handler, options);
    await healthy.until(1);
    expect(healthy.events[0]!.delivery).toEqual({ attempt: 2, id: "c1", redelivered: true });
  });

  it("dead-letters a claimed entry that used up its attempts without running the handler", async () => {
    const topic = `claim-dlq.${randomUUID()}`;
    const fast = { visibilityTimeoutMs: 300, claimIntervalMs: 100, closeTimeoutMs: 50 };
    const options = { queue: "workers", delivery: "at-least-once" as const, maxAttempts: 1 };
    const stuck = new Received();
    await (await broker({ ...fast, claimIntervalMs: 60_000 })).subscribe(topic, async (e) => (stuck.record(e), new Promise<void>(() => undefined)), options);
    const pub = await broker();
    const dead = new Received();
    await pub.subscribe(`${topic}.dlq`, dead.handler);
    await pub.publish(topic, msg("c2"));
    await stuck.until(1);
    const healthy = new Received();
    await (await broker(fast)).subscribe(topic, healthy.handler, options);
    await dead.until(1);
    expect(dead.events[0]!.message.header[DeadLetterHeaders.error]).toMatch(/without an acknowledgement/);
    expect(dead.events[0]!.message.header[DeadLetterHeaders.attempts]).toBe("1");
    expect(healthy.events).toHaveLength(0);
  });

  it("trims each topic's stream to about maxLen entries", async () => {
    const topic = `trim.${randomUUID()}`;
    const pub = await broker({ maxLen: 100 });
    for (let i = 0; i < 1000; i++) await pub.publish(topic, msg(`t${i}`));
    const length = Number(await pub.commands().xlen(`micro:${topic}`));
    expect(length).toBeGreaterThanOrEqual(100);
    expect(length).toBeLessThan(1000);
  });

  it("fails a publish at once with a 503 while redis is down, and publishes and delivers again after it restarted", async () => {
    const topic = `outage.${randomUUID()}`;
    const sub = await broker({ reconnectMaxMs: 100 });
    const got = new Received();
    await sub.subscribe(topic, got.handler, { queue: "q", delivery: "at-least-once" });
    const pub = await broker({ reconnectMaxMs: 100 });
    await pub.publish(topic, msg("before"));
    await got.until(1);
    await server.kill();
    const err: unknown = await pub.publish(topic, msg("during")).catch((e: unknown) => e);
    expect(MicroError.is(err)).toBe(true);
    expect((err as MicroError).code).toBe(503);
    await server.restart();
    // Reconnecting takes a few attempts; the publisher retries as a user would.
    for (let i = 0; ; i++) {
      const ok = await pub.publish(topic, msg("after")).then(() => true, () => false);
      if (ok) break;
      if (i > 100) throw new Error("publish never succeeded after the restart");
      await new Promise((r) => setTimeout(r, 50));
    }
    await got.when(() => got.ids.includes("after"));
    expect(got.ids).toEqual(["before", "after"]);
  });
  it("gives a message without Micro-Id the stream entry id as its delivery id", async () => {
    const topic = `noid.${randomUUID()}`;
    const got = new Received();
    await (await broker()).subscribe(topic, got.handler, { queue: "q", delivery: "at-least-once" });
    await (await broker()).publish(topic, { header: {}, body: Buffer.from("x") });
    await got.until(1);
    expect(got.events[0]!.delivery.id).toMatch(/^\d+-\d+$/);
  });

  it("disconnects promptly while redis is down", async () => {
    const b = await broker({ closeTimeoutMs: 30_000 });
    await b.subscribe(`down.${randomUUID()}`, async () => undefined, { queue: "q", delivery: "at-least-once" });
    await b.subscribe(`down.${randomUUID()}`, async () => undefined);
    await server.kill();
    try {
      const started = Date.now();
      await b.disconnect();
      expect(Date.now() - started).toBeLessThan(5000);
    } finally {
      await server.restart();
    }
  });

  it("reports a queue group's lag (undelivered + unacknowledged) and leaves channel subscriptions out", async () => {
    const topic = `lag.${randomUUID()}`;
    const b = await broker();
    const held = heldHandler();
    await b.subscribe(topic, held.handler, { queue: "workers", delivery: "at-least-once" });
    await b.subscribe(topic, async () => undefined);
    for (let i = 0; i < 5; i++) await b.publish(topic, msg(`l${i}`));
    const report = await lagReaches(b, topic, "workers", 5);
    expect(report).toEqual([{ topic, queue: "workers", pending: 5 }]);
    held.release();
    await lagReaches(b, topic, "workers", 0);
  });
});
