import { parseDuration, resolveConfig } from "../../../src";

describe("resolveConfig", () => {
  it("uses defaults with their source", () => {
    const c = resolveConfig({ env: {}, argv: [] });
    expect(c.registry).toBe("mdns");
    expect(c.serverAddress).toBe("127.0.0.1:0");
    expect(c.clientTimeoutMs).toBe(5000);
    expect(c.sources.registry).toBe("default");
  });

  it("applies defaults < module < env < flags", () => {
    const c = resolveConfig({
      module: { registry: "memory", broker: "memory", selector: "leastconn" },
      env: { MICRO_REGISTRY: "etcd", MICRO_BROKER: "nats" },
      argv: ["--registry=consul", "app-arg", "--unknown", "x"],
    });
    expect([c.registry, c.sources.registry]).toEqual(["consul", "flag"]);
    expect([c.broker, c.sources.broker]).toEqual(["nats", "env"]);
    expect([c.selector, c.sources.selector]).toEqual(["leastconn", "module"]);
    expect(c.sources.transport).toBe("default");
  });

  it("parses durations, lists and numbers", () => {
    const c = resolveConfig({
      env: { MICRO_REGISTER_TTL: "10", MICRO_CLIENT_TIMEOUT: "750ms" },
      argv: ["--register_interval", "1m", "--client_retries=3", "--registry_address=127.0.0.1:1, 127.0.0.1:2"],
    });
    expect(c.registerTtlMs).toBe(10_000);
    expect(c.clientTimeoutMs).toBe(750);
    expect(c.registerIntervalMs).toBe(60_000);
    expect(c.clientRetries).toBe(3);
    expect(c.registryAddress).toEqual(["127.0.0.1:1", "127.0.0.1:2"]);
  });

  it("names the flag or variable with a bad value", () => {
    expect(() => resolveConfig({ env: { MICRO_CLIENT_RETRIES: "many" }, argv: [] })).toThrow(/MICRO_CLIENT_RETRIES/);
    expect(() => resolveConfig({ env: {}, argv: ["--register_ttl=soon"] })).toThrow(/--register_ttl/);
  });
});

describe("parseDuration", () => {
  it("reads Go durations", () => {
    expect(parseDuration("1m30s")).toBe(90_000);
    expect(parseDuration("250ms")).toBe(250);
    expect(parseDuration("2", 1)).toBe(2);
    expect(() => parseDuration("5 s")).toThrow();
  });
});

// Regression: the same defaults (client timeout, retries, register TTL/interval, listen address,
// selector) were written both here and in the server, client and selector options files.
describe("DEFAULT_SETTINGS", () => {
  it("takes the numbers the server, client and selector also default on from their options files", async () => {
    const { DEFAULT_SETTINGS } = await import("../../../src");
    const { DEFAULT_RPC_SERVER_OPTIONS } = await import("../../../src/server/options");
    const { DEFAULT_RPC_CLIENT_OPTIONS } = await import("../../../src/client/options");
    const { DEFAULT_STRATEGY_NAME } = await import("../../../src/selector/options");
    expect(DEFAULT_SETTINGS).toMatchObject({
      serverAddress: DEFAULT_RPC_SERVER_OPTIONS.address,
      registerTtlMs: DEFAULT_RPC_SERVER_OPTIONS.registerTtlMs,
      registerIntervalMs: DEFAULT_RPC_SERVER_OPTIONS.registerIntervalMs,
      clientTimeoutMs: DEFAULT_RPC_CLIENT_OPTIONS.timeoutMs,
      clientRetries: DEFAULT_RPC_CLIENT_OPTIONS.retries,
      selector: DEFAULT_STRATEGY_NAME,
    });
  });

  it("writes none of those values itself (config.ts has no numeric or address literal in DEFAULT_SETTINGS)", () => {
    const { readFileSync } = jest.requireActual<typeof import("node:fs")>("node:fs");
    const text = readFileSync(require.resolve("../../../src/cmd/config.ts"), "utf8");
    const block = /export const DEFAULT_SETTINGS[^=]*=\s*\{([^}]*)\}/.exec(text)?.[1];
    expect(block).toBeDefined();
    expect(block).not.toMatch(/:\s*\d|"\d|"random"/);
  });
});

describe("start-up checks of flag values", () => {
  const resolve = (argv: string[]): unknown => resolveConfig({ argv, env: {} });

  it("refuses an address that is not host:port before anything starts", () => {
    expect(() => resolve(["--server_address=nonsense"])).toThrow('invalid value for --server_address: invalid address "nonsense": want host:port');
    expect(() => resolve(["--server_address=127.0.0.1:99999"])).toThrow(/--server_address/);
    expect(() => resolve(["--server_advertise=::::"])).toThrow(/--server_advertise/);
  });

  it("accepts an advertised host alone, or host:port", () => {
    expect(resolveConfig({ argv: ["--server_advertise=127.0.0.2"], env: {} }).serverAdvertise).toBe("127.0.0.2");
    expect(resolveConfig({ argv: ["--server_advertise=127.0.0.2:4000"], env: {} }).serverAdvertise).toBe("127.0.0.2:4000");
  });

  // Regression: `--server_name=` silently fell back to the @Service name every checkout shares.
  it("refuses an empty flag value instead of ignoring it", () => {
    expect(() => resolve(["--server_name="])).toThrow("invalid value for --server_name: needs a value");
    expect(() => resolve(["--registry="])).toThrow(/--registry: needs a value/);
  });
});
