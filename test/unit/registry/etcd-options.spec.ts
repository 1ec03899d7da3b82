import { resolveConfig } from "../../../src/cmd/config";
import { Handler, Module, Registry, Service, createService } from "../../../src";
import { createClient } from "../../../src/di/create-client";
import { createProvider } from "../../../src/di/providers";
import { SilentLogger } from "../../../src/logger/silent";
import { EtcdRegistry, etcdOptionsFromEnv, nodeKey, resolveEtcdRegistryOptions, servicePrefix } from "../../../src/registry/etcd";
import { parseNodeKey } from "../../../src/registry/etcd/keys";
import { endpointUrl } from "../../../src/registry/etcd/options";
import { decodeNodeRecord, encodeNodeRecord } from "../../../src/registry/etcd/record";
import type { ServiceRecord } from "../../../src/registry/registry";

describe("etcd registry options", () => {
  it("defaults to go-micro's address and prefix", () => {
    const o = resolveEtcdRegistryOptions();
    expect(o.addresses).toEqual(["127.0.0.1:2379"]);
    expect(o.prefix).toBe("/micro/registry/");
    expect(o.dialTimeoutMs).toBe(5000);
  });

  it("adds the trailing slash to a prefix and rejects a relative one", () => {
    expect(resolveEtcdRegistryOptions({ prefix: "/team-a" }).prefix).toBe("/team-a/");
    expect(() => resolveEtcdRegistryOptions({ prefix: "micro/" })).toThrow('prefix must start with "/"');
  });

  it("rejects a username without a password and bad durations, naming the option", () => {
    expect(() => resolveEtcdRegistryOptions({ username: "root" })).toThrow("username and password go together");
    expect(() => resolveEtcdRegistryOptions({ dialTimeoutMs: 0 })).toThrow("dialTimeoutMs");
    expect(() => resolveEtcdRegistryOptions({ retryMinMs: 500, retryMaxMs: 100 })).toThrow("retryMaxMs");
  });

  it("turns addresses into endpoint URLs, adding etcd's port to a bare host", () => {
    expect(endpointUrl("127.0.0.1:2379", false)).toBe("http://127.0.0.1:2379");
    expect(endpointUrl("127.0.0.1", false)).toBe("http://127.0.0.1:2379");
    expect(endpointUrl("[::1]:4000", true)).toBe("https://[::1]:4000");
    expect(endpointUrl("https://127.0.0.1:2379", false)).toBe("https://127.0.0.1:2379");
  });

  it("reads go-micro's ETCD_USERNAME/ETCD_PASSWORD (only as a pair) and the MICRO_ETCD_* variables", () => {
    expect(etcdOptionsFromEnv({ ETCD_USERNAME: "u" })).toEqual({});
    expect(etcdOptionsFromEnv({ ETCD_USERNAME: "u", ETCD_PASSWORD: "p", MICRO_ETCD_PREFIX: "/x/", MICRO_ETCD_TLS_CA: "/ca.pem" })).toEqual({
      username: "u",
      password: "p",
      prefix: "/x/",
      tls: { ca: "/ca.pem", cert: undefined, key: undefined },
    });
  });
});

describe("etcd registry keys", () => {
  it("uses go-micro's layout, flattening '/' inside names", () => {
    expect(nodeKey("/micro/registry/", "greeter", "greeter-1")).toBe("/micro/registry/greeter/greeter-1");
    expect(nodeKey("/micro/registry/", "a/b", "n/1")).toBe("/micro/registry/a-b/n-1");
    expect(servicePrefix("/micro/registry/", "greeter")).toBe("/micro/registry/greeter/");
    expect(parseNodeKey("/micro/registry/", "/micro/registry/greeter/n1")).toEqual({ service: "greeter", nodeId: "n1" });
    expect(parseNodeKey("/micro/registry/", "/micro/registry/greeter")).toBeUndefined();
    expect(parseNodeKey("/micro/registry/", "/other/greeter/n1")).toBeUndefined();
  });
});

