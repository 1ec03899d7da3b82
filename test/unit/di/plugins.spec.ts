import {
  Broker,
  Handler,
  bootstrap,
  MemoryBroker,
  Module,
  Service,
  SilentLogger,
  createClient,
  createService,
  findProvider,
  providerNames,
  registerProvider,
  type PluginOptions,
} from "../../../src";
import { startFailureLine } from "../../../src/di/bootstrap";
import { explainLoadError, packageOf } from "../../../src/di/missing-module";
import { ABSENT_PACKAGE } from "../../fixtures/fake-backend/absent-client";

const FAKE = require.resolve("../../fixtures/fake-backend/fake-registry");
const quiet = { env: {}, logger: new SilentLogger() };

@Service(`plugins-${process.pid}`)
class Ping {
  @Handler({ validate: false })
  async ping(): Promise<string> {
    return "pong";
  }
}

@Module({ services: [Ping] })
class PingModule {}

const unregister: Array<() => void> = [];
beforeAll(() => {
  unregister.push(
    registerProvider({ family: "registry", name: "fake", load: async () => (await import("../../fixtures/fake-backend/fake-registry")).fakeRegistry }),
    registerProvider({ family: "broker", name: "Fake", load: async () => (await import("../../fixtures/fake-backend/fake-registry")).fakeBroker }),
    registerProvider({
      family: "registry",
      name: "absent",
      packages: [ABSENT_PACKAGE],
      load: async () => {
        await (await import("../../fixtures/fake-backend/absent-client")).loadAbsentClient();
        return (await import("../../fixtures/fake-backend/fake-registry")).fakeRegistry;
      },
    }),
  );
});
afterAll(() => unregister.forEach((u) => u()));

async function builtWith(): Promise<Array<{ family: string; options: PluginOptions }>> {
  return (await import("../../fixtures/fake-backend/fake-registry")).builtWith;
}

