import Consul from "consul";
import { ConsulTestServer } from "../../helpers/consul-server";
import { parseGoDuration } from "../../helpers/consul-state";
import { waitFor } from "../../helpers/wait";

// Each expectation here is a documented behaviour of Consul's HTTP API (agent/service,
// agent/check, health, catalog, blocking queries, ACL), so the test server cannot drift into
// "whatever the registry happens to do".

interface Entry {
  Service: { ID: string; Service: string; Tags: string[]; Address: string; Port: number; Meta: Record<string, string> };
  Checks: { CheckID: string; Status: string; Output: string; ServiceID: string; Type: string }[];
}

describe("Consul API test server", () => {
  let server: ConsulTestServer;
  const base = (): string => `http://${server.address}`;

  async function put(path: string, body?: unknown, headers: Record<string, string> = {}): Promise<Response> {
    return fetch(base() + path, { method: "PUT", body: body === undefined ? undefined : JSON.stringify(body), headers });
  }
  async function health(name: string, query = "", headers: Record<string, string> = {}): Promise<{ index: number; entries: Entry[]; res: Response }> {
    const res = await fetch(`${base()}/v1/health/service/${name}${query}`, { headers });
    const entries = res.status === 200 ? ((await res.json()) as Entry[]) : [];
    return { index: Number(res.headers.get("x-consul-index")), entries, res };
  }
  const registration = (id: string, extra: Record<string, unknown> = {}) => ({
    ID: id,
    Name: "web",
    Tags: ["v-1"],
    Address: "127.0.0.2",
    Port: 8080,
    Meta: { protocol: "mucp" },
    Check: { TTL: "10s", DeregisterCriticalServiceAfter: "1m5s" },
    ...extra,
  });

  beforeEach(async () => {
    server = await ConsulTestServer.start();
  });
  afterEach(async () => {
    await server.close();
  });

  it("parses Go durations as Consul does", () => {
    expect(parseGoDuration("1500ms")).toBe(1500);
    expect(parseGoDuration("1m5s")).toBe(65_000);
    expect(parseGoDuration("0")).toBe(0);
    expect(parseGoDuration("10")).toBeUndefined();
    expect(parseGoDuration("5x")).toBeUndefined();
  });

  it("registers a service whose TTL check starts critical (Consul's default initial status)", async () => {
    expect((await put("/v1/agent/service/register", registration("web-1"))).status).toBe(200);
    const all = await health("web");
    expect(all.entries).toHaveLength(1);
    const e = all.entries[0]!;
    expect(e.Service).toMatchObject({ ID: "web-1", Service: "web", Tags: ["v-1"], Address: "127.0.0.2", Port: 8080, Meta: { protocol: "mucp" } });
    expect(e.Checks.map((c) => [c.CheckID, c.Status])).toEqual([
      ["serfHealth", "passing"],
      ["service:web-1", "critical"],
    ]);
    expect((await health("web", "?passing")).entries).toEqual([]);
  });

  it("passing=true lists an instance only once every check passes; warn is not passing", async () => {
    await put("/v1/agent/service/register", registration("web-1"));
    expect((await put("/v1/agent/check/pass/service:web-1")).status).toBe(200);
    expect((await health("web", "?passing=true")).entries.map((e) => e.Service.ID)).toEqual(["web-1"]);
    await put("/v1/agent/check/warn/service:web-1?note=slow");
    expect((await health("web", "?passing")).entries).toEqual([]);
    await put("/v1/agent/check/fail/service:web-1");
    expect((await health("web")).entries[0]?.Checks[1]?.Status).toBe("critical");
  });

  it("an expired TTL makes the check critical with output \"TTL expired\"", async () => {
    await put("/v1/agent/service/register", registration("web-1", { Check: { TTL: "100ms" } }));
    await put("/v1/agent/check/pass/service:web-1");
    const critical = await waitFor(async () => {
      const c = (await health("web")).entries[0]?.Checks[1];
      return c?.Status === "critical" && c;
    }, 5000, "TTL expiry");
    expect(critical.Output).toBe("TTL expired");
  });

  it("reaps a service critical longer than DeregisterCriticalServiceAfter, never sooner than Consul's 1-minute floor", async () => {
    await put("/v1/agent/service/register", registration("web-1", { Check: { TTL: "10s", DeregisterCriticalServiceAfter: "10ms" } }));
    await new Promise((r) => setTimeout(r, 30));
    server.state.reap();
    expect(server.state.serviceIds()).toEqual(["web-1"]); // the 1-minute floor applies
    await server.close();
    server = await ConsulTestServer.start({ minDeregisterMs: 0, reapIntervalMs: 20 });
    await put("/v1/agent/service/register", registration("web-1", { Check: { TTL: "50ms", DeregisterCriticalServiceAfter: "10ms" } }));
    await put("/v1/agent/check/pass/service:web-1");
    await waitFor(() => server.state.serviceIds().length === 0, 5000, "the reaper");
    expect((await health("web")).entries).toEqual([]);
  });

  it("deregister removes the service and its checks; unknown IDs give 404", async () => {
    await put("/v1/agent/service/register", registration("web-1"));
    expect((await put("/v1/agent/service/deregister/web-1")).status).toBe(200);
    expect((await health("web")).entries).toEqual([]);
    expect((await put("/v1/agent/service/deregister/web-1")).status).toBe(404);
    expect((await put("/v1/agent/check/pass/service:web-1")).status).toBe(404);
  });

  it("rejects what Consul rejects: missing name, bad Meta keys, reserved prefix, bad durations, non-PUT writes", async () => {
    expect((await put("/v1/agent/service/register", { ID: "x" })).status).toBe(400);
    expect((await put("/v1/agent/service/register", registration("x", { Meta: { "a.b": "1" } }))).status).toBe(400);
    expect((await put("/v1/agent/service/register", registration("x", { Meta: { "consul-x": "1" } }))).status).toBe(400);
    expect((await put("/v1/agent/service/register", registration("x", { Check: { TTL: "ten" } }))).status).toBe(400);
    expect((await fetch(`${base()}/v1/agent/service/register`, { method: "POST", body: "{}" })).status).toBe(405);
    expect((await health("web", "?wait=soon&index=1")).res.status).toBe(400);
    expect(server.state.serviceIds()).toEqual([]);
  });

  it("lists catalog services with their tags, including Consul's own service", async () => {
    await put("/v1/agent/service/register", registration("web-1"));
    await put("/v1/agent/service/register", registration("web-2", { Tags: ["v-2"] }));
    const res = await fetch(`${base()}/v1/catalog/services`);
    expect(await res.json()).toEqual({ consul: [], web: ["v-1", "v-2"] });
    expect(Number(res.headers.get("x-consul-index"))).toBeGreaterThan(0);
  });

  it("a blocking query returns early on a change, with a larger X-Consul-Index", async () => {
    const first = await health("web");
    expect(first.index).toBeGreaterThan(0); // never 0
    const blocked = health("web", `?index=${first.index}&wait=30s`);
    await put("/v1/agent/service/register", registration("web-1"));
    const changed = await blocked;
    expect(changed.index).toBeGreaterThan(first.index);
    expect(changed.entries.map((e) => e.Service.ID)).toEqual(["web-1"]);
  });

  it("a blocking query with no change returns at `wait` with the same index", async () => {
    await put("/v1/agent/service/register", registration("web-1"));
    const first = await health("web");
    const again = await health("web", `?index=${first.index}&wait=50ms`);
    expect(again.index).toBe(first.index);
    expect(again.entries).toEqual(first.entries);
  });

  it("an identical re-registration is no write; a changed one is", async () => {
    await put("/v1/agent/service/register", registration("web-1"));
    const a = (await health("web")).index;
    await put("/v1/agent/service/register", registration("web-1"));
    expect((await health("web")).index).toBe(a);
    await put("/v1/agent/service/register", registration("web-1", { Meta: { protocol: "grpc" } }));
    expect((await health("web")).index).toBeGreaterThan(a);
  });

  it("answers only its own datacenter", async () => {
    expect((await health("web", "?dc=dc1")).res.status).toBe(200);
    expect((await health("web", "?dc=elsewhere")).res.status).toBe(500);
  });

  it("with ACLs: writes need a valid token, anonymous reads are filtered, unknown tokens are refused", async () => {
    await server.close();
    server = await ConsulTestServer.start({ tokens: ["s3cret"] });
    expect((await put("/v1/agent/service/register", registration("web-1"))).status).toBe(403);
    expect((await put("/v1/agent/service/register", registration("web-1"), { "X-Consul-Token": "wrong" })).status).toBe(403);
    expect((await put("/v1/agent/service/register", registration("web-1"), { "X-Consul-Token": "s3cret" })).status).toBe(200);
    const anon = await health("web");
    expect(anon.entries).toEqual([]);
    expect(anon.res.headers.get("x-consul-results-filtered-by-acls")).toBe("true");
    expect((await health("web", "", { "X-Consul-Token": "s3cret" })).entries).toHaveLength(1);
    expect((await health("web", "", { "X-Consul-Token": "nope" })).res.status).toBe(403);
  });

  it("kill refuses connections; restart reopens the same port with empty state and a lower index", async () => {
    await put("/v1/agent/service/register", registration("web-1"));
    await put("/v1/agent/check/pass/service:web-1");
    const before = await health("web");
    const port = server.port;
    await server.kill();
    await expect(fetch(`${base()}/v1/health/service/web`)).rejects.toThrow();
    await server.restart();
    expect(server.port).toBe(port);
    const after = await health("web");
    expect(after.entries).toEqual([]);
    expect(after.index).toBeLessThan(before.index);
  });

  it("kill ends a blocked query (the connection drops)", async () => {
    const first = await health("web");
    const blocked = fetch(`${base()}/v1/health/service/web?index=${first.index}&wait=30s`);
    await waitFor(() => server.requests.length >= 2, 2000, "the blocked request");
    await server.kill();
    await expect(blocked).rejects.toThrow();
  });

  it("serves the `consul` npm client: register with a TTL check, pass, read healthy instances", async () => {
    const consul = new Consul({ host: "127.0.0.1", port: server.port, defaults: { token: "t", dc: "dc1" } });
    await consul.agent.service.register({ name: "web", id: "web-1", address: "127.0.0.3", port: 9, tags: ["a"], meta: { k: "v" }, check: { name: "web ttl", timeout: "1s", ttl: "5s", deregistercriticalserviceafter: "1m" } });
    await consul.agent.check.pass("service:web-1");
    const entries = (await consul.health.service({ service: "web", passing: true })) as Entry[];
    expect(entries.map((e) => [e.Service.ID, e.Service.Address, e.Service.Port])).toEqual([["web-1", "127.0.0.3", 9]]);
    const reg = server.requests.find((r) => r.path === "/v1/agent/service/register")!;
    expect(reg.token).toBe("t");
    expect(reg.body).toMatchObject({ Name: "web", ID: "web-1", Check: { TTL: "5s", DeregisterCriticalServiceAfter: "1m" } });
    expect(server.requests.find((r) => r.path === "/v1/health/service/web")?.query).toMatchObject({ passing: "true", dc: "dc1" });
    consul.destroy();
  });
});
