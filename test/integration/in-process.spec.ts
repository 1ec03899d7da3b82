import { IsInt, IsString, Length, Min } from "class-validator";
import {
  Broker,
  Context,
  createClient,
  createService,
  Handler,
  MemoryBroker,
  MemoryRegistry,
  MicroError,
  Module,
  Registry,
  Service,
  SilentLogger,
  Subscribe,
  bootstrapFunction,
  type MicroService,
  type StandaloneClient,
} from "../../src";
import { waitFor } from "../helpers/wait";

class HelloRequest {
  @IsString() @Length(1, 64) name!: string;
}
class SumRequest {
  @IsInt() @Min(0) a!: number;
  @IsInt() @Min(0) b!: number;
}
class UserCreated {
  @IsString() id!: string;
}

const received: Array<{ ev: UserCreated; caller?: string }> = [];
let helloCalls = 0;
let releaseSlow: (() => void) | undefined;
let slowSignal: AbortSignal | undefined;

@Service("greeter", { version: "1.0.0" })
class Greeter {
  @Handler()
  async hello(req: HelloRequest, ctx: Context): Promise<{ greeting: string; caller?: string; tenant?: string }> {
    helloCalls++;
    return { greeting: `Hello ${req.name}`, caller: ctx.caller, tenant: ctx.metadata["X-Tenant"] };
  }
  @Handler()
  async sum(req: SumRequest): Promise<{ total: number }> {
    return { total: req.a + req.b };
  }
  @Handler({ validate: false })
  async slow(_req: object, ctx: Context): Promise<{ done: boolean }> {
    slowSignal = ctx.signal;
    await new Promise<void>((r) => (releaseSlow = r));
    return { done: true };
  }
  @Handler({ validate: false })
  async remaining(_req: object, ctx: Context): Promise<{ ms: number }> {
    return { ms: ctx.remainingMs() };
  }
  @Subscribe("user.created", { queue: "greeter" })
  async onUserCreated(ev: UserCreated, ctx: Context): Promise<void> {
    received.push({ ev, caller: ctx.caller });
  }
}

@Service("frontend")
class Frontend {
  @Handler()
  async greet(req: HelloRequest, ctx: Context): Promise<unknown> {
    return ctx.call("greeter", "Greeter.Hello", req);
  }
  @Handler({ validate: false })
  async deadline(_req: object, ctx: Context): Promise<unknown> {
    return ctx.call("greeter", "Greeter.Remaining", {});
  }
}

