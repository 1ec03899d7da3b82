import { IsInt, IsString, Min, ValidateNested } from "class-validator";
import { Type } from "class-transformer";
import {
  Broker,
  Handler,
  MemoryBroker,
  MemoryRegistry,
  MicroError,
  Module,
  Registry,
  Service,
  Subscribe,
  createClient,
  createService,
  type LogFields,
  type Logger,
  type MicroService,
  type StandaloneClient,
} from "../../src";

// The whole stack (decorators → explorer → server → tcp → client) for issue #6's validation items.

class RecordingLogger implements Logger {
  readonly lines: Array<{ level: string; msg: string; fields?: LogFields }> = [];
  debug(msg: string, fields?: LogFields): void { this.lines.push({ level: "debug", msg, fields }); }
  info(msg: string, fields?: LogFields): void { this.lines.push({ level: "info", msg, fields }); }
  warn(msg: string, fields?: LogFields): void { this.lines.push({ level: "warn", msg, fields }); }
  error(msg: string, fields?: LogFields): void { this.lines.push({ level: "error", msg, fields }); }
  child(): Logger { return this; }
}

class Address {
  @IsString() city!: string;
}
class SaveUser {
  @IsString() name!: string;
  @IsInt() @Min(0) age!: number;
  @ValidateNested() @Type(() => Address) address!: Address;
}
class Loose {
  name!: string;
}
interface Untyped {
  name: string;
}

const NAME = `validation-${process.pid}-${Date.now()}`;
const TOPIC = `${NAME}.saved`;
const events: unknown[] = [];

@Service(NAME)
class Users {
  @Handler()
  async save(req: SaveUser): Promise<unknown> {
    return { keys: Object.keys(req), addressKeys: Object.keys(req.address), isInstance: req instanceof SaveUser };
  }
  @Handler({ forbidNonWhitelisted: false })
  async lenient(req: SaveUser): Promise<string[]> {
    return Object.keys(req);
  }
  @Handler()
  async loose(req: Loose): Promise<Loose> {
    return req;
  }
  @Subscribe(TOPIC)
  async onSaved(ev: SaveUser): Promise<void> {
    events.push(ev);
  }
}

describe("validation across the stack", () => {
  const registry = new MemoryRegistry();
  const broker = new MemoryBroker();
  @Module({ services: [Users], providers: [{ provide: Registry, useValue: registry }, { provide: Broker, useValue: broker }] })
  class AppModule {}

  const make = (forbidNonWhitelisted: boolean, logger = new RecordingLogger()): MicroService =>
    createService(AppModule, { argv: [], env: {}, logger, forbidNonWhitelisted, name: `${NAME}-${forbidNonWhitelisted ? "strict" : "lax"}` });
  const logger = new RecordingLogger();
  let lax: MicroService;
  let strict: MicroService;
  let c: StandaloneClient;

  beforeAll(async () => {
    lax = make(false, logger);
    strict = make(true);
    await lax.start();
    await strict.start();
    c = await createClient({ argv: [], env: {}, logger: new RecordingLogger(), registry, broker });
  });
  afterAll(async () => {
    await c?.close();
    await strict?.stop();
    await lax?.stop();
  });

  const body = { name: "Ann", age: 30, isAdmin: true, address: { city: "Oslo", zip: "0150" } };

  it("strips unknown properties, nested ones included, before the handler runs", async () => {
    await expect(c.client.call(`${NAME}-lax`, "Users.Save", body)).resolves.toEqual({ keys: ["name", "age", "address"], addressKeys: ["city"], isInstance: true });
  });

  it("answers 400 tsmicro.validation naming unknown fields when the service forbids them; a handler may opt out", async () => {
    const err = (await c.client.call(`${NAME}-strict`, "Users.Save", body).catch((e: unknown) => e)) as MicroError;
    expect(err).toBeInstanceOf(MicroError);
    expect(err).toMatchObject({ code: 400, id: "tsmicro.validation" });
    expect(err.detail).toContain("isAdmin: property isAdmin should not exist");
    expect(err.detail).toContain("address.zip: property zip should not exist");
    await expect(c.client.call(`${NAME}-strict`, "Users.Lenient", body)).resolves.toEqual(["name", "age", "address"]);
  });

  it("warned at start-up about the class without decorators, and accepts its requests unchecked", async () => {
    expect(logger.lines.filter((l) => l.level === "warn").map((l) => l.msg)).toEqual([
      "Users.Loose: Loose has no class-validator decorators: its fields are not checked",
    ]);
    await expect(c.client.call(`${NAME}-lax`, "Users.Loose", { name: 5, x: 1 })).resolves.toEqual({ name: 5, x: 1 });
  });

  it("logs an invalid event once and keeps serving", async () => {
    const before = logger.lines.length;
    await c.client.publish(TOPIC, { name: "Ann", age: -1, address: { city: "Oslo" } });
    // Both services subscribe; the lax one logs into `logger`.
    const errors = logger.lines.slice(before).filter((l) => l.level === "error");
    expect(errors).toHaveLength(1);
    expect(errors[0]!.fields).toMatchObject({ topic: TOPIC, id: expect.any(String), error: expect.stringContaining("age:") });
    await c.client.publish(TOPIC, { name: "Bo", age: 1, address: { city: "Oslo" }, extra: 1 });
    expect(events).toContainEqual({ name: "Bo", age: 1, address: { city: "Oslo" } });
  });

  it("refuses to build a service whose handler takes an interface", () => {
    @Service(`${NAME}-bad`)
    class Bad {
      @Handler()
      async hello(req: Untyped): Promise<string> {
        return req.name;
      }
    }
    @Module({ services: [Bad], providers: [{ provide: Registry, useValue: registry }, { provide: Broker, useValue: broker }] })
    class BadModule {}
    expect(() => createService(BadModule, { argv: [], env: {}, logger: new RecordingLogger() })).toThrow(
      /^Bad\.Hello \(Bad\.hello\): .*@Handler\(\{ request: Dto \}\).*@Handler\(\{ validate: false \}\)/,
    );
  });
});
