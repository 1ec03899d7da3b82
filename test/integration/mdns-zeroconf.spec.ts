import { existsSync } from "node:fs";
import { join } from "node:path";
import { MdnsRegistry } from "../../src/registry/mdns";
import { makeNode, makeService, uniqueName } from "../contract/registry.contract";
import { killAll, ROOT, runProcess } from "../helpers/processes";

// A third-party mDNS client reads what tsmicro advertises: Debian's python3-zeroconf, run by
// /usr/bin/python3, multicasting on 127.0.0.1 only, asks for the names go-micro uses and decodes
// the TXT (hex → zlib → JSON) itself. It shares port 5353 with whatever else runs on the machine;
// it multicasts its query and reads multicast answers, so it needs no private namespace.
delete process.env.MICRO_MDNS_INTERFACE;

const PYTHON = "/usr/bin/python3";
const SCRIPT = join(ROOT, "test", "fixtures", "mdns", "zeroconf-read.py");
const MISSING = "python3-zeroconf not importable by /usr/bin/python3: install Debian's python3-zeroconf; this test needs it";

interface ZeroconfView {
  ptr: { name: string; alias: string };
  srv: { name: string; port: number; target: string };
  txt: { name: string; chunks: number };
  a: { name: string; address: string };
  decoded: Record<string, unknown>;
}

async function readWithZeroconf(service: string, domain: string): Promise<ZeroconfView> {
  const r = await runProcess(PYTHON, [SCRIPT, service, domain], { timeoutMs: 20_000 });
  if (r.code !== 0) throw new Error(`zeroconf reader exited ${r.code}: ${r.stdout} ${r.stderr}`);
  return JSON.parse(r.stdout) as ZeroconfView;
}

describe("python3-zeroconf reads the records of a registered service", () => {
  const registries: MdnsRegistry[] = [];
  afterEach(async () => {
    for (const r of registries.splice(0)) await r.close();
  });
  afterAll(killAll);

  beforeAll(async () => {
    if (!existsSync(PYTHON)) throw new Error(`${MISSING} (no ${PYTHON})`);
    const probe = await runProcess(PYTHON, ["-c", "import zeroconf"], { timeoutMs: 20_000 });
    if (probe.code !== 0) throw new Error(`${MISSING} (${probe.stderr.trim()})`);
  });

  it.each([["micro"], [uniqueName("team")]])("under domain %s: PTR, SRV, TXT and A, and the TXT decodes to the service", async (domain) => {
    const registry = new MdnsRegistry({ domain });
    registries.push(registry);
    const svc = uniqueName("zeroconf");
    const node = { ...makeNode("node-1", { protocol: "mucp", transport: "tcp", note: "x".repeat(300) }), address: "127.0.0.1:40123" };
    const service = makeService(svc, "1.2.3", [node]);
    await registry.register(service);

    const seen = await readWithZeroconf(svc, domain);
    const instance = `node-1.${svc}.${domain}.`;
    expect(seen.ptr).toEqual({ name: `${svc}.${domain}.`, alias: instance });
    expect(seen.srv).toEqual({ name: instance, port: 40123, target: instance });
    expect(seen.txt.name).toBe(instance);
    expect(seen.txt.chunks).toBeGreaterThan(1); // split into ≤255-byte strings, reassembled by the reader
    expect(seen.a).toEqual({ name: instance, address: "127.0.0.1" });
    // go-micro's mdnsTxt: node metadata, service name, version, endpoints with their values.
    expect(seen.decoded).toEqual({
      Metadata: node.metadata,
      Service: svc,
      Version: "1.2.3",
      Endpoints: service.endpoints.map((e) => ({
        name: e.name,
        request: e.request ? withNullValues(e.request) : null,
        response: e.response ? withNullValues(e.response) : null,
        metadata: e.metadata,
      })),
      ServiceMetadata: service.metadata,
    });
  });
});

/** A Value as Go's encoding/json writes it: `values` is null when empty. */
function withNullValues(v: { name: string; type: string; values?: Array<{ name: string; type: string; values?: unknown[] }> }): unknown {
  return { name: v.name, type: v.type, values: v.values?.length ? v.values.map((x) => withNullValues(x as never)) : null };
}