describe("provider plugins", () => {
  it("loads an optional backend only when it is chosen", async () => {
    expect(require.cache[FAKE]).toBeUndefined();
    const other = createService(PingModule, { ...quiet, argv: ["--registry=memory", "--broker=memory"] });
    await other.ready();
    expect(require.cache[FAKE]).toBeUndefined();
    // Naming it is not loading it: only building the service does.
    const svc = createService(PingModule, { ...quiet, argv: ["--registry=fake", "--broker=memory"] });
    expect(require.cache[FAKE]).toBeUndefined();
    await svc.ready();
    expect(require.cache[FAKE]).toBeDefined();
    expect(svc.registry).toBeInstanceOf((await import("../../fixtures/fake-backend/fake-registry")).FakeRegistry);
    await Promise.all([svc.stop(), other.stop()]);
  });

  it("passes --registry_address and --broker_address to the plugin's options", async () => {
    const argv = ["--registry=fake", "--registry_address=127.0.0.1:2379,127.0.0.2:2379", "--broker=fake", "--broker_address", "127.0.0.1:4222"];
    const svc = await createService(PingModule, { ...quiet, argv }).ready();
    expect((svc.registry as unknown as { fakeOptions: PluginOptions }).fakeOptions).toEqual({ addresses: ["127.0.0.1:2379", "127.0.0.2:2379"] });
    expect((svc.broker as unknown as { fakeOptions: PluginOptions }).fakeOptions).toEqual({ addresses: ["127.0.0.1:4222"] });
    await svc.stop();
  });

  it("passes their MICRO_* twins too, to a standalone client's plugins as well", async () => {
    const env = { MICRO_REGISTRY: "fake", MICRO_REGISTRY_ADDRESS: "127.0.0.3:2379", MICRO_BROKER: "fake", MICRO_BROKER_ADDRESS: "127.0.0.4:4222" };
    const seen = (await builtWith()).length;
    const c = await createClient({ argv: [], env, logger: new SilentLogger() });
    try {
      expect((await builtWith()).slice(seen)).toEqual([
        { family: "registry", options: { addresses: ["127.0.0.3:2379"] }, logLevel: "info" },
        { family: "broker", options: { addresses: ["127.0.0.4:4222"] }, logLevel: "info" },
      ]);
    } finally {
      await c.close();
    }
  });

  it("uses the entry's own options builder when it has one", async () => {
    const seen: unknown[] = [];
    const remove = registerProvider({
      family: "registry",
      name: "custom-options",
      options: (config, env) => ({ endpoints: config.registryAddress, token: env.MICRO_FAKE_TOKEN }),
      load: async () => {
        const { MemoryRegistry } = await import("../../../src/registry/memory");
        return (options) => (seen.push(options), new MemoryRegistry());
      },
    });
    try {
      const env = { MICRO_REGISTRY: "custom-options", MICRO_REGISTRY_ADDRESS: "127.0.0.1:1", MICRO_FAKE_TOKEN: "t" };
      const svc = await createService(PingModule, { argv: [], env, logger: new SilentLogger() }).ready();
      await svc.stop();
      expect(seen).toEqual([{ endpoints: ["127.0.0.1:1"], token: "t" }]);
    } finally {
      remove();
    }
  });

  it("fails at start-up on an unknown name, listing the known ones, registered plugins included", () => {
    expect(() => createService(PingModule, { ...quiet, argv: ["--registry=zookeeper"] })).toThrow(
      'unknown registry "zookeeper"; known registry providers: absent, consul, etcd, fake, mdns, memory',
    );
    expect(providerNames("broker")).toEqual(["fake", "http", "memory", "nats", "rabbitmq", "redis"]);
    expect(findProvider("transport", "TCP").name).toBe("tcp");
  });

  it("a backend whose library is missing fails with the npm install line", async () => {
    const svc = createService(PingModule, { ...quiet, argv: ["--registry=absent", "--broker=memory"] });
    await expect(svc.start()).rejects.toThrow(
      `registry "absent" needs the npm package "${ABSENT_PACKAGE}", which is not installed; run: npm install ${ABSENT_PACKAGE}`,
    );
    await svc.stop();
    await expect(createClient({ argv: [], env: { MICRO_REGISTRY: "absent" }, logger: new SilentLogger() })).rejects.toThrow(`run: npm install ${ABSENT_PACKAGE}`);
  });

  it("bootstrap reports the npm install line as its one start-up failure line", async () => {
    const options = { ...quiet, argv: ["--registry=absent", "--broker=memory"], handleSignals: false, abortOnError: false };
    const err = await bootstrap(PingModule, options).catch((e: unknown) => e);
    expect(startFailureLine("ping", err, "info")).toBe(
      `tsmicro: ping: failed to start: registry "absent" needs the npm package "${ABSENT_PACKAGE}", which is not installed; run: npm install ${ABSENT_PACKAGE}\n`,
    );
  });

  it("an unregistered entry is gone", () => {
    const remove = registerProvider({ family: "registry", name: "short-lived", load: () => Promise.reject(new Error("never loaded")) });
    expect(providerNames("registry")).toContain("short-lived");
    remove();
    expect(providerNames("registry")).not.toContain("short-lived");
  });

  it("a module's own async factory for a family token needs no plugin", async () => {
    @Module({ services: [Ping], providers: [{ provide: Broker, useFactory: async () => new MemoryBroker() }] })
    class WithBroker {}
    const svc = await createService(WithBroker, { ...quiet, argv: [], settings: { registry: "memory" } }).ready();
    expect(svc.broker).toBeInstanceOf(MemoryBroker);
    await svc.stop();
  });
});

describe("the npm install hint", () => {
  it("names the package of a missing bare module, scoped or not", () => {
    expect(packageOf("@grpc/grpc-js/build/src")).toBe("@grpc/grpc-js");
    expect(packageOf("etcd3")).toBe("etcd3");
    expect(packageOf("./local")).toBeUndefined();
    expect(packageOf("node:fs")).toBeUndefined();
  });

  it("leaves other load failures alone: a plugin's own broken relative import, a syntax error", () => {
    const relative = Object.assign(new Error("Cannot find module './nats-broker'"), { code: "MODULE_NOT_FOUND" });
    const plugin = { family: "broker" as const, name: "nats", packages: ["nats"] };
    expect(explainLoadError(plugin, relative)).toBe(relative);
    const other = new SyntaxError("Unexpected token");
    expect(explainLoadError(plugin, other)).toBe(other);
    const missing = Object.assign(new Error("Cannot find module 'nats'\nRequire stack:\n- x.js"), { code: "MODULE_NOT_FOUND" });
    expect(String(explainLoadError(plugin, missing))).toBe('Error: broker "nats" needs the npm package "nats", which is not installed; run: npm install nats');
  });
});
