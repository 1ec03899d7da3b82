import { randomUUID } from "node:crypto";
import { badRequest, MicroError } from "../../src/errors";
import type { Broker, BrokerEvent, BrokerHandler, BrokerMessage, DeliveryGuarantee, SubscribeOptions } from "../../src/broker/broker";
import { DeadLetterHeaders } from "../../src/broker/delivery";
import { Headers } from "../../src/transport/headers";
import { within } from "./transport.contract";

/**
 * What a broker contract run works on: brokers that play separate processes, all reaching the
 * same subscribers. An in-process broker may list one instance for every role.
 */
export interface BrokerFixture {
  readonly brokers: readonly Broker[];
  /** Releases what the fixture made besides the brokers (a shared registry, say). */
  teardown?(): Promise<void>;
}

/** What a backend promises beyond the common contract, and how patient the suite is with it. */
export interface BrokerContractOptions {
  /** The backend delivers one publisher's messages to a subscriber in publish order; default true. */
  ordered?: boolean;
  /** How long the suite waits for an expected delivery, in ms; default 5000. */
  timeoutMs?: number;
}

/** Records deliveries and waits, bounded, for a number of them. */
export class Received {
  readonly events: BrokerEvent[] = [];
  private wake: Array<() => void> = [];

  constructor(private readonly timeoutMs = 5000) {}

  readonly handler: BrokerHandler = async (event) => {
    this.record(event);
  };

  /** Records one delivery and wakes the waiters. */
  record(event: BrokerEvent): void {
    this.events.push(event);
    this.wake.splice(0).forEach((w) => w());
  }

  get ids(): string[] {
    return this.events.map((e) => e.message.header[Headers.id] ?? "");
  }

  /** Deliveries of the message with `Micro-Id` `id`. */
  of(id: string): BrokerEvent[] {
    return this.events.filter((e) => e.message.header[Headers.id] === id);
  }

  async until(count: number, ms = this.timeoutMs): Promise<void> {
    await this.when(() => this.events.length >= count, ms, `${count} deliveries`);
  }

  /** Waits, bounded, until `done()` holds after some delivery. */
  async when(done: () => boolean, ms = this.timeoutMs, what = "the expected deliveries"): Promise<void> {
    const deadline = Date.now() + ms;
    while (!done()) {
      const left = deadline - Date.now();
      if (left <= 0) throw new Error(`${what} did not arrive within ${ms} ms (got ${this.events.length}: ${this.ids.join(",")})`);
      await within(new Promise<void>((r) => this.wake.push(r)), left, "deliveries").catch(() => undefined);
    }
  }
}

function message(id: string, body: Buffer | string = id, header: Record<string, string> = {}): BrokerMessage {
  return { header: { [Headers.id]: id, ...header }, body: typeof body === "string" ? Buffer.from(body) : body };
}

const DELIVERIES: readonly DeliveryGuarantee[] = ["at-most-once", "at-least-once"];
/** Small backoffs keep the redelivery tests fast on every backend. */
const FAST = { backoff: { initialMs: 10, maxMs: 50, multiplier: 2 } } as const;

/**
 * The behaviour every broker must show: delivery with headers, fan-out, queue groups,
 * unsubscribe, ordering (where promised), failure isolation, at-least-once redelivery with
 * delivery info, dead-lettering (after the attempts, or at once for a permanent failure),
 * at-most-once dropping, lifecycle. `make` may be async (a durable backend connects to a server
 * its spec started in `beforeAll`); topics are unique per run, so a server may be shared.
 */
