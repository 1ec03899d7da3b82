import { IsInt, IsString } from "class-validator";
import { CodecSet, JsonCodec, MemoryBroker, type LogFields, type Logger, type SubscriberDescriptor } from "../../../src";
import { Inflight } from "../../../src/server/inflight";
import { subscribeAll } from "../../../src/server/subscribers";
import { DeadLetterHeaders } from "../../../src/broker/delivery";
import { ErrorIds } from "../../../src/errors";
import { Received } from "../../contract/broker.contract";

class UserCreated {
  @IsString() id!: string;
  @IsInt() age!: number;
}

class RecordingLogger implements Logger {
  readonly lines: Array<{ level: string; msg: string; fields?: LogFields }> = [];
  debug(msg: string, fields?: LogFields): void { this.lines.push({ level: "debug", msg, fields }); }
  info(msg: string, fields?: LogFields): void { this.lines.push({ level: "info", msg, fields }); }
  warn(msg: string, fields?: LogFields): void { this.lines.push({ level: "warn", msg, fields }); }
  error(msg: string, fields?: LogFields): void { this.lines.push({ level: "error", msg, fields }); }
  child(): Logger { return this; }
}

async function setup(d: Partial<SubscriberDescriptor>): Promise<{ logger: RecordingLogger; broker: MemoryBroker; inflight: Inflight }> {
  const logger = new RecordingLogger();
  // The broker logs into the same logger, so a rethrown error would show up as a second line.
  const broker = new MemoryBroker({ logger });
  await broker.connect();
  const inflight = new Inflight();
  const descriptor: SubscriberDescriptor = { topic: "user.created", invoke: async () => undefined, eventType: UserCreated, validate: true, ...d };
  await subscribeAll({ service: "svc", broker, codecs: new CodecSet([new JsonCodec()]), inflight, logger }, [descriptor]);
  return { logger, broker, inflight };
}

function event(body: unknown): { header: Record<string, string>; body: Buffer } {
  return { header: { "Micro-Id": "ev-42", "Content-Type": "application/json" }, body: Buffer.from(JSON.stringify(body)) };
}

describe("subscriber delivery", () => {
  // Regression: an invalid event was logged twice (by the subscriber and by the broker).
  it("logs an invalid event once, with the topic, the message id and the failing fields, and skips the handler", async () => {
    const invoke = jest.fn(async () => undefined);
    const { logger, broker, inflight } = await setup({ invoke });
    await broker.publish("user.created", event({ id: 7, age: "old" }));
    const errors = logger.lines.filter((l) => l.level === "error");
    expect(errors).toHaveLength(1);
    expect(errors[0]!.fields).toMatchObject({ topic: "user.created", id: "ev-42", error: expect.stringMatching(/id: .*age: /) });
    expect(invoke).not.toHaveBeenCalled();
    expect(inflight.size).toBe(0);
  });

  it("strips unknown event properties before the handler sees them", async () => {
    const seen: unknown[] = [];
    const { broker } = await setup({ invoke: async (ev) => void seen.push(ev) });
    await broker.publish("user.created", event({ id: "u1", age: 3, isAdmin: true }));
    expect(seen).toEqual([{ id: "u1", age: 3 }]);
  });

  it("takes a handler that throws synchronously down the error path and keeps delivering", async () => {
    let calls = 0;
    const { logger, broker, inflight } = await setup({
      invoke: (() => {
        if (++calls === 1) throw new Error("sync boom");
        return Promise.resolve();
      }) as SubscriberDescriptor["invoke"],
    });
    await broker.publish("user.created", event({ id: "u1", age: 1 }));
    expect(logger.lines.find((l) => l.msg === "subscriber failed")?.fields).toMatchObject({ topic: "user.created", id: "ev-42", error: expect.stringContaining("sync boom") });
    await broker.publish("user.created", event({ id: "u2", age: 2 }));
    expect(calls).toBe(2);
    expect(inflight.size).toBe(0);
  });

  it("counts a delivery in flight until its handler settles, and one whose subscriber returns no promise as done", async () => {
    let finish!: () => void;
    const held = new Promise<void>((resolve) => (finish = resolve));
    let calls = 0;
    const { broker, inflight } = await setup({
      // A plain-JS subscriber chain may hand back a value instead of a promise.
      invoke: (() => (++calls === 1 ? held : undefined)) as unknown as SubscriberDescriptor["invoke"],
    });
    const first = broker.publish("user.created", event({ id: "u1", age: 1 }));
    await new Promise((resolve) => setImmediate(resolve));
    expect(inflight.size).toBe(1);
    finish();
    await first;
    await broker.publish("user.created", event({ id: "u2", age: 2 }));
    expect(calls).toBe(2);
    expect(inflight.size).toBe(0);
  });
});

