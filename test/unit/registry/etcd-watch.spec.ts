import { EventEmitter } from "node:events";
import type { Etcd3 } from "etcd3";
import type { ServiceRecord, WatchEvent } from "../../../src/registry/registry";
import { encodeNodeRecord } from "../../../src/registry/etcd/record";
import { EtcdWatch } from "../../../src/registry/etcd/watch";
import { waitFor } from "../../helpers/wait";

// The watch's own logic, against a scripted etcd3 client: create vs update from the key's
// version, deletes reported from the last record seen, and a full re-list when etcd cancels the
// watch (its history compacted), reporting only what changed meanwhile.

const PREFIX = "/micro/registry/";
const rec = (id: string, address = "127.0.0.1:1"): ServiceRecord => ({ name: "svc", version: "1", endpoints: [], nodes: [{ id, address, metadata: {} }] });
const kv = (id: string, record: ServiceRecord, version = "1") => ({
  key: Buffer.from(`${PREFIX}svc/${id}`),
  value: Buffer.from(encodeNodeRecord(record, record.nodes[0]!)),
  version,
  lease: "0",
  create_revision: "1",
  mod_revision: "1",
});

/** A fake etcd3 client: `listing` answers getAll, each watcher() is an EventEmitter the test drives. */
function fakeClient(listing: { kvs: ReturnType<typeof kv>[]; revision: string }) {
  const watchers: Array<EventEmitter & { startRevision?: string }> = [];
  const client = {
    getAll: () => ({ prefix: () => ({ exec: async () => ({ kvs: listing.kvs, header: { revision: listing.revision } }) }) }),
    watch: () => {
      let start: string | undefined;
      const builder = {
        prefix: () => builder,
        withPreviousKV: () => builder,
        startRevision: (r: string) => ((start = r), builder),
        watcher: () => {
          const w = Object.assign(new EventEmitter(), { startRevision: start, cancel: async () => undefined });
          watchers.push(w);
          return w;
        },
      };
      return builder;
    },
  };
  return { client: client as unknown as Etcd3, watchers };
}

function watchWith(listing: { kvs: ReturnType<typeof kv>[]; revision: string }) {
  const events: WatchEvent[] = [];
  const { client, watchers } = fakeClient(listing);
  const watch = new EtcdWatch({ client, prefix: PREFIX, watchPrefix: `${PREFIX}svc/`, listener: (e) => events.push(e), retryMs: 1 });
  return { watch, watchers, events };
}

const summary = (events: WatchEvent[]) => events.map((e) => `${e.action} ${e.service.nodes[0]!.id} ${e.service.nodes[0]!.address}`);

describe("EtcdWatch", () => {
  it("watches from just after the revision of its first listing", async () => {
    const { watch, watchers } = watchWith({ kvs: [], revision: "41" });
    await watch.start();
    expect(watchers[0]!.startRevision).toBe("42");
    await watch.stop();
  });

  it("maps a key's first version to create, later ones to update, and a delete to the node last seen there", async () => {
    const { watch, watchers, events } = watchWith({ kvs: [kv("a", rec("a"))], revision: "5" });
    await watch.start();
    const w = watchers[0]!;
    w.emit("put", kv("b", rec("b")));
    w.emit("put", kv("b", rec("b", "127.0.0.1:2"), "2"));
    w.emit("delete", { ...kv("b", rec("b")), value: Buffer.alloc(0) }, undefined);
    // Seen only in the first listing, never in an event: still reported with its record.
    w.emit("delete", { ...kv("a", rec("a")), value: Buffer.alloc(0) }, undefined);
    // Never seen at all: service and node id from the key.
    w.emit("delete", { ...kv("z", rec("z")), value: Buffer.alloc(0) }, undefined);
    expect(summary(events)).toEqual(["create b 127.0.0.1:1", "update b 127.0.0.1:2", "delete b 127.0.0.1:2", "delete a 127.0.0.1:1", "delete z "]);
    await watch.stop();
  });

  it("lists again after etcd cancels the watch and reports only the difference", async () => {
    const listing = { kvs: [kv("a", rec("a")), kv("c", rec("c"))], revision: "10" };
    const { watch, watchers, events } = watchWith(listing);
    await watch.start();
    // Meanwhile: a changed, b added, c gone; then etcd cancels the watch (history compacted).
    listing.kvs = [kv("a", rec("a", "127.0.0.1:9"), "2"), kv("b", rec("b"))];
    listing.revision = "20";
    watchers[0]!.emit("error", new Error("Watcher canceled: mvcc: required revision has been compacted"));
    await waitFor(() => watchers.length === 2, 2000, "a new watcher");
    expect(summary(events)).toEqual(["update a 127.0.0.1:9", "create b 127.0.0.1:1", "delete c 127.0.0.1:1"]);
    expect(watchers[1]!.startRevision).toBe("21");
    await watch.stop();
  });

  it("keeps going when a listener throws", async () => {
    const { client, watchers } = fakeClient({ kvs: [], revision: "1" });
    let calls = 0;
    const watch = new EtcdWatch({ client, prefix: PREFIX, watchPrefix: PREFIX, listener: () => (calls++, assertNever()), retryMs: 1 });
    await watch.start();
    watchers[0]!.emit("put", kv("a", rec("a")));
    watchers[0]!.emit("put", kv("b", rec("b")));
    expect(calls).toBe(2);
    await watch.stop();
  });
});

function assertNever(): never {
  throw new Error("listener failure");
}