export function describeBrokerContract(name: string, make: () => BrokerFixture | Promise<BrokerFixture>, options: BrokerContractOptions = {}): void {
  const ordered = options.ordered ?? true;
  const timeoutMs = options.timeoutMs ?? 5000;
  describe(`Broker contract: ${name}`, () => {
    let fixture: BrokerFixture;
    let pub: Broker;
    let subA: Broker;
    let subB: Broker;
    let topicSeq = 0;
    const run = randomUUID().slice(0, 8);
    const topic = (): string => `contract.${name}.${run}.${++topicSeq}`;
    const received = (): Received => new Received(timeoutMs);

    beforeEach(async () => {
      fixture = await make();
      const n = fixture.brokers.length;
      [pub, subA, subB] = [fixture.brokers[0]!, fixture.brokers[1 % n]!, fixture.brokers[2 % n]!];
      await Promise.all([...new Set(fixture.brokers)].map((b) => b.connect()));
    });

    afterEach(async () => {
      await Promise.all([...new Set(fixture.brokers)].map((b) => b.disconnect()));
      await fixture.teardown?.();
    });

    it("delivers a message with its headers and binary body", async () => {
      const t = topic();
      const got = received();
      await subA.subscribe(t, got.handler);
      const body = Buffer.from(Array.from({ length: 256 }, (_, i) => i));
      const header = { [Headers.contentType]: "application/octet-stream", "X-Trace": "abc, def" };
      await pub.publish(t, message("e1", body, header));
      await got.until(1);
      const [event] = got.events;
      expect(event!.topic).toBe(t);
      expect(event!.message.header).toMatchObject({ ...header, [Headers.id]: "e1" });
      expect(event!.message.body.equals(body)).toBe(true);
      expect(event!.delivery).toEqual({ attempt: 1, id: "e1", redelivered: false });
      await expect(event!.ack()).resolves.toBeUndefined();
    });

    for (const delivery of DELIVERIES) {
      it(`carries Micro-Topic, Micro-Id, content type, traceparent and caller metadata as headers (${delivery})`, async () => {
        const t = topic();
        const got = received();
        await subA.subscribe(t, got.handler, { delivery, ...FAST });
        const traceparent = "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01";
        const header = { [Headers.contentType]: "application/json", [Headers.traceparent]: traceparent, [Headers.fromService]: "caller.svc" };
        await pub.publish(t, message("h1", '{"a":1}', header), { headers: { "X-User": "alice", "X-Tenant": "t-42" } });
        await got.until(1);
        const h = got.events[0]!.message.header;
        expect(h).toMatchObject({ ...header, [Headers.id]: "h1", [Headers.topic]: t, "X-User": "alice", "X-Tenant": "t-42" });
        expect(got.events[0]!.message.body.toString()).toBe('{"a":1}');
        expect(got.events[0]!.delivery).toMatchObject({ attempt: 1, id: "h1", redelivered: false });
      });
    }

    it("resolves a publish nobody subscribed to", async () => {
      await expect(pub.publish(topic(), message("lonely"))).resolves.toBeUndefined();
    });

    for (const delivery of DELIVERIES) {
      it(`gives every subscriber without a queue its own copy (${delivery})`, async () => {
        const t = topic();
        const [a, b] = [received(), received()];
        await subA.subscribe(t, a.handler, { delivery });
        await subB.subscribe(t, b.handler, { delivery });
        for (const id of ["1", "2", "3"]) await pub.publish(t, message(id));
        await Promise.all([a.until(3), b.until(3)]);
        expect(a.ids.sort()).toEqual(["1", "2", "3"]);
        expect(b.ids.sort()).toEqual(["1", "2", "3"]);
      });

      it(`splits messages within a queue group, none lost or duplicated, while plain subscribers get all (${delivery})`, async () => {
        const t = topic();
        const [group, all] = [received(), received()];
        const members: string[] = [];
        const member =
          (tag: string): BrokerHandler =>
          (event) => (members.push(tag), group.handler(event));
        await subA.subscribe(t, member("a"), { queue: "workers", delivery });
        await subB.subscribe(t, member("b"), { queue: "workers", delivery });
        await pub.subscribe(t, all.handler, { delivery });
        const n = 40;
        for (let i = 0; i < n; i++) await pub.publish(t, message(`m${i}`));
        await Promise.all([all.until(n), group.until(n)]);
        // A control message through the same brokers: anything duplicated would have arrived by now.
        await pub.publish(t, message("control"));
        await Promise.all([all.until(n + 1), group.until(n + 1)]);
        const ids = group.ids.filter((id) => id !== "control");
        expect(ids).toHaveLength(n);
        expect(new Set(ids).size).toBe(n);
        expect(members).toContain("a");
        expect(members).toContain("b");
      });

      it(`stops delivering after unsubscribe (${delivery})`, async () => {
        const t = topic();
        const [gone, control] = [received(), received()];
        const sub = await subA.subscribe(t, gone.handler, { delivery });
        await subB.subscribe(t, control.handler, { delivery });
        expect(sub.topic).toBe(t);
        await pub.publish(t, message("before"));
        await Promise.all([gone.until(1), control.until(1)]);
        await sub.unsubscribe();
        await sub.unsubscribe();
        await pub.publish(t, message("after"));
        await control.until(2);
        expect(gone.ids).toEqual(["before"]);
      });
    }

    if (ordered) {
      it("keeps one publisher's messages in order, even when publishes are not awaited one by one", async () => {
        const t = topic();
        const got = received();
        await subA.subscribe(t, got.handler);
        const ids = Array.from({ length: 50 }, (_, i) => `o${i}`);
        await Promise.all(ids.map((id) => pub.publish(t, message(id))));
        await got.until(ids.length);
        expect(got.ids).toEqual(ids);
      });
    }

    it("isolates a failing handler from the publisher and other subscribers", async () => {
      const t = topic();
      const good = received();
      let calls = 0;
      await subA.subscribe(t, async () => {
        calls++;
        throw new Error("handler exploded");
      });
      await subB.subscribe(t, good.handler);
      await expect(pub.publish(t, message("1"))).resolves.toBeUndefined();
      await expect(pub.publish(t, message("2"))).resolves.toBeUndefined();
      await good.until(2);
      expect(good.ids.sort()).toEqual(["1", "2"]);
      expect(calls).toBeGreaterThan(0);
    });

    it("at-least-once: redelivers after a handler throw, counting attempts, until the handler resolves", async () => {
      const t = topic();
      const got = received();
      await subA.subscribe(
        t,
        async (event) => {
          got.record(event);
          if (event.delivery.attempt < 3) throw new Error(`not yet (${event.delivery.attempt})`);
        },
        { delivery: "at-least-once", maxAttempts: 5, ...FAST },
      );
      await pub.publish(t, message("r1"));
      await got.when(() => got.of("r1").length >= 3);
      // A later message arriving shows the first one settled: it is not delivered a fourth time.
      await pub.publish(t, message("r2"));
      await got.when(() => got.of("r2").length >= 1);
      const r1 = got.of("r1");
      expect(r1.map((e) => e.delivery.attempt)).toEqual([1, 2, 3]);
      expect(r1.map((e) => e.delivery.redelivered)).toEqual([false, true, true]);
      expect(new Set(r1.map((e) => e.delivery.id))).toEqual(new Set(["r1"]));
      expect(r1.every((e) => e.message.body.toString() === "r1")).toBe(true);
    });

    it("at-least-once: dead-letters after maxAttempts with the last error in Micro-Dead-Letter-Error", async () => {
      const t = topic();
      const [tries, dead] = [received(), received()];
      await subB.subscribe(`${t}.dlq`, dead.handler, { delivery: "at-least-once" });
      await subA.subscribe(
        t,
        async (event) => {
          tries.record(event);
          throw new Error(`failure #${event.delivery.attempt}`);
        },
        { delivery: "at-least-once", maxAttempts: 3, ...FAST },
      );
      await pub.publish(t, message("d1", "payload", { "X-User": "bob" }));
      await dead.until(1);
      expect(tries.of("d1").map((e) => e.delivery.attempt)).toEqual([1, 2, 3]);
      const h = dead.events[0]!.message.header;
      expect(h[DeadLetterHeaders.error]).toContain("failure #3");
      expect(h[DeadLetterHeaders.topic]).toBe(t);
      expect(h[DeadLetterHeaders.attempts]).toBe("3");
      expect(h).toMatchObject({ [Headers.id]: "d1", "X-User": "bob" });
      expect(dead.events[0]!.message.body.toString()).toBe("payload");
    });

    it("at-least-once: dead-letters a permanent failure (MicroError 400) at once, to a custom topic", async () => {
      const t = topic();
      const [tries, dead] = [received(), received()];
      await subB.subscribe(`${t}.invalid`, dead.handler, { delivery: "at-least-once" });
      await subA.subscribe(
        t,
        async (event) => {
          tries.record(event);
          throw badRequest("name must be a string");
        },
        { delivery: "at-least-once", maxAttempts: 5, deadLetter: `${t}.invalid`, ...FAST },
      );
      await pub.publish(t, message("p1"));
      await dead.until(1);
      expect(tries.of("p1")).toHaveLength(1);
      const error = JSON.parse(dead.events[0]!.message.header[DeadLetterHeaders.error] ?? "{}") as { code?: number; detail?: string };
      expect(error).toMatchObject({ code: 400, detail: "name must be a string" });
      expect(dead.events[0]!.message.header[DeadLetterHeaders.attempts]).toBe("1");
    });

    it("at-most-once: a handler throw is neither redelivered nor dead-lettered", async () => {
      const t = topic();
      const [once, twice, dead] = [received(), received(), received()];
      const options: SubscribeOptions = { maxAttempts: 5, ...FAST };
      await subB.subscribe(`${t}.dlq`, dead.handler, { delivery: "at-least-once" });
      await subA.subscribe(t, async (event) => (once.record(event), Promise.reject(new Error("dropped"))), { ...options, delivery: "at-most-once" });
      // A sibling at-least-once subscriber with the same backoff: once its redelivery arrived,
      // an (erroneous) at-most-once redelivery would have had the same time to arrive.
      await subB.subscribe(
        t,
        async (event) => {
          twice.record(event);
          if (event.delivery.attempt === 1) throw new Error("once more");
        },
        { ...options, delivery: "at-least-once", queue: "sibling" },
      );
      await pub.publish(t, message("a1"));
      await twice.when(() => twice.of("a1").length >= 2);
      await pub.publish(t, message("a2"));
      await once.when(() => once.of("a2").length >= 1);
      await twice.when(() => twice.of("a2").length >= 1);
      expect(once.of("a1")).toHaveLength(1);
      expect(dead.events).toHaveLength(0);
    });

    it("rejects nonsense delivery options at subscribe", async () => {
      await expect(subA.subscribe(topic(), async () => undefined, { delivery: "at-least-once", maxAttempts: 0 })).rejects.toThrow(/maxAttempts/);
    });

    it("connects and disconnects idempotently, refusing to publish once disconnected", async () => {
      await pub.connect();
      await Promise.all([pub.disconnect(), pub.disconnect()]);
      await pub.disconnect();
      const err: unknown = await pub.publish(topic(), message("late")).catch((e: unknown) => e);
      expect(MicroError.is(err)).toBe(true);
      expect((err as MicroError).code).toBe(503);
      await pub.connect();
      await pub.connect();
      await expect(pub.publish(topic(), message("again"))).resolves.toBeUndefined();
    });
  });
}
