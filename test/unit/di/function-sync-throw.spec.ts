import { IsString } from "class-validator";
import {
  Broker,
  Handler,
  MemoryBroker,
  MemoryRegistry,
  Module,
  Registry,
  Service,
  SilentLogger,
  Subscribe,
  bootstrapFunction,
  createClient,
} from "../../../src";

// Regression: a handler written without `async` that threw synchronously escaped the invoke
// promise, so the Function model never stopped (the process never exited).

class Job {
  @IsString() id!: string;
}

const opts = { argv: [], env: {}, logger: new SilentLogger(), handleSignals: false };

describe("Function model with a synchronously throwing handler", () => {
  it("answers 500 and still stops", async () => {
    const name = `sync-throw-${process.pid}-${Date.now()}`;
    @Service(name)
    class Worker {
      @Handler("Worker.Run")
      run(_job: Job): Promise<string> {
        throw new Error("sync boom");
      }
    }
    const registry = new MemoryRegistry();
    @Module({ services: [Worker], providers: [{ provide: Registry, useValue: registry }, { provide: Broker, useClass: MemoryBroker }] })
    class Fn {}
    const fn = await bootstrapFunction(Fn, opts);
    const c = await createClient({ ...opts, registry });
    try {
      await expect(c.client.call(name, "Worker.Run", { id: "j1" }, { retries: 0 })).rejects.toMatchObject({ code: 500 });
      await fn.done;
      expect(await registry.getService(name)).toEqual([]);
    } finally {
      await c.close();
      await fn.stop();
    }
  });

  it("stops after a subscriber that throws synchronously", async () => {
    const topic = `jobs-${process.pid}-${Date.now()}`;
    @Service(`sync-throw-sub-${process.pid}-${Date.now()}`)
    class Listener {
      @Subscribe(topic)
      onJob(_job: Job): Promise<void> {
        throw new Error("sync boom");
      }
    }
    const broker = new MemoryBroker();
    @Module({ services: [Listener], providers: [{ provide: Registry, useValue: new MemoryRegistry() }, { provide: Broker, useValue: broker }] })
    class Fn {}
    const fn = await bootstrapFunction(Fn, opts);
    try {
      await broker.publish(topic, { header: { "Content-Type": "application/json", "Micro-Id": "1" }, body: Buffer.from('{"id":"j1"}') });
      await fn.done;
    } finally {
      await fn.stop();
    }
  });
});