describe("etcd registry records", () => {
  const record: ServiceRecord = {
    name: "s",
    version: "1",
    endpoints: [{ name: "S.A", metadata: {} }],
    nodes: [{ id: "n", address: "127.0.0.1:1", metadata: { a: "b" } }],
  };

  it("writes every go-micro field, null where tsmicro has none", () => {
    expect(JSON.parse(encodeNodeRecord(record, record.nodes[0]!))).toEqual({
      name: "s",
      version: "1",
      metadata: null,
      endpoints: [{ request: null, response: null, metadata: {}, name: "S.A" }],
      nodes: [{ metadata: { a: "b" }, id: "n", address: "127.0.0.1:1" }],
    });
  });

  it("round-trips a record", () => {
    expect(decodeNodeRecord(encodeNodeRecord(record, record.nodes[0]!))).toEqual(record);
  });

  it("rejects values that are not records and drops malformed parts", () => {
    expect(decodeNodeRecord("{")).toBeUndefined();
    expect(decodeNodeRecord("null")).toBeUndefined();
    expect(decodeNodeRecord('{"name":""}')).toBeUndefined();
    const partial = decodeNodeRecord('{"name":"s","version":null,"endpoints":[{"name":1}],"nodes":[{"id":"n"},{"id":"m","address":"h:1","metadata":{"k":1,"j":"v"}}]}');
    expect(partial).toEqual({ name: "s", version: "", endpoints: [], nodes: [{ id: "m", address: "h:1", metadata: { j: "v" } }] });
  });

  it("cuts off absurdly deep value descriptions instead of recursing without bound", () => {
    let deep = '{"name":"v","type":"t","values":null}';
    for (let i = 0; i < 5000; i++) deep = `{"name":"v","type":"t","values":[${deep}]}`;
    const text = `{"name":"s","version":"1","endpoints":[{"name":"S.A","request":${deep}}],"nodes":[]}`;
    expect(decodeNodeRecord(text)?.endpoints[0]?.request?.name).toBe("v");
  });
});

@Service("factory-svc")
class FactorySvc {
  @Handler({ validate: false })
  async ping(): Promise<object> {
    return {};
  }
}

@Module({ services: [FactorySvc], providers: [{ provide: Registry, useFactory: () => new EtcdRegistry({ addresses: ["127.0.0.1:23799"], prefix: "/team-a/" }) }] })
class FactoryModule {}

describe("the etcd provider entry", () => {
  it("is used when a module provides it with useFactory", async () => {
    const service = await createService(FactoryModule, { argv: [], env: {}, logger: new SilentLogger() }).ready();
    expect(service.registry.name).toBe("etcd");
    expect((service.registry as EtcdRegistry).options).toMatchObject({ addresses: ["127.0.0.1:23799"], prefix: "/team-a/" });
    await service.registry.close();
  });

  const env = { MICRO_REGISTRY: "etcd", MICRO_REGISTRY_ADDRESS: "127.0.0.1:23790,127.0.0.1:23791" };

  it("builds an EtcdRegistry from --registry=etcd --registry_address (no I/O until used)", async () => {
    const config = resolveConfig({ argv: ["--registry=etcd", "--registry_address=127.0.0.1:1,127.0.0.1:2"], env: {} });
    const registry: Registry = await createProvider("registry", config.registry, { config, env: {}, logger: new SilentLogger(), registry: () => registry });
    expect(registry).toBeInstanceOf(EtcdRegistry);
    expect((registry as EtcdRegistry).options.addresses).toEqual(["127.0.0.1:1", "127.0.0.1:2"]);
    await registry.close();
  });

  it("is chosen by MICRO_REGISTRY=etcd with MICRO_REGISTRY_ADDRESS", async () => {
    const c = await createClient({ argv: [], env, logger: new SilentLogger() });
    expect(c.registry.name).toBe("etcd");
    expect((c.registry as EtcdRegistry).options.addresses).toEqual(["127.0.0.1:23790", "127.0.0.1:23791"]);
    await c.close();
  });

  it("fails lookups with a 503 naming etcd when nothing listens there", async () => {
    const r = new EtcdRegistry({ addresses: ["127.0.0.1:1"], requestTimeoutMs: 2000, dialTimeoutMs: 1000 });
    await expect(r.getService("x")).rejects.toMatchObject({ code: 503, detail: expect.stringContaining("etcd registry (127.0.0.1:1): getService \"x\" failed") });
    await r.close();
  });
});
