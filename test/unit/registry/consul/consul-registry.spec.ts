import { execFileSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createConsulRegistry, createService, Handler, Module, Registry, Service } from "../../../../src";
import { resolveConfig } from "../../../../src/cmd/config";
import { createProvider } from "../../../../src/di/providers";
import { SilentLogger } from "../../../../src/logger/silent";
import { ConsulRegistry, DEFAULT_CONSUL_REGISTRY_OPTIONS, resolveConsulRegistryOptions } from "../../../../src/registry/consul";
import { decodeTags, encodeTags } from "../../../../src/registry/consul/tags";
import { EventLog, makeNode, makeService, uniqueName } from "../../../contract/registry.contract";
import { ConsulTestServer } from "../../../helpers/consul-server";
import { RecordingLogger } from "../../../helpers/recording-logger";
import { waitFor } from "../../../helpers/wait";

describe("consul registry options", () => {
  it("defaults to the local agent on 8500, plain HTTP, no token", () => {
    const o = resolveConsulRegistryOptions({}, {});
    expect(o.addresses).toEqual(DEFAULT_CONSUL_REGISTRY_OPTIONS.addresses);
    expect(o.endpoints).toEqual([{ host: "127.0.0.1", port: 8500, secure: false }]);
    expect(o.token).toBeUndefined();
  });

  it("parses host, host:port, https:// and bracketed IPv6 addresses", () => {
    const o = resolveConsulRegistryOptions({ addresses: ["10.0.0.1", "127.0.0.2:8600", "https://127.0.0.3:8501", "[::1]:8500"] }, {});
    expect(o.endpoints).toEqual([
      { host: "10.0.0.1", port: 8500, secure: false },
      { host: "127.0.0.2", port: 8600, secure: false },
      { host: "127.0.0.3", port: 8501, secure: true },
      { host: "::1", port: 8500, secure: false },
    ]);
  });

  it("takes token, datacenter and TLS files from MICRO_CONSUL_* (then Consul's own variables) when not given", () => {
    const o = resolveConsulRegistryOptions({}, { CONSUL_HTTP_TOKEN: "c", MICRO_CONSUL_DATACENTER: "eu1", CONSUL_CACERT: "/ca.pem" });
    expect([o.token, o.datacenter, o.tls?.caFile, o.endpoints[0]?.secure]).toEqual(["c", "eu1", "/ca.pem", true]);
    expect(resolveConsulRegistryOptions({ token: "mine" }, { MICRO_CONSUL_TOKEN: "env" }).token).toBe("mine");
  });

  it("rejects a bad address, a half client certificate and non-positive timings with the field named", () => {
    expect(() => resolveConsulRegistryOptions({ addresses: ["127.0.0.1:http"] }, {})).toThrow(/invalid address/);
    expect(() => resolveConsulRegistryOptions({ tls: { certFile: "/c.pem" } }, {})).toThrow(/certFile and tls.keyFile/);
    expect(() => resolveConsulRegistryOptions({ watchWaitMs: 0 }, {})).toThrow(/watchWaitMs/);
    expect(() => resolveConsulRegistryOptions({ watchWaitMs: 11 * 60_000 }, {})).toThrow(/watchWaitMs must be <= 600000/);
  });
});

describe("consul registry tags", () => {
  it("round-trips version, endpoints, node and service metadata; skips tags it cannot read", () => {
    const s = makeService("x", "2.0.0", []);
    const tags = [...encodeTags(s.version, s.endpoints, { a: "1" }, s.metadata), "e-zz", "t-00", "traefik.enable=true", "v"];
    expect(decodeTags(tags)).toEqual({ version: "2.0.0", endpoints: s.endpoints, nodeMetadata: { a: "1" }, serviceMetadata: s.metadata });
  });

  it("reads go-micro's older plain form (e=, t=, v=)", () => {
    expect(decodeTags(['v=1.0', 't={"k":"v"}', 'e={"name":"A.B","request":null,"response":null,"metadata":null}'])).toEqual({
      version: "1.0",
      endpoints: [{ name: "A.B", metadata: {} }],
      nodeMetadata: { k: "v" },
    });
  });
});