describe("subscriber delivery options", () => {
  const fast = { delivery: "at-least-once" as const, maxAttempts: 3, backoff: { initialMs: 1, maxMs: 5 } };

  it("passes queue, delivery, attempts, backoff and dead-letter topic to broker.subscribe", async () => {
    const broker = new MemoryBroker();
    await broker.connect();
    const subscribe = jest.spyOn(broker, "subscribe");
    const descriptor: SubscriberDescriptor = { topic: "t", queue: "q", invoke: async () => undefined, validate: false, delivery: { ...fast, deadLetter: "t.bad" } };
    await subscribeAll({ service: "svc", broker, codecs: new CodecSet([new JsonCodec()]), inflight: new Inflight(), logger: new RecordingLogger() }, [descriptor]);
    expect(subscribe).toHaveBeenCalledWith("t", expect.any(Function), { queue: "q", ...fast, deadLetter: "t.bad" });
    await broker.disconnect();
  });

  it("shows handlers ctx.delivery, counting attempts across redeliveries", async () => {
    const seen: Array<{ attempt: number; id: string; redelivered: boolean } | undefined> = [];
    let second!: () => void;
    const redelivered = new Promise<void>((r) => (second = r));
    const { broker } = await setup({
      delivery: fast,
      invoke: async (_ev, ctx) => {
        seen.push(ctx.delivery);
        if (seen.length < 2) throw new Error("try again");
        second();
      },
    });
    await broker.publish("user.created", event({ id: "u1", age: 1 }));
    await redelivered;
    expect(seen).toEqual([
      { attempt: 1, id: "ev-42", redelivered: false },
      { attempt: 2, id: "ev-42", redelivered: true },
    ]);
  });

  // At-least-once: a retry cannot fix an invalid event, so it is dead-lettered on the first attempt.
  it("dead-letters an invalid event at once when the subscriber is at-least-once, logging it once", async () => {
    const invoke = jest.fn(async () => undefined);
    const { logger, broker } = await setup({ invoke, delivery: fast });
    const dead = new Received();
    await broker.subscribe("user.created.dlq", dead.handler);
    await broker.publish("user.created", event({ id: 7, age: "old" }));
    await dead.until(1);
    expect(invoke).not.toHaveBeenCalled();
    const error = JSON.parse(dead.events[0]!.message.header[DeadLetterHeaders.error]!) as { code: number; id: string };
    expect(error).toMatchObject({ code: 400, id: ErrorIds.validation });
    expect(dead.events[0]!.message.header[DeadLetterHeaders.attempts]).toBe("1");
    expect(logger.lines.filter((l) => l.msg === "invalid event dead-lettered")).toHaveLength(1);
    expect(logger.lines.filter((l) => l.msg === "subscriber failed")).toHaveLength(0);
  });

  it("dead-letters an undecodable event at once when the subscriber is at-least-once", async () => {
    const { broker } = await setup({ delivery: fast });
    const dead = new Received();
    await broker.subscribe("user.created.dlq", dead.handler);
    await broker.publish("user.created", { header: { "Micro-Id": "bad", "Content-Type": "application/json" }, body: Buffer.from("{not json") });
    await dead.until(1);
    expect(JSON.parse(dead.events[0]!.message.header[DeadLetterHeaders.error]!)).toMatchObject({ code: 400 });
  });

  it("still drops an invalid event without dead-lettering it when the subscriber is at-most-once", async () => {
    const { logger, broker } = await setup({ delivery: { ...fast, delivery: "at-most-once" } });
    const dead = new Received();
    await broker.subscribe("user.created.dlq", dead.handler);
    await broker.publish("user.created", event({ id: 7, age: "old" }));
    expect(logger.lines.filter((l) => l.msg === "invalid event dropped")).toHaveLength(1);
    expect(dead.events).toHaveLength(0);
  });
});
