import { buildProgram } from "../../../src/cli/program";
import { Broker, Handler, MemoryBroker, MemoryRegistry, Module, Registry, Service, SilentLogger, createClient, createService, type Context } from "../../../src";
import { uniqueName } from "../../contract/registry.contract";

const NAME = uniqueName("cli-debug");

@Service(NAME)
class Chatty {
  @Handler("Chatty.Say", { validate: false })
  async say(req: { word: string }, ctx: Context): Promise<object> {
    ctx.logger.info("said", { word: req.word });
    return {};
  }
}

describe("micro stats, logs and trace", () => {
  const registry = new MemoryRegistry();
  const broker = new MemoryBroker();
  @Module({ services: [Chatty], providers: [{ provide: Registry, useValue: registry }, { provide: Broker, useValue: broker }] })
  class M {}
  const svc = createService(M, { argv: [], env: {}, logger: new SilentLogger() });
  beforeAll(() => svc.start());
  afterAll(() => svc.stop());

  async function run(...args: string[]): Promise<{ out: string; error?: Error }> {
    let out = "";
    const program = buildProgram({ connect: () => createClient({ argv: [], env: {}, logger: new SilentLogger(), registry, broker }), out: (t) => (out += t), err: () => undefined });
    try {
      await program.parseAsync(["node", "micro", ...args]);
      return { out };
    } catch (error) {
      return { out, error: error as Error };
    }
  }

  it("stats prints a row per node with its counters", async () => {
    await svc.client.call(NAME, "Chatty.Say", { word: "one" });
    const r = await run("stats", NAME);
    expect(r.error).toBeUndefined();
    const [header, row, ...rest] = r.out.trimEnd().split("\n");
    expect(header).toMatch(/^NODE\s+ADDRESS\s+UPTIME\s+MEMORY\s+HEAP\s+LOOP LAG p99\s+REQUESTS\s+ERRORS\s+INFLIGHT\s+GC$/);
    expect(rest).toEqual([]);
    expect(row).toContain(svc.server.address);
    expect(row).toMatch(/MiB\s+\S+MiB\s+\S+ms\s+[1-9]\d*\s+0\s+1\s/);
  });

  it("logs prints recent records; --count limits them; an unknown service is a 404", async () => {
    await svc.client.call(NAME, "Chatty.Say", { word: "two" });
    const all = await run("logs", NAME);
    expect(all.out).toMatch(/INFO {2}\S+ server listening/);
    expect(all.out).toMatch(/ said \{"endpoint":"Chatty.Say","caller":"[^"]+","trace_id":"[0-9a-f]{32}","span_id":"[0-9a-f]{16}","word":"two"\}\n/);
    const one = await run("logs", NAME, "--count", "1");
    expect(one.out.trimEnd().split("\n")).toHaveLength(1);
    expect((await run("logs", uniqueName("nobody"))).error?.message).toMatch(/not found/);
  });

  it("logs --follow prints records as they are written until interrupted", async () => {
    let out = "";
    const program = buildProgram({ connect: () => createClient({ argv: [], env: {}, logger: new SilentLogger(), registry, broker }), out: (t) => (out += t), err: () => undefined });
    const following = program.parseAsync(["node", "micro", "logs", NAME, "--follow", "--count", "1"]);
    await svc.client.call(NAME, "Chatty.Say", { word: "followed" });
    while (!out.includes('"word":"followed"')) await new Promise((r) => setImmediate(r));
    process.emit("SIGINT");
    await expect(following).resolves.toBeDefined();
  });

  it("trace says how to turn tracing on when it is off", async () => {
    const r = await run("trace", NAME);
    expect(r.error).toBeUndefined();
    expect(r.out).toBe(`tracing is off on every node of ${NAME}: start it with OTEL_TRACES_EXPORTER=otlp (or console)\n`);
  });

  it("reaches each node over the transport it advertises (an http node from a tcp CLI)", async () => {
    const name = uniqueName("cli-debug-http");
    @Service(name)
    class OverHttp {
      @Handler("OverHttp.Ping", { validate: false })
      async ping(): Promise<object> {
        return {};
      }
    }
    @Module({ services: [OverHttp], providers: [{ provide: Registry, useValue: registry }, { provide: Broker, useValue: broker }] })
    class HttpModule {}
    const http = createService(HttpModule, { argv: [], env: {}, logger: new SilentLogger(), settings: { transport: "http" } });
    await http.start();
    try {
      const health = await run("health", name);
      expect(health.error).toBeUndefined();
      expect(health.out).toMatch(/\tok\n$/);
      const stats = await run("stats", name);
      expect(stats.error).toBeUndefined();
      expect(stats.out).toContain(http.server.address);
      expect(stats.out).toMatch(/MiB/);
    } finally {
      await http.stop();
    }
  });

  it("rejects a bad --count", async () => {
    expect((await run("logs", NAME, "--count", "zero")).error?.message).toBe('--count wants a positive number, got "zero"');
  });
});
