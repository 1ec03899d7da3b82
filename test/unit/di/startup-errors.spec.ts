import {
  Broker,
  Handler,
  MemoryBroker,
  MemoryRegistry,
  Module,
  Registry,
  Service,
  SilentLogger,
  bootstrap,
  createService,
  type Logger,
  type MicroService,
} from "../../../src";

@Service("startup-errors")
class Pinger {
  @Handler()
  async ping(): Promise<string> {
    return "pong";
  }
}

const providers = [
  { provide: Registry, useValue: new MemoryRegistry() },
  { provide: Broker, useClass: MemoryBroker },
];

@Module({ services: [Pinger], providers })
class PingModule {}

const quiet = { argv: [], env: {}, logger: new SilentLogger() };

/** Starts a first service on a random loopback port and returns it with the port it took. */
async function occupy(): Promise<MicroService> {
  const first = createService(PingModule, quiet);
  await first.start();
  return first;
}

describe("start-up errors a person can read", () => {
  const running: MicroService[] = [];
  afterEach(async () => {
    jest.restoreAllMocks();
    for (const s of running.splice(0)) await s.stop();
  });

  // Regression: the second service died with a raw "listen EADDRINUSE" stack.
  it("a second service on the same address rejects with 'address <host:port> is in use'", async () => {
    const first = await occupy();
    running.push(first);
    const address = first.server.address;
    const second = createService(PingModule, { ...quiet, settings: { serverAddress: address } });
    running.push(second);
    await expect(second.start()).rejects.toThrow(`address ${address} is in use`);
    await expect(second.start()).rejects.toMatchObject({ code: "EADDRINUSE", cause: expect.objectContaining({ code: "EADDRINUSE" }) });
  });

  it("a failed start does not log 'server stopped', as if the server had been serving", async () => {
    const first = await occupy();
    running.push(first);
    const lines: string[] = [];
    const none = (): void => undefined;
    const logger: Logger = { debug: none, warn: none, error: none, info: (msg) => void lines.push(msg), child: () => logger };
    const second = createService(PingModule, { ...quiet, logger, settings: { serverAddress: first.server.address } });
    await expect(second.start()).rejects.toThrow(/is in use/);
    await second.stop();
    expect(lines).not.toContain("server stopped");
    expect(lines).toContain("server cleaned up after a failed start");
  });

  it("bootstrap with abortOnError: false rejects as before and does not exit", async () => {
    const first = await occupy();
    running.push(first);
    const exit = jest.spyOn(process, "exit").mockImplementation((() => undefined) as never);
    const address = first.server.address;
    await expect(
      bootstrap(PingModule, { ...quiet, settings: { serverAddress: address }, handleSignals: false, abortOnError: false }),
    ).rejects.toThrow(`address ${address} is in use`);
    expect(exit).not.toHaveBeenCalled();
  });

  it("bootstrap by default prints one line naming the service and the reason, then exits 1", async () => {
    const first = await occupy();
    running.push(first);
    const exit = jest.spyOn(process, "exit").mockImplementation((() => undefined) as never);
    const stderr = jest.spyOn(process.stderr, "write").mockImplementation(() => true);
    const address = first.server.address;
    await bootstrap(PingModule, { ...quiet, settings: { serverAddress: address }, handleSignals: false });
    expect(exit).toHaveBeenCalledWith(1);
    expect(stderr.mock.calls).toEqual([[`tsmicro: startup-errors: failed to start: address ${address} is in use\n`]]);
  });

  it("bootstrap adds the stack only at log level debug (from the env option)", async () => {
    jest.spyOn(process, "exit").mockImplementation((() => undefined) as never);
    const stderr = jest.spyOn(process.stderr, "write").mockImplementation(() => true);
    await bootstrap(PingModule, { ...quiet, env: { MICRO_LOG_LEVEL: "debug", MICRO_TRANSPORT: "pigeon" }, handleSignals: false });
    const text = stderr.mock.calls.map((c) => String(c[0])).join("");
    expect(text).toMatch(/^tsmicro: startup-errors: failed to start: unknown transport "pigeon"; known transport providers: [a-z, ]+\n/);
    expect(text).toMatch(/\n\s+at /);
  });

  it("bootstrap leaves no signal handlers behind after a failed start", async () => {
    jest.spyOn(process, "exit").mockImplementation((() => undefined) as never);
    jest.spyOn(process.stderr, "write").mockImplementation(() => true);
    const before = process.listenerCount("SIGTERM");
    await bootstrap(PingModule, { ...quiet, env: { MICRO_TRANSPORT: "pigeon" } });
    expect(process.listenerCount("SIGTERM")).toBe(before);
  });
});

// Regression: an undecorated class in `services` was served silently when a @Service class was
// present, and the "nothing to serve" error named the module instead of the class.
describe("undecorated classes in a module's services", () => {
  class Foo {
    @Handler()
    async leak(): Promise<string> {
      return "served without @Service";
    }
  }

  it("are refused, naming the class and the module, next to a @Service class", () => {
    @Module({ services: [Pinger, Foo], providers })
    class AppModule {}
    expect(() => createService(AppModule, quiet)).toThrow(new Error("Foo is listed in AppModule.services but has no @Service decorator"));
  });

  it("are refused when alone, and in an imported module", () => {
    @Module({ services: [Foo], providers })
    class AppModule {}
    expect(() => createService(AppModule, quiet)).toThrow("Foo is listed in AppModule.services but has no @Service decorator");
    @Module({ services: [Foo] })
    class Inner {}
    @Module({ imports: [Inner], services: [Pinger], providers })
    class Outer {}
    expect(() => createService(Outer, quiet)).toThrow("Foo is listed in Inner.services but has no @Service decorator");
  });
});
