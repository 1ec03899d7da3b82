import { IsInt, IsString } from "class-validator";
import { CodecSet, JsonCodec, MemoryBroker, type LogFields, type Logger, type SubscriberDescriptor } from "../../../src";
import { Inflight } from "../../../src/server/inflight";
import { subscribeAll } from "../../../src/server/subscribers";

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
});
