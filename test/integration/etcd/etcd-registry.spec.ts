import { Etcd3 } from "etcd3";
import type { ServiceRecord } from "../../../src/registry/registry";
import { EtcdRegistry, nodeKey } from "../../../src/registry/etcd";
import { uniqueName } from "../../contract/registry.contract";
import { startEtcd, type EtcdServer } from "../../helpers/servers/etcd";

// etcd-specific behaviour beyond the shared contract, against a real etcd.

let etcd: EtcdServer;
let raw: Etcd3;
let registry: EtcdRegistry;

beforeAll(async () => {
  etcd = await startEtcd();
  raw = new Etcd3({ hosts: `http://${etcd.address}` });
}, 30_000);

afterAll(async () => {
  raw?.close();
  await etcd?.stop();
});

beforeEach(() => {
  registry = new EtcdRegistry({ addresses: [etcd.address] });
});

afterEach(async () => {
  await registry.close();
});

const record = (svc: string): ServiceRecord => ({ name: svc, version: "1", endpoints: [], nodes: [{ id: `${svc}-1`, address: "127.0.0.1:9", metadata: {} }] });

describe("etcd registry", () => {
  // Regression: the delete of a deregistration queued behind a renewal could land after the put
  // of a register issued right after it, leaving the node unregistered.
  it("keeps a node registered when it is deregistered and registered again at once", async () => {
    const svc = uniqueName("rereg");
    const r = record(svc);
    await registry.register(r, { ttlMs: 5000 });
    // etcd paused: the renewal (a new TTL: a new lease, then a put) is under way when the
    // deregistration and the new registration come, and etcd answers them in arrival order.
    process.kill(etcd.pid(), "SIGSTOP");
    let renewal: Promise<void>, gone: Promise<void>, back: Promise<void>;
    try {
      renewal = registry.register(r, { ttlMs: 7000 });
      await new Promise((resolve) => setImmediate(resolve));
      gone = registry.deregister(r);
      back = registry.register(r, { ttlMs: 5000 });
      await new Promise((resolve) => setTimeout(resolve, 50));
    } finally {
      process.kill(etcd.pid(), "SIGCONT");
    }
    await Promise.all([renewal, gone, back]);
    await expect(raw.get(nodeKey("/micro/registry/", svc, `${svc}-1`)).string()).resolves.not.toBeNull();
  });

  it("puts a registration without a TTL (ttlMs 0) on no lease", async () => {
    const svc = uniqueName("nolease");
    await registry.register(record(svc), { ttlMs: 0 });
    const res = await raw.get(nodeKey("/micro/registry/", svc, `${svc}-1`)).exec();
    expect(res.kvs[0]?.lease).toBe("0");
    await registry.deregister(record(svc));
  });

  it("uses its ttlMs option when register names none", async () => {
    const own = new EtcdRegistry({ addresses: [etcd.address], ttlMs: 4000 });
    const svc = uniqueName("default-ttl");
    await own.register(record(svc));
    const kv = (await raw.get(nodeKey("/micro/registry/", svc, `${svc}-1`)).exec()).kvs[0]!;
    expect((await raw.leaseClient.leaseTimeToLive({ ID: kv.lease })).grantedTTL).toBe("4");
    await own.deregister(record(svc));
    await own.close();
  });

  it("keeps two prefixes apart", async () => {
    const other = new EtcdRegistry({ addresses: [etcd.address], prefix: "/team-b/" });
    const svc = uniqueName("prefix");
    await other.register(record(svc), { ttlMs: 5000 });
    await expect(registry.getService(svc)).resolves.toEqual([]);
    await expect(other.getService(svc)).resolves.toEqual([record(svc)]);
    await expect(raw.get(`/team-b/${svc}/${svc}-1`).string()).resolves.not.toBeNull();
    await other.close();
  });
});