describe("consul registry against the test server", () => {
  let server: ConsulTestServer;
  const registries: ConsulRegistry[] = [];
  const make = (o: ConstructorParameters<typeof ConsulRegistry>[0] = {}): ConsulRegistry => {
    const r = new ConsulRegistry({ addresses: [server.address], watchWaitMs: 5000, retryBaseMs: 20, retryMaxMs: 200, ...o }, {});
    registries.push(r);
    return r;
  };

  beforeEach(async () => {
    server = await ConsulTestServer.start();
  });
  afterEach(async () => {
    await Promise.all(registries.splice(0).map((r) => r.close()));
    await server.close();
  });

  it("is built by --registry=consul --registry_address=… through the provider table", async () => {
    const config = resolveConfig({ argv: ["--registry=consul", `--registry_address=${server.address}`], env: {} });
    const registry = await createProvider("registry", config.registry, { config, logger: new SilentLogger(), env: {}, registry: () => undefined as never });
    expect(registry.name).toBe("consul");
    expect((registry as ConsulRegistry).addresses).toEqual([server.address]);
    const svc = uniqueName("provider");
    await registry.register(makeService(svc, "1.0.0", [makeNode("p1")]));
    expect((await registry.getService(svc))[0]?.nodes.map((n) => n.id)).toEqual(["p1"]);
    await registry.close();
  });

  it("works as an async module provider through createConsulRegistry (the documented snippet)", async () => {
    const name = uniqueName("module");
    @Service(name)
    class Echo {
      @Handler({ validate: false })
      async ping(): Promise<string> {
        return "pong";
      }
    }
    @Module({ services: [Echo], providers: [{ provide: Registry, useFactory: () => createConsulRegistry({ addresses: [server.address] }, {}) }] })
    class AppModule {}
    const svc = createService(AppModule, { argv: ["--broker=memory"], env: {}, logger: new SilentLogger() });
    await svc.start();
    try {
      expect((await make().getService(name)).flatMap((r) => r.nodes)).toHaveLength(1);
    } finally {
      await svc.stop();
    }
    expect(server.state.serviceIds()).toEqual([]);
  });

  it("sends the token and datacenter it is given; a wrong token is a 403 MicroError", async () => {
    await server.close();
    server = await ConsulTestServer.start({ tokens: ["s3cret"], datacenter: "eu1" });
    const ok = make({ token: "s3cret", datacenter: "eu1" });
    await ok.register(makeService("acl", "1.0.0", [makeNode("a1")]), { ttlMs: 10_000 });
    expect((await ok.getService("acl")).length).toBe(1);
    expect(server.requests.filter((r) => r.path.startsWith("/v1/")).every((r) => r.token === "s3cret")).toBe(true);
    expect(server.requests.find((r) => r.path === "/v1/health/service/acl")?.query.dc).toBe("eu1");
    await expect(make({ token: "wrong" }).register(makeService("acl", "1.0.0", [makeNode("a2")]))).rejects.toMatchObject({ name: "MicroError", code: 403 });
    await expect(make({ token: "s3cret", datacenter: "us9" }).getService("acl")).rejects.toMatchObject({ name: "MicroError" });
  });

  it("moves on to the next address after a connection error", async () => {
    const r = make({ addresses: ["127.0.0.1:1", server.address] });
    await expect(r.getService("x")).rejects.toMatchObject({ code: 503, detail: expect.stringContaining("127.0.0.1:1 unreachable") });
    await expect(r.getService("x")).resolves.toEqual([]);
  });

  it("talks HTTPS to an agent whose CA it is given, and refuses one it cannot verify", async () => {
    const dir = mkdtempSync(join(tmpdir(), "tsmicro-consul-tls-"));
    try {
      const [key, cert] = [join(dir, "key.pem"), join(dir, "cert.pem")];
      execFileSync("openssl", ["req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", key, "-out", cert, "-days", "1", "-subj", "/CN=127.0.0.1", "-addext", "subjectAltName=IP:127.0.0.1"], { stdio: "ignore" });
      await server.close();
      server = await ConsulTestServer.start({ tls: { key: readFileSync(key), cert: readFileSync(cert) } });
      const svc = uniqueName("tls");
      const r = make({ tls: { caFile: cert } });
      await r.register(makeService(svc, "1.0.0", [makeNode("t1")]), { ttlMs: 10_000 });
      expect((await r.getService(svc)).flatMap((x) => x.nodes.map((n) => n.id))).toEqual(["t1"]);
      await expect(make({ addresses: [`https://${server.address}`] }).getService(svc)).rejects.toMatchObject({ code: 503 });
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it("lists one record per version from the catalog's tags", async () => {
    const r = make();
    const svc = uniqueName("versions");
    await r.register(makeService(svc, "1.0.0", [makeNode("v1")]));
    await r.register(makeService(svc, "2.0.0", [makeNode("v2")]));
    const mine = (await r.listServices()).filter((s) => s.name === svc).map((s) => s.version).sort();
    expect(mine).toEqual(["1.0.0", "2.0.0"]);
  });

  it("an unchanged re-registration only passes the TTL check (go-micro's renewal)", async () => {
    const r = make();
    const service = makeService(uniqueName("renew"), "1.0.0", [makeNode("r1")]);
    await r.register(service, { ttlMs: 10_000 });
    const before = server.requests.length;
    await r.register(service, { ttlMs: 10_000 });
    expect(server.requests.slice(before).map((q) => `${q.method} ${q.path}`)).toEqual(["PUT /v1/agent/check/pass/service:r1"]);
  });

  it("a watch without a service reports nodes of services that appear later", async () => {
    const r = make();
    const log = new EventLog();
    const w = await r.watch(log.listener);
    const svc = uniqueName("all");
    await r.register(makeService(svc, "1.0.0", [makeNode("w1")]));
    const created = await log.next((e) => e.action === "create" && e.service.name === svc, 10_000, "create");
    expect(created.service.nodes[0]?.id).toBe("w1");
    await r.deregister(makeService(svc, "1.0.0", [makeNode("w1")]));
    await log.next((e) => e.action === "delete" && e.service.name === svc, 10_000, "delete");
    await w.stop();
  });

  it("an instance whose check goes critical leaves getService at once (before Consul reaps it)", async () => {
    const r = make();
    const svc = uniqueName("critical");
    await r.register(makeService(svc, "1.0.0", [makeNode("c1"), makeNode("c2")]), { ttlMs: 10_000 });
    await fetch(`http://${server.address}/v1/agent/check/fail/service:c1`, { method: "PUT" });
    expect((await r.getService(svc)).flatMap((s) => s.nodes.map((n) => n.id))).toEqual(["c2"]);
    expect(server.state.serviceIds()).toEqual(["c1", "c2"]);
  });

  it("registration during an outage fails, is retried with backoff, and is restored when the agent returns", async () => {
    const logger = new RecordingLogger();
    const r = make({ logger });
    const svc = uniqueName("outage");
    const service = makeService(svc, "1.0.0", [makeNode("o1")]);
    await server.kill();
    await expect(r.register(service, { ttlMs: 10_000 })).rejects.toMatchObject({ name: "MicroError", code: 503 });
    await waitFor(() => logger.lines.some((l) => l.level === "warn" && /retrying with backoff/.test(l.msg)), 2000, "the retry warning");
    await server.restart();
    await waitFor(() => server.state.serviceIds().includes("o1"), 5000, "the registration restored");
    await waitFor(() => server.state.checkStatus("service:o1") === "passing", 5000, "the check passed");
    await waitFor(() => logger.lines.some((l) => /registration restored/.test(l.msg)), 2000, "the restored line");
    expect(logger.lines.filter((l) => /retrying with backoff/.test(l.msg))).toHaveLength(1); // logged once per outage
  });

  it("after an agent restart (state lost), a watch resumes and its registry re-registers without waiting for the next interval", async () => {
    const r = make();
    const svc = uniqueName("restart");
    const log = new EventLog();
    await r.register(makeService(svc, "1.0.0", [makeNode("k1")]), { ttlMs: 10_000 });
    const w = await r.watch(log.listener, { service: svc });
    await server.restart();
    // The watch notices (its blocking query drops), asks again, and the registry re-applies what it wants.
    await waitFor(() => server.state.serviceIds().includes("k1"), 5000, "re-registration after the restart");
    await waitFor(async () => (await r.getService(svc)).length === 1, 5000, "the node healthy again");
    const other = makeService(svc, "1.0.0", [makeNode("k2")]);
    await r.register(other, { ttlMs: 10_000 });
    await log.next((e) => e.action === "create" && e.service.nodes[0]?.id === "k2", 5000, "a create after the restart");
    await w.stop();
  });
});