describe("services in one process (memory registry and broker, HTTP transport)", () => {
  const registry = new MemoryRegistry();
  const broker = new MemoryBroker();
  const shared = [
    { provide: Registry, useValue: registry },
    { provide: Broker, useValue: broker },
  ];
  @Module({ services: [Greeter], providers: shared })
  class GreeterModule {}
  @Module({ services: [Frontend], providers: shared })
  class FrontendModule {}

  let greeter: MicroService;
  let frontend: MicroService;
  let c: StandaloneClient;
  const opts = { argv: [], env: {}, logger: new SilentLogger() };

  beforeAll(async () => {
    greeter = createService(GreeterModule, opts);
    frontend = createService(FrontendModule, opts);
    await greeter.start();
    await frontend.start();
    c = await createClient({ ...opts, registry, broker });
  });
  afterAll(async () => {
    await c.close();
    await frontend.stop();
    await greeter.stop();
  });

  it("calls a handler by its default endpoint name", async () => {
    await expect(c.client.call("greeter", "Greeter.Hello", { name: "John" })).resolves.toMatchObject({ greeting: "Hello John" });
  });

  it("advertises endpoints with request shapes and hides Debug.*", async () => {
    const [rec] = await registry.getService("greeter");
    expect(rec!.version).toBe("1.0.0");
    expect(rec!.endpoints.map((e) => e.name).sort()).toEqual(["Greeter.Hello", "Greeter.Remaining", "Greeter.Slow", "Greeter.Sum"]);
    const hello = rec!.endpoints.find((e) => e.name === "Greeter.Hello")!;
    expect(hello.request).toEqual({ name: "HelloRequest", type: "HelloRequest", values: [{ name: "name", type: "string" }] });
  });

  it("rejects invalid requests with a 400 naming every field, without calling the handler", async () => {
    const before = helloCalls;
    const err = (await c.client.call("greeter", "Greeter.Sum", { a: -1, b: "x" }).catch((e: unknown) => e)) as MicroError;
    expect(err).toBeInstanceOf(MicroError);
    expect(err.code).toBe(400);
    expect(err.detail).toMatch(/a: .*b: /);
    await expect(c.client.call("greeter", "Greeter.Hello", { name: "" })).rejects.toMatchObject({ code: 400 });
    expect(helloCalls).toBe(before);
  });

  it("answers 404 for an unknown service and an unknown endpoint", async () => {
    await expect(c.client.call("nobody", "X.Y", {})).rejects.toMatchObject({ code: 404, detail: 'service "nobody" not found' });
    const err = (await c.client.call("greeter", "Greeter.Nope", {}).catch((e: unknown) => e)) as MicroError;
    expect(err.code).toBe(404);
    expect(err.detail).toContain("Greeter.Nope");
    expect(err.detail).toContain("greeter");
  });

  it("answers a raw HTTP client (curl) with 415 listing supported types, and serves json-rpc", async () => {
    const [rec] = await registry.getService("greeter");
    const res = await fetch(`http://${rec!.nodes[0]!.address}/`, {
      method: "POST",
      headers: { "Micro-Service": "greeter", "Micro-Endpoint": "Greeter.Hello", "Content-Type": "text/xml" },
      body: "<name>x</name>",
    });
    expect(res.status).toBe(200);
    const err = MicroError.parse(res.headers.get("micro-error")!);
    expect(err.code).toBe(415);
    expect(err.detail).toContain("application/json, application/json-rpc");
    await expect(c.client.call("greeter", "Greeter.Hello", { name: "Rpc" }, { contentType: "application/json-rpc" })).resolves.toMatchObject({
      greeting: "Hello Rpc",
    });
  });

  it("answers 413 for a body over the limit and keeps serving", async () => {
    const big = "x".repeat(5 * 1024 * 1024);
    await expect(c.client.call("greeter", "Greeter.Hello", { name: big })).rejects.toMatchObject({ code: 413 });
    await expect(c.client.call("greeter", "Greeter.Hello", { name: "ok" })).resolves.toMatchObject({ greeting: "Hello ok" });
  });

  it("times out with a 408 and the handler's signal aborts", async () => {
    const err = (await c.client.call("greeter", "Greeter.Slow", {}, { timeoutMs: 100 }).catch((e: unknown) => e)) as MicroError;
    expect(err.code).toBe(408);
    await waitFor(() => slowSignal?.aborted === true);
    expect(MicroError.is(slowSignal!.reason) && slowSignal!.reason.code).toBe(408);
    releaseSlow?.();
    releaseSlow = undefined;
  });

  it("propagates caller, metadata and the remaining deadline through ctx.call", async () => {
    const res = (await c.client.call("frontend", "Frontend.Greet", { name: "Ann" }, { metadata: { "X-Tenant": "t1" } })) as Record<string, string>;
    expect(res).toEqual({ greeting: "Hello Ann", caller: "frontend", tenant: "t1" });
    const { ms } = (await c.client.call("frontend", "Frontend.Deadline", {}, { timeoutMs: 1500 })) as { ms: number };
    expect(ms).toBeGreaterThan(0);
    expect(ms).toBeLessThanOrEqual(1500);
  });

  it("delivers published events to @Subscribe handlers, validated", async () => {
    received.length = 0;
    await c.client.publish("user.created", { id: "u1" });
    expect(received).toEqual([{ ev: expect.objectContaining({ id: "u1" }), caller: undefined }]);
    expect(received[0]!.ev).toBeInstanceOf(UserCreated);
  });

  it("drains an in-flight call on stop before closing", async () => {
    @Module({ services: [Greeter], providers: shared })
    class Second {}
    const extra = createService(Second, opts);
    await extra.start();
    releaseSlow = undefined;
    const pending = c.client.call("greeter", "Greeter.Slow", {}, { address: extra.server.address, timeoutMs: 3000 });
    await waitFor(() => releaseSlow !== undefined);
    const release = releaseSlow!;
    releaseSlow = undefined;
    const stopped = extra.stop();
    await waitFor(async () => (await registry.getService("greeter")).flatMap((r) => r.nodes).length === 1);
    release();
    await expect(pending).resolves.toEqual({ done: true });
    await stopped;
  });
});

describe("Function", () => {
  it("serves one request, then deregisters and stops", async () => {
    const registry = new MemoryRegistry();
    @Module({ services: [Greeter], providers: [{ provide: Registry, useValue: registry }, { provide: Broker, useClass: MemoryBroker }] })
    class Fn {}
    const fn = await bootstrapFunction(Fn, { argv: [], env: {}, logger: new SilentLogger(), handleSignals: false });
    const c = await createClient({ argv: [], env: {}, logger: new SilentLogger(), registry });
    await expect(c.client.call("greeter", "Greeter.Hello", { name: "once" })).resolves.toMatchObject({ greeting: "Hello once" });
    await fn.done;
    expect(await registry.getService("greeter")).toEqual([]);
    await c.close();
  });
});

