import { Handler, MemoryRegistry, Module, Registry, Service, SilentLogger, Subscribe, createServiceAsync, type ServiceRecord } from "../../../src";
import { BROKER_SERVICE } from "../../../src/broker/http";

// Regression: the HTTP broker registered its subscribers with a fixed 60 s TTL, so a SIGKILLed
// subscriber stayed a publish target for a minute whatever --register_ttl said.

@Service(`broker-ttl-${process.pid}`)
class Listener {
  @Handler({ validate: false })
  async ping(): Promise<string> {
    return "pong";
  }

  @Subscribe(`ttl.${process.pid}`, { validate: false })
  async onEvent(): Promise<void> {}
}

describe("the http broker chosen by flag", () => {
  it("registers subscribers with the service's --register_ttl", async () => {
    const registry = new MemoryRegistry();
    const ttls: Array<[string, number | undefined]> = [];
    const register = registry.register.bind(registry);
    registry.register = async (record: ServiceRecord, options?: { ttlMs?: number }) => {
      ttls.push([record.name, options?.ttlMs]);
      return register(record, options);
    };
    @Module({ services: [Listener], providers: [{ provide: Registry, useValue: registry }] })
    class M {}
    const svc = await createServiceAsync(M, { argv: ["--broker=http", "--transport=tcp", "--register_ttl=3s"], env: {}, logger: new SilentLogger() });
    try {
      await svc.start();
      expect(ttls).toContainEqual([BROKER_SERVICE, 3000]);
      expect(ttls).toContainEqual([`broker-ttl-${process.pid}`, 3000]);
    } finally {
      await svc.stop();
    }
  });
});
