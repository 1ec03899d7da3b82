import { execFileSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { ConsulRegistry } from "../../../../src/registry/consul";
import type { ServiceRecord } from "../../../../src/registry/registry";
import { ConsulTestServer } from "../../../helpers/consul-server";
import { parseGoDuration } from "../../../helpers/consul-state";

interface Fixture {
  register: { ID: string; Name: string; Tags: string[]; Check: { TTL: string; DeregisterCriticalServiceAfter: string } } & Record<string, unknown>;
  expected: ServiceRecord;
}
const fixture = JSON.parse(readFileSync(join(__dirname, "../../../fixtures/go-micro/consul-register.json"), "utf8")) as Fixture;

/** go-micro's JSON has explicit nulls where our records leave a field out. */
function withoutNulls<T>(v: T): T {
  return JSON.parse(JSON.stringify(v, (_k, x: unknown) => (x === null ? undefined : x))) as T;
}

// go-micro's decodeVersion/decodeEndpoints/decodeMetadata, re-implemented in Python (zlib and
// hex from its standard library), so our tags are checked by a decoder that shares no code with ours.
const GO_MICRO_DECODER = `
import sys, json, zlib, binascii
tags = json.load(sys.stdin)
def dec(t): return zlib.decompress(binascii.unhexlify(t)).decode()
out = {"version": None, "endpoints": [], "metadata": {}}
for t in tags:
    if len(t) < 2 or t[1] != "-": continue
    if t[0] == "v" and out["version"] is None: out["version"] = dec(t[2:])
    elif t[0] == "e": out["endpoints"].append(json.loads(dec(t[2:])))
    elif t[0] == "t": out["metadata"].update(json.loads(dec(t[2:])))
print(json.dumps(out))
`;

describe("consul registry ⇄ go-micro's consul registry layout", () => {
  let server: ConsulTestServer;
  let registry: ConsulRegistry;

  beforeEach(async () => {
    server = await ConsulTestServer.start();
    registry = new ConsulRegistry({ addresses: [server.address] }, {});
  });
  afterEach(async () => {
    await registry.close();
    await server.close();
  });

  it("reads a service go-micro registered (tags, Meta, address) as the same service", async () => {
    const put = (path: string, body?: unknown) => fetch(`http://${server.address}${path}`, { method: "PUT", body: body === undefined ? undefined : JSON.stringify(body) });
    expect((await put("/v1/agent/service/register", fixture.register)).status).toBe(200);
    expect((await put(`/v1/agent/check/pass/service:${fixture.register.ID}`)).status).toBe(200);
    expect(await registry.getService(fixture.register.Name)).toEqual([withoutNulls(fixture.expected)]);
  });

  it("registers what go-micro registers: same fields, Go durations, tags go-micro's decoders read back", async () => {
    const service: ServiceRecord = {
      name: "greeter-interop",
      version: "1.2.0",
      metadata: { owner: "team-a" },
      endpoints: [
        { name: "Greeter.Hello", request: { name: "HelloRequest", type: "HelloRequest", values: [{ name: "name", type: "string" }] }, response: { name: "HelloResponse", type: "HelloResponse" }, metadata: { idempotent: "true" } },
      ],
      nodes: [{ id: "greeter-interop-1", address: "127.0.0.3:4500", metadata: { protocol: "mucp", transport: "tcp", "x.dotted": "kept in tags" } }],
    };
    await registry.register(service, { ttlMs: 90_000 });
    const body = server.requests.find((r) => r.path === "/v1/agent/service/register")!.body as Fixture["register"];
    expect(Object.keys(body).sort()).toEqual(Object.keys(fixture.register).sort());
    expect(body).toMatchObject({ ID: "greeter-interop-1", Name: "greeter-interop", Address: "127.0.0.3", Port: 4500 });
    // Consul rejects Meta keys outside [A-Za-z0-9_-]; the tags carry every pair.
    expect(body.Meta).toEqual({ protocol: "mucp", transport: "tcp" });
    expect(parseGoDuration(body.Check.TTL)).toBe(parseGoDuration(fixture.register.Check.TTL));
    expect(parseGoDuration(body.Check.DeregisterCriticalServiceAfter)).toBe(parseGoDuration(fixture.register.Check.DeregisterCriticalServiceAfter));
    const decoded = JSON.parse(execFileSync("/usr/bin/python3", ["-c", GO_MICRO_DECODER], { input: JSON.stringify(body.Tags) }).toString()) as {
      version: string;
      endpoints: unknown[];
      metadata: Record<string, string>;
    };
    expect(decoded.version).toBe("1.2.0");
    expect(decoded.metadata).toEqual(service.nodes[0]!.metadata);
    expect(decoded.endpoints).toEqual([
      { name: "Greeter.Hello", request: service.endpoints[0]!.request, response: { name: "HelloResponse", type: "HelloResponse" }, metadata: { idempotent: "true" } },
    ]);
    // The service metadata rides in an s- tag, which go-micro's decoders skip.
    expect(body.Tags.filter((t) => !/^[tev]-/.test(t)).map((t) => t.slice(0, 2))).toEqual(["s-"]);
    expect(server.state.checkStatus("service:greeter-interop-1")).toBe("passing");
  });
});
