import { Broker, Handler, MdnsRegistry, MemoryBroker, Module, PinoLogger, RingLogger, Service, createClient, createService, createServiceAsync } from "../../../src";

@Service("env-option")
class Echo {
  @Handler({ validate: false })
  async echo(req: unknown): Promise<unknown> {
    return req;
  }
}

@Module({ services: [Echo], providers: [{ provide: Broker, useClass: MemoryBroker }] })
class EchoModule {}

/** Runs `fn` with `vars` set in process.env, restoring it afterwards. */
async function withProcessEnv(vars: Record<string, string>, fn: () => void | Promise<void>): Promise<void> {
  const saved = Object.fromEntries(Object.keys(vars).map((k) => [k, process.env[k]]));
  Object.assign(process.env, vars);
  try {
    await fn();
  } finally {
    for (const [k, v] of Object.entries(saved)) {
      if (v === undefined) delete process.env[k];
      else process.env[k] = v;
    }
  }
}

// Regression: MICRO_LOG_LEVEL and MICRO_MDNS_INTERFACE were read from process.env directly, so
// the `env` option (which tests use for isolation) did not reach them and process.env leaked in.
describe("the env option reaches every MICRO_* variable", () => {
  it("sets the default logger's level; process.env's does not", async () => {
    await withProcessEnv({ MICRO_LOG_LEVEL: "error" }, () => {
      const svc = createService(EchoModule, { argv: [], env: { MICRO_LOG_LEVEL: "debug", MICRO_REGISTRY: "memory" } });
      expect((svc.logger as RingLogger).level).toBe("debug");
      const plain = createService(EchoModule, { argv: [], env: { MICRO_REGISTRY: "memory" } });
      expect((plain.logger as RingLogger).level).toBe("info");
    });
  });

  it("a bad MICRO_LOG_LEVEL in the env option fails at start-up, listing the levels", () => {
    expect(() => createService(EchoModule, { argv: [], env: { MICRO_LOG_LEVEL: "loud" } })).toThrow(
      /invalid value for MICRO_LOG_LEVEL: "loud" is not a log level; use one of trace, debug, info, warn, error, fatal, silent/,
    );
  });

  it("a standalone client's logger defaults to warn and follows the env option", async () => {
    await withProcessEnv({ MICRO_LOG_LEVEL: "error" }, async () => {
      const quiet = await createClient({ argv: [], env: { MICRO_REGISTRY: "memory", MICRO_BROKER: "memory" } });
      const loud = await createClient({ argv: [], env: { MICRO_REGISTRY: "memory", MICRO_BROKER: "memory", MICRO_LOG_LEVEL: "debug" } });
      try {
        expect((quiet.client as unknown as { options: { logger: PinoLogger } }).options.logger.level).toBe("warn");
        expect((loud.client as unknown as { options: { logger: PinoLogger } }).options.logger.level).toBe("debug");
      } finally {
        await quiet.close();
        await loud.close();
      }
    });
  });

  it("sets the mDNS interface; process.env's does not", async () => {
    // Constructing the registry does no I/O, so these interfaces are never used.
    await withProcessEnv({ MICRO_MDNS_INTERFACE: "127.0.0.3" }, async () => {
      const fromOption = await createServiceAsync(EchoModule, { argv: [], env: { MICRO_MDNS_INTERFACE: "127.0.0.2", MICRO_LOG_LEVEL: "silent" } });
      expect((fromOption.registry as MdnsRegistry).options).toMatchObject({ interface: "127.0.0.2", interfaceSource: "env" });
      const isolated = await createServiceAsync(EchoModule, { argv: [], env: { MICRO_LOG_LEVEL: "silent" } });
      expect((isolated.registry as MdnsRegistry).options).toMatchObject({ interface: "127.0.0.1", interfaceSource: "default" });
    });
  });
});
