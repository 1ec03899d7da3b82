import { MicroError } from "../../src/errors";
import type { Broker, BrokerEvent, BrokerHandler, BrokerMessage } from "../../src/broker/broker";
import { Headers } from "../../src/transport/headers";
import { waitFor } from "../helpers/wait";
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

/** Records deliveries and waits, bounded, for a number of them. */
export class Received {
  readonly events: BrokerEvent[] = [];
  private wake: Array<() => void> = [];

  readonly handler: BrokerHandler = async (event) => {
    this.events.push(event);
    this.wake.splice(0).forEach((w) => w());
  };

  get ids(): string[] {
    return this.events.map((e) => e.message.header[Headers.id] ?? "");
  }

  async until(count: number, ms = 5000): Promise<void> {
    const deadline = Date.now() + ms;
    while (this.events.length < count) {
      const left = deadline - Date.now();
      if (left <= 0) throw new Error(`got ${this.events.length} of ${count} deliveries within ${ms} ms`);
      await within(new Promise<void>((r) => this.wake.push(r)), left, "deliveries").catch(() => undefined);
    }
  }
}

function message(id: string, body: Buffer | string = id, header: Record<string, string> = {}): BrokerMessage {
  return { header: { [Headers.id]: id, ...header }, body: typeof body === "string" ? Buffer.from(body) : body };
}

/** The behaviour every broker must show: delivery, fan-out, queue groups, unsubscribe, failure isolation, lifecycle. */
export function describeBrokerContract(name: string, make: () => BrokerFixture): void {
  describe(`Broker contract: ${name}`, () => {
    let fixture: BrokerFixture;
    let pub: Broker;
    let subA: Broker;
    let subB: Broker;
    let topicSeq = 0;
    const topic = (): string => `contract.${name}.${++topicSeq}`;

    beforeEach(async () => {
      fixture = make();
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
      const got = new Received();
      await subA.subscribe(t, got.handler);
      const body = Buffer.from(Array.from({ length: 256 }, (_, i) => i));
      const header = { [Headers.contentType]: "application/octet-stream", "X-Trace": "abc, def" };
      await pub.publish(t, message("e1", body, header));
      await got.until(1);
      const [event] = got.events;
      expect(event!.topic).toBe(t);
      expect(event!.message.header).toMatchObject({ ...header, [Headers.id]: "e1" });
      expect(event!.message.body.equals(body)).toBe(true);
      await expect(event!.ack()).resolves.toBeUndefined();
    });

    it("resolves a publish nobody subscribed to", async () => {
      await expect(pub.publish(topic(), message("lonely"))).resolves.toBeUndefined();
    });

    it("gives every plain subscriber its own copy", async () => {
      const t = topic();
      const [a, b] = [new Received(), new Received()];
      await subA.subscribe(t, a.handler);
      await subB.subscribe(t, b.handler);
      for (const id of ["1", "2", "3"]) await pub.publish(t, message(id));
      await Promise.all([a.until(3), b.until(3)]);
      expect(a.ids.sort()).toEqual(["1", "2", "3"]);
      expect(b.ids.sort()).toEqual(["1", "2", "3"]);
    });

    it("splits messages within a queue group, none lost or duplicated, while plain subscribers get all", async () => {
      const t = topic();
      const [group, all] = [new Received(), new Received()];
      const members: string[] = [];
      const member = (tag: string): BrokerHandler => (event) => (members.push(tag), group.handler(event));
      await subA.subscribe(t, member("a"), { queue: "workers" });
      await subB.subscribe(t, member("b"), { queue: "workers" });
      await pub.subscribe(t, all.handler);
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

    it("stops delivering after unsubscribe", async () => {
      const t = topic();
      const [gone, control] = [new Received(), new Received()];
      const sub = await subA.subscribe(t, gone.handler);
      await subB.subscribe(t, control.handler);
      expect(sub.topic).toBe(t);
      await pub.publish(t, message("before"));
      await Promise.all([gone.until(1), control.until(1)]);
      await sub.unsubscribe();
      await sub.unsubscribe();
      await pub.publish(t, message("after"));
      await control.until(2);
      expect(gone.ids).toEqual(["before"]);
    });

    it("isolates a failing handler from the publisher and other subscribers", async () => {
      const t = topic();
      const good = new Received();
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
      // Subscribers on separate connections (NATS, RabbitMQ) get their copies in no set order across them.
      await waitFor(() => calls > 0, 5000, "the failing handler to run");
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
