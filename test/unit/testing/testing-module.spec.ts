import { IsString } from "class-validator";
import {
  Broker,
  Handler,
  Inject,
  MemoryBroker,
  MemoryRegistry,
  Module,
  Registry,
  Service,
  Subscribe,
  Test,
  createTestingModule,
  type OnModuleDestroy,
} from "../../../src";

const NAME = `greeter-testing-${process.pid}`;
const GREETING = Symbol("greeting");
const CLOCK = Symbol("clock");

class HelloRequest {
  @IsString()
  name!: string;
}

class Clock {
  now(): string {
    return "real time";
  }
}

@Service(NAME)
class Greeter implements OnModuleDestroy {
  readonly events: unknown[] = [];
  destroyed = false;
  constructor(
    @Inject(GREETING) private readonly greeting: string,
    @Inject(CLOCK) private readonly clock: Clock,
  ) {}

  @Handler()
  async hello(req: HelloRequest): Promise<{ text: string }> {
    return { text: `${this.greeting} ${req.name} at ${this.clock.now()}` };
  }

  @Subscribe(`${NAME}.said`)
  async said(ev: HelloRequest): Promise<void> {
    this.events.push(ev);
  }

  onModuleDestroy(): void {
    this.destroyed = true;
  }
}

@Module({ services: [Greeter], providers: [{ provide: GREETING, useValue: "Hello" }, { provide: CLOCK, useClass: Clock }] })
class AppModule {}

describe("createTestingModule", () => {
  it("runs the module in memory and returns a client bound to it", async () => {
    const t = await createTestingModule(AppModule).compile();
    try {
      await expect(t.client.call(NAME, "Greeter.Hello", { name: "Ada" })).resolves.toEqual({ text: "Hello Ada at real time" });
      await expect(t.client.call(NAME, "Greeter.Hello", { name: 1 })).rejects.toMatchObject({ code: 400 });
      expect(t.service.registry).toBeInstanceOf(MemoryRegistry);
      expect(t.service.broker).toBeInstanceOf(MemoryBroker);
      expect(t.service.server.address).toMatch(/^127\.0\.0\.1:\d+$/);
      await t.client.publish(`${NAME}.said`, { name: "Bo" });
      expect(t.get(Greeter).events).toEqual([{ name: "Bo" }]);
    } finally {
      await t.close();
    }
    expect(t.get(Greeter).destroyed).toBe(true);
    await t.close(); // idempotent
  });

  it("overrides providers by token, framework tokens included", async () => {
    const registry = new MemoryRegistry();
    const t = await createTestingModule(AppModule)
      .overrideProvider(GREETING)
      .useValue("Hi")
      .overrideProvider(CLOCK)
      .useFactory({ factory: async (g: string) => ({ now: () => `fake time after ${g}` }), inject: [GREETING] })
      .overrideProvider(Registry)
      .useValue(registry)
      .compile();
    try {
      expect(t.get(Registry)).toBe(registry);
      expect(await registry.getService(NAME)).toHaveLength(1);
      await expect(t.client.call(NAME, "Greeter.Hello", { name: "Ada" })).resolves.toEqual({ text: "Hi Ada at fake time after Hi" });
    } finally {
      await t.close();
    }
    expect(await registry.getService(NAME)).toEqual([]);
  });

  it("builds a module from metadata, as Test.createTestingModule does in NestJS", async () => {
    class FixedClock extends Clock {
      override now(): string {
        return "noon";
      }
    }
    const t = await Test.createTestingModule({ services: [Greeter], providers: [{ provide: GREETING, useValue: "Hey" }, { provide: CLOCK, useClass: Clock }] })
      .overrideProvider(CLOCK)
      .useClass(FixedClock)
      .compile();
    try {
      await expect(t.client.call(NAME, "Greeter.Hello", { name: "Ada" })).resolves.toEqual({ text: "Hey Ada at noon" });
      expect(t.get(CLOCK)).toBeInstanceOf(FixedClock);
    } finally {
      await t.close();
    }
  });

  it("ignores the process's flags and MICRO_* variables unless given options say otherwise", async () => {
    const t = await createTestingModule(AppModule).withOptions({ settings: { broker: "memory" }, env: { MICRO_TRANSPORT: "http" } }).compile();
    try {
      expect(t.service.transport.name).toBe("http");
      expect(t.service.registry).toBeInstanceOf(MemoryRegistry);
      await expect(t.client.call(NAME, "Greeter.Hello", { name: "Ada" })).resolves.toMatchObject({ text: "Hello Ada at real time" });
    } finally {
      await t.close();
    }
  });

  it("a module that fails to start rejects compile() and leaves nothing running", async () => {
    const registry = new MemoryRegistry();
    const closed = jest.spyOn(registry, "close");
    const broker = Object.assign(new MemoryBroker(), {
      connect: async () => {
        throw new Error("broker down");
      },
    });
    const builder = createTestingModule(AppModule).overrideProvider(Broker).useValue(broker).overrideProvider(Registry).useValue(registry);
    await expect(builder.compile()).rejects.toThrow("broker down");
    expect(await registry.getService(NAME)).toEqual([]);
    expect(closed).toHaveBeenCalledTimes(1);
  });
});
