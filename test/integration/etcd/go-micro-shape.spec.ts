import { readFileSync } from "node:fs";
import { join } from "node:path";
import { Etcd3 } from "etcd3";
import type { ServiceRecord, WatchEvent } from "../../../src/registry/registry";
import { EtcdRegistry } from "../../../src/registry/etcd";
import { startEtcd, type EtcdServer } from "../../helpers/servers/etcd";
import { waitFor } from "../../helpers/wait";

// go-micro and tsmicro share one etcd: the key layout and the JSON of a node key must be
// go-micro's exactly. The fixture is written from go-micro's registry types (see its README).

const FIXTURE_TEXT = readFileSync(join(__dirname, "..", "..", "fixtures", "go-micro", "etcd-service.json"), "utf8");
/** The bytes Go's json.Marshal writes: the fixture without whitespace, field order kept. */
const GO_BYTES = JSON.stringify(JSON.parse(FIXTURE_TEXT));
const FIXTURE = JSON.parse(FIXTURE_TEXT) as { name: string; nodes: Array<{ id: string }> };

/** The same service as tsmicro describes it: leaves without `values`, a bodiless endpoint without request/response. */
const TS_RECORD: ServiceRecord = {
  name: "gomicro.greeter",
  version: "1.0.0",
  metadata: { owner: "go-micro" },
  endpoints: [
    {
      name: "Greeter.Hello",
      request: {
        name: "Request",
        type: "Request",
        values: [
          { name: "name", type: "string" },
          { name: "address", type: "Address", values: [{ name: "city", type: "string" }] },
        ],
      },
      response: { name: "Response", type: "Response", values: [{ name: "msg", type: "string" }] },
      metadata: { stream: "false" },
    },
    { name: "Greeter.Ping", metadata: {} },
  ],
  nodes: [
    {
      id: "gomicro.greeter-0b9c3e34-5f1a-4a8e-9d59-4c6c2b1f7e11",
      address: "127.0.0.1:41234",
      metadata: { broker: "http", protocol: "mucp", registry: "etcd", server: "mucp", transport: "http" },
    },
  ],
};

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

beforeEach(async () => {
  await raw.delete().prefix("/micro/registry/").exec();
  registry = new EtcdRegistry({ addresses: [etcd.address] });
});

afterEach(async () => {
  await registry.close();
});

describe("etcd registry: go-micro's key layout and JSON", () => {
  it("stores a node under /micro/registry/<service>/<node-id> as the bytes go-micro writes", async () => {
    await registry.register(TS_RECORD, { ttlMs: 10_000 });
    const stored = await raw.getAll().prefix("/micro/registry/").strings();
    expect(Object.keys(stored)).toEqual([`/micro/registry/${FIXTURE.name}/${FIXTURE.nodes[0]!.id}`]);
    const value = Object.values(stored)[0]!;
    // Field by field, in Go's order, with Go's nulls: compare the bytes, then the parsed trees.
    expect(value).toBe(GO_BYTES);
    expect(JSON.parse(value)).toEqual(JSON.parse(FIXTURE_TEXT));
  });

  it("puts the key on a lease of the registration TTL (whole seconds, rounded up)", async () => {
    await registry.register(TS_RECORD, { ttlMs: 7_500 });
    const res = await raw.get(`/micro/registry/${FIXTURE.name}/${FIXTURE.nodes[0]!.id}`).exec();
    const leaseId = res.kvs[0]!.lease;
    expect(leaseId).not.toBe("0");
    const info = await raw.leaseClient.leaseTimeToLive({ ID: leaseId });
    expect(info.grantedTTL).toBe("8");
  });

  it("reads a key go-micro wrote (nulls included) back as the service, and watches it", async () => {
    const events: WatchEvent[] = [];
    const watcher = await registry.watch((e) => events.push(e), { service: FIXTURE.name });
    const key = `/micro/registry/${FIXTURE.name}/${FIXTURE.nodes[0]!.id}`;
    await raw.put(key).value(GO_BYTES).exec();
    await expect(registry.getService(FIXTURE.name)).resolves.toEqual([TS_RECORD]);
    await expect(registry.listServices()).resolves.toEqual([TS_RECORD]);
    await waitFor(() => events.length === 1, 5000, "the create event");
    expect(events[0]).toEqual({ action: "create", service: TS_RECORD });
    await raw.delete().key(key).exec();
    await waitFor(() => events.length === 2, 5000, "the delete event");
    expect(events[1]).toEqual({ action: "delete", service: TS_RECORD });
    await watcher.stop();
  });

  it("skips values that are not service records instead of failing the lookup", async () => {
    await raw.put(`/micro/registry/${FIXTURE.name}/junk`).value("not json").exec();
    await raw.put(`/micro/registry/${FIXTURE.name}/array`).value("[1,2]").exec();
    await raw.put(`/micro/registry/${FIXTURE.name}/${FIXTURE.nodes[0]!.id}`).value(GO_BYTES).exec();
    await expect(registry.getService(FIXTURE.name)).resolves.toEqual([TS_RECORD]);
  });
});
