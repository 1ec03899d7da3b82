import { buildProgram } from "../../../src/cli/program";
import { Handler, MemoryBroker, MemoryRegistry, Module, Registry, Broker, Service, SilentLogger, createClient, createService } from "../../../src";

@Service("cli-target", { version: "2.0.0" })
class Target {
  @Handler({ validate: false })
  async echo(req: object): Promise<object> {
    return req;
  }
}

describe("micro CLI commands", () => {
  const registry = new MemoryRegistry();
  const broker = new MemoryBroker();
  @Module({ services: [Target], providers: [{ provide: Registry, useValue: registry }, { provide: Broker, useValue: broker }] })
  class M {}
  const svc = createService(M, { argv: [], env: {}, logger: new SilentLogger() });
  beforeAll(() => svc.start());
  afterAll(() => svc.stop());

  async function run(...args: string[]): Promise<{ out: string; err: string; error?: Error }> {
    let out = "";
    let err = "";
    const program = buildProgram({
      connect: () => createClient({ argv: [], env: {}, logger: new SilentLogger(), registry, broker }),
      out: (t) => (out += t),
      err: (t) => (err += t),
    });
    try {
      await program.parseAsync(["node", "micro", ...args]);
      return { out, err };
    } catch (error) {
      return { out, err, error: error as Error };
    }
  }

  it("lists services and shows one with its nodes and endpoints", async () => {
    expect((await run("list", "services")).out).toBe("cli-target\n");
    const get = await run("get", "service", "cli-target");
    expect(get.out).toContain("version  2.0.0");
    expect(get.out).toContain("Endpoint: Target.Echo");
    expect(get.out).toContain(svc.server.address);
  });

  it("accepts provider flags before the command as well as after it", async () => {
    const before = await run("--registry=memory", "--client_timeout=500ms", "list", "services");
    expect(before.error).toBeUndefined();
    expect(before.out).toBe("cli-target\n");
    const after = await run("list", "services", "--registry", "memory");
    expect(after.error).toBeUndefined();
    expect(after.out).toBe("cli-target\n");
  });

  it("calls an endpoint and prints the JSON response", async () => {
    const r = await run("call", "cli-target", "Target.Echo", '{"a":[1,2]}');
    expect(r.error).toBeUndefined();
    expect(JSON.parse(r.out)).toEqual({ a: [1, 2] });
  });

  it("fails with a clear error for bad JSON, unknown services and unknown endpoints", async () => {
    expect((await run("call", "cli-target", "Target.Echo", "{oops")).error?.message).toMatch(/request is not valid JSON/);
    expect((await run("get", "service", "ghost")).error?.message).toBe('service "ghost" not found');
    expect((await run("call", "cli-target", "Target.Nope")).error?.message).toContain('endpoint "Target.Nope" not found');
  });

  it("reports health per node", async () => {
    const r = await run("health", "cli-target");
    expect(r.out).toMatch(new RegExp(`${svc.server.address.replace(/\./g, "\\.")}\\tok\\n$`));
  });
});
